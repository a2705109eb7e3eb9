"""The schedule: who holds which role, when. Pure: computed from a Config, no I/O, no clock.

A *slot* is one person holding one role (for one shift, or the whole rotation for the lead)
from one shift change to the next: a week for a shift's primary or backup, the whole cycle
for the lead. An override splits the slots it covers. Instants are aware datetimes in the
rotation's time zone, so a shift change at 09:00 stays at 09:00 local time across DST.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.config.models import WEEKDAYS, Cycle, Override, Role, Rotation, Shift, zone
from setops.errors import Location

SlotKey = tuple[Role, str | None]


@dataclass(frozen=True)
class Slot:
    """One person in one role (of one shift, or None for the lead) over [start, end).

    `start` and `end` are in UTC; show them in the rotation's (or the shift's) zone.
    """

    role: Role
    shift: str | None
    person: str
    start: dt.datetime
    end: dt.datetime
    cycle: dt.date
    origin: Location
    override: str | None = None

    @property
    def key(self) -> SlotKey:
        return (self.role, self.shift)

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    def covers(self, instant: dt.datetime) -> bool:
        return self.start <= instant < self.end

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class CycleSpan:
    """A cycle's place in time: from its first shift change to the next cycle's."""

    start: dt.datetime
    end: dt.datetime
    cycle: Cycle


@dataclass(frozen=True)
class ShiftOnCall:
    name: str
    active: bool
    primary: Slot | None
    backup: Slot | None


@dataclass(frozen=True)
class OnCall:
    """Who is on SET at one instant."""

    at: dt.datetime
    cycle: CycleSpan | None
    lead: Slot | None
    shifts: tuple[ShiftOnCall, ...]


@dataclass(frozen=True)
class Schedule:
    rotation: Rotation
    cycles: tuple[CycleSpan, ...]
    slots: tuple[Slot, ...]

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.rotation.timezone)

    @property
    def start(self) -> dt.datetime | None:
        return self.cycles[0].start if self.cycles else None

    @property
    def end(self) -> dt.datetime | None:
        return self.cycles[-1].end if self.cycles else None

    def timeline(self, role: Role, shift: str | None) -> tuple[Slot, ...]:
        """The slots of one role (and shift), in time order, without overlaps."""
        return tuple(s for s in self.slots if s.role == role and s.shift == shift)

    def holder(self, role: Role, shift: str | None, instant: dt.datetime) -> Slot | None:
        return _find(self._index().get((role, shift), []), instant.astimezone(dt.UTC))

    def cycle_at(self, instant: dt.datetime) -> CycleSpan | None:
        instant = instant.astimezone(dt.UTC)
        starts = [c.start for c in self.cycles]
        i = bisect.bisect_right(starts, instant) - 1
        return self.cycles[i] if i >= 0 and instant < self.cycles[i].end else None

    def at(self, instant: dt.datetime) -> OnCall:
        """Who holds each role at `instant` (an aware datetime)."""
        shifts = tuple(
            ShiftOnCall(
                name=shift.name,
                active=shift_active(shift, instant),
                primary=self.holder("primary", shift.name, instant),
                backup=self.holder("backup", shift.name, instant),
            )
            for shift in self.rotation.shifts
        )
        lead = self.holder("lead", None, instant)
        return OnCall(instant, self.cycle_at(instant), lead, shifts)

    def window(self, start: dt.datetime, end: dt.datetime) -> tuple[Slot, ...]:
        """Every slot overlapping [start, end), whole, in time order."""
        return tuple(s for s in self.slots if s.overlaps(start, end))

    def _index(self) -> dict[SlotKey, list[Slot]]:
        cached: dict[SlotKey, list[Slot]] | None = self.__dict__.get("_by_key")
        if cached is None:
            cached = defaultdict(list)
            for slot in self.slots:
                cached[slot.key].append(slot)
            object.__setattr__(self, "_by_key", cached)
        return cached


def _find(slots: Sequence[Slot], instant: dt.datetime) -> Slot | None:
    lo, hi = 0, len(slots)
    while lo < hi:
        mid = (lo + hi) // 2
        if slots[mid].end <= instant:
            lo = mid + 1
        else:
            hi = mid
    return slots[lo] if lo < len(slots) and slots[lo].covers(instant) else None


def shift_active(shift: Shift, instant: dt.datetime) -> bool:
    """Whether `instant` falls within the shift's daily hours, in the shift's own zone."""
    local = instant.astimezone(zone(shift.timezone))
    start, end = _minutes(shift.start), _minutes(shift.end)
    now = local.hour * 60 + local.minute
    if start < end:
        inside, day = start <= now < end, local.weekday()
    else:
        # The hours cross midnight (start == end: a whole day from start to start); the
        # part after midnight belongs to the day the shift began, as the paging service's
        # weekday restrictions have it.
        inside = start == end or now >= start or now < end
        day = local.weekday() if now >= start else (local.weekday() - 1) % 7
    return inside and (shift.days is None or WEEKDAYS[day] in shift.days)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def local_instant(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The instant (in UTC) when it is `day` at wall-clock `clock` in `tz`.

    A time skipped by a DST change moves forward; an ambiguous one takes the first.
    Schedule instants are kept in UTC because Python compares and subtracts datetimes that
    share one tzinfo by wall-clock time, which is wrong across a DST change.
    """
    return dt.datetime.combine(day, clock).replace(tzinfo=tz).astimezone(dt.UTC)


