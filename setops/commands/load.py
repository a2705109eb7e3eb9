"""`setops load`: each person's and team's SET load over a window, against their fair share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from setops.commands.common import format_option, load_valid, root_option
from setops.config.models import zone
from setops.planning.load import compute_load, default_window
from setops.render.load import load_json, load_markdown, load_text
from setops.schedule import local_instant
from setops.timeparse import now, parse_date


@click.command("load")
@click.option(
    "--from",
    "from_text",
    metavar="DATE",
    help="First day of the window (YYYY-MM-DD, rotation's zone). "
    "Default: past_weeks (policies/planning.yaml, 26) before today.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 520),
    help="Length of the window. Default: up to the end of the schedule.",
)
@format_option("text", "markdown", "json")
@root_option
def command(from_text: str | None, weeks: int | None, output_format: str, root: Path) -> int:
    """Each person's SET duty in a window and how far it is from their fair share.

    Weeks as primary and backup, cycles as lead, on-call hours inside the shift's hours
    (night and weekend hours on the person's own clock counted apart), overrides taken and
    given. The fair share splits each pool's duty (leads; engineers) pro rata to the days
    each person could be on SET; the balance is the largest deviation among engineers.
    """
    config = load_valid(root)
    tz = zone(config.rotation.timezone)
    start, end = default_window(config, now())
    if from_text:
        start = local_instant(parse_date(from_text), dt.time(), tz)
        end = max(end, start)
    if weeks is not None:
        end = start + dt.timedelta(weeks=weeks)
    report = compute_load(config, start, end)
    render = {"json": load_json, "markdown": load_markdown}.get(output_format, load_text)
    click.echo(render(report, tz))
    return 0
