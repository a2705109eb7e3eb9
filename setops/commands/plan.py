"""`setops plan`: what apply would change in each target; read-only calls only."""

from __future__ import annotations

from pathlib import Path

import click

from setops.commands.common import format_option, load_valid, root_option
from setops.commands.targets import only_option, select_targets
from setops.plan import Plan, render_json, render_markdown, render_text


@click.command("plan")
@only_option
@click.option("--prune", is_flag=True, help="Also delete objects setops did not create.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when changes are pending or objects setops "
    "does not own change the outcome (drift), 1 on error (a target without credentials, "
    "or a plan that cannot be applied, is an error here).",
)
@format_option("text", "json", "markdown")
@root_option
def command(
    only: str | None, prune: bool, detailed_exitcode: bool, output_format: str, root: Path
) -> int:
    """Show, target by target, the changes `setops apply` would make. Sends no writes.

    A target with no credentials still shows the state it would push, and names the
    missing variable (exit 0, or 1 with --detailed-exitcode or --only).
    """
    config = load_valid(root)
    targets = select_targets(config, only, prune=prune)
    plan = Plan(tuple(target.plan() for target in targets))
    render = {"json": render_json, "markdown": render_markdown}.get(output_format, render_text)
    click.echo(render(plan))
    for target in plan.unconfigured:
        click.echo(
            f"setops: {target.target} is not configured: set {', '.join(target.missing)}", err=True
        )
    for reason in plan.blocked:
        click.echo(f"setops: cannot apply {reason}", err=True)
    if plan.unconfigured and (detailed_exitcode or only):
        return 1
    if plan.blocked and detailed_exitcode:
        return 1
    return 2 if detailed_exitcode and (plan.has_changes or plan.has_drift) else 0
