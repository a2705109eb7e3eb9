"""`setops propose`: each hard rule binds, an impossible roster names its rule, cycle and
people; the proposal is deterministic and --write keeps every comment."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from setops.config.load import load_config
from setops.planning.propose import CannotPlan, Proposal, propose
from tests.planning.org import START, CycleRow, Member, Org, first_cycle, standard

LIMIT = 5.0
CYCLE_1 = START + dt.timedelta(weeks=2)  # the first proposed cycle
CYCLE_2 = START + dt.timedelta(weeks=4)


def _propose(org: Org, root: Path, cycles: int = 1) -> Proposal:
    return propose(load_config(org.write(root)), cycles, LIMIT)


def _refusal(org: Org, root: Path, cycles: int = 1) -> str:
    with pytest.raises(CannotPlan) as caught:
        _propose(org, root, cycles)
    return str(caught.value)


def _people(proposal: Proposal, index: int = 0) -> set[str]:
    cycle = proposal.cycles[index]
    return {cycle.lead, *(p for pair in cycle.shifts.values() for p in pair)}


def _replace(people: list[Member], person: str, **changes: Any) -> list[Member]:
    return [dataclasses.replace(p, **changes) if p.id == person else p for p in people]


def _six() -> list[Member]:
    return standard(per_region=6)


# --- time off ---------------------------------------------------------------------


def test_time_off_binds(tmp_path: Path) -> None:
    free = _propose(Org(_six(), [first_cycle()]), tmp_path / "a")
    chosen = sorted(free.cycles[0].shifts["emea"])[0]
    away = [(chosen, CYCLE_1 + dt.timedelta(days=3), CYCLE_1 + dt.timedelta(days=4))]
    held = _propose(Org(_six(), [first_cycle()], time_off=away), tmp_path / "b")
    assert chosen not in _people(held)


def test_time_off_impossible(tmp_path: Path) -> None:
    away = [("eu2", CYCLE_1 + dt.timedelta(days=13), CYCLE_1 + dt.timedelta(days=20))]
    message = _refusal(Org(standard(), [first_cycle()], time_off=away), tmp_path)
    assert f"cycle {CYCLE_1}, shift emea: needs 2 engineers, only eu3 may take it" in message
    assert "time off: eu2 (away 2026-12-27 to 2027-01-03)" in message
    assert "min_gap_cycles: eu0 (on SET 1 cycle(s) before), eu1" in message


# --- can_lead ---------------------------------------------------------------------


def test_leads_come_only_from_can_lead(tmp_path: Path) -> None:
    proposal = _propose(Org(_six(), [first_cycle()]), tmp_path, cycles=3)
    assert [c.lead for c in proposal.cycles] == ["lead1", "lead0", "lead1"]


def test_no_lead_possible(tmp_path: Path) -> None:
    away = [("lead1", CYCLE_1, CYCLE_1)]
    message = _refusal(Org(_six(), [first_cycle()], time_off=away), tmp_path)
    assert f"cycle {CYCLE_1}: no lead possible (can_lead: lead0, lead1)" in message
    assert "min_gap_cycles: lead0" in message and "time off: lead1" in message


# --- one role per cycle -----------------------------------------------------------

# In Sao Paulo both shifts fit a 04:00-22:00 working day: emea 04-16, amer 10-22.
WIDE = {"working_day": ("04:00", "22:00"), "min_gap_cycles": 0, "min_teams": 1}


def _both_shifts(count: int) -> list[Member]:
    people = [Member("lead0", "team0", can_lead=True)]
    return people + [Member(f"sp{i}", f"team{i % 2}", "America/Sao_Paulo") for i in range(count)]


def test_one_role_per_cycle_binds(tmp_path: Path) -> None:
    cycle = CycleRow(START, "lead0", ("sp0", "sp1"), ("sp2", "sp3"))
    proposal = _propose(Org(_both_shifts(4), [cycle], planning=WIDE), tmp_path, cycles=2)
    for c in proposal.cycles:
        engineers = [p for pair in c.shifts.values() for p in pair]
        assert sorted(engineers) == ["sp0", "sp1", "sp2", "sp3"]


def test_one_role_per_cycle_impossible(tmp_path: Path) -> None:
    people = _replace(_both_shifts(4), "sp3", until=START + dt.timedelta(days=14))
    cycle = CycleRow(START, "lead0", ("sp0", "sp1"), ("sp2", "sp3"))
    message = _refusal(Org(people, [cycle], planning=WIDE), tmp_path)
    assert (
        f"cycle {CYCLE_1}: one role per cycle: needs 4 different engineers, only 3 may be on "
        "it: sp0, sp1, sp2"
    ) in message


# --- min_gap_cycles ---------------------------------------------------------------


def test_min_gap_binds(tmp_path: Path) -> None:
    proposal = _propose(Org(standard(), [first_cycle()]), tmp_path, cycles=2)
    assert sorted(proposal.cycles[0].shifts["emea"]) == ["eu2", "eu3"]
    assert sorted(proposal.cycles[1].shifts["emea"]) == ["eu0", "eu1"]


def test_min_gap_impossible_across_new_cycles(tmp_path: Path) -> None:
    org = Org(standard(), [first_cycle()], planning={"min_gap_cycles": 2})
    message = _refusal(org, tmp_path, cycles=3)
    assert "min_gap_cycles" in message
    assert str(CYCLE_2) in message or str(START + dt.timedelta(weeks=6)) in message


# --- min_teams --------------------------------------------------------------------


def test_min_teams_binds(tmp_path: Path) -> None:
    people = [Member("lead0", "a", can_lead=True), Member("lead1", "a", can_lead=True)]
    people += [Member(f"eu{i}", t) for i, t in enumerate("aaaab")]
    people += [Member(f"am{i}", t, "America/New_York") for i, t in enumerate("aaaac")]
    org = Org(people, [first_cycle()], planning={"min_teams": 3})
    proposal = _propose(org, tmp_path)
    assert "eu4" in proposal.cycles[0].shifts["emea"]
    assert "am4" in proposal.cycles[0].shifts["amer"]


def test_min_teams_impossible(tmp_path: Path) -> None:
    org = Org(standard(teams=2), [first_cycle()], planning={"min_teams": 3})
    message = _refusal(org, tmp_path)
    assert f"cycle {CYCLE_1}: min_teams is 3 but the engineers who may be on it come from 2" in (
        message
    )
    assert "team0: eu2, am2; team1: eu3, am3" in message


# --- roster dates -----------------------------------------------------------------


def test_roster_dates_bind(tmp_path: Path) -> None:
    free = _propose(Org(_six(), [first_cycle()]), tmp_path / "a")
    chosen = sorted(free.cycles[0].shifts["emea"])[0]
    people = _replace(_six(), chosen, since=CYCLE_2)
    held = _propose(Org(people, [first_cycle()]), tmp_path / "b", cycles=2)
    assert chosen not in _people(held, 0)


def test_roster_dates_impossible(tmp_path: Path) -> None:
    people = _replace(standard(), "eu2", until=CYCLE_1 + dt.timedelta(days=3))
    message = _refusal(Org(people, [first_cycle()]), tmp_path)
    assert "roster dates (since/until): eu2 (since always until 2026-12-17)" in message


# --- working day ------------------------------------------------------------------


def test_working_day_binds(tmp_path: Path) -> None:
    proposal = _propose(Org(_six(), [first_cycle()]), tmp_path, cycles=3)
    for cycle in proposal.cycles:
        assert all(p.startswith("eu") for p in cycle.shifts["emea"])
        assert all(p.startswith("am") for p in cycle.shifts["amer"])


def test_working_day_impossible(tmp_path: Path) -> None:
    people = _replace(standard(), "am2", timezone="Asia/Tokyo")
    message = _refusal(Org(people, [first_cycle()]), tmp_path)
    assert f"cycle {CYCLE_1}, shift amer: needs 2 engineers, only am3 may take it" in message
    assert "working day: eu2 (amer hours fall outside 05:00-22:00 in Europe/Berlin)" in message
    assert "am2 (amer hours fall outside 05:00-22:00 in Asia/Tokyo)" in message


# --- the command ------------------------------------------------------------------


def test_same_input_same_proposal(cli: Callable[..., Any], org_repo: Path) -> None:
    runs = [
        cli("propose", "--cycles", "4", "--format", "json", "--root", str(org_repo))
        for _ in range(2)
    ]
    assert runs[0].code == 0, runs[0].err
    assert runs[0].out == runs[1].out
    data = json.loads(runs[0].out)
    assert data["solver"]["optimal"] is True
    assert len(data["cycles"]) == 4 and data["cycles"][0]["start"] == "2027-06-28"


def test_impossible_roster_exits_1_naming_the_rule(cli: Callable[..., Any], tmp_path: Path) -> None:
    away = [("eu2", CYCLE_1, CYCLE_1)]
    root = Org(standard(), [first_cycle()], time_off=away).write(tmp_path)
    result = cli("propose", "--cycles", "1", "--root", str(root))
    assert result.code == 1
    assert "setops: error: cannot plan the next cycles:" in result.err
    assert "time off: eu2" in result.err and "Traceback" not in result.err


def test_write_keeps_every_comment(cli: Callable[..., Any], org_repo: Path) -> None:
    path = org_repo / "rotations" / "set.yaml"
    before = path.read_text(encoding="utf-8")
    result = cli("propose", "--cycles", "3", "--write", "--root", str(org_repo))
    assert result.code == 0, result.err
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert "  - start: 2027-06-28  # to 2027-07-12\n" in after
    assert cli("validate", "--root", str(org_repo)).code == 0
    assert cli("fmt", "--check", "--root", str(org_repo)).code == 0
    again = cli("propose", "--cycles", "1", "--root", str(org_repo))
    assert "2027-08-09" in again.out  # the next proposal starts after the written ones


def test_goals_the_limit_stopped_are_named() -> None:
    from setops.planning.propose import ProposedCycle
    from setops.planning.solver import Goal
    from setops.render.propose import status_line

    cycle = ProposedCycle(CYCLE_1, "lead0", {"emea": ("eu2", "eu3"), "amer": ("am2", "am3")})
    goals = (Goal("largest deviation", 336, 168, False), Goal("total deviation", 900, 900, True))
    proposal = Proposal((cycle,), goals)
    assert proposal.not_reached == ("spread", "lead balance")
    assert status_line(proposal) == (
        "largest deviation from fair share 2.00 weeks: the solver's time limit stopped the "
        "search; at most 1.00 weeks above the optimum (not reached within the time limit: "
        "spread, lead balance)"
    )
