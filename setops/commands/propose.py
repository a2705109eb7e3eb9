"""`setops propose`: the next cycles, fairly, under the hard rules (--write appends them)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import click

from setops.checks import validate_config
from setops.commands.common import format_option, load_valid, root_option
from setops.commands.fmt import formatted
from setops.config.load import Config, load_config
from setops.config.models import zone
from setops.errors import ConfigError, SetopsError
from setops.planning.extend import SET_FILE, extended, written
from setops.planning.load import LoadReport, compute_load
from setops.planning.propose import DEFAULT_TIME_LIMIT, Proposal, propose
from setops.render.propose import proposal_json, proposal_markdown, proposal_text
from setops.schedule import compute_schedule
from setops.timeparse import now


@click.command("propose")
@click.option(
    "--cycles",
    "count",
    type=click.IntRange(1, 104),
    required=True,
    help="How many cycles to propose after the last scheduled one.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Append the proposal to rotations/set.yaml (comments and layout kept).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, 3600),
    default=DEFAULT_TIME_LIMIT,
    show_default=True,
    help="The solver's budget in deterministic seconds (the same on any machine, so the "
    "same input gives the same proposal).",
)
@click.option(
    "--if-runs-out-within",
    "within_weeks",
    type=click.IntRange(0, 520),
    metavar="WEEKS",
    help="Propose only when the schedule ends within WEEKS weeks from now; else say so "
    "and exit 0 (the weekly workflow uses 6).",
)
@click.option(
    "--pull-request",
    is_flag=True,
    help="Open (or bring up to date) the proposal's pull request on GitHub, the leads as "
    "reviewers and the load before and after in its description (needs GITHUB_TOKEN).",
)
@format_option("text", "markdown", "json")
@root_option
def command(
    count: int,
    write: bool,
    time_limit: float,
    within_weeks: int | None,
    pull_request: bool,
    output_format: str,
    root: Path,
) -> int:
    """Propose the next cycles: every hard rule kept, the load as fair as can be.

    Hard rules (policies/planning.yaml): nobody during their time off or outside their
    roster dates; leads only from can_lead; one role per person and cycle; min_gap_cycles
    between two cycles of a person; engineers from min_teams teams; shifts only inside the
    working day in the person's zone. When they cannot all hold, exit 1 naming the rule, the
    cycle and the people. Soft goals, in order: the largest deviation from fair share, the
    total deviation, turns spread evenly, lead duty balanced (docs/planning.md).
    """
    config = load_valid(root)
    if within_weeks is not None and _far_enough(config, within_weeks):
        return 0
    began = time.monotonic()
    proposal = propose(config, count, time_limit)
    seconds = time.monotonic() - began
    before, after = _loads(config, proposal)
    tz = zone(config.rotation.timezone)
    if output_format == "json":
        click.echo(json.dumps(proposal_json(proposal, before, after, tz), indent=2))
    elif output_format == "markdown":
        click.echo(proposal_markdown(proposal, before, after, tz))
    else:
        click.echo(proposal_text(proposal, before, after, tz, seconds))
    if write:
        _write(root, config, proposal)
    if pull_request:
        from setops.commands.propose_pr import open_or_update

        markdown = proposal_markdown(proposal, before, after, tz)
        for line in open_or_update(config, root, proposal, markdown):
            click.echo(line, err=True)
    return 0


def _far_enough(config: Config, weeks: int) -> bool:
    """Whether the schedule reaches past `weeks` from now (so nothing needs proposing)."""
    end = _end(config)
    if end > now() + dt.timedelta(weeks=weeks):
        shown = end.astimezone(zone(config.rotation.timezone)).date()
        click.echo(
            f"the schedule runs until {shown}, more than {weeks} weeks away; nothing to propose"
        )
        return True
    return False


def _loads(config: Config, proposal: Proposal) -> tuple[LoadReport, LoadReport]:
    """The load before (the past window up to the end of the schedule) and after (to the end
    of the proposal), from the same start."""
    grown = extended(config, proposal.cycles)
    start = _end(config) - dt.timedelta(weeks=config.planning.past_weeks)
    before = compute_load(config, start, _end(config))
    return before, compute_load(grown, start, _end(grown))


def _end(config: Config) -> dt.datetime:
    end = compute_schedule(config).end
    assert end is not None  # a valid configuration has at least one cycle
    return end


def _write(root: Path, config: Config, proposal: Proposal) -> None:
    """Append the proposal to rotations/set.yaml; put the file back if the result would not
    pass `validate` and `fmt --check` (a bug in setops if it happens)."""
    path = root / SET_FILE
    try:
        text = path.read_text(encoding="utf-8")
        new = written(text, proposal.cycles, config.rotation.cycle_weeks)
        path.write_text(new, encoding="utf-8")
    except OSError as exc:
        raise SetopsError(f"{SET_FILE}: cannot rewrite the file: {exc.strerror}") from None
    refusal = _refusal(root, path)
    if refusal:
        path.write_text(text, encoding="utf-8")
        raise SetopsError(f"{SET_FILE} left as it was: the proposal {refusal}")
    click.echo(f"wrote {len(proposal.cycles)} cycle(s) to {SET_FILE}", err=True)


def _refusal(root: Path, path: Path) -> str | None:
    try:
        problems = validate_config(load_config(root), now())
    except ConfigError as exc:
        problems = list(exc.problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return f"would not validate: {errors[0]}"
    before, after = formatted(path, SET_FILE)
    if before != after:
        return "would not pass `setops fmt --check`"
    return None
