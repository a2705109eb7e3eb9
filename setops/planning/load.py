"""Each person's and team's SET load over a window, their fair share and deviation.

Pure: a function of the Config and the window. Two pools share the duty: the engineering
leads (`can_lead: true`) share the lead weeks, everyone else the primary and backup weeks.
A person's *load* is every week they held a role in the window; their *fair share* is their
pool's total load split pro rata to the days each member could be on SET (inside their
roster dates, not on time off); the *deviation* is load minus fair share. The window's
*balance* is the largest deviation, either way, among the engineers: the figure `propose`
minimises first. See docs/planning.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.config.models import Person, zone
from setops.planning.availability import available_days, time_off_intervals
from setops.planning.hours import Hours, on_call_hours
from setops.schedule import (
    Schedule,
    Slot,
    SlotKey,
    base_slots,
    compute_schedule,
    local_instant,
)

WEEK = dt.timedelta(weeks=1)


@dataclass(frozen=True)
class PersonLoad:
    """One person's SET duty in the window. Weeks and hours are floats: overrides and the
    window's edges cut slots anywhere."""

    person: str
    name: str
    team: str
    pool: str  # "lead" (can_lead: true) or "engineer"
    primary_weeks: float
    backup_weeks: float
    lead_cycles: float
    on_call_hours: float  # primary and backup, inside the shift's hours
    night_hours: float  # part of on_call_hours, 22:00-06:00 on the person's clock
    weekend_hours: float  # part of on_call_hours, Saturday or Sunday, not night
    overrides_taken: int
    overrides_given: int
    available_days: float
    load_weeks: float
    fair_share_weeks: float

    @property
    def deviation_weeks(self) -> float:
        return self.load_weeks - self.fair_share_weeks


@dataclass(frozen=True)
class TeamLoad:
    team: str
    name: str
    people: int
    load_weeks: float
    fair_share_weeks: float
    on_call_hours: float
    night_hours: float
    weekend_hours: float

    @property
    def deviation_weeks(self) -> float:
        return self.load_weeks - self.fair_share_weeks


@dataclass(frozen=True)
class LoadReport:
    """The load of every person and team over [start, end) (UTC instants)."""

    start: dt.datetime
    end: dt.datetime
    people: tuple[PersonLoad, ...]
    teams: tuple[TeamLoad, ...] = field(default=())

    @property
    def balance_weeks(self) -> float:
        """The largest deviation from fair share, either way, among the engineers."""
        return max((abs(p.deviation_weeks) for p in self.people if p.pool == "engineer"), default=0)

    @property
    def lead_balance_weeks(self) -> float:
        """The same among the engineering leads."""
        return max((abs(p.deviation_weeks) for p in self.people if p.pool == "lead"), default=0)


