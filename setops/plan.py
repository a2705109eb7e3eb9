"""The plan: typed changes per target, printable as text, JSON and Markdown.

Targets return a `TargetPlan`; `apply` executes exactly its changes. The plan is data: it
holds what differs and why, never a credential.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from setops import markdown as md

Action = Literal["create", "update", "delete"]
ACTION_ORDER: dict[str, int] = {"create": 0, "update": 1, "delete": 2}
SYMBOL = {"create": "+", "update": "~", "delete": "-"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One object to create, update or delete in one target.

    `name` is the object's stable identity in the target (e.g. the deterministic name setops
    gives what it owns); `fields` are what differs (all desired fields for a create, the
    current ones for a delete). `payload` is the target's own data to carry out the change.
    """

    target: str
    action: Action
    kind: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    payload: Any = field(default=None, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "fields": {f.name: {"before": f.before, "after": f.after} for f in self.fields},
        }
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Notice:
    """Something a reader of the plan must know that is not a change (foreign objects, setup)."""

    level: Literal["info", "warning", "error"]
    message: str


@dataclass(frozen=True)
class TargetPlan:
    target: str
    changes: tuple[Change, ...] = ()
    notices: tuple[Notice, ...] = ()
    configured: bool = True
    missing: tuple[str, ...] = ()  # environment variables that are not set
    unsafe: tuple[str, ...] = ()  # why applying needs --force (safety rail), if it does
    # Objects the target does not own that change its outcome (e.g. an override someone made
    # by hand): apply leaves them alone, so they are drift until brought into the YAML.
    drift: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()  # why apply must not start at all, --force or not

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def ordered(self) -> list[Change]:
        """Creates and updates first, deletes last, so nothing is left uncovered mid-apply."""
        return sorted(self.changes, key=lambda c: ACTION_ORDER[c.action])

    def counts(self) -> dict[str, int]:
        return {a: sum(c.action == a for c in self.changes) for a in ACTION_ORDER}


@dataclass(frozen=True)
class Plan:
    targets: tuple[TargetPlan, ...]

    @property
    def has_changes(self) -> bool:
        return any(t.has_changes for t in self.targets)

    @property
    def unconfigured(self) -> list[TargetPlan]:
        return [t for t in self.targets if not t.configured]

    @property
    def has_drift(self) -> bool:
        return any(t.drift for t in self.targets)

    @property
    def blocked(self) -> list[str]:
        return [f"{t.target}: {reason}" for t in self.targets for reason in t.blocked]


def _value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _summary(target: TargetPlan) -> str:
    counts = target.counts()
    return (
        f"{counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete"
    )


def _change_lines(change: Change) -> list[str]:
    head = f"  {SYMBOL[change.action]} {change.kind} {change.name!r}"
    lines = [head + (f"  ({change.reason})" if change.reason else "")]
    for f in change.fields:
        if change.action == "update":
            lines.append(f"      {f.name}: {_value(f.before)} -> {_value(f.after)}")
        else:
            shown = f.after if change.action == "create" else f.before
            lines.append(f"      {f.name}: {_value(shown)}")
    return lines


def summary_text(plan: Plan) -> list[str]:
    """One line per target, before any change: how many creates, updates and deletes."""
    if not plan.targets:
        return []
    width = max(len(t.target) for t in plan.targets)
    lines = ["Summary:"]
    for target in plan.targets:
        state = "" if target.configured else "  (not configured)"
        lines.append(f"  {target.target:<{width}}  {_summary(target)}{state}")
    return [*lines, ""]


def render_text(plan: Plan) -> str:
    lines: list[str] = summary_text(plan)
    for target in plan.targets:
        state = "" if target.configured else " (not configured: showing the state it would push)"
        lines.append(f"{target.target}: {_summary(target)}{state}")
        for notice in target.notices:
            lines.append(f"  {notice.level}: {notice.message}")
        for reason in target.blocked:
            lines.append(f"  cannot apply: {reason}")
        for reason in target.unsafe:
            lines.append(f"  needs --force: {reason}")
        for text in target.drift:
            lines.append(f"  foreign: {text}")
        for change in target.ordered():
            lines.extend(_change_lines(change))
    if not plan.targets:
        lines.append("no targets enabled in policies/integrations.yaml")
    return "\n".join(lines)


def render_markdown(plan: Plan) -> str:
    lines = ["<!-- setops:plan -->", "### setops plan", "", *_summary_table(plan)]
    for target in plan.targets:
        state = "" if target.configured else " — *not configured*"
        lines.append(f"#### {md.text(target.target)}: {_summary(target)}{state}")
        lines.append("")
        lines.extend(f"> **{n.level}**: {md.text(n.message)}" for n in target.notices)
        lines.extend(f"> **cannot apply**: {md.text(reason)}" for reason in target.blocked)
        lines.extend(f"> **needs --force**: {md.text(reason)}" for reason in target.unsafe)
        lines.extend(f"> **foreign**: {md.text(text)}" for text in target.drift)
        if target.notices or target.unsafe or target.blocked or target.drift:
            lines.append("")
        if target.changes:
            lines += ["| | kind | name | what changes |", "|---|---|---|---|"]
            for change in target.ordered():
                what = "<br>".join(_field_md(change, f) for f in change.fields)
                lines.append(
                    f"| {SYMBOL[change.action]} {change.action} | {md.text(change.kind)} | "
                    f"{md.code(change.name, in_table=True)} | {what} |"
                )
            lines.append("")
    return "\n".join(lines) + "\n"


def _summary_table(plan: Plan) -> list[str]:
    if not plan.targets:
        return ["No targets enabled in `policies/integrations.yaml`.", ""]
    lines = ["| target | create | update | delete |", "|---|--:|--:|--:|"]
    for t in plan.targets:
        counts = t.counts()
        name = md.text(t.target) + ("" if t.configured else " (not configured)")
        lines.append(f"| {name} | {counts['create']} | {counts['update']} | {counts['delete']} |")
    return [*lines, ""]


def _field_md(change: Change, f: FieldChange) -> str:
    name = md.code(f.name, in_table=True)
    if change.action == "update":
        before, after = _value(f.before), _value(f.after)
        return f"{name}: {md.code(before, in_table=True)} → {md.code(after, in_table=True)}"
    shown = f.after if change.action == "create" else f.before
    return f"{name}: {md.code(_value(shown), in_table=True)}"


def render_json(plan: Plan) -> str:
    data = {
        "has_changes": plan.has_changes,
        "has_drift": plan.has_drift,
        "targets": [
            {
                "target": t.target,
                "configured": t.configured,
                "missing": list(t.missing),
                "unsafe": list(t.unsafe),
                "blocked": list(t.blocked),
                "drift": list(t.drift),
                "notices": [{"level": n.level, "message": n.message} for n in t.notices],
                "changes": [c.as_json() for c in t.ordered()],
            }
            for t in plan.targets
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """The fields whose values differ between two normalised objects."""
    names: Sequence[str] = list(dict.fromkeys([*after, *before]))
    return tuple(
        FieldChange(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)
    )


def creation_fields(desired: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(n, None, v) for n, v in desired.items())


def deletion_fields(
    current: dict[str, Any], keep: Iterable[str] | None = None
) -> tuple[FieldChange, ...]:
    names = list(keep) if keep is not None else list(current)
    return tuple(FieldChange(n, current.get(n), None) for n in names)