def run_before(rotation: Rotation, change: dt.datetime) -> dt.datetime:
    """The last scheduled handover run (`rotation.handover_run`) before `change`, at most a
    week before: the time the handover of that shift change is prepared."""
    tz, moment = zone(rotation.timezone), rotation.handover_run
    local = change.astimezone(tz)
    for back in range(8):
        day = local.date() - dt.timedelta(days=back)
        if WEEKDAYS[day.weekday()] == moment.weekday:
            instant = local_instant(day, moment.clock(), tz)
            if instant < change:
                return instant
    raise AssertionError("a weekday recurs within eight days")


def cycle_spans(rotation: Rotation, cycles: Iterable[Cycle]) -> tuple[CycleSpan, ...]:
    """Each cycle from its start at the shift change to the start of two weeks later."""
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    weeks = dt.timedelta(weeks=rotation.cycle_weeks)
    return tuple(
        CycleSpan(local_instant(c.start, clock, tz), local_instant(c.start + weeks, clock, tz), c)
        for c in sorted(cycles, key=lambda c: c.start)
    )


def base_slots(rotation: Rotation, spans: Iterable[CycleSpan]) -> list[Slot]:
    """The slots the cycles assign, before overrides."""
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    slots: list[Slot] = []
    for span in spans:
        cycle = span.cycle
        slots.append(
            Slot("lead", None, cycle.lead, span.start, span.end, cycle.start, cycle.at("lead"))
        )
        middle = local_instant(cycle.start + dt.timedelta(weeks=1), clock, tz)
        for shift in rotation.shifts:
            pair = cycle.shifts.get(shift.name)
            if pair is None:
                continue
            first, second = pair.at("primary"), pair.at("backup")
            slots += [
                Slot("primary", shift.name, pair.primary, span.start, middle, cycle.start, first),
                Slot("backup", shift.name, pair.backup, span.start, middle, cycle.start, second),
                Slot("primary", shift.name, pair.backup, middle, span.end, cycle.start, second),
                Slot("backup", shift.name, pair.primary, middle, span.end, cycle.start, first),
            ]
    return slots


def apply_overrides(slots: Sequence[Slot], overrides: Iterable[Override]) -> list[Slot]:
    """Split the slots where overrides apply; a later override in the file wins over an earlier."""
    by_key: dict[SlotKey, list[Slot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: (s.role, s.shift or "", s.start)):
        by_key[slot.key].append(slot)
    starts = {key: [s.start for s in timeline] for key, timeline in by_key.items()}
    touching: dict[int, list[tuple[int, Override]]] = defaultdict(list)
    for order, override in enumerate(overrides):
        key = (override.role, override.shift)
        timeline = by_key.get(key, [])
        starts_of = starts.get(key, [])
        i = max(bisect.bisect_right(starts_of, override.start) - 1, 0)
        while i < len(timeline) and timeline[i].start < override.end:
            if timeline[i].overlaps(override.start, override.end):
                touching[id(timeline[i])].append((order, override))
            i += 1
    out: list[Slot] = []
    for slot in slots:
        applied = touching.get(id(slot))
        out.extend(_split(slot, [o for _, o in sorted(applied)]) if applied else [slot])
    return out


def _split(slot: Slot, overrides: Sequence[Override]) -> list[Slot]:
    cuts = sorted(
        {slot.start, slot.end}
        | {t for o in overrides for t in (o.start, o.end) if slot.start < t < slot.end}
    )
    pieces: list[Slot] = []
    for start, end in itertools.pairwise(cuts):
        winner = next((o for o in reversed(overrides) if o.start <= start and end <= o.end), None)
        piece = replace(slot, start=start.astimezone(dt.UTC), end=end.astimezone(dt.UTC))
        if winner is not None:
            piece = replace(
                piece, person=winner.person, override=winner.id, origin=winner.at("person")
            )
        if pieces and _same_holder(pieces[-1], piece):
            piece = replace(pieces.pop(), end=piece.end)
        pieces.append(piece)
    return pieces


def _same_holder(a: Slot, b: Slot) -> bool:
    return a.person == b.person and a.override == b.override and a.end == b.start


def compute_schedule(config: Config) -> Schedule:
    """The schedule of the whole configuration, overrides applied.

    Pure, so it is computed once per Config and kept on it (validation's checks, the
    commands and the targets all ask for it).
    """
    cached: Schedule | None = config.__dict__.get("_schedule")
    if cached is None:
        cached = _compute(config)
        object.__setattr__(config, "_schedule", cached)
    return cached


def _compute(config: Config) -> Schedule:
    spans = cycle_spans(config.rotation, config.cycles)
    slots = apply_overrides(base_slots(config.rotation, spans), config.overrides)
    order = {role: i for i, role in enumerate(("lead", "primary", "backup"))}
    shift_order = {s.name: i for i, s in enumerate(config.rotation.shifts)}
    slots.sort(key=lambda s: (s.start, order[s.role], shift_order.get(s.shift or "", -1)))
    return Schedule(config.rotation, spans, tuple(slots))
