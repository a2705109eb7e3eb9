"""`setops fmt`: canonical formatting of the config files, comments kept."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import click
from ruamel.yaml.error import YAMLError

from setops.commands.common import root_option
from setops.config.load import CONFIG_DIRS
from setops.config.yamlio import parse_document, round_trip_yaml
from setops.errors import ConfigError, Location, Problem, SetopsError


def formatted(path: Path, name: str) -> tuple[str, str]:
    """The file's text as it is and as `fmt` writes it (`name`: its path in messages)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = Problem(Location(name), f"cannot read the file: {exc.strerror}")
        raise ConfigError([problem]) from None
    parse_document(name, raw)  # refuses tabs, aliases, bad UTF-8 with a place
    text = raw.decode("utf-8")
    yaml = round_trip_yaml()
    try:
        # Line ends are made LF first: ruamel.yaml would keep a CR in each comment and
        # write LF elsewhere, leaving the file with both.
        data = yaml.load(text.replace("\r\n", "\n"))
    except YAMLError as exc:
        raise ConfigError([_yaml_problem(name, exc)]) from None
    out = io.StringIO()
    yaml.dump(data, out)
    return text, out.getvalue()


def _yaml_problem(name: str, exc: YAMLError) -> Problem:
    """ruamel.yaml's complaint as one line at its place (what libyaml accepted, it may not)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
    text = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    return Problem(where, f"invalid YAML: {text}; setops fmt cannot rewrite this file")


@click.command("fmt")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file would change.")
@root_option
def command(check: bool, root: Path) -> int:
    """Rewrite rotations/ and policies/ in the canonical layout, keeping every comment.

    Indentation is two spaces, list items indented under their key. With --check, print
    the difference and exit 1 when a file is not formatted (for pre-commit and CI).
    """
    if not root.is_dir():
        raise SetopsError(f"{root}: not a directory (give the config repository with --root)")
    paths = [p for folder in CONFIG_DIRS for p in sorted((root / folder).glob("*.y*ml"))]
    if not paths:
        raise SetopsError(
            f"{root} holds no YAML files in rotations/ or policies/: it is not a SET "
            "configuration repository (give one with --root)"
        )
    changed: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            before, after = formatted(path, name)
        except ConfigError as exc:
            problems.extend(exc.problems)  # every file's problems, then one failure
            continue
        if before == after:
            continue
        changed.append(path)
        if check:
            diff = difflib.unified_diff(
                before.splitlines(True), after.splitlines(True), name, f"{name} (formatted)"
            )
            click.echo("".join(diff), nl=False)
            continue
        try:
            path.write_bytes(after.encode("utf-8"))
        except OSError as exc:
            raise SetopsError(f"{name}: cannot write the file: {exc.strerror}") from None
        click.echo(f"formatted {name}")
    if problems:
        raise ConfigError(problems)
    if check and changed:
        click.echo(f"{len(changed)} file(s) not formatted; run `setops fmt`", err=True)
        return 1
    return 0
