"""The hard rules of planning, judged person by person for each new cycle.

Who may hold which role in each proposed cycle before any solving: nobody during their time
off (any overlap, whole days in their zone), nobody outside their roster dates, nobody whose
last cycle is closer than `min_gap_cycles`, leads only from `can_lead`, and nobody on a shift
whose hours fall outside the working day in their own zone. What remains are the solver's
choices; what was taken away is kept, by rule, to explain an impossible roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from setops.config.load import Config
from setops.config.models import Person, PlanningFile, Shift, zone
from setops.config.planning_checks import outside_roster
from setops.planning.availability import Interval, time_off_intervals
from setops.planning.hours import shift_intervals
from setops.schedule import local_instant

TIME_OFF = "time off"
ROSTER_DATES = "roster dates (since/until)"
MIN_GAP = "min_gap_cycles"
WORKING_DAY = "working day"
CAN_LEAD = "can_lead"
ONE_ROLE = "one role per cycle"
MIN_TEAMS = "min_teams"


@dataclass(frozen=True)
class NewCycle:
    """A cycle to propose: its place among all cycles and its span in time (UTC)."""

    index: int
    start: dt.date
    begins: dt.datetime
    ends: dt.datetime


@dataclass(frozen=True)
class Exclusion:
    """One person kept out of one role of one cycle, and the rule that keeps them out."""

    person: str
    rule: str
    detail: str


def new_cycles(config: Config, count: int) -> tuple[NewCycle, ...]:
    """The `count` cycles after the last scheduled one."""
    rotation = config.rotation
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    weeks = dt.timedelta(weeks=rotation.cycle_weeks)
    last = max(c.start for c in config.cycles)
    out = []
    for k in range(1, count + 1):
        start = last + weeks * k
        out.append(
            NewCycle(
                len(config.cycles) - 1 + k,
                start,
                local_instant(start, clock, tz),
                local_instant(start + weeks, clock, tz),
            )
        )
    return tuple(out)


def last_turns(config: Config) -> Mapping[str, int]:
    """The index (in start order) of each person's last scheduled cycle, in any role."""
    out: dict[str, int] = {}
    for index, cycle in enumerate(sorted(config.cycles, key=lambda c: c.start)):
        out[cycle.lead] = index
        for pair in cycle.shifts.values():
            out[pair.primary] = out[pair.backup] = index
    return out


class Judge:
    """Decides, with reasons, who may hold a role in a new cycle."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.policy: PlanningFile = config.planning
        self.away: Mapping[str, Sequence[Interval]] = time_off_intervals(config)
        self.last: Mapping[str, int] = last_turns(config)
        self._window: dict[tuple[str, str, int], bool] = {}

    def common(self, person: Person, cycle: NewCycle) -> Exclusion | None:
        """The rule, if any, keeping `person` out of every role of `cycle`."""
        for start, end in self.away.get(person.id, ()):
            if start < cycle.ends and cycle.begins < end:
                return Exclusion(person.id, TIME_OFF, _days(start, end, person.timezone))
        if outside_roster(person, cycle.begins, cycle.ends):
            dates = f"since {person.since or 'always'} until {person.until or 'open'}"
            return Exclusion(person.id, ROSTER_DATES, dates)
        last = self.last.get(person.id)
        if last is not None and cycle.index - last <= self.policy.min_gap_cycles:
            return Exclusion(person.id, MIN_GAP, f"on SET {cycle.index - last} cycle(s) before")
        return None

    def shift(self, person: Person, shift: Shift, cycle: NewCycle) -> Exclusion | None:
        """The rule keeping `person` out of `shift`'s hours in `cycle` (the working day)."""
        day = self.policy.working_day
        key = (person.timezone, shift.name, cycle.index)
        inside = self._window.get(key)
        if inside is None:
            inside = inside_working_day(
                person.timezone, shift, cycle.begins, cycle.ends, day.start, day.end
            )
            self._window[key] = inside
        if inside:
            return None
        return Exclusion(
            person.id,
            WORKING_DAY,
            f"{shift.name} hours fall outside {day.start}-{day.end} in {person.timezone}",
        )


def _days(start: dt.datetime, end: dt.datetime, timezone: str) -> str:
    tz = zone(timezone)
    last = (end.astimezone(tz) - dt.timedelta(days=1)).date()
    return f"away {start.astimezone(tz).date()} to {last}"


def inside_working_day(
    timezone: str, shift: Shift, begins: dt.datetime, ends: dt.datetime, opens: str, closes: str
) -> bool:
    """Whether every stretch of the shift's hours in [begins, ends) lies within the working
    day [opens, closes] of one day on `timezone`'s clock."""
    tz = zone(timezone)
    first, last = _clock(opens), _clock(closes)
    for low, high in shift_intervals(shift, begins, ends):
        a, b = low.astimezone(tz), high.astimezone(tz)
        if a.time() < first or b > dt.datetime.combine(a.date(), last, tz):
            return False
    return True


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))
