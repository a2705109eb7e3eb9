"""What a new user runs into: odd roots, odd times, odd revisions, odd terminals, odd files.

Each of these once gave a traceback (exit 3), a wrong message, or silently did the wrong
thing; each must be one clean line (or every problem at its place) and exit 1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from setops.config.models import Shift
from setops.schedule import shift_active
from tests.conftest import ORG, Result

UTC = dt.UTC


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def commit_all(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")


# --- --root ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "who", "schedule", "fmt"])
def test_a_root_without_config_is_one_message(
    command: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    result = cli(command, "--root", str(tmp_path))
    assert result.code == 1
    assert result.err.splitlines() == [
        f"setops: error: {tmp_path} holds no "
        + ("YAML files in " if command == "fmt" else "")
        + "rotations/ or policies/: it is not a SET configuration repository (give one "
        "with --root)"
    ]


@pytest.mark.parametrize("command", ["validate", "fmt", "diff"])
def test_a_missing_root_is_named(command: str, tmp_path: Path, cli: Callable[..., Result]) -> None:
    extra = ("--base", "HEAD") if command == "diff" else ()
    result = cli(command, "--root", str(tmp_path / "nope"), *extra)
    assert result.code == 1
    assert result.err == (
        f"setops: error: {tmp_path / 'nope'}: not a directory (give the config repository "
        "with --root)\n"
    )


def test_a_broken_symlink_is_not_taken_for_a_missing_optional_file(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    (small_repo / "rotations/time-off.yaml").unlink()
    (small_repo / "rotations/time-off.yaml").symlink_to(small_repo / "elsewhere.yaml")
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert (
        "rotations/time-off.yaml:1:1: cannot read the file: it is a broken symbolic link"
        in result.err.splitlines()
    )


def test_github_codeowners_is_the_one_checked_when_both_exist(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    # GitHub reads .github/CODEOWNERS first; the root one is then ignored.
    (small_repo / ".github").mkdir()
    (small_repo / ".github/CODEOWNERS").write_text("/setops/ @example-org/maintainers\n")
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert (
        ".github/CODEOWNERS:1:1: CODEOWNERS gives no owner to rotations/; every change "
        "there must be reviewed"
    ) in result.err.splitlines()


# --- diff --base ----------------------------------------------------------------------


def test_diff_in_a_config_folder_inside_a_bigger_repository(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from tests.conftest import copy_config

    config = copy_config(ORG, tmp_path / "repo" / "oncall")
    commit_all(tmp_path / "repo")
    result = cli("diff", "--root", str(config), "--base", "HEAD")
    assert result.code == 0, result.err
    assert result.out.startswith("No changes in behaviour")


@pytest.mark.parametrize("ref", ["--help", "-p", "", "no-such-branch", "HEAD~99"])
def test_diff_base_that_is_not_a_revision(
    ref: str, org_repo: Path, cli: Callable[..., Result]
) -> None:
    commit_all(org_repo)
    result = cli("diff", "--root", str(org_repo), "--base", ref)
    assert result.code == 1
    assert result.err == (
        f"setops: error: --base: {ref!r} is not a revision of the repository at "
        f"{org_repo}; give a branch, tag or commit (e.g. main or HEAD~1)\n"
    )


def test_diff_outside_a_git_repository(tmp_path: Path, cli: Callable[..., Result]) -> None:
    from tests.conftest import copy_config

    config = copy_config(ORG, tmp_path / "plain")
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = cli("diff", "--root", str(config), "--base", "main", env=env)
    assert result.code == 1
    assert result.err == f"setops: error: {config} is not in a git repository; --base needs one\n"


def test_diff_against_an_invalid_base_shows_why(org_repo: Path, cli: Callable[..., Result]) -> None:
    overrides = org_repo / "rotations/overrides.yaml"
    good = overrides.read_text()
    overrides.write_text(good + "  - id: [\n")
    commit_all(org_repo)
    overrides.write_text(good)
    result = cli("diff", "--root", str(org_repo), "--base", "HEAD")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("HEAD:rotations/overrides.yaml:")
    assert lines[-1] == (
        "setops: error: the configuration at HEAD does not load (1 problem(s), above); "
        "cannot compare: diff against a revision whose configuration loads"
    )


# --- times and dates on the command line ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("schedule", "--from", "0001-01-01"),
        ("schedule", "--from", "9999-12-31"),
        ("who", "--at", "0001-01-01T00:00"),
        ("who", "--at", "9999-12-31T23:59-12:00"),
    ],
)
def test_dates_at_the_edge_of_the_calendar(
    args: tuple[str, ...], cli: Callable[..., Result]
) -> None:
    result = cli(*args, "--root", str(ORG))
    assert result.code == 1, result.err
    assert result.err.startswith(f"setops: error: {args[1]}")
    assert "calendar can hold" in result.err
    assert len(result.err.splitlines()) == 1


def test_who_outside_the_schedule_shows_its_range_in_the_rotation_zone(
    cli: Callable[..., Result],
) -> None:
    result = cli("who", "--root", str(ORG), "--at", "2030-01-01T00:00")
    assert result.code == 1
    assert result.err == (
        "setops: error: no cycle covers 2030-01-01T00:00:00+01:00; the schedule runs from "
        "2026-11-16T09:00:00+01:00 to 2027-06-28T09:00:00+02:00: give a time in it, or add "
        "cycles\n"
    )


def test_an_empty_window_says_where_the_schedule_is(cli: Callable[..., Result]) -> None:
    result = cli("schedule", "--root", str(ORG), "--from", "2020-01-06", "--weeks", "1")
    assert result.code == 0
    assert result.out == (
        "no slots from 2020-01-06T00:00:00+01:00 to 2020-01-13T00:00:00+01:00; the schedule "
        "runs from 2026-11-16T09:00:00+01:00 to 2027-06-28T09:00:00+02:00\n"
    )


@pytest.mark.parametrize(
    ("at", "note", "shown"),
    [
        (
            "2027-03-28T02:30",
            "note: 2027-03-28 02:30 does not exist in Europe/Berlin (the clocks skip it); "
            "reading it as 03:30 CEST",
            "2027-03-28T03:30:00+02:00",
        ),
        (
            "2027-03-28T01:30",
            None,
            "2027-03-28T01:30:00+01:00",
        ),
    ],
)
def test_a_wall_clock_time_a_dst_change_skips_is_said(
    at: str, note: str | None, shown: str, cli: Callable[..., Result]
) -> None:
    result = cli("who", "--root", str(ORG), "--at", at, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["at"] == shown
    assert result.err.splitlines() == ([note] if note else [])


def test_a_wall_clock_time_a_dst_change_repeats_is_said() -> None:
    from zoneinfo import ZoneInfo

    from setops.timeparse import parse_instant

    notes: list[str] = []
    value = parse_instant("2026-10-25T02:30", ZoneInfo("Europe/Berlin"), notes=notes)
    assert value.utcoffset() == dt.timedelta(hours=2)
    assert notes == [
        "note: 2026-10-25 02:30 happens twice in Europe/Berlin (the clocks go back); reading "
        "it as the first, 02:30 CEST (+0200); give an offset to choose"
    ]


# --- shift hours ----------------------------------------------------------------------


def test_a_whole_day_shift_with_days_runs_from_its_start_as_the_paging_service_has_it() -> None:
    # start == end is a 24-hour shift; with days it runs from each day's start to the next
    # day's, as OpsGenie's weekday-and-time-of-day restriction is built (shift_hours).
    day = Shift(name="day", timezone="Europe/Berlin", start="08:00", end="08:00", days=["monday"])
    assert not shift_active(day, dt.datetime(2026, 12, 7, 6, 59, tzinfo=UTC))  # Mon 07:59
    assert shift_active(day, dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC))  # Mon 08:00
    assert shift_active(day, dt.datetime(2026, 12, 8, 6, 59, tzinfo=UTC))  # Tue 07:59
    assert not shift_active(day, dt.datetime(2026, 12, 8, 7, 0, tzinfo=UTC))  # Tue 08:00
    always = Shift(name="all", timezone="Europe/Berlin", start="00:00", end="00:00")
    assert shift_active(always, dt.datetime(2026, 12, 8, 7, 0, tzinfo=UTC))


def test_who_agrees_with_the_paging_hours_for_every_shape_of_shift() -> None:
    from setops.targets.paging.desired import shift_hours

    shapes = [("08:00", "20:00"), ("20:00", "08:00"), ("08:00", "08:00"), ("00:00", "00:00")]
    for start, end in shapes:
        for days in (None, ["friday"], ["sunday", "monday"]):
            shift = Shift(name="s", timezone="Europe/Berlin", start=start, end=end, days=days)
            hours = shift_hours(shift, 0)
            instant = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
            for _ in range(7 * 48):
                local = instant.astimezone(dt.timezone(dt.timedelta(hours=1)))
                minute = local.weekday() * 1440 + local.hour * 60 + local.minute
                paged = hours is None or any(
                    (s <= (minute if hours.weekly else minute % 1440) < e)
                    if s < e
                    else ((minute if hours.weekly else minute % 1440) >= s)
                    or ((minute if hours.weekly else minute % 1440) < e)
                    for s, e in hours.windows
                )
                assert shift_active(shift, instant) == paged, (start, end, days, local)
                instant += dt.timedelta(minutes=30)


# --- fmt ------------------------------------------------------------------------------


def test_fmt_makes_crlf_files_lf_throughout(small_repo: Path, cli: Callable[..., Result]) -> None:
    path = small_repo / "rotations/time-off.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"# last\r\n")
    assert cli("fmt", "--root", str(small_repo)).code == 0
    assert b"\r" not in path.read_bytes()
    assert cli("fmt", "--check", "--root", str(small_repo)).code == 0


def test_fmt_leaves_long_values_on_one_line(small_repo: Path, cli: Callable[..., Result]) -> None:
    path = small_repo / "rotations/time-off.yaml"
    reason = " ".join(["a long reason"] * 20)
    path.write_text(path.read_text() + f"    reason: {reason}\n")
    result = cli("fmt", "--check", "--root", str(small_repo))
    assert result.code == 0, result.out
    assert not any(line.endswith(" ") for line in path.read_text().splitlines())


def test_fmt_keeps_comments_everywhere_and_is_idempotent(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/time-off.yaml"
    path.write_text(
        "# head\ntime_off:   # after the key\n# between\n    -   person: emil   # after a value\n"
        "        # inside\n        first_day: 2026-12-01\n        last_day:    2026-12-04\n"
        "# at the end\n"
    )
    assert cli("fmt", "--root", str(small_repo)).code == 0
    once = path.read_text()
    for comment in ("# head", "# after the key", "# between", "# after a value", "# inside"):
        assert comment in once
    assert "# at the end" in once
    assert cli("fmt", "--root", str(small_repo)).code == 0
    assert path.read_text() == once
    assert cli("validate", "--root", str(small_repo)).code == 0


def test_fmt_reports_every_broken_file_and_unreadable_ones(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    (small_repo / "rotations/time-off.yaml").unlink()
    (small_repo / "rotations/time-off.yaml").mkdir()
    (small_repo / "rotations/overrides.yaml").write_text("overrides: [\n")
    result = cli("fmt", "--root", str(small_repo))
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert "rotations/time-off.yaml:1:1: cannot read the file: Is a directory" in lines
    assert any(line.startswith("rotations/overrides.yaml:2:1: invalid YAML") for line in lines)


# --- the terminal ---------------------------------------------------------------------


def test_names_print_on_a_latin1_terminal(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONIOENCODING": "latin-1",
        "SETOPS_NOW": "2026-12-01T12:00:00+01:00",
        "SETOPS_LOG_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "setops", "who", "--root", str(ORG)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"Ivo Markovi\\u0107" in done.stdout  # what latin-1 cannot show, escaped
    ics = subprocess.run(
        [sys.executable, "-m", "setops", "schedule", "--format", "ics", "--root", str(ORG)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert ics.returncode == 0, ics.stderr
    assert "Ivo Marković".encode() in ics.stdout  # a calendar is UTF-8 whatever the terminal


# --- zones whose offset is not whole or half hours ------------------------------------


def test_a_quarter_hour_shift_zone_is_fine_with_a_schedule_of_its_own(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    """With per-role-and-shift each shift's hours go in its own zone, on :00/:30 as written;
    the shift changes stay in the rotation's zone (here Berlin), on :00 of UTC."""
    path = small_repo / "rotations/set.yaml"
    path.write_text(path.read_text().replace("America/New_York", "Asia/Kathmandu"))
    integrations = small_repo / "policies/integrations.yaml"
    integrations.write_text(
        integrations.read_text().replace("schedules: per-role\n", "schedules: per-role-and-shift\n")
    )
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 0, result.err
    plan = cli("plan", "--only", "opsgenie", "--root", str(small_repo))
    assert "times off :00 and :30" not in plan.err


