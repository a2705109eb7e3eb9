"""JSM Operations' wire format (REST v1) <-> the neutral paging objects, normalised.

Pure functions. JSM kept OpsGenie's concepts and its instant and restriction shapes
(`paging.wire`), but names everything by id: a schedule's team by `teamId`, people by
Atlassian account id (`{"type": "user", "id": …}`), an override's person as `responder`
and its rotations as `rotationIds`, an escalation rule's schedule by id and its delay in
plain minutes. The ids <-> names maps the backend reads travel in a `Directory`.

People: the neutral objects name a person as the OpsGenie target does (the roster's
`opsgenie:` name, lower case), so one desired state serves both services and a plan reads
the same for either; only here is that turned into the roster's `jira:` account id and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from setops.targets.paging.model import (
    EscalationObj,
    OverrideObj,
    Repeat,
    RotationObj,
    Rule,
    ScheduleObj,
)
from setops.targets.paging.wire import (
    hours_from_wire,
    instant,
    rotation_body,
    wire_instant,
)

Json = dict[str, Any]
DEFAULT_TIMEZONE = "America/New_York"  # what JSM gives a schedule created without one

# setops' mark on the overrides it makes (JSM has no field for one, JSDCLOUD-18644): each
# also names this rotation of its schedule, which ended long ago and so is never on call.
MARK_NAME = "setops: marks setops' overrides (never on call; keep it)"
MARK_START = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)  # a Monday
MARK_END = MARK_START + dt.timedelta(minutes=30)


@dataclass
class Directory:
    """The ids JSM uses for what setops names; filled by reads and by what creates return."""

    accounts: Mapping[str, str]  # person (neutral name) -> Atlassian account id
    teams: dict[str, str] = field(default_factory=dict)  # team id -> name
    schedules: dict[str, str] = field(default_factory=dict)  # schedule name -> id
    rotations: dict[str, dict[str, str]] = field(default_factory=dict)  # schedule -> name -> id
    people: dict[str, str] = field(init=False)  # account id -> person

    def __post_init__(self) -> None:
        self.people = {account: person for person, account in self.accounts.items()}

    def team_id(self, name: str) -> str | None:
        return next((i for i, n in self.teams.items() if n == name), None)

    def schedule_name(self, schedule_id: str) -> str | None:
        return next((n for n, i in self.schedules.items() if i == schedule_id), None)

    def remember(self, schedule: str, data: Mapping[str, Any]) -> None:
        """Note a schedule's id, and its rotations' when the answer carries them."""
        if data.get("id"):
            self.schedules[schedule] = str(data["id"])
        for rotation in data.get("rotations") or []:
            self.remember_rotation(schedule, rotation)

    def remember_rotation(self, schedule: str, data: Mapping[str, Any]) -> None:
        if data.get("id") and data.get("name"):
            self.rotations.setdefault(schedule, {})[str(data["name"])] = str(data["id"])

    def mark(self, schedule: str) -> str | None:
        return self.rotations.get(schedule, {}).get(MARK_NAME)


# ---- wire format -> neutral objects ------------------------------------------------------


def participant(data: Mapping[str, Any], directory: Directory) -> str:
    """A responder as the neutral objects name it: a person, or "<kind>:<name or id>"."""
    kind, ident = str(data.get("type", "")), str(data.get("id") or "")
    if kind == "user":
        return directory.people.get(ident, f"user:{ident}")
    if kind == "noone":
        return ":none"
    if kind == "team":
        return f"team:{directory.teams.get(ident, ident)}"
    if kind == "schedule":
        return f"schedule:{directory.schedule_name(ident) or ident}"
    return f"{kind}:{ident}"


def schedule_from_wire(data: Mapping[str, Any], directory: Directory) -> ScheduleObj:
    team = data.get("teamId")
    return ScheduleObj(
        name=str(data["name"]),
        timezone=str(data.get("timezone") or DEFAULT_TIMEZONE),
        owner_team=directory.teams.get(str(team), str(team)) if team else None,
        enabled=bool(data.get("enabled", True)),
        id=data.get("id"),
    )


def rotation_from_wire(schedule: str, data: Mapping[str, Any], directory: Directory) -> RotationObj:
    end = data.get("endDate")
    return RotationObj(
        schedule=schedule,
        name=str(data.get("name") or ""),
        start=instant(data["startDate"]),
        end=instant(end) if end else None,
        participants=tuple(participant(p, directory) for p in data.get("participants") or []),
        hours=hours_from_wire(data.get("timeRestriction")),
        id=data.get("id"),
    )


def override_from_wire(schedule: str, data: Mapping[str, Any], directory: Directory) -> OverrideObj:
    """An override; `claimed` when it names setops' mark (left out of its rotations)."""
    names = {i: n for n, i in directory.rotations.get(schedule, {}).items()}
    ids = [str(i) for i in data.get("rotationIds") or []]
    mark = directory.mark(schedule)
    alias = str(data["alias"])
    return OverrideObj(
        schedule=schedule,
        alias=alias,
        user=participant(data.get("responder") or {"type": "noone"}, directory),
        start=instant(data["startDate"]),
        end=instant(data["endDate"]),
        rotations=tuple(sorted(names.get(i, i) for i in ids if i != mark)),
        id=alias,
        claimed=mark is not None and mark in ids,
    )


