"""The "on SET now" section as built: the page's script redraws it from the embedded data
when opened, in the same markup, so it stays right between builds."""

from __future__ import annotations

import datetime as dt

from setops.config.load import Config
from setops.config.models import Shift, zone
from setops.schedule import OnCall, Schedule, ShiftOnCall, Slot, local_instant
from setops.site.data import team_name
from setops.site.markup import clock, esc, time_tag


def now_section(config: Config, schedule: Schedule, now: dt.datetime) -> str:
    oncall = schedule.at(now)
    return (
        '<section id="now" aria-labelledby="now-title">'
        '<h2 id="now-title">On SET now</h2>'
        f'<div id="now-body" aria-live="polite">{now_body(config, schedule, oncall)}</div>'
        "</section>"
    )


def now_body(config: Config, schedule: Schedule, oncall: OnCall) -> str:
    tz = schedule.tz
    if oncall.cycle is None:
        return (
            f'<p class="asof">At {time_tag(oncall.at, tz)} no cycle of the rotation runs: '
            "nobody is on SET.</p>"
        )
    cycle = oncall.cycle
    asof = (
        f'<p class="asof">At {time_tag(oncall.at, tz)}. This cycle runs from '
        f"{time_tag(cycle.start, tz)} to {time_tag(cycle.end, tz)}.</p>"
    )
    cards = [_lead_card(config, oncall.lead)]
    for state, shift in zip(oncall.shifts, config.rotation.shifts, strict=True):
        cards.append(_shift_card(config, schedule, shift, state, oncall.at))
    return asof + '<div class="cards">' + "".join(cards) + "</div>"


def _lead_card(config: Config, slot: Slot | None) -> str:
    return (
        '<article class="card" aria-labelledby="card-lead">'
        '<h3 id="card-lead">Lead</h3>'
        f'<p class="who" data-role="lead">{_holder(config, slot)}</p>'
        "</article>"
    )


def _shift_card(
    config: Config, schedule: Schedule, shift: Shift, state: ShiftOnCall, at: dt.datetime
) -> str:
    badge = (
        '<span class="badge on">on now</span>'
        if state.active
        else '<span class="badge off">off hours</span>'
    )
    name = esc(shift.name)
    return (
        f'<article class="card" data-shift="{name}" aria-labelledby="card-{name}">'
        f'<h3 id="card-{name}">Shift {name} {badge}</h3>'
        f"{_hours(config, schedule, shift, at)}"
        "<dl>"
        f'<div><dt>Primary</dt><dd data-role="primary">{_holder(config, state.primary)}</dd></div>'
        f'<div><dt>Backup</dt><dd data-role="backup">{_holder(config, state.backup)}</dd></div>'
        "</dl></article>"
    )


def _hours(config: Config, schedule: Schedule, shift: Shift, at: dt.datetime) -> str:
    """Today's hours of the shift, in the rotation's zone and in the shift's own."""
    own = zone(shift.timezone)
    day = at.astimezone(own).date()
    start = local_instant(day, _clock(shift.start), own)
    end_day = day if shift.end > shift.start else day + dt.timedelta(days=1)
    end = local_instant(end_day, _clock(shift.end), own)
    tz = schedule.tz
    lines = [
        f'<li class="rotation-hours">{clock(start, tz)}&#8211;{clock(end, tz)} '
        f"{esc(config.rotation.timezone)} (the rotation's zone)</li>"
    ]
    if shift.timezone != config.rotation.timezone:
        own_hours = f"{shift.start}&#8211;{shift.end} {esc(shift.timezone)}"
        lines.append(f"<li>{own_hours} (the shift's own)</li>")
    days = f"<li>{esc(', '.join(shift.days))} only</li>" if shift.days else ""
    return f'<ul class="hours" aria-label="Hours">{"".join(lines)}{days}</ul>'


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _holder(config: Config, slot: Slot | None) -> str:
    if slot is None:
        return '<span class="nobody">nobody</span>'
    person = config.person(slot.person)
    text = f'{esc(person.name)} <span class="team">({esc(team_name(config, person))})</span>'
    if slot.override:
        text += f' <span class="tag" title="override {esc(slot.override)}">override</span>'
    return text
