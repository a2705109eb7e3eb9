"""The calendar: one row per week, one lane per role, bars placed by wall-clock time in the
rotation's zone; overrides and time off drawn apart; today marked as built (the page's
script moves the mark to the viewer's today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.config.models import TimeOff, zone
from setops.schedule import Schedule, Slot, local_instant
from setops.site.data import Week
from setops.site.markup import date_tag, esc, time_tag

WEEK = dt.timedelta(weeks=1)


def calendar_section(
    config: Config, schedule: Schedule, rows: Iterable[Week], now: dt.datetime
) -> str:
    tz = schedule.tz
    today = now.astimezone(tz).date()
    this_monday = today - dt.timedelta(days=today.weekday())
    body = "".join(_week(config, schedule, week, today) for week in rows)
    return (
        '<section id="calendar" aria-labelledby="calendar-title">'
        '<h2 id="calendar-title">Calendar</h2>'
        f'<p class="note">Days run midnight to midnight in {esc(config.rotation.timezone)}, '
        "the rotation's zone; times follow the zone chosen above. "
        f'<a id="jump-today" href="#week-{this_monday.isoformat()}">Go to this week</a></p>'
        f'<div class="legend" aria-hidden="true"><span class="bar override">override</span> '
        '<span class="bar away">time off</span></div>'
        f"{body}</section>"
    )


def _week(config: Config, schedule: Schedule, week: Week, today: dt.date) -> str:
    ident = f"week-{week.monday.isoformat()}"
    current = ' aria-current="date"' if week.monday <= today < week.monday + WEEK else ""
    lanes = [_lane("Lead", "lead", schedule.timeline("lead", None), week, config, schedule.tz)]
    for shift in config.rotation.shifts:
        for role in ("primary", "backup"):
            slots = schedule.timeline(role, shift.name)
            label = f"{shift.name} {role}"
            lanes.append(_lane(label, role, slots, week, config, schedule.tz))
    lanes.append(_away_lane(config, week, schedule.tz))
    return (
        f'<section class="week" id="{ident}" data-monday="{week.monday.isoformat()}" '
        f'aria-labelledby="{ident}-h">'
        f'<h3 id="{ident}-h"{current}>Week of {date_tag(week.monday)}</h3>'
        f'<div class="grid">{_days(week, today)}{"".join(lanes)}</div></section>'
    )


def _days(week: Week, today: dt.date) -> str:
    cells = []
    for offset in range(7):
        day = week.monday + dt.timedelta(days=offset)
        mark = ' class="today"' if day == today else ""
        cells.append(f'<span data-day="{day.isoformat()}"{mark}>{day:%a} {day.day}</span>')
    return f'<div class="days" aria-hidden="true"><span></span>{"".join(cells)}</div>'


def _lane(
    label: str, role: str, slots: Iterable[Slot], week: Week, config: Config, tz: ZoneInfo
) -> str:
    bars = []
    for slot in slots:
        if not slot.overlaps(week.start, week.end):
            continue
        name = config.person(slot.person).name
        extra = ""
        if slot.override:
            reason = next((o.reason for o in config.overrides if o.id == slot.override), None)
            extra = f", override {slot.override}" + (f": {reason}" if reason else "")
        kind = " override" if slot.override else ""
        bars.append(
            f'<li class="bar {role}{kind}" data-person="{esc(slot.person)}" '
            f'style="{_place(slot.start, slot.end, week, tz)}">'
            f'{esc(name)}<span class="sr"> from {time_tag(slot.start, tz)} to '
            f"{time_tag(slot.end, tz)}{esc(extra)}</span></li>"
        )
    return _lane_markup(label, bars)


def _away_lane(config: Config, week: Week, tz: ZoneInfo) -> str:
    bars = []
    for away in config.time_off:
        start, end = _away_span(config, away)
        if start < week.end and week.start < end:
            name = config.person(away.person).name
            reason = f": {away.reason}" if away.reason else ""
            bars.append(
                f'<li class="bar away" data-person="{esc(away.person)}" '
                f'style="{_place(start, end, week, tz)}">'
                f'{esc(name)}<span class="sr"> away from {date_tag(away.first_day)} to '
                f"{date_tag(away.last_day)}{esc(reason)}</span></li>"
            )
    return _lane_markup("Time off", bars)


def _lane_markup(label: str, bars: list[str]) -> str:
    items = "".join(bars) or '<li class="empty">nobody</li>'
    return (
        f'<div class="lane"><span class="lane-name">{esc(label)}</span>'
        f'<ul class="bars" aria-label="{esc(label)}">{items}</ul></div>'
    )


def _away_span(config: Config, away: TimeOff) -> tuple[dt.datetime, dt.datetime]:
    """Time off as instants: whole days in the person's own zone, the last day included."""
    own = zone(config.person(away.person).timezone)
    first = local_instant(away.first_day, dt.time(), own)
    return first, local_instant(away.last_day + dt.timedelta(days=1), dt.time(), own)


def _place(start: dt.datetime, end: dt.datetime, week: Week, tz: ZoneInfo) -> str:
    """CSS left and width, in percent of the week, by wall-clock time in `tz`."""
    monday = dt.datetime.combine(week.monday, dt.time())
    span = WEEK.total_seconds()

    def fraction(instant: dt.datetime) -> float:
        local = max(min(instant, week.end), week.start).astimezone(tz).replace(tzinfo=None)
        return min(max((local - monday).total_seconds() / span, 0.0), 1.0)

    left, right = fraction(start), fraction(end)
    return f"left:{left * 100:.2f}%;width:{max(right - left, 0.005) * 100:.2f}%"
