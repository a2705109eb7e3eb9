"""Issue 12's findings about `setops validate`, one test each, named after the finding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result


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
