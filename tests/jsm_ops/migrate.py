"""What Atlassian's OpsGenie -> JSM Operations migration carries over, done to the fakes.

Written from the two APIs' shapes, not from setops' JSM code: an OpsGenie site's schedules
(same names, zones, owner team), rotations (same names and dates, participants as Atlassian
account ids), overrides and team escalations (delays in minutes, schedules by id) become
JSM objects. Whether the migration keeps override aliases is not documented, so both are
possible: `keep_aliases` stores them as they were, otherwise JSM makes new ones.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.jsm_ops import FakeJsmOps, Override
from tests.fakes.opsgenie import FakeOpsGenie, parse_instant, round_instant

Json = dict[str, Any]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def migrate(
    source: FakeOpsGenie, target: FakeJsmOps, accounts: dict[str, str], *, keep_aliases: bool
) -> None:
    """Copy `source`'s schedules, overrides and escalations into `target`, whose users
    (`accounts`: OpsGenie username -> account id) and teams exist already."""
    state = source.snapshot()
    teams = {t.name: t.id for t in target.teams.values()}
    ids: dict[str, str] = {}
    for name, schedule in state["schedules"].items():
        ids[name] = target.seed_schedule(
            {
                "name": name,
                "timezone": schedule["timezone"],
                "enabled": schedule["enabled"],
                "teamId": teams[schedule["ownerTeam"]["name"]],
                "rotations": [_rotation(r, accounts) for r in schedule["rotations"]],
            }
        )
    for name, overrides in state["overrides"].items():
        for override in overrides:
            _override(target, name, override, accounts, keep_aliases)
    for escalation in state["escalations"].values():
        team = teams[escalation["ownerTeam"]["name"]]
        target.seed_escalation(team, _escalation(escalation, ids, accounts))


def _who(participant: Json, accounts: dict[str, str]) -> Json:
    if participant["type"] == "user":
        return {"type": "user", "id": accounts[participant["username"].lower()]}
    return {"type": "noone"}


def _rotation(rotation: Json, accounts: dict[str, str]) -> Json:
    body: Json = {k: rotation[k] for k in ("name", "startDate", "type", "length") if k in rotation}
    body["participants"] = [_who(p, accounts) for p in rotation["participants"]]
    for key in ("endDate", "timeRestriction"):
        if key in rotation:
            body[key] = rotation[key]
    return body


def _override(
    target: FakeJsmOps, schedule: str, override: Json, accounts: dict[str, str], keep: bool
) -> None:
    rotations = {r["name"]: r["id"] for r in target.rotations(schedule)}
    rotation_ids = [rotations[r["name"]] for r in override["rotations"]] or None
    body = {
        "responder": _who(override["user"], accounts),
        "startDate": override["startDate"],
        "endDate": override["endDate"],
        "rotationIds": rotation_ids,
    }
    if not keep:
        target.seed_override(schedule, body)
        return
    with target.lock:  # no API sets an alias: the migration itself does
        stored = target._schedule_by_name(schedule)
        alias = override["alias"]
        start = round_instant(parse_instant(override["startDate"]))
        end = round_instant(parse_instant(override["endDate"]))
        target._sequence += 1
        stored.overrides[alias] = Override(
            alias, body["responder"], start, end, rotation_ids, target._sequence
        )


def _escalation(escalation: Json, schedules: dict[str, str], accounts: dict[str, str]) -> Json:
    rules = []
    for rule in escalation["rules"]:
        delay = rule["delay"]
        recipient = rule["recipient"]
        if recipient["type"] == "schedule":
            to = {"type": "schedule", "id": schedules[recipient["name"]]}
        else:
            to = _who(recipient, accounts)
        rules.append(
            {
                "condition": rule["condition"],
                "notifyType": rule["notifyType"],
                "delay": delay["timeAmount"] * UNIT_MINUTES[delay["timeUnit"]],
                "recipient": to,
            }
        )
    return {
        "name": escalation["name"],
        "description": escalation["description"],
        "rules": rules,
        "repeat": escalation.get("repeat"),
    }
