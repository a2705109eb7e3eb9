"""CODEOWNERS must cover the paths whose review makes the rotation safe to change.

Read as GitHub reads it: the last matching line wins; a line GitHub cannot use (a pattern
it cannot read, a negation, an owner that is none) is skipped, and said so; an inline
`#` starts a comment, owners after it included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pathspec

from setops.config.models import FILE_MODELS
from setops.errors import Location, Problem

# Each path that must have an owner, with the files under it that stand for it: one that
# does not exist yet (so a rule naming only today's files does not pass) and today's.
MUST_BE_OWNED: dict[str, tuple[str, ...]] = {
    "rotations/": (
        "rotations/a-new-file.yaml",
        *(str(m.FILE) for m in FILE_MODELS if str(m.FILE).startswith("rotations/")),
    ),
    "policies/": (
        "policies/a-new-file.yaml",
        *(str(m.FILE) for m in FILE_MODELS if str(m.FILE).startswith("policies/")),
    ),
    ".github/": (".github/a-new-file", ".github/workflows/apply.yml"),
    "CODEOWNERS": (),  # the file itself, wherever it is
}
_COMMENT = re.compile(r"(?:^|(?<=\s))#")
_OWNER = re.compile(r"@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class _Rule:
    line: int
    spec: pathspec.PathSpec[Any]
    owners: tuple[str, ...]


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
    rules: list[_Rule] = []
    for number, line in enumerate(text.splitlines(), start=1):
        rule, problem = _rule(path, number, line)
        if problem is not None:
            yield problem
        if rule is not None:
            rules.append(rule)
    for protected, samples in MUST_BE_OWNED.items():
        for sample in samples or (path,):
            matching = [r for r in rules if r.spec.match_file(sample)]
            last = matching[-1] if matching else None  # the last matching rule wins
            if last is None or not last.owners:
                # The new file stands for the whole folder; a named file for itself.
                shown = sample if samples and sample != samples[0] else protected
                yield Problem(
                    Location(path, last.line if last else 1),
                    f"CODEOWNERS gives no owner to {shown}; every change there must be reviewed",
                )
                break


def _rule(path: str, number: int, line: str) -> tuple[_Rule | None, Problem | None]:
    """One line as GitHub uses it (None: a line it skips), and what is wrong with it."""
    # A comment starts at a '#' that begins the line or follows a space (GitHub's inline
    # comments); '\\#' is a pattern starting with '#'.
    words = _COMMENT.split(line, maxsplit=1)[0].split()
    if not words:
        return None, None
    pattern, owners = words[0], tuple(words[1:])
    where = Location(path, number, line.index(pattern) + 1)
    if pattern.startswith("!"):
        return None, Problem(
            where,
            "CODEOWNERS has no negation (!): GitHub skips this line, so it takes no owner "
            "away; to leave a path without owners, list it with none",
        )
    for owner in owners:
        if not _OWNER.fullmatch(owner):
            column = line.index(owner, len(pattern)) + 1
            return None, Problem(
                Location(path, number, column),
                f"'{owner}' is not an owner: write @user, @org/team or an e-mail address "
                "(GitHub skips this line)",
            )
    try:
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
    except ValueError:
        reason = " (a pattern cannot end in a backslash)" if pattern.endswith("\\") else ""
        return None, Problem(
            where, f"'{pattern}' is not a valid CODEOWNERS pattern{reason}; GitHub skips this line"
        )
    return _Rule(number, spec, owners), None
