"""`setops import opsgenie`: write the rotation a paging service runs into rotations/ YAML.

For a team already on OpsGenie (and for bringing a hand-made override into the YAML): the
cycles the YAML lacks come from who holds each role most of the time; whatever OpsGenie
still pages differently becomes an override. Comments in the files are kept. The result is
validated before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path

import click

from setops.checks import validate_config
from setops.commands.common import load_valid, root_option
from setops.commands.targets import select_targets
from setops.config.edit import append_overrides, upsert_cycles
from setops.config.load import CODEOWNERS_PATHS, CONFIG_DIRS, Config, load_config_files
from setops.config.models import OverridesFile, RotationFile, zone
from setops.errors import ConfigError, SetopsError
from setops.schedule import compute_schedule, local_instant
from setops.targets.paging.importer import cycle_grid, derive_cycles, deviations
from setops.targets.paging.sync import PagingTarget

EDITED = (RotationFile.FILE, OverridesFile.FILE)


@click.command("import")
@click.argument("source", type=click.Choice(["opsgenie"]), metavar="SOURCE")
@click.option(
    "--replace-cycles",
    is_flag=True,
    help="Rewrite the cycles in the synced window from OpsGenie too, not only add missing ones.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; change no file.")
@root_option
def command(source: str, replace_cycles: bool, dry_run: bool, root: Path) -> int:
    """Read SOURCE's schedules (those named in policies/integrations.yaml) and write the
    equivalent cycles and overrides into rotations/, so the YAML pages the same people.

    Afterwards `setops plan` shows how setops' own objects take over; the original
    rotations keep paging until they are removed.
    """
    config = load_valid(root)
    (target,) = select_targets(config, source)
    if not isinstance(target, PagingTarget):
        raise SetopsError(f"import: {source} has no schedules to import")
    missing = target.missing_credentials()
    if missing:
        raise SetopsError(f"import: set {', '.join(missing)} to read {target.vendor}")
    others = _all_files(root)
    files = {n: others.pop(n).decode("utf-8") for n in EDITED if n in others}
    settings, instant = target.sync_settings(), target.context.now
    end = instant + settings.horizon
    first = next(cycle_grid(config, instant, end), None)
    start = instant if first is None else _start(config, first)
    timelines = target.read_timelines(min(start, instant), end)
    cycles, notes = derive_cycles(config, settings, timelines, replace_cycles)
    files[RotationFile.FILE] = upsert_cycles(files[RotationFile.FILE], [asdict(c) for c in cycles])
    with_cycles = _load(others, files)
    overrides, more = deviations(
        with_cycles, compute_schedule(with_cycles), settings, timelines, instant
    )
    files[OverridesFile.FILE] = append_overrides(
        files.get(OverridesFile.FILE), [asdict(o) for o in overrides]
    )
    _check(_load(others, files), instant)
    for note in [*notes, *more]:
        click.echo(f"setops: warning: {note}", err=True)
    _write(root, files, dry_run)
    click.echo(
        f"imported from {target.vendor}: {len(cycles)} cycle(s), {len(overrides)} override(s)"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    click.echo(
        "next: `setops plan` shows the changes that hand the schedules over to setops' own "
        "objects; the original rotations, which setops does not own, keep paging until they "
        f"are removed in {target.vendor} (or by `setops apply --prune`)"
    )
    return 0


def _start(config: Config, day: dt.date) -> dt.datetime:
    rotation = config.rotation
    return local_instant(day, rotation.shift_change.clock(), zone(rotation.timezone))


def _all_files(root: Path) -> dict[str, bytes]:
    """The config files under `root`, as `load_config` reads them."""
    files = {}
    for folder in CONFIG_DIRS:
        for path in sorted((root / folder).glob("*.y*ml")):
            files[f"{folder}/{path.name}"] = path.read_bytes()
    for name in CODEOWNERS_PATHS:
        if (root / name).is_file():
            files[name] = (root / name).read_bytes()
            break
    return files


def _load(others: dict[str, bytes], edited: dict[str, str]) -> Config:
    """The config with the edited files in place of the ones on disk."""
    return load_config_files({**others, **{k: v.encode("utf-8") for k, v in edited.items()}})


def _check(config: Config, instant: dt.datetime) -> None:
    """Nothing is written when the imported state would not be a valid configuration."""
    errors = [p for p in validate_config(config, instant) if p.severity == "error"]
    if errors:
        raise ConfigError(errors)


def _write(root: Path, files: dict[str, str], dry_run: bool) -> None:
    for name, text in files.items():
        path = root / name
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        if before == text:
            continue
        if dry_run:
            click.echo(f"--- {name} would become:\n{text}")
        else:
            path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {name}")
