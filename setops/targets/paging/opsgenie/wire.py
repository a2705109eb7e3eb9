"""OpsGenie's wire format (REST v2) <-> the neutral paging objects, normalised.

Pure functions. Reading normalises what the API fills in or rounds (instants to UTC minutes,
participant forms and case, restriction forms, delays in other units), so equal meaning
compares equal; writing sends only what setops means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from setops.targets.paging.importer import Period
from setops.targets.paging.model import (
    EscalationObj,
    OverrideObj,
    Repeat,
    RotationObj,
    Rule,
    ScheduleObj,
)
from setops.targets.paging.wire import (  # shared with JSM Operations; re-exported
    hours_from_wire as hours_from_wire,
)
from setops.targets.paging.wire import hours_to_wire as hours_to_wire
from setops.targets.paging.wire import instant as instant
from setops.targets.paging.wire import rotation_body
from setops.targets.paging.wire import wire_instant as wire_instant

Json = dict[str, Any]
UNIT_MINUTES = {"days": 1440.0, "hours": 60.0, "minutes": 1.0, "seconds": 1 / 60}

# ---- wire format -> neutral objects ------------------------------------------------------


def recipient(data: Mapping[str, Any]) -> str:
    kind = str(data.get("type", ""))
    if kind == "user":
        return str(data.get("username") or data.get("name") or f"user:{data.get('id')}").lower()
    if kind == "none":
        return ":none"
    return f"{kind}:{data.get('name') or data.get('id')}"


def schedule_from_wire(data: Mapping[str, Any]) -> ScheduleObj:
    team = data.get("ownerTeam") or {}
    return ScheduleObj(
        name=str(data["name"]),
        timezone=str(data.get("timezone") or "UTC"),
        owner_team=team.get("name"),
        enabled=bool(data.get("enabled", True)),
        id=data.get("id"),
    )


def rotation_from_wire(schedule: str, data: Mapping[str, Any]) -> RotationObj:
    end = data.get("endDate")
    return RotationObj(
        schedule=schedule,
        name=str(data.get("name") or ""),
        start=instant(data["startDate"]),
        end=instant(end) if end else None,
        participants=tuple(recipient(p) for p in data.get("participants") or []),
        hours=hours_from_wire(data.get("timeRestriction")),
        id=data.get("id"),
    )


def override_from_wire(schedule: str, data: Mapping[str, Any]) -> OverrideObj:
    names = sorted(str(r.get("name") or r.get("id")) for r in data.get("rotations") or [])
    return OverrideObj(
        schedule=schedule,
        alias=str(data["alias"]),
        user=recipient(data.get("user") or {"type": "none"}),
        start=instant(data["startDate"]),
        end=instant(data["endDate"]),
        rotations=tuple(names),
    )


def rule_from_wire(data: Mapping[str, Any]) -> Rule:
    delay = data.get("delay") or {}
    minutes = delay.get("timeAmount", 0) * UNIT_MINUTES.get(delay.get("timeUnit", "minutes"), 1)
    return Rule(
        delay_minutes=round(minutes),
        recipient=recipient(data.get("recipient") or {}),
        condition=str(data.get("condition", "if-not-acked")),
        notify=str(data.get("notifyType", "default")),
    )


def escalation_from_wire(data: Mapping[str, Any]) -> EscalationObj:
    repeat = data.get("repeat") or {}
    count = int(repeat.get("count") or 0)
    return EscalationObj(
        name=str(data["name"]),
        description=str(data.get("description") or ""),
        owner_team=(data.get("ownerTeam") or {}).get("name"),
        rules=tuple(rule_from_wire(r) for r in data.get("rules") or []),
        repeat=Repeat(
            int(repeat.get("waitInterval") or 0),
            count,
            bool(repeat.get("resetRecipientStates")),
            bool(repeat.get("closeAlertAfterAll")),
        )
        if count
        else None,
        id=data.get("id"),
    )


# ---- neutral objects -> wire format ----------------------------------------------------


def user_ref(username: str) -> Json:
    return {"type": "user", "username": username}


def rotation_to_wire(rotation: RotationObj, *, clear_hours: bool = False) -> Json:
    return rotation_body(rotation, user_ref, clear_hours=clear_hours)


def override_to_wire(override: OverrideObj) -> Json:
    return {
        "user": user_ref(override.user),
        "startDate": wire_instant(override.start),
        "endDate": wire_instant(override.end),
        "rotations": [{"name": n} for n in override.rotations],
    }


def escalation_to_wire(escalation: EscalationObj) -> Json:
    rules = []
    for rule in escalation.rules:
        kind, _, name = rule.recipient.partition(":")
        rules.append(
            {
                "condition": rule.condition,
                "notifyType": rule.notify,
                "delay": {"timeAmount": rule.delay_minutes, "timeUnit": "minutes"},
                "recipient": {"type": kind, "name": name},
            }
        )
    repeat = escalation.repeat or Repeat(0, 0)
    body: Json = {
        "name": escalation.name,
        "description": escalation.description,
        "rules": rules,
        "repeat": {
            "waitInterval": repeat.after_minutes,
            "count": repeat.times,
            "resetRecipientStates": repeat.reset_recipient_states,
            "closeAlertAfterAll": repeat.close_alert_after_all,
        },
    }
    if escalation.owner_team:
        body["ownerTeam"] = {"name": escalation.owner_team}
    return body


def periods_from_wire(schedule: str, timeline: Mapping[str, Any] | None) -> list[Period]:
    out = []
    for rotation in (timeline or {}).get("rotations") or []:
        for period in rotation.get("periods") or []:
            who = recipient(period.get("recipient") or {"type": "none"})
            if ":" in who:  # nobody, or a team or escalation: not a person to import
                continue
            start, end = instant(period["startDate"]), instant(period["endDate"])
            out.append(
                Period(schedule, str(rotation.get("name") or rotation.get("id")), start, end, who)
            )
    return out
