"""The interface every target implements: read current state, plan against desired, apply.

A target is built from the validated Config, the computed Schedule, the environment (its
credentials and base URL) and the current instant. It never parses YAML; the core never
imports a target module (only the registry in `setops.targets.registry` does).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from setops.config.load import Config
from setops.plan import Change, TargetPlan
from setops.schedule import Schedule


@dataclass(frozen=True)
class Context:
    """What a target is given: the config, the schedule, the environment and the time."""

    config: Config
    schedule: Schedule
    env: Mapping[str, str]
    now: dt.datetime
    prune: bool = False
    force: bool = False


@dataclass
class ApplyReport:
    """What an apply did, change by change (for the summary and for a failure message)."""

    target: str
    done: list[Change] = field(default_factory=list)
    requests: int = 0

    def summary(self) -> str:
        counts = {a: sum(c.action == a for c in self.done) for a in ("create", "update", "delete")}
        return (
            f"{self.target}: {counts['create']} created, {counts['update']} updated, "
            f"{counts['delete']} deleted"
        )


class Target(abc.ABC):
    """One service. Subclasses set `name` and `credentials`, and implement the hooks."""

    name: ClassVar[str]
    # Environment variables that must all be set; a tuple of alternatives is one of them.
    credentials: ClassVar[tuple[str | tuple[str, ...], ...]] = ()

    def __init__(self, context: Context) -> None:
        self.context = context

    @abc.abstractmethod
    def enabled(self) -> bool:
        """Whether policies/integrations.yaml enables this target."""

    def selectable(self) -> bool:
        """Whether `--only` may name it (by default: when it is enabled)."""
        return self.enabled()

    def why_not_selectable(self) -> str:
        """What would let `--only` name this target when it may not, said after 'is not
        enabled in policies/integrations.yaml' (empty: nothing more to say)."""
        return ""

    def missing_credentials(self) -> tuple[str, ...]:
        """The variables (or 'A or B' alternatives) that are not set in the environment."""
        env = self.context.env
        missing = []
        for need in self.credentials:
            options = need if isinstance(need, tuple) else (need,)
            if not any((env.get(name) or "").strip() for name in options):
                missing.append(" or ".join(options))
        return tuple(missing)

    @abc.abstractmethod
    def plan(self) -> TargetPlan:
        """Read the current state (read-only calls) and return the changes to make.

        Without credentials, return `configured=False` with the state it would create.
        """

    @abc.abstractmethod
    def apply(self, plan: TargetPlan) -> ApplyReport:
        """Carry out exactly `plan`'s changes, creates and updates first, deletes last."""
