"""policies/planning.yaml and the roster dates: validated with their places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.planning.org import START, Member, Org, first_cycle, standard


def test_a_slot_outside_the_roster_dates_is_refused(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    people = standard()
    people[people.index(Member("eu1", "team1"))] = Member(
        "eu1", "team1", until=START + dt.timedelta(days=3)
    )
    root = Org(people, [first_cycle()]).write(tmp_path)
    result = cli("validate", "--root", str(root))
    assert result.code == 1
    assert "rotations/set.yaml:" in result.err
    assert "eu1 is on the roster since always until 2026-12-03" in result.err


def test_until_before_since_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    people = standard()
    people[people.index(Member("eu3", "team1"))] = Member(
        "eu3", "team1", since=dt.date(2027, 1, 5), until=dt.date(2027, 1, 1)
    )
    root = Org(people, [first_cycle()]).write(tmp_path)
    result = cli("validate", "--root", str(root))
    assert result.code == 1
    assert "until (2027-01-01) is before since (2027-01-05)" in result.err


def test_planning_policy_errors_name_their_place(cli: Callable[..., Any], tmp_path: Path) -> None:
    org = Org(standard(), [first_cycle()], planning={"min_teams": 9})
    root = org.write(tmp_path)
    (root / "policies" / "planning.yaml").write_text(
        "min_gap_cycles: 1\nmin_teams: 9\nworking_day:\n  start: '20:00'\n  end: '06:00'\n"
        "past_weeks: -1\nmin_gap: 2\n"
    )
    result = cli("validate", "--root", str(root))
    assert result.code == 1
    assert "policies/planning.yaml:6:13: past_weeks: expected 0 or more" in result.err
    assert "policies/planning.yaml:7:1: unknown key 'min_gap'" in result.err
    (root / "policies" / "planning.yaml").write_text(
        "min_teams: 9\nworking_day:\n  start: '20:00'\n  end: '06:00'\n"
    )
    result = cli("validate", "--root", str(root))
    assert "policies/planning.yaml:1:12: min_teams is 9 but a cycle has only 4" in result.err
    assert "policies/planning.yaml:4:8: working_day end (06:00) is not after" in result.err
