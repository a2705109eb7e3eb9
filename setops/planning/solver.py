"""The CP-SAT model of a proposal: hard rules as constraints, soft goals solved in order.

Soft goals, lexicographically: (1) the largest deviation of an engineer's load from their
fair share, (2) the sum of those deviations, (3) turns spread evenly in time, (4) lead duty
balanced among the leads. Each goal is minimised with the ones before held at what was
found. One worker, a fixed seed and deterministic time limits: the same input gives the same
proposal on any machine.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from setops.planning.inputs import TURN, PlanningInput
from setops.planning.rules import MIN_GAP, MIN_TEAMS, ONE_ROLE

GOAL_NAMES = ("largest deviation", "total deviation", "spread", "lead balance")
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
        self._counts: dict[str, cp_model.IntVar] = {}
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
        if not self.inp.engineers:
            return  # the leads' part of the problem: no team rule
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

    def count(self, p: str) -> cp_model.IntVar:
        """The number of turns `p` gets in the proposal, as one variable."""
        found = self._counts.get(p)
        if found is None:
            held = [v for c in self.cycle_indexes for v in self.turns.get((c, p), [])]
            found = self.m.new_int_var(0, self.most_turns(p), f"turns:{p}")
            self.m.add(found == sum(held))
            self._counts[p] = found
        return found

    def most_turns(self, p: str) -> int:
        cycles = sum(1 for c in self.cycle_indexes if (c, p) in self.turns)
        return min(cycles, -(-len(self.cycle_indexes) // (self.inp.min_gap_cycles + 1)))

    def off(self, p: str, turns: int) -> int:
        """How far `p`'s load is from their share with `turns` more turns, in units."""
        return abs(self.inp.past[p] + TURN * turns - self.inp.share[p])

    def floor(self, pool: Sequence[str]) -> int:
        """No proposal has a smaller largest deviation: each person's best, the worst of them."""
        return max(
            (min(self.off(p, k) for k in range(self.most_turns(p) + 1)) for p in pool), default=0
        )

    def largest(self, pool: Sequence[str], name: str) -> cp_model.IntVar:
        """The largest deviation in `pool`, held by linear constraints on each turn count."""
        top = max((self.off(p, 0) + TURN * len(self.cycle_indexes) for p in pool), default=0)
        most = self.m.new_int_var(self.floor(pool), max(top, self.floor(pool)), name)
        for p in pool:
            load = self.inp.past[p] + TURN * self.count(p)
            self.m.add(load - self.inp.share[p] <= most)
            self.m.add(self.inp.share[p] - load <= most)
        return most

    def total(self, pool: Sequence[str], most: int) -> cp_model.LinearExpr:
        """The sum of deviations in `pool`, each turn count kept to where its deviation is at
        most `most`; linear in the count where only two counts remain (tight for the LP)."""
        terms: list[cp_model.LinearExprT] = []
        for p in pool:
            allowed = [k for k in range(self.most_turns(p) + 1) if self.off(p, k) <= most]
            low, high = allowed[0], allowed[-1]
            n = self.count(p)
            self.m.add(n >= low)
            self.m.add(n <= high)
            if high - low <= 1:
                terms.append(self.off(p, low) + (self.off(p, high) - self.off(p, low)) * (n - low))
                continue
            dev = self.m.new_int_var(0, most, f"dev:{p}")
            load = self.inp.past[p] + TURN * n
            self.m.add(dev >= load - self.inp.share[p])
            self.m.add(dev >= self.inp.share[p] - load)
            terms.append(dev)
        return cp_model.LinearExpr.sum(terms)

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
    # Probing and symmetry detection cost most of the time on large rosters (thousands of
    # interchangeable engineers) and gain little here.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    return solver


