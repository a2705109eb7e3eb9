"""The `setops` command line: the command group and the one error boundary.

Known errors print one clean line (or every config problem) and exit 1; a bug in setops
exits 3 with its traceback written to a log file, never to the terminal; Ctrl-C exits 130.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from setops import __version__
from setops.errors import ConfigError, SetopsError

# Command name -> module holding its click command (named `command` unless given after ":").
# Modules load only when their command runs, so `setops validate` does not pay for the
# HTTP clients of the targets.
COMMAND_MODULES: dict[str, str] = {
    "validate": "setops.commands.validate",
    "who": "setops.commands.who",
    "schedule": "setops.commands.schedule",
    "diff": "setops.commands.diff_cmd",
    "plan": "setops.commands.plan",
    "apply": "setops.commands.apply",
    "schema": "setops.commands.schema",
    "fmt": "setops.commands.fmt",
    "comment": "setops.commands.github_cmds:command_comment",
    "drift-issue": "setops.commands.github_cmds:command_drift_issue",
    "handover": "setops.commands.handover",
    "rank": "setops.commands.rank",
    "import": "setops.commands.import_cmd",
    "propose": "setops.commands.propose",
    "load": "setops.commands.load",
    "site": "setops.commands.site",
}


class LazyGroup(click.Group):
    """A command group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMAND_MODULES, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMAND_MODULES.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute or "command")
        assert isinstance(command, click.Command)
        return command


def all_commands() -> list[click.Command]:
    """Every command, imported (for tests and documentation)."""
    ctx = click.Context(cli)
    return [c for name in cli.list_commands(ctx) if (c := cli.get_command(ctx, name))]


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="setops")
def cli() -> None:
    """The Sustained Engineering Team (SET), run as code.

    The rotation, escalation policy and priority rules live as YAML in rotations/ and
    policies/. These commands check them, show who is on SET, and keep the services the
    team lives in (OpsGenie, Mattermost, Jira, GitHub) in step with them.
    """


def crash_log_path() -> Path:
    """Where a bug's traceback goes: $SETOPS_LOG_DIR, else the user's state dir, else /tmp."""
    base = os.environ.get("SETOPS_LOG_DIR") or os.environ.get("XDG_STATE_HOME")
    folder = Path(base) if base else Path.home() / ".local" / "state"
    if not os.environ.get("SETOPS_LOG_DIR"):
        folder = folder / "setops"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return folder / "setops-crash.log"


def _report_bug(exc: BaseException) -> int:
    path = crash_log_path()
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(
                f"--- {dt.datetime.now(dt.UTC).isoformat()} setops {__version__} "
                f"argv={sys.argv[1:2]}\n"
            )
            log.write("".join(traceback.format_exception(exc)))
        where = f"the traceback is in {path}"
    except OSError:
        where = "the traceback could not be written"
    click.echo(
        f"setops: internal error ({type(exc).__name__}); {where}. Please report it.", err=True
    )
    return 3


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (tests call this)."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="setops", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("setops: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 1
    except ConfigError as exc:
        # Imported here: the module stays light, so a Ctrl-C while Python starts up is
        # still caught by the boundary below rather than shown as a traceback.
        from setops.commands.common import print_problems

        print_problems(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        click.echo(f"{errors} error(s); the configuration is invalid.", err=True)
        return 1
    except SetopsError as exc:
        click.echo(f"setops: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("setops: interrupted", err=True)
        return 130
    except Exception as exc:
        return _report_bug(exc)
    return result if isinstance(result, int) else 0


def _tolerate_narrow_terminals() -> None:
    """On a terminal whose encoding cannot show every name (latin-1, ASCII), print what it
    cannot as escapes (Markovi\\u0107) instead of failing with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf_8") and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main() -> NoReturn:
    _tolerate_narrow_terminals()
    sys.exit(run())
