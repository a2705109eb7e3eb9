"""`setops validate`: schema and semantic checks of the whole configuration."""

from __future__ import annotations

from pathlib import Path

import click

from setops.checks import validate_config
from setops.commands.common import print_problems, root_option
from setops.config.load import load_config
from setops.timeparse import now


@click.command("validate")
@root_option
def command(root: Path) -> int:
    """Check every file in rotations/ and policies/ (and CODEOWNERS).

    Every problem is printed as path:line:col: message, all of them at once. Exit 1 when
    there is any error, including a schedule that has run out (nobody would be on call
    now); warnings (such as a schedule that runs out within four weeks) are printed but
    pass. Nothing is sent anywhere.
    """
    config = load_config(root)
    problems = validate_config(config, now(), require_cover=True)
    print_problems(problems)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        click.echo(f"{errors} error(s); the configuration is invalid.", err=True)
        return 1
    cycles = len(config.cycles)
    click.echo(
        f"ok: {len(config.people)} people, {cycles} cycles, {len(config.overrides)} overrides valid"
    )
    return 0
