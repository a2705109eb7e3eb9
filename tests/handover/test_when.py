"""When a handover is due, run through the command line with no credentials (a dry run on
a newcomer's laptop): before the schedule starts, around its end, DST and the new year."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]
NO_CREDENTIALS = (
    "GITHUB_TOKEN",
    "JIRA_URL",
    "JIRA_EMAIL",
    "JIRA_API_TOKEN",
    "JIRA_TOKEN",
    "MATTERMOST_URL",
    "MATTERMOST_TOKEN",
)


@pytest.fixture
def dry(cli: Cli, org_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Any]:
    for name in NO_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)

    def run(at: str) -> Any:
        return cli("handover", "--dry-run", "--at", at, "--root", str(org_repo))

    return run


@pytest.mark.parametrize(
    ("at", "due", "run_line"),
    [
        # Friday 15:00 prepares Monday 09:00.
        ("2026-12-11T15:00", "2026-12-14", "handover run Fri 2026-12-11 15:00 CET"),
        # Monday 10:00, the Friday run missed: still the change of an hour ago.
        ("2026-12-14T10:00", "2026-12-14", "handover run Fri 2026-12-11 15:00 CET"),
        # The weekend clocks go forward: Friday in CET prepares Monday in CEST.
        ("2027-03-26T15:00", "2027-03-29", "shift change Mon 2027-03-29 09:00 CEST"),
        # Across the new year: Christmas Day's run prepares the cycle of 2026-12-28.
        ("2026-12-25T15:00", "2026-12-28", "shift change Mon 2026-12-28 09:00 CET"),
        ("2027-01-01T15:00", "2027-01-04", "week 2 of the cycle starting 2026-12-28"),
    ],
)
def test_the_handover_due(dry: Callable[[str], Any], at: str, due: str, run_line: str) -> None:
    result = dry(at)
    assert result.code == 0, result.err
    assert f"Handover {due}: " in result.out and run_line in result.out


def test_before_the_schedule_starts_nothing_is_due_and_it_says_when(
    dry: Callable[[str], Any],
) -> None:
    result = dry("2026-01-01T10:00")
    assert result.code == 0, result.err
    assert "the last one is complete" not in result.out
    assert "No handover due at Thu 2026-01-01 10:00 CET" in result.out
    assert "the first shift change is Mon 2026-11-16 09:00 CET" in result.out
    assert "due from Fri 2026-11-13 09:00 CET" in result.out


@pytest.mark.parametrize("at", ["2027-06-25T15:00", "2027-07-02T15:00", "2030-01-01T00:00"])
def test_the_end_of_the_schedule_is_an_error_not_an_old_handover(
    dry: Callable[[str], Any], at: str
) -> None:
    result = dry(at)
    assert result.code == 1
    assert "Handover 2027-06-21" not in result.out  # nothing stale is offered instead
    assert "rotations/set.yaml:" in result.err
    assert re.search(r"the schedule (ends|ended) Mon 2027-06-28 09:00 CEST", result.err)
    assert "add the next cycle" in result.err
