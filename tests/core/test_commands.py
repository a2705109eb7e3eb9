"""The command-line contract: JSON shapes, the schedule window, ICS, help, the error boundary."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from setops.cli import all_commands
from tests.conftest import ORG, Result

PERSON_KEYS = {"id", "name", "team", "timezone", "mattermost", "opsgenie", "jira", "github"}


def test_who_json_contract(cli: Callable[..., Result]) -> None:
    result = cli("who", "--root", str(ORG), "--at", "2026-12-16T10:00:00+01:00", "--format", "json")
    data = json.loads(result.out)
    assert set(data) == {"at", "rotation", "cycle", "lead", "lead_override", "shifts"}
    assert data["at"] == "2026-12-16T10:00:00+01:00"
    assert data["cycle"] == {
        "start": "2026-12-14T09:00:00+01:00",
        "end": "2026-12-28T09:00:00+01:00",
    }
    assert set(data["lead"]) == PERSON_KEYS and data["lead"]["id"] == "mira"
    emea, amer = data["shifts"]
    assert (emea["name"], emea["active"], emea["primary"]["id"], emea["backup"]["id"]) == (
        "emea",
        True,
        "kai",
        "jonas",
    )
    assert (amer["name"], amer["active"]) == ("amer", False)  # 04:00 in New York


def test_schedule_json_lists_every_overlapping_slot_whole(cli: Callable[..., Result]) -> None:
    result = cli(
        "schedule", "--root", str(ORG), "--from", "2026-12-10", "--weeks", "1", "--format", "json"
    )
    slots = json.loads(result.out)["slots"]
    assert all(set(s) == {"role", "shift", "person", "start", "end", "override"} for s in slots)
    assert all(set(s["person"]) == PERSON_KEYS for s in slots)
    # The window is 2026-12-10 00:00 to 2026-12-17 00:00 Berlin; the lead slot of the cycle
    # started 2026-11-30 is listed whole, not cut at the window.
    lead = [s for s in slots if s["role"] == "lead"]
    assert [(s["person"]["id"], s["start"], s["end"]) for s in lead] == [
        ("ivo", "2026-11-30T09:00:00+01:00", "2026-12-14T09:00:00+01:00"),
        ("mira", "2026-12-14T09:00:00+01:00", "2026-12-28T09:00:00+01:00"),
    ]
    assert {
        "role": "primary",
        "shift": "emea",
        "start": "2026-12-16T09:00:00+01:00",
        "end": "2026-12-18T09:00:00+01:00",
        "person": "kai",
        "override": "swap-jonas-kai-2026-12-16",
    } in [{**s, "person": s["person"]["id"]} for s in slots]


def test_ics_is_a_calendar_with_stable_uids(cli: Callable[..., Result]) -> None:
    args = (
        "schedule",
        "--root",
        str(ORG),
        "--from",
        "2026-12-14",
        "--weeks",
        "2",
        "--format",
        "ics",
        "--person",
        "kai",
    )
    first = cli(*args).out
    second = cli(*args, env={"SETOPS_NOW": "2026-12-02T12:00:00+01:00"}).out
    calendar = Calendar.from_ical(first)
    events: list[Any] = [c for c in calendar.walk("VEVENT")]
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert len(events) == 4  # backup, override primary, backup, primary week 2
    assert all("kai" in str(e["UID"]) and e["DTSTART"].dt.tzinfo is not None for e in events)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["UID"]) for e in Calendar.from_ical(second).walk("VEVENT")]
    assert first.startswith("BEGIN:VCALENDAR\r\n")


def test_schedule_text_and_markdown(cli: Callable[..., Result]) -> None:
    text = cli("schedule", "--root", str(ORG), "--from", "2026-12-14", "--weeks", "1").out
    assert "primary emea   Kai Nakamura (kai)  (override swap-jonas-kai-2026-12-16)" in text
    markdown = cli(
        "schedule",
        "--root",
        str(ORG),
        "--from",
        "2026-12-14",
        "--weeks",
        "1",
        "--format",
        "markdown",
    ).out
    assert markdown.startswith("| from | to | role | who | note |")


@pytest.mark.parametrize("command", [c.name for c in all_commands()])
def test_every_command_explains_itself(command: str, cli: Callable[..., Result]) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "Usage: setops" in result.out and "--help" in result.out


def test_top_level_help_lists_the_commands(cli: Callable[..., Result]) -> None:
    result = cli("--help")
    assert result.code == 0
    for command in ("validate", "who", "schedule", "diff", "schema", "fmt", "plan", "apply"):
        assert f"  {command} " in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("who", "--at", "next tuesday"), "setops: error: --at: expected an ISO 8601 time"),
        (("who", "--at", "2030-01-01T00:00"), "setops: error: no cycle covers 2030-01-01T00:00"),
        (("schedule", "--from", "12/14/2026"), "setops: error: --from: expected a date"),
        (("schedule", "--person", "zed"), "setops: error: --person: unknown person 'zed'"),
        (("who", "--format", "yaml"), "Invalid value for '--format'"),
        (("nonsense",), "No such command 'nonsense'"),
    ],
)
def test_user_errors_are_one_clean_line(
    args: tuple[str, ...], message: str, cli: Callable[..., Result]
) -> None:
    result = cli(*args, "--root", str(ORG)) if args[0] != "nonsense" else cli(*args)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err + result.out


def test_a_bug_exits_3_with_the_traceback_in_a_log(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*_: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("setops.commands.who.compute_schedule", broken)
    result = cli("who", "--root", str(ORG))
    assert result.code == 3
    assert "internal error (ZeroDivisionError)" in result.err
    assert "Traceback" not in result.err
    log = (tmp_path / "logs" / "setops-crash.log").read_text()
    assert "Traceback" in log and "boom" in log


def test_version(cli: Callable[..., Result]) -> None:
    assert cli("--version").out.startswith("setops, version ")
