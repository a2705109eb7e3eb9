"""Each person's next turn and feed, and the load chart (days on SET per role)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from setops.config.load import Config
from setops.render.calendar import role_label
from setops.schedule import Schedule
from setops.site.data import ROLES, Load, next_turn, team_name
from setops.site.feeds import person_feed
from setops.site.markup import esc, time_tag


def people_section(config: Config, schedule: Schedule, now: dt.datetime) -> str:
    rows = []
    for person in sorted(config.people, key=lambda p: p.name):
        rows.append(
            f'<tr data-person="{esc(person.id)}"><th scope="row">{esc(person.name)}</th>'
            f"<td>{esc(team_name(config, person))}</td>"
            f'<td class="next">{_turn(schedule, person.id, now)}</td>'
            f'<td><a href="{esc(person_feed(person.id))}" '
            f'aria-label="Calendar feed of {esc(person.name)}">{esc(person.id)}.ics</a></td></tr>'
        )
    return (
        '<section id="people" aria-labelledby="people-title">'
        '<h2 id="people-title">People</h2>'
        '<div id="person-panel" aria-live="polite"></div>'
        '<div class="scroll" tabindex="0" role="region" aria-label="People">'
        '<table class="people">'
        "<caption>Each person's current or next turn, and their calendar feed to subscribe to"
        '</caption><thead><tr><th scope="col">Person</th><th scope="col">Team</th>'
        '<th scope="col">Current or next turn</th><th scope="col">Feed (ICS)</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _turn(schedule: Schedule, person: str, now: dt.datetime) -> str:
    slot = next_turn(schedule, person, now)
    if slot is None:
        return "none planned"
    tz = schedule.tz
    state = "now" if slot.covers(now) else "next"
    return (
        f"{state}: {esc(role_label(slot))}, {time_tag(slot.start, tz)} to {time_tag(slot.end, tz)}"
    )


def load_section(rows: Sequence[Load]) -> str:
    widest = max((row.total for row in rows), default=0.0) or 1.0
    body = "".join(_load_row(row, widest) for row in rows)
    return (
        '<section id="load" aria-labelledby="load-title">'
        '<h2 id="load-title">Load</h2>'
        '<p class="note">Days each person holds each role over every cycle in the '
        "configuration, past and planned, overrides applied.</p>"
        '<div class="scroll" tabindex="0" role="region" aria-label="Load table">'
        '<table class="load"><caption>Days on SET per person and role'
        '</caption><thead><tr><th scope="col">Person</th><th scope="col">Lead</th>'
        '<th scope="col">Primary</th><th scope="col">Backup</th><th scope="col">Total</th>'
        '<th scope="col"><span class="sr">Chart</span></th></tr></thead>'
        f"<tbody>{body}</tbody></table></div></section>"
    )


def _load_row(row: Load, widest: float) -> str:
    cells = "".join(f"<td>{_days(row.days[role])}</td>" for role in ROLES)
    bars = "".join(
        f'<span class="seg {role}" style="width:{row.days[role] / widest * 100:.1f}%"></span>'
        for role in ROLES
        if row.days[role]
    )
    return (
        f'<tr data-person="{esc(row.person.id)}"><th scope="row">{esc(row.person.name)}</th>'
        f"{cells}<td>{_days(row.total)}</td>"
        f'<td class="chart" aria-hidden="true"><span class="track">{bars}</span></td></tr>'
    )


def _days(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
