"""The CP-SAT model of a proposal: hard rules as constraints, soft goals solved in order.

Soft goals, lexicographically: (1) the largest deviation of an engineer's load from their
fair share, (2) the sum of those deviations, (3) turns spread evenly in time, (4) lead duty
balanced among the leads. Each goal is minimised with the ones before held at what was
found. One worker, a fixed seed and deterministic time limits: the same input gives the same
proposal on any machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from setops.planning.inputs import TURN, PlanningInput
from setops.planning.rules import MIN_GAP, MIN_TEAMS, ONE_ROLE

Key = tuple[int, str | None, str]  # (cycle index, shift or None for the lead, person)


@dataclass(frozen=True)
class Goal:
    name: str
    value: int
    bound: int
    optimal: bool


@dataclass(frozen=True)
class Solution:
    chosen: Mapping[tuple[int, str | None], tuple[str, ...]]  # who holds each slot
    goals: tuple[Goal, ...]


class Model:
    """The variables and rules of one planning input; `enforce` gives each rule and cycle
    of the rules that span several people an assumption literal (to explain infeasibility)."""

    def __init__(self, inp: PlanningInput, explain: bool = False) -> None:
        self.inp = inp
        self.m = cp_model.CpModel()
        self.explain = explain
        self.top = 0  # the largest deviation possible, in units
        self.assumptions: list[cp_model.IntVar] = []
        self.meaning: dict[int, tuple[str, int]] = {}  # literal index -> (rule, cycle)
        self.var: dict[Key, cp_model.IntVar] = {}
        for (c, shift), people in sorted(inp.eligible.items(), key=_slot_order):
            for p in people:
                self.var[(c, shift, p)] = self.m.new_bool_var(f"{c}:{shift or 'lead'}:{p}")
        self.turns: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        for (c, _, p), v in self.var.items():
            self.turns[(c, p)].append(v)
        self._slots()
        self._one_role()
        self._gap(inp.engineers)
        self._gap(inp.leads)
        self._teams()

    def _lit(self, rule: str, cycle: int) -> list[cp_model.IntVar]:
        if not self.explain:
            return []
        lit = self.m.new_bool_var(f"{rule}@{cycle}")
        self.assumptions.append(lit)
        self.meaning[lit.index] = (rule, cycle)
        return [lit]

    def _slots(self) -> None:
        for (c, shift), people in self.inp.eligible.items():
            need = 1 if shift is None else 2
            self.m.add(sum(self.var[(c, shift, p)] for p in people) == need)

    def _one_role(self) -> None:
        for c in self.cycle_indexes:
            lit = self._lit(ONE_ROLE, c)
            for p in self.inp.engineers:
                held = self.turns.get((c, p), [])
                if len(held) > 1:
                    self.m.add(sum(held) <= 1).only_enforce_if(lit)

    @property
    def cycle_indexes(self) -> list[int]:
        return [c.index for c in self.inp.cycles]

    def turn(self, c: int, p: str) -> cp_model.LinearExprT:
        return sum(self.turns.get((c, p), []))

    def _gap(self, pool: Sequence[str]) -> None:
        span = self.inp.min_gap_cycles + 1
        cycles = self.cycle_indexes
        if span < 2:
            return
        for end in range(1, len(cycles)):
            window = cycles[max(0, end - span + 1) : end + 1]
            lit = self._lit(MIN_GAP, cycles[end])
            for p in pool:
                held = [v for c in window for v in self.turns.get((c, p), [])]
                if len(held) > 1:
                    self.m.add(sum(held) <= 1).only_enforce_if(lit)

    def _teams(self) -> None:
        teams = sorted({self.inp.team_of[p] for p in self.inp.engineers})
        for c in self.cycle_indexes:
            present = []
            for team in teams:
                held = [
                    v
                    for p in self.inp.engineers
                    if self.inp.team_of[p] == team
                    for v in self.turns.get((c, p), [])
                ]
                if held:
                    there = self.m.new_bool_var(f"team:{c}:{team}")
                    self.m.add(there <= sum(held))
                    present.append(there)
            lit = self._lit(MIN_TEAMS, c)
            self.m.add(sum(present) >= self.inp.min_teams).only_enforce_if(lit)

    # --- soft goals -------------------------------------------------------------------

    def deviations(self, pool: Sequence[str]) -> list[cp_model.IntVar]:
        """|load - share| of each person in `pool`, as variables."""
        out = []
        top = self.top = TURN * len(self.inp.cycles) + max(
            [abs(self.inp.past[p] - self.inp.share[p]) for p in pool] + [0]
        )
        for p in pool:
            load = self.inp.past[p] + TURN * sum(self.turn(c, p) for c in self.cycle_indexes)
            dev = self.m.new_int_var(0, top, f"dev:{p}")
            self.m.add(dev >= load - self.inp.share[p])
            self.m.add(dev >= self.inp.share[p] - load)
            out.append(dev)
        return out

    def largest(self, values: Sequence[cp_model.IntVar], name: str) -> cp_model.IntVar:
        most = self.m.new_int_var(0, self.top, name)
        for v in values:
            self.m.add(most >= v)
        return most

    def spread(self) -> cp_model.LinearExprT:
        """Turns closer together than the pool's even spacing, weighted by how much closer."""
        terms: list[cp_model.LinearExprT] = []
        per_cycle = 2 * len(self.inp.shifts)
        for pool, per in ((self.inp.engineers, per_cycle), (self.inp.leads, 1)):
            terms += self._spread(pool, self.inp.spacing(pool, per))
        return sum(terms)

    def _spread(self, pool: Sequence[str], even: int) -> Iterable[cp_model.LinearExprT]:
        cycles = self.cycle_indexes
        for p in pool:
            last = self.inp.last_turn.get(p)
            for c in cycles:
                if last is not None and c - last < even and (c, p) in self.turns:
                    yield (even - (c - last)) * self.turn(c, p)
            size = min(even, len(cycles))
            for first in range(0, len(cycles) - size + 1):
                held = [v for c in cycles[first : first + size] for v in self.turns.get((c, p), [])]
                if len(held) > 1:
                    extra = self.m.new_int_var(0, len(held), f"close:{p}:{first}")
                    self.m.add(extra >= sum(held) - 1)
                    yield extra


