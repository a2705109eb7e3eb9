"""Refuse credentials in the configuration: a secret committed to git is a leaked secret."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from setops.config.yamlio import Document, Path
from setops.errors import Location, Problem

# Key names that only ever hold a credential.
_SECRET_KEY = re.compile(
    r"(?i)(^|[_-])(pass(word|wd)?|secret|token|api[_-]?key|apikey|credentials?|private[_-]?key|"
    r"auth(orization)?|bearer|client[_-]?secret)([_-]|$)"
)
# Shapes of well-known credentials wherever they stand: GitHub, Slack, AWS, Atlassian,
# GitLab, PEM, JWT, an OpsGenie key after its scheme, and a URL with a password in it.
_SECRET_SHAPE = (
    r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|"
    r"AKIA[0-9A-Z]{16}|ATATT[A-Za-z0-9_=-]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.|"
    r"GenieKey\s+[0-9a-fA-F-]{20,}|"
    # A URL's user:password@ (starting at '://', which the regex engine finds fast).
    r"://[^\s/:@]+:[^\s/@]+@"
)
_SECRET_ANYWHERE = re.compile(_SECRET_SHAPE)
# A whole value that is a credential with its scheme, e.g. 'Bearer abc…'.
_SECRET_VALUE = re.compile(rf"{_SECRET_SHAPE}|^(GenieKey|Bearer|Basic|token)\s+\S{{12,}}$")
_ADVICE = "secrets never belong in git; set it in the environment (see docs/credentials.md)"
_COMMENT_ADVICE = (
    "secrets never belong in git, comments included: remove it, revoke it, and set it in "
    "the environment (see docs/credentials.md)"
)


def find_secrets(doc: Document) -> list[Problem]:
    """Every key, value or comment in `doc` that looks like a credential, at its place."""
    problems = []
    for path, key, value in _walk(doc.data, ()):
        if key is not None:
            if _SECRET_KEY.search(key) and value not in (None, "", False):
                message = f"'{key}' looks like a credential; {_ADVICE}"
                problems.append(Problem(doc.at(path, key=True), message))
        elif isinstance(value, str) and _SECRET_VALUE.search(value.strip()):
            problems.append(Problem(doc.at(path), f"this value looks like a credential; {_ADVICE}"))
    problems += _in_comments(doc, {p.where.line for p in problems})
    return problems


def _in_comments(doc: Document, reported: set[int]) -> list[Problem]:
    """Credentials the values do not hold: in comments (which go to git all the same)."""
    if not _SECRET_ANYWHERE.search(doc.text):
        return []
    problems = []
    for number, line in enumerate(doc.text.splitlines(), start=1):
        found = _SECRET_ANYWHERE.search(line)
        if found and number not in reported and "#" in line[: found.start()]:
            message = f"this comment holds what looks like a credential; {_COMMENT_ADVICE}"
            problems.append(Problem(Location(doc.path, number, found.start() + 1), message))
    return problems


def _walk(data: Any, path: Path) -> Iterator[tuple[Path, str | None, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, str(key))
            yield child, str(key), value if not isinstance(value, dict | list) else True
            yield from _walk(value, child)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index))
    else:
        yield path, None, data
