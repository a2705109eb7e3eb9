"""`setops site`: write the rotation as a static calendar site into a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from setops.commands.common import load_valid, root_option
from setops.errors import SetopsError
from setops.site import build_site
from setops.timeparse import now

MARKER = ".setops-site"


@click.command("site")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="The folder to write the site into: new, empty, or a site written here before "
    "(which is replaced whole).",
)
@root_option
def command(out: Path, root: Path) -> int:
    """The rotation as a static site: who is on SET now, a calendar of the weeks around
    today, each person's next turn and calendar feed (ICS), and each person's load.

    The site needs no server and loads nothing from other hosts: open DIR/index.html, or
    publish DIR (GitHub Pages: see docs/site.md). "Now" is SETOPS_NOW when set, else the
    clock; the page itself works out who is on SET from the viewer's clock.
    """
    config = load_valid(root)
    files = build_site(config, now())
    _prepare(out)
    for name, content in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (out / MARKER).write_text("written by setops site; the folder is replaced on each run\n")
    size = sum(len(content) for content in files.values())
    click.echo(f"wrote {len(files)} files ({size / 1024:.0f} KiB) to {out}")
    return 0


def _prepare(out: Path) -> None:
    """Make `out` an empty folder, refusing to clear one that setops did not write."""
    if out.exists() and not out.is_dir():
        raise SetopsError(f"--out: {out} is a file; give a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SetopsError(
                f"--out: {out} holds files setops did not write; give a new or empty folder"
            )
        try:
            shutil.rmtree(out)
        except OSError as exc:
            raise SetopsError(f"--out: cannot clear {out}: {exc.strerror}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetopsError(f"--out: cannot create {out}: {exc.strerror}") from None