def solve(inp: PlanningInput, time_limit: float) -> Solution | None:
    """The best proposal found within `time_limit` deterministic seconds (None: the hard
    rules cannot all hold; raises RuntimeError when no answer came in time).

    The engineers and the leads share no rule, so each pool is solved on its own: the
    spread, a sum over both, is smallest when each pool's part is.
    """
    engineers, leads = _pool(inp, leads=False), _pool(inp, leads=True)
    first = _Search(Model(engineers), time_limit * 0.85)
    model = first.model
    if not first.first(model.largest(engineers.engineers, "largest"), model.floor(inp.engineers)):
        return None
    first.stage("total deviation", model.total(engineers.engineers, first.goals[0].value), 0.25)
    first.stage("spread", model.spread(), 0.15)
    second = _Search(Model(leads), time_limit * 0.15)
    model = second.model
    if second.stage("spread", model.spread(), 0.5) is None:
        return None
    most = model.largest(leads.leads, "lead-largest")
    balance = (len(leads.leads) + 1) * most + model.total(leads.leads, 10**9)
    second.stage("lead balance", balance, 0.5)
    return Solution({**first.chosen(), **second.chosen()}, _goals(first.goals, second.goals))


def _pool(inp: PlanningInput, leads: bool) -> PlanningInput:
    """The part of the problem of one pool: the lead slots, or the shifts'."""
    eligible = {k: v for k, v in inp.eligible.items() if (k[1] is None) is leads}
    return dataclasses.replace(
        inp,
        eligible=eligible,
        engineers=() if leads else inp.engineers,
        leads=inp.leads if leads else (),
    )


def _goals(engineers: Sequence[Goal], leads: Sequence[Goal]) -> tuple[Goal, ...]:
    """The goals of both pools in their order, the two parts of the spread added up."""
    spread = [g for g in (*engineers, *leads) if g.name == "spread"]
    out = [g for g in engineers if g.name != "spread"]
    if spread:
        value, bound = sum(g.value for g in spread), sum(g.bound for g in spread)
        optimal = len(spread) == 2 and all(g.optimal for g in spread)
        out.append(Goal("spread", value, bound if len(spread) == 2 else 0, optimal))
    return (*out, *(g for g in leads if g.name != "spread"))


class _Search:
    """The goals solved one after the other, each held at what was found."""

    def __init__(self, model: Model, time_limit: float) -> None:
        self.model = model
        self.limit = time_limit
        self.goals: list[Goal] = []
        self.last: cp_model.CpSolver | None = None

    def first(self, most: cp_model.IntVar, floor: int) -> bool:
        """The largest deviation: first try its floor (proven optimal when it holds), then
        search above it. False when the hard rules cannot all hold."""
        trial = self.model.m.clone()
        trial.add(most == floor)
        solver = _parameters(self.limit * 0.3)
        status = solver.solve(trial)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._keep("largest deviation", most, solver, floor, floor)
            return True
        if status == cp_model.INFEASIBLE:
            self.model.m.add(most >= floor + 1)
        return bool(self.stage("largest deviation", most, 0.3))

    def stage(self, name: str, objective: cp_model.LinearExprT, share: float) -> bool | None:
        """Minimise one goal; True when a solution was found, False when the limit stopped
        the search first (the last solution stays), None when the rules cannot hold."""
        m = self.model.m
        m.minimize(objective)
        solver = _parameters(self.limit * share)
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            return None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if self.last is None:
                raise RuntimeError("no proposal found within the time limit")
            return False
        value, bound = round(solver.objective_value), round(solver.best_objective_bound)
        self._keep(name, objective, solver, value, bound if status != cp_model.OPTIMAL else value)
        return True

    def _keep(
        self,
        name: str,
        objective: cp_model.LinearExprT,
        solver: cp_model.CpSolver,
        value: int,
        bound: int,
    ) -> None:
        m = self.model.m
        self.goals.append(Goal(name, value, bound, value == bound))
        m.add(objective <= value)
        # Every variable hinted: the next goal starts from this whole solution.
        m.clear_hints()  # type: ignore[no-untyped-call]
        for index, value in enumerate(solver.response_proto.solution):
            m.add_hint(m.get_int_var_from_proto_index(index), value)
        self.last = solver

    def chosen(self) -> dict[tuple[int, str | None], tuple[str, ...]]:
        """Who holds each slot in the last solution."""
        assert self.last is not None
        chosen: dict[tuple[int, str | None], tuple[str, ...]] = {}
        for (c, shift), people in self.model.inp.eligible.items():
            held = self.model.var
            chosen[(c, shift)] = tuple(p for p in people if self.last.value(held[(c, shift, p)]))
        return chosen


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
