"""CODEOWNERS must cover the paths whose review makes the rotation safe to change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pathspec

from setops.errors import Location, Problem

# A sample file under each path that must have an owner.
MUST_BE_OWNED = {
    "rotations/": "rotations/set.yaml",
    "policies/": "policies/escalation.yaml",
    ".github/": ".github/workflows/apply.yml",
    "CODEOWNERS": "CODEOWNERS",
}


def codeowners_problems(codeowners: tuple[str, str] | None) -> Iterator[Problem]:
    """Problems with the CODEOWNERS file (path, text): every protected path needs an owner."""
    if codeowners is None:
        yield Problem(
            Location("CODEOWNERS"),
            "no CODEOWNERS file; engineering leads must own "
            "rotations/ and policies/ (and maintainers .github/ and CODEOWNERS)",
        )
        return
    path, text = codeowners
    rules: list[tuple[int, pathspec.PathSpec[Any], list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pattern, *owners = stripped.split()
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        rules.append((number, spec, [o for o in owners if not o.startswith("#")]))
    for protected, sample in MUST_BE_OWNED.items():
        if protected == "CODEOWNERS":
            sample = path
        owner = None
        for _number, spec, owners in rules:
            if spec.match_file(sample):
                owner = owners  # the last matching rule wins, as on GitHub
        if not owner:
            yield Problem(
                Location(path),
                f"CODEOWNERS gives no owner to {protected}; every change there must be reviewed",
            )
