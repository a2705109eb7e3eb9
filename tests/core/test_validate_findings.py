"""Issue 12's findings about `setops validate`, one test each, named after the finding."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from setops.commands.common import find_root
from tests.conftest import REPO, Result


def test_schedule_that_does_not_cover_now_fails_validate(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    # The small organisation's last cycle ends 2027-01-11 09:00 CET.
    after_the_end = {"SETOPS_NOW": "2027-07-10T10:00:00+02:00"}
    result = cli("validate", "--root", str(small_repo), env=after_the_end)
    assert result.code == 1
    assert (
        "rotations/set.yaml:32:12: the schedule has run out: the last cycle ended "
        "2027-01-11 09:00 CET, so nobody is on SET now (2027-07-10 10:00 CEST); add cycles "
        "to rotations/set.yaml"
    ) in result.err
    assert "1 error(s); the configuration is invalid." in result.err
    # `who` agrees that nobody is on call, and other commands still read the old schedule,
    # with the same message as a warning.
    assert cli("who", "--root", str(small_repo), env=after_the_end).code == 1
    schedule = cli("schedule", "--root", str(small_repo), "--from", "2026-12-28", env=after_the_end)
    assert schedule.code == 0
    assert "warning: the schedule has run out: the last cycle ended 2027-01-11" in schedule.err


def test_schedule_ending_exactly_now_fails_validate(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "validate", "--root", str(small_repo), env={"SETOPS_NOW": "2027-01-11T09:00:00+01:00"}
    )
    assert result.code == 1
    assert "the last cycle ended 2027-01-11 09:00 CET" in result.err


def test_schedule_running_out_within_four_weeks_stays_a_warning(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "validate", "--root", str(small_repo), env={"SETOPS_NOW": "2027-01-11T08:59:00+01:00"}
    )
    assert result.code == 0, result.err
    assert "warning: the schedule runs out in 0 days (the last cycle ends 2027-01-11" in (
        result.err
    )


# --- messages at the right place, with a fix that works (issue 12 §6) -----------------


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` holding `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_typo_in_a_shift_name_inside_a_cycle_is_reported_on_its_own_line_with_did_you_mean(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/set.yaml"
    path.write_text(
        path.read_text().replace(
            "      emea: {primary: emil, backup: eva}\n      amer: {primary: alba, backup: ari}",
            "      emea:\n        primary: emil\n        backup: eva\n"
            "      amre:\n        primary: alba\n        backup: ari",
        )
    )
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    line = line_of(path, "amre:")
    assert (
        f"rotations/set.yaml:{line}:7: unknown shift 'amre'; did you mean 'amer'? "
        "shifts are: emea, amer"
    ) in result.err.splitlines()


def test_typo_in_an_override_shift_name_has_did_you_mean(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/overrides.yaml"
    path.write_text(path.read_text().replace("shift: emea", "shift: emae"))
    result = cli("validate", "--root", str(small_repo))
    assert (
        "rotations/overrides.yaml:4:12: unknown shift 'emae'; did you mean 'emea'? "
        "shifts are: emea, amer"
    ) in result.err.splitlines()


def test_impossible_date_is_no_such_day(small_repo: Path, cli: Callable[..., Result]) -> None:
    path = small_repo / "rotations/time-off.yaml"
    path.write_text(path.read_text().replace("last_day: 2026-12-04", "last_day: 2027-02-30"))
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert (
        "rotations/time-off.yaml:4:15: last_day: no such day: February 2027 has 28 days "
        "(got '2027-02-30')"
    ) in result.err.splitlines()
    # fmt still rewrites the file (ruamel.yaml failed building the date), keeping the text.
    assert cli("fmt", "--root", str(small_repo)).code == 0
    assert "last_day: 2027-02-30" in path.read_text()


def test_unclosed_quote_is_reported_at_its_opening(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/overrides.yaml"
    path.write_text(
        path.read_text().replace(
            "start: '2026-12-15T09:00:00+01:00'", "start: '2026-12-15T09:00:00+01:00"
        )
    )
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    line = line_of(path, "start: '2026")
    assert result.err.splitlines()[0] == (
        f"rotations/overrides.yaml:{line}:12: invalid YAML: this quoted value is never closed "
        f"on its line: the quote on line {line + 1} closes it instead; end it with its "
        "opening quote (')"
    )


def write_override_and_time_off(repo: Path, end: str, day: str) -> None:
    """eli (in Lisbon) primary for emea from Tue 2026-12-15 09:00 CET to `end`, and away
    on `day`: midnight in Lisbon is 01:00 in the rotation's zone."""
    overrides = repo / "rotations/overrides.yaml"
    overrides.write_text(
        overrides.read_text().replace("end: '2026-12-16T09:00:00+01:00'", f"end: '{end}'")
    )
    time_off = repo / "rotations/time-off.yaml"
    time_off.write_text(
        time_off.read_text() + f"  - person: eli\n    first_day: {day}\n    last_day: {day}\n"
    )


