"""`setops load` output: the load report as text, Markdown or JSON (a documented contract,
docs/planning.md)."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from setops import markdown as md
from setops.planning.load import LoadReport, PersonLoad, TeamLoad
from setops.render.people import iso


def _n(value: float) -> float:
    return round(value, 3)


def person_data(p: PersonLoad) -> dict[str, Any]:
    return {
        "id": p.person,
        "name": p.name,
        "team": p.team,
        "pool": p.pool,
        "primary_weeks": _n(p.primary_weeks),
        "backup_weeks": _n(p.backup_weeks),
        "lead_cycles": _n(p.lead_cycles),
        "on_call_hours": _n(p.on_call_hours),
        "night_hours": _n(p.night_hours),
        "weekend_hours": _n(p.weekend_hours),
        "overrides_taken": p.overrides_taken,
        "overrides_given": p.overrides_given,
        "available_days": _n(p.available_days),
        "load_weeks": _n(p.load_weeks),
        "fair_share_weeks": _n(p.fair_share_weeks),
        "deviation_weeks": _n(p.deviation_weeks),
    }


def team_data(t: TeamLoad) -> dict[str, Any]:
    return {
        "id": t.team,
        "name": t.name,
        "people": t.people,
        "on_call_hours": _n(t.on_call_hours),
        "night_hours": _n(t.night_hours),
        "weekend_hours": _n(t.weekend_hours),
        "load_weeks": _n(t.load_weeks),
        "fair_share_weeks": _n(t.fair_share_weeks),
        "deviation_weeks": _n(t.deviation_weeks),
    }


def load_data(report: LoadReport, tz: ZoneInfo) -> dict[str, Any]:
    """The JSON contract of `setops load --format json`, as plain data."""
    return {
        "window": {"start": iso(report.start, tz), "end": iso(report.end, tz)},
        "balance_weeks": _n(report.balance_weeks),
        "lead_balance_weeks": _n(report.lead_balance_weeks),
        "people": [person_data(p) for p in report.people],
        "teams": [team_data(t) for t in report.teams],
    }


def load_json(report: LoadReport, tz: ZoneInfo) -> str:
    return json.dumps(load_data(report, tz), indent=2, ensure_ascii=False)


_PEOPLE_HEAD = (
    "person",
    "team",
    "pool",
    "primary wk",
    "backup wk",
    "lead cyc",
    "on-call h",
    "night h",
    "weekend h",
    "ovr taken",
    "ovr given",
    "load wk",
    "share wk",
    "deviation",
)
_TEAM_HEAD = (
    "team",
    "people",
    "on-call h",
    "night h",
    "weekend h",
    "load wk",
    "share wk",
    "deviation",
)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _person_row(p: PersonLoad) -> tuple[str, ...]:
    return (
        p.person,
        p.team,
        p.pool,
        _f(p.primary_weeks),
        _f(p.backup_weeks),
        _f(p.lead_cycles),
        _f(p.on_call_hours),
        _f(p.night_hours),
        _f(p.weekend_hours),
        str(p.overrides_taken),
        str(p.overrides_given),
        _f(p.load_weeks),
        _f(p.fair_share_weeks),
        _signed(p.deviation_weeks),
    )


def _team_row(t: TeamLoad) -> tuple[str, ...]:
    return (
        t.team,
        str(t.people),
        _f(t.on_call_hours),
        _f(t.night_hours),
        _f(t.weekend_hours),
        _f(t.load_weeks),
        _f(t.fair_share_weeks),
        _signed(t.deviation_weeks),
    )


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]


def _summary(report: LoadReport, tz: ZoneInfo) -> str:
    return (
        f"SET load from {iso(report.start, tz)} to {iso(report.end, tz)}; "
        f"balance {report.balance_weeks:.2f} weeks (the largest deviation from fair share "
        f"among engineers; leads: {report.lead_balance_weeks:.2f})"
    )


def load_text(report: LoadReport, tz: ZoneInfo) -> str:
    people = _columns([_PEOPLE_HEAD, *(_person_row(p) for p in report.people)])
    teams = _columns([_TEAM_HEAD, *(_team_row(t) for t in report.teams)])
    return "\n".join([_summary(report, tz), "", *people, "", *teams])


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def _md(cell: str) -> str:
    return md.text(cell)


def load_markdown(report: LoadReport, tz: ZoneInfo) -> str:
    people = _table(_PEOPLE_HEAD, [_person_row(p) for p in report.people])
    teams = _table(_TEAM_HEAD, [_team_row(t) for t in report.teams])
    return "\n".join([_summary(report, tz), "", *people, "", *teams])
