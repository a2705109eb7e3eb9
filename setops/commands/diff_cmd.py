"""`setops diff`: every change in behaviour between a git revision and the working tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from setops.checks import validate_config
from setops.commands.common import display_zone, format_option, load_valid, root_option, tz_option
from setops.config.load import Config, load_config_files, read_files_at_revision
from setops.config.models import IntegrationsFile
from setops.config_changes import ValueChange, comment_only_files, config_changes
from setops.errors import ConfigError, Problem, SetopsError
from setops.moves import load_changes, moves
from setops.render.header import owned_part, owned_text
from setops.render.moves import DiffReport, diff_markdown, diff_text
from setops.render.people import when
from setops.schedule import Schedule, compute_schedule
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
@tz_option
@root_option
def command(base: str, output_format: str, tz_name: str | None, root: Path) -> int:
    """Every change in behaviour between REF and the working tree.

    First who holds which role when, slot by slot, and whose total SET time changes; then each
    other kind of change in its own section, before → after: shift hours, days and zones; the
    shift change and handover run; escalation; priority rules and levels; what each target is
    told; the handover checklist; people; time off; cycles; overrides; CODEOWNERS. Comments,
    layout and reason texts are listed apart: they change no behaviour. Times are in the
    rotation's zone (or --tz). The Markdown form is what the pull-request comment shows.
    """
    old = _load_base(root, base)
    new = load_valid(root)
    before, after = compute_schedule(old), compute_schedule(new)
    at = now()
    changes = [*config_changes(old, new), *_header_change(old, new, before, after, at)]
    report = DiffReport(
        before=old,
        after=new,
        tz=display_zone(new, tz_name),
        moves=moves(before, after),
        loads=load_changes(before, after),
        changes=changes,
        layout_only=comment_only_files(old, new, changes),
        warnings=_new_warnings(old, new, at),
    )
    if output_format == "markdown":
        click.echo(diff_markdown(report), nl=False)
    else:
        click.echo(diff_text(report))
    return 0


def _header_change(
    old: Config, new: Config, before: Schedule, after: Schedule, at: dt.datetime
) -> list[ValueChange]:
    """The SET channel header as Mattermost would show it now, when the change alters it (a
    renamed person, a new username, a template): what the target is told, not only why."""
    settings = [c.integrations.mattermost for c in (old, new)]
    if settings[0] is None or settings[1] is None or not settings[1].enabled:
        return []
    texts = [
        owned_part(owned_text(c, s, sched.at(at)), s)
        for c, s, sched in ((old, settings[0], before), (new, settings[1], after))
    ]
    if texts[0] == texts[1]:
        return []
    return [
        ValueChange(
            IntegrationsFile.FILE,
            ("mattermost", "channel header"),
            f"channel header at {when(at, after.tz)}",
            "",
            texts[0],
            texts[1],
        )
    ]


def _load_base(root: Path, base: str) -> Config:
    try:
        return load_config_files(read_files_at_revision(root, base))
    except ConfigError as exc:
        # Not as annotations: these places are in the base revision, not in the change.
        for problem in exc.problems:
            click.echo(f"{base}:{problem}", err=True)
        raise SetopsError(
            f"the configuration at {base} does not load ({len(exc.problems)} problem(s), "
            "above); cannot compare: diff against a revision whose configuration loads"
        ) from None


def _new_warnings(old: Config, new: Config, at: dt.datetime) -> list[Problem]:
    known = {(w.where.path, w.message) for w in validate_config(old, at)}
    return [
        w
        for w in validate_config(new, at)
        if w.severity == "warning" and (w.where.path, w.message) not in known
    ]
