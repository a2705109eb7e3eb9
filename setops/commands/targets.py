"""Choosing targets for `plan` and `apply`: enabled ones, narrowed by --only."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from setops.config.load import Config
from setops.errors import SetopsError
from setops.schedule import compute_schedule
from setops.targets.base import Context, Target
from setops.targets.registry import TARGETS
from setops.timeparse import now

F = TypeVar("F", bound=Callable[..., Any])


def only_option(func: F) -> F:
    names = ", ".join(TARGETS) or "none yet"
    return click.option(
        "--only", "only", metavar="TARGET[,TARGET]", help=f"Only these targets ({names})."
    )(func)


def select_targets(
    config: Config, only: str | None, *, prune: bool = False, force: bool = False
) -> list[Target]:
    """The enabled targets (all, or those named by --only), ready to plan."""
    context = Context(config, compute_schedule(config), dict(os.environ), now(), prune, force)
    if only is not None and not only.strip(" ,"):
        raise SetopsError("--only: name at least one target; targets are: " + ", ".join(TARGETS))
    chosen = [t.strip() for t in only.split(",") if t.strip()] if only else list(TARGETS)
    unknown = [name for name in chosen if name not in TARGETS]
    if unknown:
        raise SetopsError(
            f"--only: unknown target {', '.join(unknown)}; targets are: "
            + (", ".join(TARGETS) or "none")
        )
    targets = [TARGETS[name](context) for name in chosen]
    if only:
        disabled = [t for t in targets if not t.selectable()]
        if disabled:
            raise SetopsError("--only: " + "; ".join(_why_not(t) for t in disabled))
        return targets
    return [t for t in targets if t.enabled()]


def _why_not(target: Target) -> str:
    return f"{target.name} is not enabled in policies/integrations.yaml" + (
        target.why_not_selectable()
    )
