"""The paging objects the schedule calls for: pure, from the Config and the Schedule.

One schedule per role (or per role and shift). Each slot of the cycles (one person, one role,
one shift, shift change to shift change) becomes one dated rotation named after it, e.g.
`setops: 2026-12-07 emea primary`, restricted to the shift's hours; the lead's are
unrestricted. A paging service evaluates hours in the schedule's zone: a shift whose hours are
in another zone gets them converted, and its rotation is split where the two zones' offsets
stop differing by the same amount (a daylight-saving change in only one of them), so the hours
stay right on both sides. YAML overrides become overrides on the rotations of their role and
shift, one per slot they fall in, named `setops-<override id>` (then `-2`, `-3`, ...).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.config.models import WEEKDAYS, Role, Shift, zone
from setops.errors import SetopsError
from setops.schedule import Schedule, Slot, SlotKey, base_slots
from setops.targets.paging.model import (
    DAY,
    OWNED_OVERRIDE_PREFIX,
    OWNED_ROTATION_PREFIX,
    EscalationObj,
    Hours,
    OverrideObj,
    Repeat,
    RotationObj,
    Rule,
    ScheduleObj,
    canonical_hours,
    utc_minute,
)

Layout = Literal["per-role", "per-role-and-shift"]
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SyncSettings:
    """What a paging target is told in policies/integrations.yaml, vendor-neutral."""

    owner_team: str
    layout: Layout
    names: dict[Role, str]
    horizon: dt.timedelta
    retention: dt.timedelta

    def schedule_name(self, role: Role, shift: str | None) -> str:
        base = self.names[role]
        return base if role == "lead" or self.layout == "per-role" else f"{base} {shift}"


@dataclass(frozen=True)
class Desired:
    schedules: tuple[ScheduleObj, ...]
    rotations: tuple[RotationObj, ...]
    overrides: tuple[OverrideObj, ...]
    escalation: EscalationObj
    window: tuple[dt.datetime, dt.datetime]  # [now - retention, now + horizon)
    users: frozenset[str]  # every username the objects name

    def zone_of(self, schedule: str) -> ZoneInfo:
        return next(s.zone for s in self.schedules if s.name == schedule)


def desired_state(
    config: Config, schedule: Schedule, settings: SyncSettings, now: dt.datetime
) -> Desired:
    """Everything the paging service should hold for the synced window around `now`."""
    window = (utc_minute(now - settings.retention), utc_minute(now + settings.horizon))
    schedules = desired_schedules(config, settings)
    zones = {s.name: s.zone for s in schedules}
    by_key: dict[SlotKey, list[RotationObj]] = defaultdict(list)
    shifts = {s.name: s for s in config.rotation.shifts}
    for slot in base_slots(config.rotation, schedule.cycles):
        if slot.overlaps(*window):
            name = settings.schedule_name(slot.role, slot.shift)
            shift = shifts.get(slot.shift) if slot.shift else None
            username = config.person(slot.person).opsgenie.lower()
            by_key[slot.key] += slot_rotations(slot, shift, name, zones[name], username, config)
    rank = {s.name: i for i, s in enumerate(schedules)}
    rotations = tuple(
        sorted(
            (r for rs in by_key.values() for r in rs),
            key=lambda r: (rank[r.schedule], r.start, r.name),
        )
    )
    overrides = tuple(_overrides(config, schedule, settings, by_key, window))
    users = {p for r in rotations for p in r.participants} | {o.user for o in overrides}
    return Desired(
        schedules, rotations, overrides, _escalation(config, settings), window, frozenset(users)
    )


def desired_schedules(config: Config, settings: SyncSettings) -> tuple[ScheduleObj, ...]:
    team, main = settings.owner_team, config.rotation.timezone
    out = [ScheduleObj(settings.schedule_name("lead", None), main, team)]
    for role in ("primary", "backup"):
        if settings.layout == "per-role":
            out.append(ScheduleObj(settings.schedule_name(role, None), main, team))
        else:
            out += [
                ScheduleObj(settings.schedule_name(role, s.name), s.timezone, team)
                for s in config.rotation.shifts
            ]
    return tuple(out)


def rotation_name(slot: Slot, config: Config) -> str:
    day = slot.start.astimezone(zone(config.rotation.timezone)).date().isoformat()
    what = slot.role if slot.shift is None else f"{slot.shift} {slot.role}"
    return f"{OWNED_ROTATION_PREFIX}{day} {what}"


def slot_rotations(
    slot: Slot, shift: Shift | None, schedule: str, tz: ZoneInfo, username: str, config: Config
) -> list[RotationObj]:
    """The rotation(s) of one slot: one, or one per stretch of constant zone difference."""
    name, who = rotation_name(slot, config), (username,)
    if shift is None:
        return [RotationObj(schedule, name, slot.start, slot.end, who, None)]
    out = []
    for index, (start, end, delta) in enumerate(offset_pieces(slot.start, slot.end, shift, tz)):
        suffix = "" if index == 0 else f" #{index + 1}"
        hours = shift_hours(shift, delta)
        out.append(RotationObj(schedule, name + suffix, start, end, who, hours))
    return out


def _delta(instant: dt.datetime, shift_zone: ZoneInfo, tz: ZoneInfo) -> int:
    """Minutes the shift's wall clock is ahead of the schedule's at `instant`."""
    a, b = instant.astimezone(shift_zone).utcoffset(), instant.astimezone(tz).utcoffset()
    assert a is not None and b is not None
    return int((a - b).total_seconds() // 60)


def offset_pieces(
    start: dt.datetime, end: dt.datetime, shift: Shift, tz: ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """[start, end) cut where the zone difference changes: (from, to, minutes ahead)."""
    shift_zone = zone(shift.timezone)
    pieces: list[tuple[dt.datetime, dt.datetime, int]] = []
    piece_start, delta, previous = start, _delta(start, shift_zone, tz), start
    probes = [start + HOUR * k for k in range(1, int((end - start) / HOUR) + 1)]
    for probe in [p for p in probes if p < end] + [end - MINUTE]:
        if _delta(probe, shift_zone, tz) != delta:
            cut = _first_change(previous, probe, delta, shift_zone, tz)
            pieces.append((piece_start, cut, delta))
            piece_start, delta = cut, _delta(cut, shift_zone, tz)
        previous = probe
    pieces.append((piece_start, end, delta))
    return pieces


def _first_change(
    low: dt.datetime, high: dt.datetime, delta: int, shift_zone: ZoneInfo, tz: ZoneInfo
) -> dt.datetime:
    while high - low > MINUTE:
        middle = utc_minute(low + (high - low) / 2)
        if middle <= low:
            middle = low + MINUTE
        if _delta(middle, shift_zone, tz) == delta:
            low = middle
        else:
            high = middle
    return high


def shift_hours(shift: Shift, delta: int) -> Hours | None:
    """The shift's daily hours as windows in a zone `delta` minutes behind the shift's."""
    start, end = _minutes(shift.start) - delta, _minutes(shift.end) - delta
    if shift.days is None:
        return canonical_hours(False, [(start, end)])
    length = (end - start) % DAY or DAY
    windows = []
    for day in shift.days:
        begin = WEEKDAYS.index(day) * DAY + start
        windows.append((begin, begin + length))
    return canonical_hours(True, windows)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _overrides(
    config: Config,
    schedule: Schedule,
    settings: SyncSettings,
    by_key: dict[SlotKey, list[RotationObj]],
    window: tuple[dt.datetime, dt.datetime],
) -> Iterable[OverrideObj]:
    pieces: dict[str, list[Slot]] = defaultdict(list)
    for slot in schedule.slots:
        if slot.override is not None:
            pieces[slot.override].append(slot)
    for override_id, slots in pieces.items():
        for number, piece in enumerate(sorted(slots, key=lambda s: s.start), start=1):
            if not piece.overlaps(*window):
                continue
            suffix = "" if number == 1 else f"-{number}"
            names = sorted(r.name for r in by_key[piece.key] if r.overlaps(piece.start, piece.end))
            yield OverrideObj(
                settings.schedule_name(piece.role, piece.shift),
                f"{OWNED_OVERRIDE_PREFIX}{override_id}{suffix}",
                config.person(piece.person).opsgenie.lower(),
                piece.start,
                piece.end,
                tuple(names),
            )


def _escalation(config: Config, settings: SyncSettings) -> EscalationObj:
    policy, shifts = config.escalation, [s.name for s in config.rotation.shifts]
    rules: list[Rule] = []
    for step in policy.steps:
        role: Role = step.notify  # type: ignore[assignment]  # validated: a role
        names = (
            [settings.schedule_name(role, None)]
            if role == "lead" or settings.layout == "per-role"
            else [settings.schedule_name(role, s) for s in shifts]
        )
        rules += [Rule(step.after_minutes, f"schedule:{n}") for n in names]
    repeat = policy.repeat
    return EscalationObj(
        name=policy.name,
        description=policy.description or "",
        owner_team=settings.owner_team,
        rules=tuple(rules),
        repeat=Repeat(repeat.after_minutes, repeat.times) if repeat and repeat.times else None,
    )


def check_representable(desired: Desired) -> None:
    """Refuse times a paging service would round (it keeps only :00 and :30 in UTC)."""
    objects: list[RotationObj | OverrideObj] = [*desired.rotations, *desired.overrides]
    for obj in objects:
        points = [obj.start, *([obj.end] if obj.end else [])]
        hours = obj.hours if isinstance(obj, RotationObj) else None
        minutes = [m for w in (hours.windows if hours else ()) for m in w]
        if any(p.minute % 30 for p in points) or any(m % 30 for m in minutes):
            name = obj.name if isinstance(obj, RotationObj) else obj.alias
            raise SetopsError(
                f"{name!r} of {obj.schedule} would need times off :00 and :30 (in UTC or in "
                "the schedule's zone), which paging services round; use zones whose offsets "
                "are whole or half hours, or give each shift its own schedule in its own zone "
                "(schedules: per-role-and-shift in policies/integrations.yaml)"
            )
