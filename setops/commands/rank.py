"""`setops rank`: order the SET board's TO DO column by the priority rules."""

from __future__ import annotations

import os
from pathlib import Path

import click

from setops.commands.common import load_valid, root_option
from setops.errors import SetopsError
from setops.handover.gather import board_moves
from setops.targets.clients.jira import JiraClient, jira_auth, missing_jira_credentials


@click.command("rank")
@click.option("--dry-run", is_flag=True, help="Show the moves; send nothing.")
@root_option
def command(dry_run: bool, root: Path) -> int:
    """Rank the TO DO column: community-server quality first, then customer escalations,
    hotfix, release, customer-reported, other (policies/priorities.yaml). Only the tickets
    out of order move.
    """
    config = load_valid(root)
    jira = config.integrations.jira
    if jira is None or not jira.enabled:
        raise SetopsError("jira is not enabled in policies/integrations.yaml")
    missing = missing_jira_credentials(os.environ)
    if missing:
        raise SetopsError(f"jira: set {' and '.join(missing)}")
    client = JiraClient(jira_auth(os.environ))
    moves = board_moves(client, config, jira)
    if not moves:
        click.echo(f"board {jira.board}: the TO DO column is in order; nothing to move")
        return 0
    for move in moves:
        click.echo(f"  {move.describe()}")
        if not dry_run:
            client.rank(move.issues, before=move.before, after=move.after)
    click.echo(
        f"board {jira.board}: {len(moves)} move(s)" + (" (dry run: none sent)" if dry_run else "")
    )
    return 0
