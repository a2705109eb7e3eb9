"""`setops handover`: the weekly handover (handover PR, Jira tickets, Mattermost)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from setops.commands.common import load_valid, root_option
from setops.handover.flow import handover
from setops.schedule import compute_schedule
from setops.timeparse import now, parse_instant


@click.command("handover")
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help="Run as if at TIME (ISO 8601; default: now). Without an offset, the rotation's zone.",
)
@click.option("--dry-run", is_flag=True, help="Show what each step would do; send nothing.")
@root_option
def command(at_text: str | None, dry_run: bool, root: Path) -> int:
    """Hand over to the incoming SET team: the earliest shift change not yet handed over.

    First the handover pull request (checklist, people, tickets), then the Jira tickets of
    the people leaving SET go to the incoming holders of their roles (one comment each) and
    the TO DO column is ranked, then Mattermost: header, incident channels, announcement.
    Run it again at any time: it repeats nothing that was done.
    """
    config = load_valid(root)
    schedule = compute_schedule(config)
    at = parse_instant(at_text, schedule.tz) if at_text else now().astimezone(schedule.tz)
    throttle = os.environ.get("SETOPS_GITHUB_THROTTLE", "1") != "0"
    return handover(
        config, schedule, os.environ, at, dry_run=dry_run, echo=click.echo, throttle=throttle
    )
