"""`setops apply`: make the targets match the configuration; only the changes are written."""

from __future__ import annotations

from pathlib import Path

import click

from setops.commands.common import load_valid, root_option
from setops.commands.targets import only_option, select_targets
from setops.errors import SetopsError
from setops.plan import Plan, render_text


@click.command("apply")
@only_option
@click.option("--prune", is_flag=True, help="Also delete objects setops did not create.")
@click.option(
    "--force",
    is_flag=True,
    help="Apply even when the safety rail stops the plan (large deletes, lost coverage).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and write nothing.")
@root_option
def command(only: str | None, prune: bool, force: bool, dry_run: bool, root: Path) -> int:
    """Plan, then carry out the plan of every enabled target (creates and updates first,
    deletes last). A second apply right after a successful one changes nothing.
    """
    config = load_valid(root)
    targets = select_targets(config, only, prune=prune, force=force)
    missing = [
        f"{t.name} ({', '.join(t.missing_credentials())})"
        for t in targets
        if t.missing_credentials()
    ]
    if missing and not dry_run:
        raise SetopsError(
            "missing credentials for enabled target(s): "
            + "; ".join(missing)
            + ". Nothing was sent."
        )
    plans = [(target, target.plan()) for target in targets]
    click.echo(render_text(Plan(tuple(p for _, p in plans))))
    if dry_run:
        return 0
    blocked = [f"{p.target}: {r}" for _, p in plans for r in p.blocked]
    if blocked:
        raise SetopsError("cannot apply: " + "; ".join(blocked))
    unsafe = [f"{p.target}: {r}" for _, p in plans for r in p.unsafe]
    if unsafe and not force:
        raise SetopsError(
            "the plan was stopped by the safety rail: "
            + "; ".join(unsafe)
            + ". Check it, then run again with --force."
        )
    for target, target_plan in plans:
        if not target_plan.has_changes:
            continue
        report = target.apply(target_plan)
        click.echo(report.summary())
    return 0
