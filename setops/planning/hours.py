"""On-call hours: the part of a slot inside its shift's hours, split by the holder's clock.

Night is 22:00 to 06:00 and the weekend is Saturday and Sunday, both on the holder's own
clock (their time zone), so the same shift can be daytime for one person and night for
another.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from setops.config.models import WEEKDAYS, Shift, zone
from setops.schedule import local_instant

NIGHT_ENDS = dt.time(6)
NIGHT_STARTS = dt.time(22)
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Hours:
    """Hours on call inside the shift's hours: `night` and `weekend` are parts of `total`
    (an hour at night on a Saturday counts as night, not weekend)."""

    total: float = 0.0
    night: float = 0.0
    weekend: float = 0.0

    def __add__(self, other: Hours) -> Hours:
        return Hours(
            self.total + other.total, self.night + other.night, self.weekend + other.weekend
        )


def shift_intervals(
    shift: Shift, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The shift's hours that fall within [start, end), as UTC instants, in time order."""
    tz = zone(shift.timezone)
    first = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    opens, closes = _clock(shift.start), _clock(shift.end)
    day = first
    while day <= last:
        if shift.days is None or WEEKDAYS[day.weekday()] in shift.days:
            begin = local_instant(day, opens, tz)
            finish_day = day if closes > opens else day + dt.timedelta(days=1)
            finish = local_instant(finish_day, closes, tz)
            low, high = max(begin, start), min(finish, end)
            if low < high:
                yield low, high
        day += dt.timedelta(days=1)


def split_by_clock(start: dt.datetime, end: dt.datetime, timezone: str) -> Hours:
    """[start, end) as hours, with the night and weekend parts on `timezone`'s clock."""
    tz = zone(timezone)
    cuts = {start, end}
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        for clock in (dt.time(0), NIGHT_ENDS, NIGHT_STARTS):
            instant = local_instant(day, clock, tz)
            if start < instant < end:
                cuts.add(instant)
        day += dt.timedelta(days=1)
    hours = Hours()
    for low, high in itertools.pairwise(sorted(cuts)):
        length = (high - low) / HOUR
        local = low.astimezone(tz)
        night = local.time() < NIGHT_ENDS or local.time() >= NIGHT_STARTS
        weekend = not night and local.weekday() >= 5
        hours += Hours(length, length if night else 0.0, length if weekend else 0.0)
    return hours


def on_call_hours(shift: Shift, start: dt.datetime, end: dt.datetime, timezone: str) -> Hours:
    """The hours of [start, end) inside the shift's hours, on the holder's clock."""
    total = Hours()
    for low, high in shift_intervals(shift, start, end):
        total += split_by_clock(low, high, timezone)
    return total


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))