# --- credentials ----------------------------------------------------------------------


def test_account_ids_and_talk_of_tokens_are_not_credentials(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    roster = small_repo / "rotations/roster.yaml"
    text = roster.read_text()
    text = text.replace("jira: acc-lea", "jira: 5b10ac8d82e05b22cc7d4ef5")  # a Cloud account id
    text = text.replace("jira: acc-lou", "jira: 0123456789abcdef0123456789abcdef01234567")
    text += "# The OpsGenie API key and the GitHub token are set in the environment, never here.\n"
    roster.write_text(text)
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 0, result.err


def test_ics_to_an_in_memory_stdout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A caller that gives run() a plain text stdout gets the calendar as text."""
    import contextlib
    import io

    from setops.cli import run

    monkeypatch.setenv("SETOPS_NOW", "2026-12-01T12:00:00+01:00")
    monkeypatch.setenv("SETOPS_LOG_DIR", str(tmp_path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["schedule", "--format", "ics", "--root", str(ORG)])
    assert code == 0
    assert out.getvalue().startswith("BEGIN:VCALENDAR\r\n")


def test_an_unprintable_key_stays_on_one_line(small_repo: Path, cli: Callable[..., Result]) -> None:
    (small_repo / "rotations/time-off.yaml").write_text('time_off: []\n"a\\nb": 1\n')
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "rotations/time-off.yaml:2:1: unknown key 'a\\nb'; expected one of: time_off"
    )


def test_an_ics_feed_with_nobody_in_its_window_is_still_a_calendar(
    cli: Callable[..., Result],
) -> None:
    from icalendar import Calendar

    result = cli("schedule", "--root", str(ORG), "--format", "ics", "--from", "2020-01-06")
    assert result.code == 0
    calendar = Calendar.from_ical(result.out)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert not calendar.walk("VEVENT")
    assert len(calendar.subcomponents) >= 1  # RFC 5545: a calendar has a component


def test_schema_write_where_it_cannot(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "a-file").write_text("")
    result = cli("schema", "--write", str(tmp_path / "a-file" / "schema"))
    assert result.code == 1
    assert result.err == (
        f"setops: error: --write: cannot write {tmp_path / 'a-file' / 'schema'}: Not a directory\n"
    )


# --- validate and fmt read the same files ---------------------------------------------

FIXTURE_YAML = sorted(
    p for p in (Path(__file__).resolve().parents[1] / "fixtures").rglob("*.yaml") if p.is_file()
)


@pytest.mark.parametrize("path", FIXTURE_YAML, ids=lambda p: "/".join(p.parts[-4:]))
def test_what_validate_parses_fmt_can_rewrite(path: Path, tmp_path: Path) -> None:
    """libyaml reads for validate, ruamel.yaml rewrites for fmt: no file may pass one and
    break the other (tabs between values did, with a traceback-like message at 1:1)."""
    from setops.commands.fmt import formatted
    from setops.config.yamlio import parse_document
    from setops.errors import ConfigError

    try:
        parse_document(path.name, path.read_bytes())
    except ConfigError:
        return  # refused with a place: fmt refuses it the same way
    before, after = formatted(path, path.name)
    assert (
        parse_document(path.name, after.encode()).data
        == parse_document(path.name, before.encode()).data
    )


@pytest.mark.parametrize(
    "text",
    [
        "time_off: []\nx:\ty\n",
        "time_off: []\nx: a\tb\n",
        "time_off: []\nx: 'a' \t# c\n",
    ],
)
def test_tabs_between_values_are_refused_by_both(
    text: str, small_repo: Path, cli: Callable[..., Result]
) -> None:
    (small_repo / "rotations/time-off.yaml").write_text(text)
    for command in ("validate", "fmt"):
        result = cli(command, "--root", str(small_repo))
        assert result.code == 1
        assert result.err.splitlines()[0].startswith("rotations/time-off.yaml:2:")
        assert "a tab outside quotes" in result.err


def test_person_and_time_slips_on_the_command_line(cli: Callable[..., Result]) -> None:
    person = cli("schedule", "--root", str(ORG), "--person", "Ana")
    assert person.code == 1
    assert person.err == "setops: error: --person: unknown person 'Ana'; did you mean 'ana'?\n"
    empty = cli("who", "--root", str(ORG), "--at", "")
    assert empty.code == 1  # not silently "now"
    assert empty.err.startswith("setops: error: --at: expected an ISO 8601 time")


def test_a_file_far_too_big_is_refused_at_once(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/time-off.yaml"
    path.write_bytes(path.read_bytes() + b"# " + b"x" * (17 * 1024 * 1024) + b"\n")
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "rotations/time-off.yaml:1:1: the file is 17 MB; setops config files are at most 16 MB: "
        "is it the right file?"
    )


def test_a_misnamed_file_is_an_error_when_its_content_would_not_count(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    rotations = small_repo / "rotations"
    (rotations / "overrides.yaml").rename(rotations / "overrides.yml")
    (rotations / "set.yaml").rename(rotations / "Set.YAML")
    (rotations / "notes.yaml").write_text("notes: []\n")
    result = cli("validate", "--root", str(small_repo))
    assert result.code == 1
    assert result.err.splitlines() == [
        "rotations/Set.YAML:1:1: setops reads rotations/set.yaml, not this name: rename the file",
        "rotations/notes.yaml:1:1: warning: not a file setops reads; check its name",
        "rotations/overrides.yml:1:1: setops reads rotations/overrides.yaml, not this name: "
        "rename the file",
        "2 error(s); the configuration is invalid.",
    ]
