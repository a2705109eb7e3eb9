"""When each person can be on SET: inside their roster dates and not on time off.

Both are whole days in the person's own zone. Fair shares are pro rata to these days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from setops.config.load import Config
from setops.config.models import Person, TimeOff, zone
from setops.config.planning_checks import roster_span

DAY = dt.timedelta(days=1)
Interval = tuple[dt.datetime, dt.datetime]


def time_off_intervals(config: Config) -> Mapping[str, Sequence[Interval]]:
    """Each person's time off as instants (whole days in their own zone), in time order."""
    out: dict[str, list[Interval]] = defaultdict(list)
    for entry in config.time_off:
        person = config.person_by_id.get(entry.person)
        if person is not None:
            out[entry.person].append(_days(entry, person))
    return {person: sorted(spans) for person, spans in out.items()}


def _days(entry: TimeOff, person: Person) -> Interval:
    tz = zone(person.timezone)
    start = dt.datetime.combine(entry.first_day, dt.time(), tz)
    end = dt.datetime.combine(entry.last_day + DAY, dt.time(), tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def available_days(
    person: Person, away: Iterable[Interval], start: dt.datetime, end: dt.datetime
) -> float:
    """Days of [start, end) inside the person's roster dates and not on time off."""
    first, last = roster_span(person)
    low = max(start, first) if first else start
    high = min(end, last) if last else end
    if low >= high:
        return 0.0
    total = high - low
    for away_start, away_end in _merged(away):
        overlap = min(high, away_end) - max(low, away_start)
        if overlap > dt.timedelta(0):
            total -= overlap
    return total / DAY


def _merged(spans: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
