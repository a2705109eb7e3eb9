"""What the solver plans with: the new cycles, who may hold which role in each, and each
person's past load and fair share, in whole units so the solver can reason exactly.

A unit is an hour of a week on SET (a week counts 168 units whatever its DST change), so a
turn as engineer (one week primary, one backup) or a cycle as lead adds 336 units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from setops.config.load import Config
from setops.planning.availability import available_days, time_off_intervals
from setops.planning.load import compute_load
from setops.planning.rules import Exclusion, Judge, NewCycle, last_turns, new_cycles

UNITS_PER_WEEK = 168
TURN = 2 * UNITS_PER_WEEK

Slot = tuple[int, str | None]  # (new cycle's position, shift name; None: the lead)


@dataclass(frozen=True)
class PlanningInput:
    cycles: tuple[NewCycle, ...]
    shifts: tuple[str, ...]
    engineers: tuple[str, ...]  # roster order
    leads: tuple[str, ...]
    team_of: Mapping[str, str]
    eligible: Mapping[Slot, tuple[str, ...]]  # who may hold each (cycle, shift) or lead
    excluded: Mapping[Slot, tuple[Exclusion, ...]]
    last_turn: Mapping[str, int]  # index of each person's last scheduled cycle
    past: Mapping[str, int]  # load in the past window, in units
    share: Mapping[str, int]  # fair share over the past window and the proposal, in units
    min_gap_cycles: int
    min_teams: int
    past_start: dt.datetime

    def spacing(self, pool: tuple[str, ...], per_cycle: int) -> int:
        """The even spacing of turns in a pool: its size over the turns of a cycle."""
        return max(1, len(pool) // max(per_cycle, 1))


def planning_input(config: Config, count: int) -> PlanningInput:
    """The planning problem of the `count` cycles after the last scheduled one."""
    cycles = new_cycles(config, count)
    judge = Judge(config)
    engineers = tuple(p.id for p in config.people if not p.can_lead)
    leads = tuple(p.id for p in config.people if p.can_lead)
    eligible: dict[Slot, tuple[str, ...]] = {}
    excluded: dict[Slot, tuple[Exclusion, ...]] = {}
    for cycle in cycles:
        out = {p.id: judge.common(p, cycle) for p in config.people}
        lead_out = [e for pid in leads if (e := out[pid]) is not None]
        eligible[(cycle.index, None)] = tuple(p for p in leads if out[p] is None)
        excluded[(cycle.index, None)] = tuple(lead_out)
        for shift in config.rotation.shifts:
            reasons = [
                out[p.id] or judge.shift(p, shift, cycle) for p in config.people if not p.can_lead
            ]
            eligible[(cycle.index, shift.name)] = tuple(
                pid for pid, why in zip(engineers, reasons, strict=True) if why is None
            )
            excluded[(cycle.index, shift.name)] = tuple(e for e in reasons if e is not None)
    past, share, start = _loads(config, cycles)
    return PlanningInput(
        cycles=cycles,
        shifts=tuple(s.name for s in config.rotation.shifts),
        engineers=engineers,
        leads=leads,
        team_of={p.id: p.team for p in config.people},
        eligible=eligible,
        excluded=excluded,
        last_turn=last_turns(config),
        past=past,
        share=share,
        min_gap_cycles=config.planning.min_gap_cycles,
        min_teams=config.planning.min_teams,
        past_start=start,
    )


def _loads(
    config: Config, cycles: tuple[NewCycle, ...]
) -> tuple[dict[str, int], dict[str, int], dt.datetime]:
    """Past load and fair share of everyone, in units: the past window is the policy's
    past weeks before the first new cycle; shares are pro rata to available days over the
    past window and the proposal together."""
    begin = cycles[0].begins
    start = begin - dt.timedelta(weeks=config.planning.past_weeks)
    end = cycles[-1].ends
    report = compute_load(config, start, begin)
    past = {p.person: round(p.load_weeks * UNITS_PER_WEEK) for p in report.people}
    away = time_off_intervals(config)
    days = {p.id: available_days(p, away.get(p.id, ()), start, end) for p in config.people}
    share: dict[str, int] = {}
    for pool, per_cycle in ((True, 1), (False, 2 * len(config.rotation.shifts))):
        members = [p for p in config.people if p.can_lead is pool]
        total = sum(past[p.id] for p in members) + per_cycle * TURN * len(cycles)
        total_days = sum(days[p.id] for p in members)
        for p in members:
            share[p.id] = round(total * days[p.id] / total_days) if total_days else 0
    return past, share, start
