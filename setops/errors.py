"""The project's own errors: what the command line turns into one clean line and exit 1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


class SetopsError(Exception):
    """A known failure the user can act on (bad input, a refused service call)."""


@dataclass(frozen=True, order=True)
class Location:
    """Where a value came from: a file relative to the config root, 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration, at its place."""

    where: Location
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.where}: {prefix}{self.message}"


class ConfigError(SetopsError):
    """The configuration is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.where))
        super().__init__("\n".join(str(p) for p in self.problems))
