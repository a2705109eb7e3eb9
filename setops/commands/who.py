"""`setops who`: who is lead, primary and backup of each shift at an instant."""

from __future__ import annotations

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
from setops.render.oncall import oncall_json, oncall_text
from setops.render.people import iso
from setops.schedule import compute_schedule
from setops.timeparse import now, parse_instant


@click.command("who")
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help="ISO 8601 time, e.g. 2026-12-08T10:00 or 2026-12-08T10:00+01:00, or 'now' (the "
    "default). Without an offset it is read in the rotation's zone.",
)
@format_option("text", "json")
@tz_option
@root_option
def command(at_text: str | None, output_format: str, tz_name: str | None, root: Path) -> int:
    """Who is on SET at TIME: the lead, and the primary and backup of each shift.

    Every shift is listed; 'active' tells whether TIME falls in the shift's daily hours.
    Times are shown in the rotation's zone, or in --tz ZONE.
    """
    config = load_valid(root)
    schedule = compute_schedule(config)
    tz = display_zone(config, tz_name)
    notes: list[str] = []
    at = (
        parse_instant(at_text, schedule.tz, notes=notes)
        if at_text is not None
        else now().astimezone(schedule.tz)
    )
    for note in notes:
        click.echo(note, err=True)
    oncall = schedule.at(at)
    if oncall.cycle is None:
        start, end = schedule.start, schedule.end
        raise SetopsError(
            f"no cycle covers {iso(at, schedule.tz)}; the schedule runs from "
            f"{iso(start, schedule.tz) if start else '?'} to "
            f"{iso(end, schedule.tz) if end else '?'}: give a time in it, or add cycles"
        )
    render = oncall_json if output_format == "json" else oncall_text
    click.echo(render(config, oncall, tz))
    return 0
