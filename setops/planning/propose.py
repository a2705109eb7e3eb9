"""Proposals of the next cycles: the hard rules checked cycle by cycle, then solved.

`propose(config, count)` returns the proposed cycles with the solver's report, or raises
`CannotPlan` naming, for each cycle that cannot be filled, the rule and the people that make
it impossible. Pure: a function of the configuration.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from setops.config.load import Config
from setops.errors import SetopsError
from setops.planning.inputs import UNITS_PER_WEEK, PlanningInput, planning_input
from setops.planning.rules import CAN_LEAD, MIN_GAP, MIN_TEAMS, ONE_ROLE, Exclusion, NewCycle
from setops.planning.solver import GOAL_NAMES, Goal, explain, solve

DEFAULT_TIME_LIMIT = 20.0  # deterministic seconds, over all four goals


class CannotPlan(SetopsError):
    """The hard rules cannot all hold: one line per cycle and rule, naming the people."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("cannot plan the next cycles:\n  " + "\n  ".join(reasons))


@dataclass(frozen=True)
class ProposedCycle:
    start: dt.date
    lead: str
    shifts: Mapping[str, tuple[str, str]]  # shift -> (primary, backup)


@dataclass(frozen=True)
class Proposal:
    cycles: tuple[ProposedCycle, ...]
    goals: tuple[Goal, ...]

    @property
    def optimal(self) -> bool:
        """Whether the first goal (the largest deviation) is proven optimal."""
        return bool(self.goals) and self.goals[0].optimal

    @property
    def not_reached(self) -> tuple[str, ...]:
        """The goals the time limit stopped before any solution improved them."""
        found = {g.name for g in self.goals}
        return tuple(name for name in GOAL_NAMES if name not in found)

    @property
    def gap_weeks(self) -> float:
        """How far the largest deviation found may be from the best possible, in weeks."""
        first = self.goals[0]
        return (first.value - first.bound) / UNITS_PER_WEEK

    def as_cycles(self) -> list[dict[str, object]]:
        """The cycles as `setops.config.edit.upsert_cycles` takes them."""
        return [{"start": c.start, "lead": c.lead, "shifts": dict(c.shifts)} for c in self.cycles]


def propose(config: Config, count: int, time_limit: float = DEFAULT_TIME_LIMIT) -> Proposal:
    """The `count` cycles after the last scheduled one, under every hard rule."""
    inp = planning_input(config, count)
    reasons = list(precheck(inp))
    if reasons:
        raise CannotPlan(reasons)
    solution = solve(inp, time_limit)
    if solution is None:
        raise CannotPlan(_explained(inp, time_limit))
    cycles = []
    for cycle in inp.cycles:
        (lead,) = solution.chosen[(cycle.index, None)]
        pairs = {s: _pair(solution.chosen[(cycle.index, s)]) for s in inp.shifts}
        cycles.append(ProposedCycle(cycle.start, lead, pairs))
    return Proposal(tuple(cycles), solution.goals)


def _pair(people: Sequence[str]) -> tuple[str, str]:
    first, second = people
    return first, second


def precheck(inp: PlanningInput) -> Iterable[str]:
    """Each cycle that cannot be filled on its own, whatever the other cycles hold."""
    if not inp.leads:
        yield f"{CAN_LEAD}: nobody in rotations/roster.yaml has can_lead: true; no cycle has a lead"
        return
    for cycle in inp.cycles:
        yield from _lead(inp, cycle)
        yield from _shifts(inp, cycle)


def _lead(inp: PlanningInput, cycle: NewCycle) -> Iterable[str]:
    if not inp.eligible[(cycle.index, None)]:
        why = _reasons(inp.excluded[(cycle.index, None)])
        yield f"cycle {cycle.start}: no lead possible ({CAN_LEAD}: {', '.join(inp.leads)}); {why}"


def _shifts(inp: PlanningInput, cycle: NewCycle) -> Iterable[str]:
    pool: set[str] = set()
    short = False
    for shift in inp.shifts:
        people = inp.eligible[(cycle.index, shift)]
        pool.update(people)
        if len(people) < 2:
            short = True
            who = ", ".join(people) or "nobody"
            why = _reasons(inp.excluded[(cycle.index, shift)])
            yield (
                f"cycle {cycle.start}, shift {shift}: needs 2 engineers, only {who} may take "
                f"it; {why}"
            )
    if short:
        return
    need = 2 * len(inp.shifts)
    if len(pool) < need:
        yield (
            f"cycle {cycle.start}: {ONE_ROLE}: needs {need} different engineers, only "
            f"{len(pool)} may be on it: {', '.join(_ordered(inp, pool))}"
        )
    teams = _by_team(inp, pool)
    if len(teams) < inp.min_teams:
        shown = "; ".join(f"{t}: {', '.join(people)}" for t, people in sorted(teams.items()))
        yield (
            f"cycle {cycle.start}: {MIN_TEAMS} is {inp.min_teams} but the engineers who may "
            f"be on it come from {len(teams)} team(s) ({shown})"
        )


def _reasons(exclusions: Sequence[Exclusion]) -> str:
    by_rule: dict[str, list[str]] = defaultdict(list)
    for e in exclusions:
        by_rule[e.rule].append(f"{e.person} ({e.detail})")
    if not by_rule:
        return "nobody else is on the roster"
    return "; ".join(f"{rule}: {', '.join(people)}" for rule, people in by_rule.items())


def _by_team(inp: PlanningInput, people: Iterable[str]) -> dict[str, list[str]]:
    teams: dict[str, list[str]] = defaultdict(list)
    for p in _ordered(inp, people):
        teams[inp.team_of[p]].append(p)
    return teams


def _ordered(inp: PlanningInput, people: Iterable[str]) -> list[str]:
    chosen = set(people)
    return [p for p in (*inp.engineers, *inp.leads) if p in chosen]


def _explained(inp: PlanningInput, time_limit: float) -> list[str]:
    core = explain(inp, time_limit)
    if not core:
        return ["the hard rules cannot all hold together (no smaller reason was found)"]
    starts = {c.index: c.start for c in inp.cycles}
    cycles = sorted({c for _, c in core})
    rules = sorted({r for r, _ in core})
    people = {p for c in cycles for s in inp.shifts for p in inp.eligible[(c, s)]}
    gap = f" ({MIN_GAP} = {inp.min_gap_cycles})" if MIN_GAP in rules else ""
    return [
        f"cycles {', '.join(str(starts[c]) for c in cycles)}: {' + '.join(rules)}{gap} cannot "
        f"all hold; the engineers who may take them: {', '.join(_ordered(inp, people))}"
    ]