def default_window(config: Config, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The policy's past weeks before `now` and every scheduled week after them."""
    schedule = compute_schedule(config)
    tz = zone(config.rotation.timezone)
    today = now.astimezone(tz).date()
    start = local_instant(today - WEEK * config.planning.past_weeks, dt.time(), tz)
    end = max(schedule.end or now, now).astimezone(dt.UTC)
    return start, end


def compute_load(
    config: Config, start: dt.datetime, end: dt.datetime, schedule: Schedule | None = None
) -> LoadReport:
    """Each person's and team's load over [start, end), from the schedule of `config`
    (or `schedule`, computed from it with more cycles, as `propose` does)."""
    schedule = schedule or compute_schedule(config)
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    slots = [s for s in schedule.slots if s.overlaps(start, end)]
    taken, given = _override_counts(config, schedule, slots)
    away = time_off_intervals(config)
    by_person: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_person[slot.person].append(slot)
    raw = [
        _person(config, p, by_person.get(p.id, []), start, end, away.get(p.id, ()))
        for p in config.people
    ]
    people = tuple(
        _with_share(row, raw, taken.get(row.person.id, 0), given.get(row.person.id, 0))
        for row in raw
    )
    return LoadReport(start, end, people, _teams(config, people))


@dataclass(frozen=True)
class _Duty:
    person: Person
    primary: float
    backup: float
    lead: float
    hours: Hours
    days: float


def _person(
    config: Config,
    person: Person,
    slots: Sequence[Slot],
    start: dt.datetime,
    end: dt.datetime,
    away: Iterable[tuple[dt.datetime, dt.datetime]],
) -> _Duty:
    weeks: dict[str, float] = defaultdict(float)
    hours = Hours()
    shifts = {s.name: s for s in config.rotation.shifts}
    tz = zone(config.rotation.timezone)
    for slot in slots:
        low, high = max(slot.start, start), min(slot.end, end)
        weeks[slot.role] += _wall_weeks(low, high, tz)
        if slot.shift is not None and slot.shift in shifts:
            hours += on_call_hours(shifts[slot.shift], low, high, person.timezone)
    days = available_days(person, away, start, end)
    return _Duty(person, weeks["primary"], weeks["backup"], weeks["lead"], hours, days)


def _wall_weeks(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> float:
    """Weeks from `start` to `end` by the rotation's wall clock: a week on SET across a DST
    change (167 or 169 hours) counts as one week."""
    naive = [t.astimezone(tz).replace(tzinfo=None) for t in (start, end)]
    return (naive[1] - naive[0]) / WEEK


def _pool(person: Person) -> str:
    return "lead" if person.can_lead else "engineer"


def _load(duty: _Duty) -> float:
    return duty.primary + duty.backup + duty.lead


def _with_share(duty: _Duty, everyone: Sequence[_Duty], taken: int, given: int) -> PersonLoad:
    pool = _pool(duty.person)
    members = [d for d in everyone if _pool(d.person) == pool]
    total_load = sum(_load(d) for d in members)
    total_days = sum(d.days for d in members)
    share = total_load * duty.days / total_days if total_days else 0.0
    p = duty.person
    return PersonLoad(
        person=p.id,
        name=p.name,
        team=p.team,
        pool=pool,
        primary_weeks=duty.primary,
        backup_weeks=duty.backup,
        lead_cycles=duty.lead / 2,
        on_call_hours=duty.hours.total,
        night_hours=duty.hours.night,
        weekend_hours=duty.hours.weekend,
        overrides_taken=taken,
        overrides_given=given,
        available_days=duty.days,
        load_weeks=_load(duty),
        fair_share_weeks=share,
    )


def _teams(config: Config, people: Sequence[PersonLoad]) -> tuple[TeamLoad, ...]:
    out = []
    for team in config.teams:
        members = [p for p in people if p.team == team.id]
        out.append(
            TeamLoad(
                team=team.id,
                name=team.name,
                people=len(members),
                load_weeks=sum(p.load_weeks for p in members),
                fair_share_weeks=sum(p.fair_share_weeks for p in members),
                on_call_hours=sum(p.on_call_hours for p in members),
                night_hours=sum(p.night_hours for p in members),
                weekend_hours=sum(p.weekend_hours for p in members),
            )
        )
    return tuple(out)


def _override_counts(
    config: Config, schedule: Schedule, slots: Sequence[Slot]
) -> tuple[Mapping[str, int], Mapping[str, int]]:
    """How many overrides each person took and gave (held the slot they replaced) in the
    window, each override counted once per person."""
    base: dict[SlotKey, list[Slot]] = defaultdict(list)
    for slot in sorted(base_slots(config.rotation, schedule.cycles), key=lambda s: s.start):
        base[slot.key].append(slot)
    starts = {key: [s.start for s in line] for key, line in base.items()}
    taken: dict[str, set[str]] = defaultdict(set)
    given: dict[str, set[str]] = defaultdict(set)
    for slot in slots:
        if slot.override is None:
            continue
        taken[slot.person].add(slot.override)
        line = base.get(slot.key, [])
        i = bisect.bisect_right(starts.get(slot.key, []), slot.start) - 1
        if i >= 0 and line[i].covers(slot.start) and line[i].person != slot.person:
            given[line[i].person].add(slot.override)
    return (
        {p: len(ids) for p, ids in taken.items()},
        {p: len(ids) for p, ids in given.items()},
    )
