"""The safety rail: a plan that deletes too much, or leaves a role uncovered, needs --force.

An ordinary swap changes who holds a slot, never whether it is held, so it passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from setops.plan import Change
from setops.targets.paging.changes import Diff, Op, owned_count
from setops.targets.paging.desired import Desired
from setops.targets.paging.model import PagingState, RotationObj

MAX_DELETE_SHARE = 0.30
STEP = dt.timedelta(minutes=30)  # every rotation boundary and restriction lies on this grid
DAY = dt.timedelta(days=1)


def unsafe_reasons(
    diff: Diff, desired: Desired, current: PagingState, now: dt.datetime
) -> list[str]:
    """Why applying this plan needs --force; empty when it is safe."""
    reasons = []
    deletes = sum(c.action == "delete" for c in diff.changes)
    base = owned_count(desired, current) + diff.pruned
    if deletes and base and deletes / base > MAX_DELETE_SHARE:
        reasons.append(
            f"it deletes {deletes} of the {base} objects setops manages there "
            f"({deletes / base:.0%}, more than {MAX_DELETE_SHARE:.0%})"
        )
    reasons += lost_coverage(diff.changes, desired, current, now)
    return reasons


def lost_coverage(
    changes: Sequence[Change], desired: Desired, current: PagingState, now: dt.datetime
) -> list[str]:
    """Schedules someone holds today that would have nobody on call at some future time."""
    ops: list[Op] = [c.payload for c in changes if c.kind == "rotation"]
    touched = [op.current for op in ops if op.action in ("update", "delete")]
    if not touched:
        return []
    gone = {id(r) for r in touched}  # by identity: a copy's delete leaves its original
    after = [r for r in current.rotations if id(r) not in gone]
    after += [op.desired for op in ops if op.action in ("create", "update")]
    horizon, reasons = desired.window[1], []
    for schedule in sorted({r.schedule for r in touched}):
        was = current.schedules[schedule].zone
        will = desired.zone_of(schedule) if schedule in _names(desired) else was
        before_s = [r for r in current.rotations if r.schedule == schedule]
        after_s = [r for r in after if r.schedule == schedule]
        mine = [r for r in touched if r.schedule == schedule]
        for instant in _grid(mine, now, horizon):
            if _covered(before_s, instant, was) and not _covered(after_s, instant, will):
                if any(_covered(before_s, t, was) for t in _steps(now, now + DAY)):
                    local = instant.astimezone(will).strftime("%Y-%m-%d %H:%M %Z")
                    reasons.append(
                        f"{schedule} would have nobody on call at {local}, though someone "
                        "holds it today (lost coverage)"
                    )
                break
    return reasons


def _names(desired: Desired) -> set[str]:
    return {s.name for s in desired.schedules}


def _covered(rotations: Iterable[RotationObj], instant: dt.datetime, tz: ZoneInfo) -> bool:
    return any(r.participants and r.active(instant, tz) for r in rotations)


def _steps(start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    instant = epoch + STEP * -(-(start - epoch) // STEP)  # the first grid point from start
    while instant < end:
        yield instant
        instant += STEP


def _grid(
    rotations: Iterable[RotationObj], now: dt.datetime, horizon: dt.datetime
) -> Iterator[dt.datetime]:
    """Grid instants in the future parts of the given rotations, in time order."""
    seen: set[dt.datetime] = set()
    spans = sorted((max(r.start, now), min(r.end or horizon, horizon)) for r in rotations)
    for start, end in spans:
        for instant in _steps(start, end):
            if instant not in seen:
                seen.add(instant)
                yield instant
