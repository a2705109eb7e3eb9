"""`setops diff` output: slot by slot who moved, as text or Markdown (for the PR comment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from setops.config.load import Config
from setops.config.models import zone
from setops.errors import Problem
from setops.moves import LoadChange, Move

MARKER = "<!-- setops:diff -->"


def _zone_of(config: Config, move: Move) -> str:
    shift = next((s for s in config.rotation.shifts if s.name == move.shift), None)
    return shift.timezone if shift else config.rotation.timezone


def _span(config: Config, move: Move) -> str:
    tz = zone(_zone_of(config, move))
    fmt = "%a %Y-%m-%d %H:%M"
    start, end = move.start.astimezone(tz), move.end.astimezone(tz)
    return f"{start.strftime(fmt)} to {end.strftime(fmt)} {end.strftime('%Z')}"


def _who(config: Config, person: str | None) -> str:
    if person is None:
        return "nobody"
    known = config.person_by_id.get(person)
    return f"{known.name} ({person})" if known else person


def _role(move: Move) -> str:
    return move.role if move.shift is None else f"{move.role} {move.shift}"


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"


def _load_line(change: LoadChange) -> str:
    roles = sorted(set(change.before) | set(change.after))
    parts = []
    for role in roles:
        a, b = change.before.get(role, dt.timedelta()), change.after.get(role, dt.timedelta())
        if a != b:
            sign = "+" if b > a else "-"
            parts.append(f"{role} {sign}{_hours(abs(b - a))}")
    return f"{_hours(change.total_before)} -> {_hours(change.total_after)} ({', '.join(parts)})"


def diff_text(
    config: Config, moves: Sequence[Move], loads: Sequence[LoadChange], warnings: Sequence[Problem]
) -> str:
    if not moves and not loads and not warnings:
        return "No slot changes: everyone holds the same roles at the same times."
    lines = [f"{len(moves)} slot change(s):"] if moves else ["No slot changes."]
    for move in moves:
        lines.append(
            f"  {_role(move):<14} {_span(config, move)}: "
            f"{_who(config, move.before)} -> {_who(config, move.after)}"
        )
    if loads:
        lines.append("Total SET time changes:")
        for change in loads:
            lines.append(f"  {_who(config, change.person)}: {_load_line(change)}")
    if warnings:
        lines.append("New warnings:")
        lines.extend(f"  {w}" for w in warnings)
    return "\n".join(lines)


def diff_markdown(
    config: Config, moves: Sequence[Move], loads: Sequence[LoadChange], warnings: Sequence[Problem]
) -> str:
    lines = [MARKER, "### SET rotation changes", ""]
    if not moves:
        lines.append("No slot changes: everyone holds the same roles at the same times.")
    else:
        lines += ["| role | when | was | now |", "|---|---|---|---|"]
        for move in moves:
            lines.append(
                f"| {_role(move)} | {_span(config, move)} | {_who(config, move.before)} "
                f"| {_who(config, move.after)} |"
            )
    if loads:
        lines += ["", "#### People whose SET load changes", ""]
        lines += [f"- {_who(config, c.person)}: {_load_line(c)}" for c in loads]
    if warnings:
        lines += ["", "#### New validation warnings", ""]
        lines += [f"- `{w.where}`: {w.message}" for w in warnings]
    return "\n".join(lines) + "\n"
