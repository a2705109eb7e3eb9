"""Refuse credentials in the configuration: a secret committed to git is a leaked secret."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from setops.config.yamlio import Document, Path
from setops.errors import Problem

# Key names that only ever hold a credential.
_SECRET_KEY = re.compile(
    r"(?i)(^|[_-])(pass(word|wd)?|secret|token|api[_-]?key|apikey|credentials?|private[_-]?key|"
    r"auth(orization)?|bearer|client[_-]?secret)([_-]|$)"
)
# Value shapes of well-known credentials: GitHub, Slack, AWS, Atlassian, GitLab, PEM, headers.
_SECRET_VALUE = re.compile(
    r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|"
    r"AKIA[0-9A-Z]{16}|ATATT[A-Za-z0-9_=-]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|^(GenieKey|Bearer|Basic|token)\s+\S{12,}$|"
    r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.)"
)
_ADVICE = "secrets never belong in git; set it in the environment (see README, 'Credentials')"


def find_secrets(doc: Document) -> list[Problem]:
    """Every key or value in `doc` that looks like a credential, at its place."""
    problems = []
    for path, key, value in _walk(doc.data, ()):
        if key is not None:
            if _SECRET_KEY.search(key) and value not in (None, "", False):
                message = f"'{key}' looks like a credential; {_ADVICE}"
                problems.append(Problem(doc.at(path, key=True), message))
        elif isinstance(value, str) and _SECRET_VALUE.search(value.strip()):
            problems.append(Problem(doc.at(path), f"this value looks like a credential; {_ADVICE}"))
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