def rule_from_wire(data: Mapping[str, Any], directory: Directory) -> Rule:
    return Rule(
        delay_minutes=int(data.get("delay") or 0),
        recipient=participant(data.get("recipient") or {}, directory),
        condition=str(data.get("condition", "if-not-acked")),
        notify=str(data.get("notifyType", "default")),
    )


def escalation_from_wire(data: Mapping[str, Any], team: str, directory: Directory) -> EscalationObj:
    """An escalation of `team`; a repeat whose wait is 0 is none (JSM's way to say so)."""
    repeat = data.get("repeat") or {}
    wait = int(repeat.get("waitInterval") or 0)
    return EscalationObj(
        name=str(data["name"]),
        description=str(data.get("description") or ""),
        owner_team=team,
        rules=tuple(rule_from_wire(r, directory) for r in data.get("rules") or []),
        repeat=Repeat(
            wait,
            int(repeat.get("count") or 1),
            bool(repeat.get("resetRecipientStates")),
            bool(repeat.get("closeAlertAfterAll")),
        )
        if wait
        else None,
        enabled=data.get("enabled") is not False,
        id=data.get("id"),
    )


# ---- neutral objects -> wire format ------------------------------------------------------


def responder(who: str, directory: Directory) -> Json:
    """A person as JSM names them: {"type": "user", "id": <account id>}."""
    if who == ":none":
        return {"type": "noone"}
    kind, _, ident = who.partition(":") if ":" in who else ("user", "", who)
    if kind == "user":
        return {"type": "user", "id": directory.accounts.get(who, ident)}
    return {"type": kind, "id": ident}


def rotation_to_wire(
    rotation: RotationObj, directory: Directory, *, clear_hours: bool = False
) -> Json:
    return rotation_body(rotation, lambda p: responder(p, directory), clear_hours=clear_hours)


def mark_to_wire() -> Json:
    """setops' mark: a rotation of nobody that ended in 2000, so never on call."""
    return {
        "name": MARK_NAME,
        "startDate": wire_instant(MARK_START),
        "endDate": wire_instant(MARK_END),
        "type": "weekly",
        "length": 1,
        "participants": [{"type": "noone"}],
    }


def schedule_to_wire(
    schedule: ScheduleObj, team_id: str | None, rotations: Sequence[Json] = ()
) -> Json:
    body: Json = {"name": schedule.name, "timezone": schedule.timezone, "enabled": True}
    if team_id:
        body["teamId"] = team_id
    if rotations:  # CreateScheduleRequest: at least one, or none at all
        body["rotations"] = list(rotations)
    return body


def schedule_update_to_wire(schedule: ScheduleObj, team_id: str | None) -> Json:
    # "" makes a schedule global: what a schedule setops owns without a team becomes.
    return {"timezone": schedule.timezone, "enabled": schedule.enabled, "teamId": team_id or ""}


def override_to_wire(override: OverrideObj, directory: Directory, mark: str | None) -> Json:
    """An override on its rotations by id, and on setops' mark when there is one (an
    override of every rotation is left unmarked: naming the mark would narrow it)."""
    ids = directory.rotations.get(override.schedule, {})
    body: Json = {
        "responder": responder(override.user, directory),
        "startDate": wire_instant(override.start),
        "endDate": wire_instant(override.end),
    }
    if override.rotations:
        body["rotationIds"] = [ids[n] for n in override.rotations] + ([mark] if mark else [])
    return body


def escalation_to_wire(escalation: EscalationObj, directory: Directory, team_id: str) -> Json:
    rules = []
    for rule in escalation.rules:
        kind, _, name = rule.recipient.partition(":")
        if kind == "schedule":
            recipient: Json = {"type": "schedule", "id": directory.schedules[name]}
        elif kind == "team":
            recipient = {"type": "team", "id": directory.team_id(name) or name}
        else:
            recipient = responder(rule.recipient, directory)
        rules.append(
            {
                "condition": rule.condition,
                "notifyType": rule.notify,
                # Minutes as configured; 0 (at once) too, though the description says at
                # least 1 (README F): JSM's own first rule notifies at once.
                "delay": rule.delay_minutes,
                "recipient": recipient,
            }
        )
    repeat = escalation.repeat
    return {
        "name": escalation.name,
        "description": escalation.description,
        "rules": rules,
        "enabled": escalation.enabled,
        "repeat": {"waitInterval": 0, "count": 1}
        if repeat is None
        else {
            "waitInterval": repeat.after_minutes,
            "count": repeat.times,
            "resetRecipientStates": repeat.reset_recipient_states,
            "closeAlertAfterAll": repeat.close_alert_after_all,
        },
    }
