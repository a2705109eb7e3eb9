"""Property tests over generated rosters: every proposal validates, and on small rosters
its largest deviation is the optimum an exhaustive search finds (or both find none)."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from setops.checks import validate_config
from setops.config.load import load_config
from setops.planning.extend import written
from setops.planning.inputs import TURN, PlanningInput, planning_input
from setops.planning.propose import CannotPlan, propose
from tests.planning.org import AMERICAS, START, Member, Org, first_cycle

Choice = tuple[str, tuple[tuple[str, ...], ...]]  # (lead, (pair of each shift))


@st.composite
def orgs(draw: st.DrawFn) -> tuple[Org, int]:
    teams = draw(st.integers(1, 3))
    leads = draw(st.integers(1, 3))
    people = [Member(f"lead{i}", f"t{i % teams}", can_lead=True) for i in range(leads)]
    for region, tz in (("eu", "Europe/Berlin"), ("am", AMERICAS)):
        size = draw(st.integers(2, 4))
        people += [
            Member(f"{region}{i}", f"t{draw(st.integers(0, teams - 1))}", tz) for i in range(size)
        ]
    names = [p.id for p in people if p.id not in ("lead0", "eu0", "eu1", "am0", "am1")]
    away = []
    leaves: bool = draw(st.booleans()) if names else False
    if leaves:
        who = draw(st.sampled_from(names))
        first = START + dt.timedelta(days=draw(st.integers(14, 40)))
        away.append((who, first, first + dt.timedelta(days=draw(st.integers(0, 6)))))
    planning: dict[str, object] = {
        "min_gap_cycles": draw(st.integers(0, 1)),
        "min_teams": draw(st.integers(1, 2)),
    }
    return Org(people, [first_cycle()], away, planning), draw(st.integers(1, 2))


def _choices(inp: PlanningInput, index: int) -> Iterator[Choice]:
    pairs = [list(itertools.combinations(inp.eligible[(index, s)], 2)) for s in inp.shifts]
    for lead in inp.eligible[(index, None)]:
        for combo in itertools.product(*pairs):
            engineers = [p for pair in combo for p in pair]
            if len(set(engineers)) != len(engineers):
                continue
            if len({inp.team_of[p] for p in engineers}) < inp.min_teams:
                continue
            yield lead, combo


def _members(choice: Choice) -> set[str]:
    return {choice[0], *(p for pair in choice[1] for p in pair)}


def exhaustive_optimum(inp: PlanningInput) -> int | None:
    """The smallest largest deviation over every assignment keeping the hard rules."""
    options = [list(_choices(inp, c.index)) for c in inp.cycles]
    best: int | None = None
    gap = inp.min_gap_cycles
    for plan in itertools.product(*options):
        if any(
            _members(plan[i]) & _members(plan[j])
            for i in range(len(plan))
            for j in range(i + 1, min(len(plan), i + gap + 1))
        ):
            continue
        turns = {p: 0 for p in inp.engineers}
        for _, combo in plan:
            for pair in combo:
                for p in pair:
                    turns[p] += 1
        worst = max(abs(inp.past[p] + TURN * n - inp.share[p]) for p, n in turns.items())
        best = worst if best is None else min(best, worst)
    return best


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(orgs())
def test_proposals_validate_and_are_optimal(case: tuple[Org, int]) -> None:
    org, count = case
    with tempfile.TemporaryDirectory() as folder:
        root = org.write(Path(folder))
        config = load_config(root)
        optimum = exhaustive_optimum(planning_input(config, count))
        try:
            proposal = propose(config, count, time_limit=5.0)
        except CannotPlan:
            assert optimum is None
            return
        assert optimum is not None
        assert proposal.optimal
        assert proposal.goals[0].value == optimum
        path = root / "rotations" / "set.yaml"
        path.write_text(written(path.read_text(), proposal.cycles, 2))
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        errors = [p for p in validate_config(load_config(root), now) if p.severity == "error"]
        assert errors == []
