"""Import: a paging service's timelines -> cycles and overrides for rotations/ (pure).

The service says who is on call when, rotation by rotation, without overrides (the base
timeline) and with them (the final one). A cycle the YAML lacks (or, with `replace`, every
cycle in the window) takes the people who hold each role most of the time in the base
timeline; whatever the final timeline then still says differently becomes an override. So
right after an import the YAML pages the same people as the service.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from setops.config.load import Config
from setops.config.models import Role, zone
from setops.errors import SetopsError
from setops.schedule import Schedule, local_instant, shift_active
from setops.targets.paging.desired import SyncSettings

STEP = dt.timedelta(minutes=30)
Key = tuple[Role, str | None]


@dataclass(frozen=True)
class Period:
    """Someone on call through one rotation of one schedule over [start, end)."""

    schedule: str
    rotation: str
    start: dt.datetime
    end: dt.datetime
    who: str  # username, lower case


@dataclass(frozen=True)
class Timelines:
    base: tuple[Period, ...]
    final: tuple[Period, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class CycleDraft:
    start: dt.date
    lead: str
    shifts: dict[str, tuple[str, str]]  # shift -> (primary, backup): person ids


@dataclass(frozen=True)
class OverrideDraft:
    id: str
    role: Role
    shift: str | None
    person: str
    start: dt.datetime
    end: dt.datetime
    reason: str = "imported from OpsGenie"


@dataclass
class Imported:
    cycles: list[CycleDraft] = field(default_factory=list)
    overrides: list[OverrideDraft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def keys(config: Config) -> list[Key]:
    shifts = [s.name for s in config.rotation.shifts]
    return [("lead", None), *((r, s) for r in ("primary", "backup") for s in shifts)]


def grid(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    instant = epoch + STEP * -(-(start - epoch) // STEP)
    out = []
    while instant < end:
        out.append(instant)
        instant += STEP
    return out


class Holders:
    """Who holds each role (and shift) at grid instants, by one timeline."""

    def __init__(self, config: Config, settings: SyncSettings, periods: Iterable[Period]) -> None:
        self.config, self.settings = config, settings
        self.shifts = {s.name: s for s in config.rotation.shifts}
        self.by_schedule: dict[str, list[Period]] = defaultdict(list)
        for period in periods:
            self.by_schedule[period.schedule].append(period)
        self.owner = self._attribute()

    def _attribute(self) -> dict[tuple[str, str], set[str | None]]:
        """(schedule, rotation) -> the shifts it serves: those whose hours it best matches."""
        owner: dict[tuple[str, str], set[str | None]] = {}
        for schedule, periods in self.by_schedule.items():
            shared = self.settings.layout == "per-role" and schedule != self.settings.names["lead"]
            for rotation in {p.rotation for p in periods}:
                if not shared:
                    owner[(schedule, rotation)] = {self._shift_of(schedule)}
                    continue
                times = [t for p in periods if p.rotation == rotation for t in grid(p.start, p.end)]
                score = {n: sum(shift_active(s, t) for t in times) for n, s in self.shifts.items()}
                best = max(score.values(), default=0)
                owner[(schedule, rotation)] = {n for n, v in score.items() if v == best and v}
        return owner

    def _shift_of(self, schedule: str) -> str | None:
        """The shift a per-role-and-shift schedule serves (None: the lead's)."""
        for name in self.shifts:
            for role in ("primary", "backup"):
                if schedule == self.settings.schedule_name(role, name):
                    return name
        return None

    def at(self, key: Key, instant: dt.datetime) -> list[str]:
        role, shift = key
        schedule = self.settings.schedule_name(role, shift)
        return [
            p.who
            for p in self.by_schedule.get(schedule, [])
            if p.start <= instant < p.end and shift in self.owner[(schedule, p.rotation)]
        ]


def on_duty(config: Config, key: Key, instant: dt.datetime) -> bool:
    shift = next((s for s in config.rotation.shifts if s.name == key[1]), None)
    return shift is None or shift_active(shift, instant)


def majority(holders: Holders, key: Key, instants: Sequence[dt.datetime]) -> str | None:
    counts = Counter(
        who for t in instants if on_duty(holders.config, key, t) for who in holders.at(key, t)[:1]
    )
    return counts.most_common(1)[0][0] if counts else None


def derive_cycles(
    config: Config, settings: SyncSettings, timelines: Timelines, replace: bool
) -> tuple[list[CycleDraft], list[str]]:
    """Cycles for the grid spans in the window that the YAML lacks (all of them, `replace`)."""
    holders, rotation = Holders(config, settings, timelines.base), config.rotation
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    have = {c.start for c in config.cycles}
    people = {p.opsgenie.lower(): p.id for p in config.people}
    drafts, problems = [], []
    for day in cycle_grid(config, timelines.start, timelines.end):
        if day in have and not replace:
            continue
        start, middle, end = (
            local_instant(day + dt.timedelta(weeks=w), clock, tz) for w in (0, 1, 2)
        )
        week1, week2 = grid(start, middle), grid(middle, end)
        lead = majority(holders, ("lead", None), week1 + week2)
        pairs: dict[str, tuple[str, str]] = {}
        for shift in rotation.shifts:
            first = majority(holders, ("primary", shift.name), week1) or majority(
                holders, ("backup", shift.name), week2
            )
            second = majority(holders, ("backup", shift.name), week1) or majority(
                holders, ("primary", shift.name), week2
            )
            if first and second:
                pairs[shift.name] = (first, second)
        if lead is None or len(pairs) < len(rotation.shifts):
            problems.append(f"cycle {day}: OpsGenie does not say who holds every role; skipped")
            continue
        unknown = [u for u in (lead, *(u for p in pairs.values() for u in p)) if u not in people]
        if unknown:
            raise _unknown(unknown)
        shifts = {n: (people[p], people[b]) for n, (p, b) in pairs.items()}
        drafts.append(CycleDraft(day, people[lead], shifts))
    return drafts, problems


def cycle_grid(config: Config, start: dt.datetime, end: dt.datetime) -> Iterator[dt.date]:
    """Cycle start dates, on the YAML's two-week grid, whose cycles overlap [start, end)."""
    rotation, first = config.rotation, min(c.start for c in config.cycles)
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    weeks = dt.timedelta(weeks=rotation.cycle_weeks)
    day = first
    while local_instant(day, clock, tz) > start:
        day -= weeks
    while local_instant(day, clock, tz) < end:
        if local_instant(day + weeks, clock, tz) > start:
            yield day
        day += weeks


def deviations(
    config: Config,
    schedule: Schedule,
    settings: SyncSettings,
    timelines: Timelines,
    since: dt.datetime,
) -> tuple[list[OverrideDraft], list[str]]:
    """Overrides for where the final timeline pages someone the YAML's schedule does not."""
    holders = Holders(config, settings, timelines.final)
    people = {p.opsgenie.lower(): p.id for p in config.people}
    mail = {p.id: p.opsgenie.lower() for p in config.people}
    drafts: list[OverrideDraft] = []
    notes: list[str] = []
    for key in keys(config):
        runs = _runs(config, schedule, holders, key, grid(since, timelines.end), mail, notes)
        for who, start, end in runs:
            if who not in people:
                raise _unknown([who])
            drafts.append(_override(config, key, people[who], start, end))
    return drafts, notes


def _runs(
    config: Config,
    schedule: Schedule,
    holders: Holders,
    key: Key,
    instants: Sequence[dt.datetime],
    mail: Mapping[str, str],
    notes: list[str],
) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Stretches where the service's holder differs from the schedule's, per person."""
    runs: list[tuple[str, dt.datetime, dt.datetime]] = []
    current: tuple[str, dt.datetime, dt.datetime] | None = None
    for instant in instants:
        if not on_duty(config, key, instant):
            continue  # off hours neither break nor extend a stretch
        slot = schedule.holder(key[0], key[1], instant)
        mine = mail[slot.person] if slot else None
        found = holders.at(key, instant)
        theirs = found[0] if found else None
        if theirs is None or theirs == mine or slot is None:
            if theirs != mine and not any(n.startswith(_role(key) + " ") for n in notes):
                notes.append(_note(config, key, instant, theirs, mine))
            if current:
                runs.append(current)
            current = None
            continue
        if current and current[0] == theirs:
            current = (theirs, current[1], instant + STEP)
        else:
            if current:
                runs.append(current)
            current = (theirs, instant, instant + STEP)
    if current:
        runs.append(current)
    return runs


def _note(
    config: Config, key: Key, instant: dt.datetime, theirs: str | None, mine: str | None
) -> str:
    local = instant.astimezone(zone(config.rotation.timezone)).strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"{_role(key)} at {local}: OpsGenie pages {theirs or 'nobody'}, the YAML "
        f"{mine or 'nobody'}; an override cannot say this, check it"
    )


def _role(key: Key) -> str:
    return key[0] if key[1] is None else f"{key[0]} {key[1]}"


def _override(
    config: Config, key: Key, person: str, start: dt.datetime, end: dt.datetime
) -> OverrideDraft:
    tz = zone(config.rotation.timezone)
    local, until = start.astimezone(tz), end.astimezone(tz)
    what = key[0] if key[1] is None else f"{key[0]}-{key[1]}"
    return OverrideDraft(
        f"opsgenie-{what}-{local:%Y%m%dt%H%M}", key[0], key[1], person, local, until
    )


def _unknown(usernames: Iterable[str]) -> SetopsError:
    return SetopsError(
        "import: OpsGenie pages people who are not in rotations/roster.yaml: "
        + ", ".join(sorted(set(usernames)))
        + "; add them (with `opsgenie:` set to that username) and import again"
    )
