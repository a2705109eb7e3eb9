"""`setops schedule`: the computed calendar of a window, in several formats."""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from pathlib import Path

import click

from setops.commands.common import (
    display_zone,
    format_option,
    load_valid,
    root_option,
    tz_option,
)
from setops.errors import SetopsError
from setops.render.calendar import slots_ics, slots_json, slots_markdown, slots_text
from setops.render.people import iso
from setops.schedule import Schedule, compute_schedule, local_instant
from setops.timeparse import now, parse_date


@click.command("schedule")
@click.option(
    "--from",
    "from_text",
    metavar="DATE",
    help="First day (YYYY-MM-DD, rotation's zone). Default: today.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 520),
    default=4,
    show_default=True,
    help="How many weeks from --from.",
)
@click.option("--person", "person_id", metavar="ID", help="Only this person's slots (own feed).")
@format_option("text", "markdown", "json", "ics")
@tz_option
@root_option
def command(
    from_text: str | None,
    weeks: int,
    person_id: str | None,
    output_format: str,
    tz_name: str | None,
    root: Path,
) -> int:
    """The slots (role, shift, person, start, end) overlapping a window, each listed whole.

    `--format ics` is an RFC 5545 calendar to subscribe to, one event per slot. Times are
    shown in the rotation's zone, or in --tz ZONE (the window's days stay the rotation's).
    """
    config = load_valid(root)
    schedule = compute_schedule(config)
    tz = display_zone(config, tz_name)
    if person_id is not None and person_id not in config.person_by_id:
        close = difflib.get_close_matches(person_id.lower(), list(config.person_by_id), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "give an id from rotations/roster.yaml"
        raise SetopsError(f"--person: unknown person '{person_id}'; {hint}")
    first = parse_date(from_text) if from_text else now().astimezone(schedule.tz).date()
    try:
        start = local_instant(first, dt.time(), schedule.tz)
        end = local_instant(first + dt.timedelta(weeks=weeks), dt.time(), schedule.tz)
    except OverflowError:
        raise SetopsError(
            f"--from {first} with --weeks {weeks} reaches past the dates a calendar can hold; "
            f"give a date nearer the schedule ({_range(schedule)})"
        ) from None
    slots = [s for s in schedule.window(start, end) if person_id in (None, s.person)]
    if not slots and output_format == "text":
        click.echo(
            f"no slots from {iso(start, tz)} to {iso(end, tz)}"
            f"{' for ' + person_id if person_id else ''}; the schedule runs {_range(schedule)}"
        )
        return 0
    if output_format == "json":
        click.echo(slots_json(config, slots, tz))
    elif output_format == "markdown":
        click.echo(slots_markdown(config, slots, tz))
    elif output_format == "ics":
        calendar = slots_ics(config, slots, now(), tz, person_id)
        # RFC 5545 calendars are UTF-8 whatever the terminal's encoding: written as bytes
        # where stdout has a byte stream under it (not, say, an in-memory text buffer).
        binary = getattr(sys.stdout, "buffer", None) is not None
        click.echo(calendar.encode("utf-8") if binary else calendar, nl=False)
    else:
        click.echo(slots_text(config, slots, tz))
    return 0


def _range(schedule: Schedule) -> str:
    start, end = schedule.start, schedule.end
    if start is None or end is None:
        return "nowhere: it has no cycles"
    return f"from {iso(start, schedule.tz)} to {iso(end, schedule.tz)}"
