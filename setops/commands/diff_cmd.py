"""`setops diff`: how the working tree moves people compared with a git revision."""

from __future__ import annotations

from pathlib import Path

import click

from setops.checks import validate_config
from setops.commands.common import format_option, load_valid, root_option
from setops.config.load import load_config_files, read_files_at_revision
from setops.errors import ConfigError, SetopsError
from setops.moves import load_changes, moves
from setops.render.moves import diff_markdown, diff_text
from setops.schedule import compute_schedule
from setops.timeparse import now


@click.command("diff")
@click.option(
    "--base",
    "base",
    required=True,
    metavar="REF",
    help="The git revision to compare with (a branch, tag or commit).",
)
@format_option("text", "markdown")
@root_option
def command(base: str, output_format: str, root: Path) -> int:
    """Slot by slot, who held each role at REF and who holds it in the working tree.

    Also lists people whose total SET time changes and warnings the change introduces.
    The Markdown form is what the pull-request comment shows.
    """
    try:
        old = load_config_files(read_files_at_revision(root, base))
    except ConfigError as exc:
        # Not as annotations: these places are in the base revision, not in the change.
        for problem in exc.problems:
            click.echo(f"{base}:{problem}", err=True)
        raise SetopsError(
            f"the configuration at {base} does not load ({len(exc.problems)} problem(s), "
            "above); cannot compare: diff against a revision whose configuration loads"
        ) from None
    new = load_valid(root)
    at = now()
    old_warnings = {(w.where.path, w.message) for w in validate_config(old, at)}
    fresh = [
        w
        for w in validate_config(new, at)
        if w.severity == "warning" and (w.where.path, w.message) not in old_warnings
    ]
    before, after = compute_schedule(old), compute_schedule(new)
    changes, loads = moves(before, after), load_changes(before, after)
    render = diff_markdown if output_format == "markdown" else diff_text
    click.echo(render(new, changes, loads, fresh), nl=output_format != "markdown")
    return 0
