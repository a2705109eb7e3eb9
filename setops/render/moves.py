"""`setops diff` output: every change in behaviour, as text or Markdown (the PR comment).

First who holds which role when (slot by slot), then each other kind of change in a section
of its own with its values before and after, then what changed without changing behaviour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from setops import markdown as md
from setops.config.load import Config
from setops.config_changes import ValueChange, by_section
from setops.errors import Problem
from setops.moves import LoadChange, Move
from setops.render.people import span

MARKER = "<!-- setops:diff -->"
NOTHING = (
    "No changes in behaviour: everyone holds the same roles at the same times, and every "
    "shift, escalation, rule, target setting, checklist item, person and time off is as before."
)
NOT_BEHAVIOUR = "Changed, but not behaviour (comments, layout, reason texts):"


@dataclass(frozen=True)
class DiffReport:
    """What `setops diff` found between the base (`before`) and the working tree (`after`)."""

    before: Config
    after: Config
    tz: ZoneInfo  # the zone times are shown in: the rotation's, or --tz
    moves: Sequence[Move]
    loads: Sequence[LoadChange]
    changes: Sequence[ValueChange]
    layout_only: Sequence[str]  # files whose comments or layout alone changed
    warnings: Sequence[Problem]

    @property
    def behaviour(self) -> list[ValueChange]:
        return [c for c in self.changes if c.behaviour]

    @property
    def not_behaviour(self) -> list[ValueChange]:
        return [c for c in self.changes if not c.behaviour]

    @property
    def changes_behaviour(self) -> bool:
        return bool(self.moves or self.loads or self.behaviour)

    def who(self, person: str | None) -> str:
        if person is None:
            return "nobody"
        known = self.after.person_by_id.get(person) or self.before.person_by_id.get(person)
        return f"{known.name} ({person})" if known else person


def _role(move: Move) -> str:
    return move.role if move.shift is None else f"{move.role} {move.shift}"


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g} h"


def _load_line(change: LoadChange) -> str:
    parts = []
    for role in sorted(set(change.before) | set(change.after)):
        a, b = change.before.get(role, dt.timedelta()), change.after.get(role, dt.timedelta())
        if a != b:
            parts.append(f"{role} {'+' if b > a else '-'}{_hours(abs(b - a))}")
    return f"{_hours(change.total_before)} → {_hours(change.total_after)} ({', '.join(parts)})"


def change_line(change: ValueChange) -> str:
    """One change in words: `shift amer: end 20:00 → 18:00`."""
    where = ": ".join(p for p in (change.subject, change.field) if p)
    if change.before is None:
        return f"{where} added: {change.after}"
    if change.after is None:
        return f"{where} removed (was {change.before})"
    if change.subject and change.field:
        return f"{change.subject}: {change.field} {change.before} → {change.after}"
    return f"{where}: {change.before} → {change.after}"


def _summary(report: DiffReport) -> str:
    if not report.changes_behaviour:
        return NOTHING
    parts = [f"{len(report.moves)} slot change(s)"] if report.moves else []
    if report.behaviour:
        parts.append(f"{len(report.behaviour)} value(s) changed")
    elif report.loads:
        parts.append("SET time changes")
    return f"Changes in behaviour: {', '.join(parts)}."


def diff_text(report: DiffReport) -> str:
    lines = [_summary(report)]
    if report.moves:
        lines += ["", f"Who holds which role ({len(report.moves)} slot change(s)):"]
        lines += [
            f"  {_role(m):<14} {span(m.start, m.end, report.tz)}: "
            f"{report.who(m.before)} → {report.who(m.after)}"
            for m in report.moves
        ]
    if report.loads:
        lines += ["", "Total SET time changes:"]
        lines += [f"  {report.who(c.person)}: {_load_line(c)}" for c in report.loads]
    for title, changes in by_section(report.behaviour):
        lines += ["", f"{title} ({changes[0].file}):"]
        lines += [f"  {change_line(c)}" for c in changes]
    if report.not_behaviour or report.layout_only:
        lines += ["", NOT_BEHAVIOUR]
        lines += [f"  {c.file}: {change_line(c)}" for c in report.not_behaviour]
        lines += [f"  {name}: comments or layout only" for name in report.layout_only]
    if report.warnings:
        lines += ["", "New warnings:"]
        lines += [f"  {w}" for w in report.warnings]
    return "\n".join(lines)


def diff_markdown(report: DiffReport) -> str:
    lines = [MARKER, "### SET rotation changes", "", md.text(_summary(report))]
    if report.moves:
        lines += ["", "#### Who holds which role", ""]
        lines += ["| role | when | was | now |", "|---|---|---|---|"]
        lines += [
            f"| {md.text(_role(m))} | {md.text(span(m.start, m.end, report.tz))} "
            f"| {md.text(report.who(m.before))} | {md.text(report.who(m.after))} |"
            for m in report.moves
        ]
    if report.loads:
        lines += ["", "#### People whose SET load changes", ""]
        lines += [
            f"- {md.text(report.who(c.person))}: {md.text(_load_line(c))}" for c in report.loads
        ]
    for title, changes in by_section(report.behaviour):
        where = md.code(changes[0].file)
        lines += ["", f"#### {md.text(title)} ({where})", "", *_table(changes)]
    if report.not_behaviour or report.layout_only:
        lines += ["", f"#### {md.text(NOT_BEHAVIOUR.rstrip(':'))}", ""]
        lines += [f"- {md.code(c.file)}: {md.text(change_line(c))}" for c in report.not_behaviour]
        lines += [f"- {md.code(n)}: comments or layout only" for n in report.layout_only]
    if report.warnings:
        lines += ["", "#### New validation warnings", ""]
        lines += [f"- {md.code(w.where)}: {md.text(w.message)}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _table(changes: Sequence[ValueChange]) -> list[str]:
    rows = ["| what | before | after |", "|---|---|---|"]
    for c in changes:
        what = ": ".join(p for p in (c.subject, c.field) if p)
        before = "—" if c.before is None else md.code(c.before, in_table=True)
        after = "—" if c.after is None else md.code(c.after, in_table=True)
        rows.append(f"| {md.text(what)} | {before} | {after} |")
    return rows
