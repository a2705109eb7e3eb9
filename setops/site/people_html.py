"""Each person's next turn and feed, and the load chart (days on SET per role)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.planning.load import LoadReport, PersonLoad
from setops.render.calendar import role_label
from setops.schedule import Schedule
from setops.site.data import next_turn, team_name
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
        '<div class="scroll" tabindex="0" role="region" aria-label="People table">'
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


def load_section(report: LoadReport, tz: ZoneInfo) -> str:
    """The load chart of `setops load`: each person's weeks against their fair share."""
    widest = max((max(p.load_weeks, p.fair_share_weeks) for p in report.people), default=0.0)
    rows = sorted(report.people, key=lambda p: (p.pool != "lead", -p.load_weeks, p.name))
    body = "".join(_load_row(row, widest or 1.0) for row in rows)
    return (
        '<section id="load" aria-labelledby="load-title">'
        '<h2 id="load-title">Load</h2>'
        f'<p class="note">Weeks on SET from {time_tag(report.start, tz)} to '
        f"{time_tag(report.end, tz)}, as <code>setops load</code> counts them: the leads "
        "share the lead weeks, the engineers the primary and backup weeks, each pro rata to "
        "the days they can be on SET. The bar is the load; the mark, the fair share. "
        f"Balance: the largest deviation among engineers is {_weeks(report.balance_weeks)} "
        f"weeks, among leads {_weeks(report.lead_balance_weeks)}.</p>"
        '<div class="scroll" tabindex="0" role="region" aria-label="Load table">'
        '<table class="load"><caption>Weeks on SET per person, against their fair share'
        '</caption><thead><tr><th scope="col">Person</th><th scope="col">Pool</th>'
        '<th scope="col" class="detail">Primary</th><th scope="col" class="detail">Backup</th>'
        '<th scope="col" class="detail">Lead (cycles)</th>'
        '<th scope="col">Load</th><th scope="col">Fair share</th>'
        '<th scope="col">Deviation</th><th scope="col"><span class="sr">Chart</span></th>'
        f"</tr></thead><tbody>{body}</tbody></table></div></section>"
    )


def _load_row(row: PersonLoad, widest: float) -> str:
    numbers = (row.primary_weeks, row.backup_weeks, row.lead_cycles, row.load_weeks)
    cells = (
        "".join(f'<td class="detail">{_weeks(value)}</td>' for value in numbers[:3])
        + f"<td>{_weeks(numbers[3])}</td>"
    )
    deviation = _signed(row.deviation_weeks)
    return (
        f'<tr data-person="{esc(row.person)}"><th scope="row">{esc(row.name)}</th>'
        f"<td>{esc(row.pool)}</td>{cells}<td>{_weeks(row.fair_share_weeks)}</td>"
        f"<td>{deviation}</td>"
        f'<td class="chart" aria-hidden="true"><span class="track">'
        f'<span class="seg {row.pool}" style="width:{row.load_weeks / widest * 100:.1f}%">'
        f'</span><span class="fair" style="left:{row.fair_share_weeks / widest * 100:.1f}%">'
        "</span></span></td></tr>"
    )


def _weeks(value: float) -> str:
    return f"{value:.1f}"


def _signed(value: float) -> str:
    """A deviation with its sign (a true minus), and no sign where it rounds to nothing."""
    text = f"{value:+.1f}"
    return "0.0" if float(text) == 0 else text.replace("-", "\u2212")
