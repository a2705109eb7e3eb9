"""`setops propose` output: the proposed cycles, the solver's report, the load before and
after (text for a terminal, Markdown for the proposal pull request, JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from setops.planning.inputs import UNITS_PER_WEEK
from setops.planning.load import LoadReport
from setops.planning.propose import Proposal
from setops.render.load import load_data, load_markdown


def status_line(proposal: Proposal) -> str:
    """Whether the first goal is proven optimal, or how far from it the search stopped."""
    first = proposal.goals[0]
    value = first.value / UNITS_PER_WEEK
    missed = proposal.not_reached
    later = f" (not reached within the time limit: {', '.join(missed)})" if missed else ""
    if proposal.optimal:
        return f"largest deviation from fair share {value:.2f} weeks: proven optimal{later}"
    return (
        f"largest deviation from fair share {value:.2f} weeks: the solver's time limit "
        f"stopped the search; at most {proposal.gap_weeks:.2f} weeks above the optimum{later}"
    )


def _balance(before: LoadReport, after: LoadReport) -> str:
    return (
        f"balance (largest deviation among engineers): {before.balance_weeks:.2f} weeks "
        f"before, {after.balance_weeks:.2f} after; leads {before.lead_balance_weeks:.2f} "
        f"before, {after.lead_balance_weeks:.2f} after"
    )


def _rows(proposal: Proposal, weeks: int) -> list[tuple[str, ...]]:
    shifts = list(proposal.cycles[0].shifts) if proposal.cycles else []
    rows = [("start", "end", "lead", *(f"{s} primary/backup" for s in shifts))]
    for c in proposal.cycles:
        end = c.start + dt.timedelta(weeks=weeks)
        pairs = (f"{c.shifts[s][0]} / {c.shifts[s][1]}" for s in shifts)
        rows.append((str(c.start), str(end), c.lead, *pairs))
    return rows


def proposal_text(
    proposal: Proposal, before: LoadReport, after: LoadReport, tz: ZoneInfo, seconds: float
) -> str:
    rows = _rows(proposal, 2)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    table = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    goals = ", ".join(
        f"{g.name} {g.value}{'' if g.optimal else f' (bound {g.bound})'}" for g in proposal.goals
    )
    return "\n".join(
        [
            *table,
            "",
            status_line(proposal),
            _balance(before, after),
            f"solver: {goals} (in hours of SET weeks; solved in {seconds:.1f} s)",
        ]
    )


def proposal_markdown(
    proposal: Proposal, before: LoadReport, after: LoadReport, tz: ZoneInfo
) -> str:
    rows = _rows(proposal, 2)
    table = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    table += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(
        [
            f"### Proposed cycles ({len(proposal.cycles)})",
            "",
            *table,
            "",
            f"**{status_line(proposal)}**; {_balance(before, after)}.",
            "",
            "<details><summary>Load before</summary>",
            "",
            load_markdown(before, tz),
            "",
            "</details>",
            "",
            "<details><summary>Load after</summary>",
            "",
            load_markdown(after, tz),
            "",
            "</details>",
        ]
    )


def proposal_json(
    proposal: Proposal, before: LoadReport, after: LoadReport, tz: ZoneInfo
) -> dict[str, Any]:
    return {
        "cycles": [
            {
                "start": str(c.start),
                "lead": c.lead,
                "shifts": {s: {"primary": p, "backup": b} for s, (p, b) in c.shifts.items()},
            }
            for c in proposal.cycles
        ],
        "solver": {
            "optimal": proposal.optimal,
            "largest_deviation_weeks": round(proposal.goals[0].value / UNITS_PER_WEEK, 3),
            "gap_weeks": round(proposal.gap_weeks, 3),
            "not_reached": list(proposal.not_reached),
            "goals": [
                {"name": g.name, "value": g.value, "bound": g.bound, "optimal": g.optimal}
                for g in proposal.goals
            ],
        },
        "load_before": load_data(before, tz),
        "load_after": load_data(after, tz),
    }
