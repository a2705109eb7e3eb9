"""What every command shares: the --root option, loading a validated config, printing problems."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from setops.checks import validate_config
from setops.config.load import Config, load_config
from setops.config.models import check_zone, zone
from setops.errors import ConfigError, Problem, SetopsError
from setops.timeparse import now

F = TypeVar("F", bound=Callable[..., Any])


CONFIG_MARKERS = ("rotations", "policies")


def find_root(start: Path) -> Path:
    """The configuration repository `start` is in: the nearest of `start` and its parents
    holding rotations/ or policies/, as git finds .git, and never above the top of the git
    work tree `start` is in; `start` itself when none does (its messages then say what is
    missing)."""
    here = start.absolute()
    for folder in (here, *here.parents):
        if any((folder / marker).is_dir() for marker in CONFIG_MARKERS):
            return folder
        if (folder / ".git").exists():
            break
    return start


def _root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else find_root(Path.cwd())


def root_option(func: F) -> F:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        callback=_root,
        help="The SET configuration repository (holding rotations/ and policies/); "
        "default: the current folder or the nearest one above it that holds them.",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorate


def tz_option(func: F) -> F:
    return click.option(
        "--tz",
        "tz_name",
        metavar="ZONE",
        help="Show times in this IANA time zone (e.g. America/New_York). "
        "Default: the rotation's zone.",
    )(func)


def display_zone(config: Config, tz_name: str | None) -> ZoneInfo:
    """The zone a command shows times in: --tz ZONE, or the rotation's."""
    name = config.rotation.timezone if tz_name is None else tz_name.strip()
    try:
        return zone(check_zone(name))
    except ValueError as exc:
        raise SetopsError(f"--tz: {exc}") from None


def load_valid(root: Path) -> Config:
    """Load and validate the config at `root`; raise ConfigError (with every problem) if invalid.

    Warnings are printed to stderr and do not stop the command.
    """
    config = load_config(root)
    problems = validate_config(config, now())
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ConfigError(problems)
    print_problems([p for p in problems if p.severity == "warning"])
    return config


def print_problems(problems: Iterable[Problem]) -> None:
    """Each problem as `path:line:col: message` on stderr, plus a GitHub annotation in Actions."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        click.echo(str(problem), err=True)
        if annotate:
            click.echo(github_annotation(problem))


def github_annotation(problem: Problem) -> str:
    """The `::error file=…,line=…,col=…::message` workflow command for one problem."""
    where = problem.where

    def prop(value: object) -> str:
        return _escape(str(value)).replace(":", "%3A").replace(",", "%2C")

    return (
        f"::{problem.severity} file={prop(where.path)},line={where.line},col={where.col}::"
        f"{_escape(problem.message)}"
    )


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
