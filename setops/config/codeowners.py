"""CODEOWNERS must cover the paths whose review makes the rotation safe to change.

Read as GitHub reads it: the last matching line wins; a line GitHub cannot use (a pattern
it cannot read, a negation, an owner that is none) is skipped, and said so; an inline
`#` starts a comment, owners after it included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec

from setops.config.models import FILE_MODELS
from setops.errors import Location, Problem

HANDOVER_SAMPLE = "handovers/2026-01-05.md"  # what the handover pull request adds
ROTATION_SAMPLE = "rotations/set.yaml"

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
    "handovers/": (HANDOVER_SAMPLE,),
    "CODEOWNERS": (),  # the file itself, wherever it is
}
_COMMENT = re.compile(r"(?:^|(?<=\s))#")
_OWNER = re.compile(r"@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class _Rule:
    line: int
    spec: pathspec.PathSpec[Any]
    owners: tuple[str, ...]


def codeowners_problems(
    codeowners: tuple[str, str] | None, leads: Sequence[str] = ()
) -> Iterator[Problem]:
    """Problems with the CODEOWNERS file (path, text): every protected path needs an owner,
    and the handover records need owners who can approve them: the engineering leads
    (`leads`: the GitHub logins of the people who can lead)."""
    if codeowners is None:
        yield Problem(
            Location("CODEOWNERS"),
            "no CODEOWNERS file; engineering leads must own rotations/, policies/ and "
            "handovers/ (and maintainers .github/ and CODEOWNERS)",
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
    yield from _handover_owners(path, text, rules, leads)


def _owner_rule(rules: Sequence[_Rule], sample: str) -> _Rule | None:
    """The rule that decides who owns `sample` (the last matching one)."""
    matching = [r for r in rules if r.spec.match_file(sample)]
    return matching[-1] if matching else None


def _handover_owners(
    path: str, text: str, rules: Sequence[_Rule], leads: Sequence[str]
) -> Iterator[Problem]:
    """setops asks the outgoing and incoming lead to review the handover pull request; when
    branch protection requires a code owner's review, only the owners of handovers/ can
    approve it. So they must include the leads: the owners of rotations/ (the leads' team),
    or every person who can lead by login."""
    handover = _owner_rule(rules, HANDOVER_SAMPLE)
    if handover is None or not handover.owners:
        return  # said above: no owner at all
    owners = {o.lower() for o in handover.owners}
    rotation = _owner_rule(rules, ROTATION_SAMPLE)
    team = {o.lower() for o in rotation.owners} if rotation else set()
    by_login = {f"@{login}".lower() for login in leads}
    if (team and team <= owners) or (by_login and by_login <= owners):
        return
    line = text.splitlines()[handover.line - 1]
    words = _COMMENT.split(line, maxsplit=1)[0].split()
    wanted = " ".join(rotation.owners) if rotation and rotation.owners else "the leads"
    yield Problem(
        Location(path, handover.line, line.index(words[0]) + 1),
        f"CODEOWNERS gives handovers/ to {' '.join(handover.owners)}, not to the engineering "
        "leads setops asks to review the handover pull request: when branch protection "
        "requires a code owner's review they could not approve it; add "
        f"`/handovers/ {wanted}`",
    )


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
