"""`setops site --out DIR`: what it writes, what it refuses, and the "now" it builds at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result
from tests.site.markup import parse


def test_the_site_is_written_at_the_pinned_now(
    cli: Callable[..., Result], org_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = cli(
        "site", "--root", str(org_repo), "--out", str(out),
        env={"SETOPS_NOW": "2026-12-16T10:00:00+01:00"},
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.startswith("wrote ") and str(out) in result.out
    root = parse((out / "index.html").read_text(encoding="utf-8"))
    asof = root.find(id="now-body").find_all("time")[0]
    assert asof.attrs["datetime"] == "2026-12-16T09:00Z"
    emea = root.find("article", data_shift="emea")
    assert emea.find(data_role="primary").text.startswith("Kai Nakamura")  # the swap
    assert (out / "feeds" / "rotation.ics").is_file()


def test_a_second_run_replaces_the_site_it_wrote(
    cli: Callable[..., Result], org_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert cli("site", "--root", str(org_repo), "--out", str(out)).code == 0
    stale = out / "feeds" / "people" / "someone-gone.ics"
    stale.write_text("BEGIN:VCALENDAR\n")
    assert cli("site", "--root", str(org_repo), "--out", str(out)).code == 0
    assert not stale.exists()
    assert (out / "index.html").is_file()


def test_a_folder_it_did_not_write_is_refused_untouched(
    cli: Callable[..., Result], org_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.md").write_text("mine\n")
    result = cli("site", "--root", str(org_repo), "--out", str(out))
    assert result.code == 1
    assert result.err.strip() == (
        f"setops: error: --out: {out} holds files setops did not write; give a new or empty folder"
    )
    assert [p.name for p in out.iterdir()] == ["notes.md"]


def test_a_file_as_out_is_refused_before_anything_is_written(
    cli: Callable[..., Result], org_repo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "index.html"
    target.write_text("x")
    result = cli("site", "--root", str(org_repo), "--out", str(target))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"Invalid value for '--out': Directory '{target}' is a file." in result.err
    assert target.read_text() == "x"


def test_an_invalid_configuration_writes_nothing(
    cli: Callable[..., Result], org_repo: Path, tmp_path: Path
) -> None:
    roster = org_repo / "rotations" / "roster.yaml"
    roster.write_text(roster.read_text().replace("timezone: Europe/Prague", "timezone: Mars/Base"))
    out = tmp_path / "site"
    result = cli("site", "--root", str(org_repo), "--out", str(out))
    assert result.code == 1
    assert "rotations/roster.yaml:" in result.err
    assert not out.exists()
