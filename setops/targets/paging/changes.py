"""Desired vs current paging objects -> typed Changes, with ownership and the retention rule.

setops owns what carries its deterministic names (`setops: …` rotations, `setops-…`
overrides) in the schedules it manages, and the schedules and escalation named in
policies/. Owned objects that ended before the synced window (more than the retention ago)
are left alone. Everything else in those schedules is foreign: never touched without
--prune, and reported when it changes who is paged from now on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from setops.plan import Action, Change, creation_fields, deletion_fields, field_changes
from setops.targets.paging.desired import Desired
from setops.targets.paging.model import (
    EscalationObj,
    Kind,
    OverrideObj,
    PagingState,
    RotationObj,
    ScheduleObj,
)

Obj = ScheduleObj | RotationObj | OverrideObj | EscalationObj
T = TypeVar("T", RotationObj, OverrideObj)


@dataclass(frozen=True)
class Op:
    """The payload of one Change: what to send (desired) and what it replaces (current)."""

    kind: Kind
    action: Action
    desired: Any = None
    current: Any = None
    with_schedule: bool = False  # a rotation created inside its new schedule's create


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # drift: not setops', changes paging
    notices: list[str] = field(default_factory=list)
    pruned: int = 0  # foreign objects --prune deletes
    import_command: str | None = None  # how a foreign override is brought into the YAML


def display_name(obj: Obj) -> str:
    if isinstance(obj, RotationObj):
        return f"{obj.schedule} / {obj.name}"
    if isinstance(obj, OverrideObj):
        return f"{obj.schedule} / {obj.alias}"
    return obj.name


def _fields(obj: Obj, tz: ZoneInfo) -> dict[str, Any]:
    if isinstance(obj, RotationObj | OverrideObj):
        return obj.fields(tz)
    return obj.fields()


def change(target: str, op: Op, tz: ZoneInfo, reason: str = "") -> Change:
    obj = op.desired if op.desired is not None else op.current
    if op.action == "create":
        fields = creation_fields(_fields(op.desired, tz))
    elif op.action == "update":
        fields = field_changes(_fields(op.current, tz), _fields(op.desired, tz))
    else:
        fields = deletion_fields(_fields(op.current, tz))
    return Change(target, op.action, op.kind, display_name(obj), fields, reason, payload=op)


def plan_changes(
    target: str,
    desired: Desired,
    current: PagingState,
    now: dt.datetime,
    prune: bool,
    import_command: str | None = None,
) -> Diff:
    diff = Diff(import_command=import_command)
    zones = {s.name: s.zone for s in desired.schedules}
    new_schedules = {s.name for s in desired.schedules if s.name not in current.schedules}
    for op in _schedule_ops(desired, current):
        diff.changes.append(change(target, op, zones[op.desired.name]))
    _rotation_changes(target, diff, desired, current, now, prune, new_schedules)
    _override_changes(target, diff, desired, current, now, prune)
    escalation = _escalation_op(desired.escalation, current.escalation)
    if escalation is not None:
        diff.changes.append(change(target, escalation, desired.schedules[0].zone))
    diff.changes.sort(key=apply_rank)
    return diff


RANK = {"schedule": 0, "rotation": 1, "override": 2, "escalation": 3}


def apply_rank(item: Change) -> int:
    """Creates and updates first, containers before contents; deletes last, overrides
    before the rotations they name. Sorting is stable, so time order holds within a rank."""
    if item.action == "delete":
        return 10 + (0 if item.kind == "override" else 1)
    return RANK[item.kind]


def _schedule_ops(desired: Desired, current: PagingState) -> Iterator[Op]:
    for schedule in desired.schedules:
        found = current.schedules.get(schedule.name)
        if found is None:
            yield Op("schedule", "create", schedule)
        elif found != schedule:
            yield Op("schedule", "update", schedule, found)


def _escalation_op(desired: EscalationObj, current: EscalationObj | None) -> Op | None:
    if current is None:
        return Op("escalation", "create", desired)
    return Op("escalation", "update", desired, current) if current != desired else None


def _in_scope(obj: RotationObj | OverrideObj, desired: Desired) -> bool:
    """Not ended before the synced window: older objects are left alone, not churned."""
    return obj.end is None or obj.end > desired.window[0]


def _rotation_changes(
    target: str,
    diff: Diff,
    desired: Desired,
    current: PagingState,
    now: dt.datetime,
    prune: bool,
    new_schedules: set[str],
) -> None:
    have, extra = _first_by_key(current.rotations, lambda r: (r.schedule, r.name))
    for rotation in desired.rotations:
        tz = desired.zone_of(rotation.schedule)
        found = have.get((rotation.schedule, rotation.name))
        if found is None:
            inline = rotation.schedule in new_schedules
            op = Op("rotation", "create", rotation, with_schedule=inline)
            diff.changes.append(change(target, op, tz))
        elif found != rotation:
            diff.changes.append(change(target, Op("rotation", "update", rotation, found), tz))
    wanted = {(r.schedule, r.name) for r in desired.rotations}
    stale = [r for r in current.rotations if (r.schedule, r.name) not in wanted or id(r) in extra]
    _stale(target, diff, desired, now, prune, stale, "rotation")


def _override_changes(
    target: str, diff: Diff, desired: Desired, current: PagingState, now: dt.datetime, prune: bool
) -> None:
    have, extra = _first_by_key(current.overrides, lambda o: (o.schedule, o.alias))
    for override in desired.overrides:
        tz = desired.zone_of(override.schedule)
        found = have.get((override.schedule, override.alias))
        if found is None:
            diff.changes.append(change(target, Op("override", "create", override), tz))
        elif found != override:
            diff.changes.append(change(target, Op("override", "update", override, found), tz))
    wanted = {(o.schedule, o.alias) for o in desired.overrides}
    stale = [o for o in current.overrides if (o.schedule, o.alias) not in wanted or id(o) in extra]
    _stale(target, diff, desired, now, prune, stale, "override")


def _first_by_key(
    objects: Iterable[T], key: Callable[[T], tuple[str, str]]
) -> tuple[dict[tuple[str, str], T], set[int]]:
    """Objects by identity, the first of each name; the ids of later ones with a taken name
    (a copy made by hand): those are stale, so an owned name ends up held once."""
    first: dict[tuple[str, str], T] = {}
    extra: set[int] = set()
    for obj in objects:
        if key(obj) in first:
            extra.add(id(obj))
        else:
            first[key(obj)] = obj
    return first, extra


def _stale(
    target: str,
    diff: Diff,
    desired: Desired,
    now: dt.datetime,
    prune: bool,
    objects: Iterable[RotationObj | OverrideObj],
    kind: Kind,
) -> None:
    """Current objects nothing desired matches: delete the owned, report the foreign."""
    for obj in objects:
        if not _in_scope(obj, desired):
            continue
        tz = desired.zone_of(obj.schedule)
        if obj.owned:
            op = Op(kind, "delete", current=obj)
            diff.changes.append(change(target, op, tz, "no longer in the configuration"))
            continue
        if obj.end is None or obj.end > now:
            diff.foreign.append(foreign_text(obj, tz, diff.import_command))
        if prune:
            diff.pruned += 1
            op = Op(kind, "delete", current=obj)
            diff.changes.append(change(target, op, tz, "not setops' (--prune)"))


def foreign_text(
    obj: RotationObj | OverrideObj, tz: ZoneInfo, import_command: str | None = None
) -> str:
    start = obj.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    end = obj.end.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if obj.end else "open end"
    if isinstance(obj, OverrideObj):
        scope = ", ".join(obj.rotations) if obj.rotations else "all rotations"
        how = f" with `{import_command}`" if import_command else ""
        return (
            f"override '{obj.alias}' in {obj.schedule} puts {obj.user} on call {start} to "
            f"{end} ({scope}); setops did not create it: bring it into rotations/overrides.yaml"
            f"{how}, or remove it (apply --prune)"
        )
    who = ", ".join(obj.participants)
    return (
        f"rotation '{obj.name}' in {obj.schedule} ({who}, {start} to {end}) is not setops' "
        "and keeps paging until it is removed (in the service, or by apply --prune)"
    )


def owned_count(desired: Desired, current: PagingState) -> int:
    """How many owned rotations and overrides in the synced window exist now."""
    objects: list[RotationObj | OverrideObj] = [*current.rotations, *current.overrides]
    return sum(1 for o in objects if o.owned and _in_scope(o, desired))