def test_time_off_inside_an_override_suggests_splitting_that_override(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    write_override_and_time_off(small_repo, "2026-12-18T09:00:00+01:00", "2026-12-16")
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    message = next(line for line in result.err.splitlines() if "time off" in line)
    assert message.startswith("rotations/overrides.yaml:5:13: eli is on time off 2026-12-16")
    assert message.endswith(
        "split override 'eli-covers-eva' around the time off: one part ending "
        "2026-12-16T01:00:00+01:00, another starting 2026-12-17T01:00:00+01:00"
    )
    assert "cover it with an override" not in result.err
    # The fix works: the two parts the message names validate.
    path = small_repo / "rotations/overrides.yaml"
    text = path.read_text().replace(
        "end: '2026-12-18T09:00:00+01:00'", "end: '2026-12-16T01:00:00+01:00'"
    )
    text += (
        "  - id: eli-covers-eva-2\n    role: primary\n    shift: emea\n    person: eli\n"
        "    start: '2026-12-17T01:00:00+01:00'\n    end: '2026-12-18T09:00:00+01:00'\n"
    )
    path.write_text(text)
    fixed = cli("validate", "--root", str(small_repo))
    assert fixed.code == 0, fixed.err


def test_time_off_at_the_end_of_an_override_suggests_shortening_it(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    write_override_and_time_off(small_repo, "2026-12-16T09:00:00+01:00", "2026-12-15")
    result = cli("validate", "--root", str(small_repo))
    assert result.err.splitlines()[0].endswith(
        "shorten override 'eli-covers-eva' to start 2026-12-16T01:00:00+01:00"
    )


def test_time_off_in_a_cycle_slot_still_says_cover_it_with_an_override(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    time_off = small_repo / "rotations/time-off.yaml"
    time_off.write_text(time_off.read_text().replace("person: emil", "person: alba"))
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 0, result.err  # alba is on SET from 2026-12-14 only
    time_off.write_text(time_off.read_text().replace("2026-12-04", "2026-12-15"))
    result = cli("validate", "--root", str(small_repo))
    assert result.err.splitlines()[0].endswith("cover it with an override")


# --- from a subfolder; one file's schema (issue 12 §7) --------------------------------


def test_setops_finds_the_configuration_repository_upward_from_a_subfolder(
    small_repo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    (small_repo / ".git").mkdir()
    inner = small_repo / "rotations" / "notes"
    inner.mkdir()
    monkeypatch.chdir(inner)
    result = cli("validate")
    assert result.code == 0, result.err
    assert result.out.startswith("ok: 8 people, 3 cycles")
    assert cli("who", "--at", "2026-12-16T10:00").out.splitlines()[0] == (
        "SET at Wed 2026-12-16 10:00 CET (Europe/Berlin)"
    )


def test_setops_looks_no_higher_than_the_top_of_the_git_work_tree(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rotations").mkdir()  # outside the work tree below: not looked at
    work_tree = tmp_path / "elsewhere"
    (work_tree / ".git").mkdir(parents=True)
    (work_tree / "docs").mkdir()
    monkeypatch.chdir(work_tree / "docs")
    assert find_root(Path.cwd()) == Path.cwd()
    result = cli("validate")
    assert result.code == 1
    assert "Traceback" not in result.err


def test_schema_file_prints_one_files_schema(cli: Callable[..., Result]) -> None:
    for name in ("rotations/roster.yaml", "roster.yaml", "roster", "roster.schema.json"):
        result = cli("schema", "--file", name)
        assert result.code == 0
        assert result.out == (REPO / "schema/roster.schema.json").read_text()
    assert json.loads(cli("schema", "--file", "policies/planning.yaml").out)["title"] == (
        "policies/planning.yaml"
    )
    wrong = cli("schema", "--file", "rota.yaml")
    assert wrong.code == 1
    assert wrong.err.startswith(
        "setops: error: --file rota.yaml: no such config file; the files are: "
        "rotations/roster.yaml, rotations/set.yaml"
    )
