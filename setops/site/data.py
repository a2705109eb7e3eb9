"""What the site shows, computed from the schedule: the calendar's weeks, each person's next
turn, and the data the page's script reads to answer "who is on SET now"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from setops.config.load import Config
from setops.config.models import Person
from setops.schedule import Schedule, Slot, local_instant


@dataclass(frozen=True)
class Week:
    """One calendar row: Monday 00:00 to the next Monday 00:00 in the rotation's zone."""

    monday: dt.date
    start: dt.datetime
    end: dt.datetime


def weeks(schedule: Schedule, now: dt.datetime, back: int, ahead: int) -> tuple[Week, ...]:
    """The weeks from `back` weeks before `now`'s to `ahead` after it, within the schedule."""
    tz = schedule.tz
    this_monday = _monday(now.astimezone(tz).date())
    first, last = this_monday - dt.timedelta(weeks=back), this_monday + dt.timedelta(weeks=ahead)
    if schedule.start is not None and schedule.end is not None:
        first = max(first, _monday(schedule.start.astimezone(tz).date()))
        last = min(last, _monday((schedule.end - dt.timedelta(seconds=1)).astimezone(tz).date()))
    rows = []
    monday = first
    while monday <= last:
        start = local_instant(monday, dt.time(), tz)
        end = local_instant(monday + dt.timedelta(weeks=1), dt.time(), tz)
        rows.append(Week(monday, start, end))
        monday += dt.timedelta(weeks=1)
    return tuple(rows)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def next_turn(schedule: Schedule, person: str, now: dt.datetime) -> Slot | None:
    """The person's slot holding `now`, else their next one; None when they have no more."""
    return next((s for s in schedule.slots if s.person == person and s.end > now), None)


def page_data(config: Config, schedule: Schedule, now: dt.datetime) -> dict[str, Any]:
    """The schedule as the page's script reads it: instants as Unix seconds, ids as given."""
    rotation = config.rotation
    return {
        "builtAt": _epoch(now),
        "rotation": {"name": rotation.name, "timezone": rotation.timezone},
        "shifts": [
            {"name": s.name, "timezone": s.timezone, "start": s.start, "end": s.end, "days": s.days}
            for s in rotation.shifts
        ],
        "people": {
            p.id: {"name": p.name, "team": _team(config, p.team), "timezone": p.timezone}
            for p in config.people
        },
        "cycles": [[_epoch(c.start), _epoch(c.end), c.cycle.lead] for c in schedule.cycles],
        "slots": [
            [s.role, s.shift, s.person, _epoch(s.start), _epoch(s.end), s.override]
            for s in schedule.slots
        ],
        "overrides": {o.id: o.reason for o in config.overrides},
    }


def _team(config: Config, team_id: str) -> str:
    return next((t.name for t in config.teams if t.id == team_id), team_id)


def team_name(config: Config, person: Person) -> str:
    return _team(config, person.team)


def _epoch(instant: dt.datetime) -> int:
    return int(instant.timestamp())