def _slot_order(item: tuple[tuple[int, str | None], tuple[str, ...]]) -> tuple[int, str]:
    (c, shift), _ = item
    return c, shift or ""


def _parameters(limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    solver.parameters.max_deterministic_time = limit
    return solver


def solve(inp: PlanningInput, time_limit: float) -> Solution | None:
    """The best proposal found within `time_limit` deterministic seconds (None: the hard
    rules cannot all hold; raises RuntimeError when no answer came in time)."""
    model = Model(inp)
    m = model.m
    engineer_devs = model.deviations(inp.engineers)
    lead_devs = model.deviations(inp.leads)
    lead_most = model.largest(lead_devs, "lead-max")
    stages: list[tuple[str, cp_model.LinearExprT, float]] = [
        ("largest deviation", model.largest(engineer_devs, "max"), 0.4),
        ("total deviation", sum(engineer_devs), 0.2),
        ("spread", model.spread(), 0.2),
        ("lead balance", (len(inp.leads) + 1) * lead_most + sum(lead_devs), 0.2),
    ]
    goals: list[Goal] = []
    last: cp_model.CpSolver | None = None
    for name, objective, share in stages:
        m.minimize(objective)
        solver = _parameters(time_limit * share)
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            return None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if not goals:
                raise RuntimeError("no proposal found within the time limit")
            break
        value = round(solver.objective_value)
        bound = round(solver.best_objective_bound)
        goals.append(Goal(name, value, bound, status == cp_model.OPTIMAL))
        m.add(objective <= value)
        m.clear_hints()  # type: ignore[no-untyped-call]
        for v in model.var.values():
            m.add_hint(v, solver.value(v))
        last = solver
    assert last is not None
    chosen: dict[tuple[int, str | None], tuple[str, ...]] = {}
    for (c, shift), people in inp.eligible.items():
        chosen[(c, shift)] = tuple(p for p in people if last.value(model.var[(c, shift, p)]))
    return Solution(chosen, tuple(goals))


def explain(inp: PlanningInput, time_limit: float) -> list[tuple[str, int]]:
    """The rules and cycles that cannot all hold together (an infeasible core)."""
    model = Model(inp, explain=True)
    model.m.add_assumptions(model.assumptions)
    solver = _parameters(time_limit)
    if solver.solve(model.m) != cp_model.INFEASIBLE:
        return []
    core = solver.sufficient_assumptions_for_infeasibility()
    found = {model.meaning[i] for i in core if i in model.meaning}
    return sorted(found, key=lambda x: (x[1], x[0]))
