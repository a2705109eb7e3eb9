"""OpsGenie: the paging Backend (which calls, in which order) and the target using it.

The HTTP client is in `client`, the JSON in `wire`. Everything about what to sync lives in
the paging core (`setops.targets.paging`); this package only carries the neutral objects to
and from OpsGenie.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote

from setops.errors import SetopsError
from setops.targets.paging.importer import Period, Timelines
from setops.targets.paging.model import (
    EscalationObj,
    OverrideObj,
    PagingState,
    RotationObj,
    ScheduleObj,
)
from setops.targets.paging.opsgenie.client import OpsGenieClient, opsgenie_url
from setops.targets.paging.opsgenie.wire import (
    Json,
    escalation_from_wire,
    escalation_to_wire,
    override_from_wire,
    override_to_wire,
    periods_from_wire,
    rotation_from_wire,
    rotation_to_wire,
    schedule_from_wire,
    wire_instant,
)
from setops.targets.paging.sync import PagingTarget

BY_NAME = {"identifierType": "name"}
IN_NAMED = {"scheduleIdentifierType": "name"}


def _path(*parts: str) -> str:
    return "/v2/" + "/".join(quote(p, safe="") for p in parts)


class OpsGenieBackend:
    """The paging Backend over OpsGenie's REST v2 API (schedules addressed by name)."""

    def __init__(self, client: OpsGenieClient) -> None:
        self.client = client

    @property
    def requests(self) -> int:
        return self.client.requests

    def read(self, schedules: Sequence[str], escalation: str) -> PagingState:
        """Current state in 2 + one call per existing schedule: every schedule with its
        rotations in one list call, each schedule's overrides, every escalation."""
        listed = self.client.call(
            "GET", "/v2/schedules", "list schedules", params={"expand": "rotation"}, expect=list
        )
        found = {s["name"]: s for s in listed if s.get("name") in schedules}
        rotations, overrides = [], []
        for name, data in found.items():
            rotations += [rotation_from_wire(name, r) for r in data.get("rotations") or []]
            overrides += [override_from_wire(name, o) for o in self._overrides(name)]
        escalations = self.client.call("GET", "/v2/escalations", "list escalations", expect=list)
        mine = next((e for e in escalations if e.get("name") == escalation), None)
        return PagingState(
            schedules={n: schedule_from_wire(data) for n, data in found.items()},
            rotations=tuple(rotations),
            overrides=tuple(overrides),
            escalation=escalation_from_wire(mine) if mine else None,
        )

    def _overrides(self, schedule: str) -> list[Json]:
        what = f"list the overrides of {schedule}"
        path = _path("schedules", schedule, "overrides")
        return list(self.client.call("GET", path, what, params=IN_NAMED, expect=list))

    def user_exists(self, username: str) -> bool:
        what = f"look up user {username}"
        path = _path("users", username)
        return self.client.call("GET", path, what, missing_ok=True, expect=dict) is not None

    # ---- schedules ----

    def find_schedule(self, name: str) -> ScheduleObj | None:
        what = f"read schedule {name}"
        path = _path("schedules", name)
        data = self.client.call("GET", path, what, params=BY_NAME, missing_ok=True, expect=dict)
        return schedule_from_wire(data) if data else None

    def create_schedule(self, schedule: ScheduleObj, rotations: Sequence[RotationObj]) -> None:
        body: Json = {"name": schedule.name, "timezone": schedule.timezone, "enabled": True}
        if schedule.owner_team:
            body["ownerTeam"] = {"name": schedule.owner_team}
        if rotations:  # created with the schedule, in the same request
            body["rotations"] = [rotation_to_wire(r) for r in rotations]
        self.client.call("POST", "/v2/schedules", f"create schedule {schedule.name}", body=body)

    def update_schedule(self, schedule: ScheduleObj, current: ScheduleObj) -> None:
        body: Json = {"timezone": schedule.timezone, "enabled": schedule.enabled}
        if schedule.owner_team:
            body["ownerTeam"] = {"name": schedule.owner_team}
        what = f"update schedule {schedule.name}"
        self.client.call(
            "PATCH", _path("schedules", schedule.name), what, params=BY_NAME, body=body
        )

    # ---- rotations ----

    def find_rotation(self, schedule: str, name: str) -> RotationObj | None:
        what = f"list the rotations of {schedule}"
        path = _path("schedules", schedule, "rotations")
        data = self.client.call("GET", path, what, params=IN_NAMED, expect=list)
        found = next((r for r in data if r.get("name") == name), None)
        return rotation_from_wire(schedule, found) if found else None

    def create_rotation(self, rotation: RotationObj) -> None:
        what = f"create rotation '{rotation.name}' in {rotation.schedule}"
        path = _path("schedules", rotation.schedule, "rotations")
        self.client.call("POST", path, what, params=IN_NAMED, body=rotation_to_wire(rotation))

    def update_rotation(self, rotation: RotationObj, current: RotationObj) -> None:
        what = f"update rotation '{rotation.name}' in {rotation.schedule}"
        path = _path("schedules", rotation.schedule, "rotations", str(current.id))
        body = rotation_to_wire(rotation, clear_hours=current.hours is not None)
        self.client.call("PATCH", path, what, params=IN_NAMED, body=body)

    def delete_rotation(self, current: RotationObj) -> None:
        what = f"delete rotation '{current.name}' in {current.schedule}"
        path = _path("schedules", current.schedule, "rotations", str(current.id))
        self.client.call("DELETE", path, what, params=IN_NAMED, missing_ok=True)

    # ---- overrides ----

    def find_override(self, override: OverrideObj) -> OverrideObj | None:
        schedule, alias = override.schedule, override.alias
        what = f"read override '{alias}' in {schedule}"
        path = _path("schedules", schedule, "overrides", alias)
        data = self.client.call("GET", path, what, params=IN_NAMED, missing_ok=True, expect=dict)
        return override_from_wire(schedule, data) if data else None

    def create_override(self, override: OverrideObj) -> None:
        what = f"create override '{override.alias}' in {override.schedule}"
        body = {"alias": override.alias, **override_to_wire(override)}
        path = _path("schedules", override.schedule, "overrides")
        self.client.call("POST", path, what, params=IN_NAMED, body=body)

    def update_override(self, override: OverrideObj, current: OverrideObj) -> None:
        what = f"update override '{override.alias}' in {override.schedule}"
        path = _path("schedules", override.schedule, "overrides", override.alias)
        self.client.call("PUT", path, what, params=IN_NAMED, body=override_to_wire(override))

    def delete_override(self, current: OverrideObj) -> None:
        what = f"delete override '{current.alias}' in {current.schedule}"
        path = _path("schedules", current.schedule, "overrides", current.alias)
        self.client.call("DELETE", path, what, params=IN_NAMED, missing_ok=True)

    # ---- the escalation ----

    def find_escalation(self, name: str) -> EscalationObj | None:
        what = f"read escalation {name}"
        path = _path("escalations", name)
        data = self.client.call("GET", path, what, params=BY_NAME, missing_ok=True, expect=dict)
        return escalation_from_wire(data) if data else None

    def create_escalation(self, escalation: EscalationObj) -> None:
        what = f"create escalation {escalation.name}"
        self.client.call("POST", "/v2/escalations", what, body=escalation_to_wire(escalation))

    def update_escalation(self, escalation: EscalationObj, current: EscalationObj) -> None:
        what = f"update escalation {escalation.name}"
        path = _path("escalations", str(current.id))
        params = {"identifierType": "id"}
        self.client.call("PATCH", path, what, params=params, body=escalation_to_wire(escalation))

    # ---- import ----

    def timelines(
        self, schedules: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Timelines:
        """Each schedule's base and final timeline over [start, end): one call per schedule."""
        base: list[Period] = []
        final: list[Period] = []
        weeks = max(1, -(-(end - start) // dt.timedelta(weeks=1)))
        for schedule in schedules:
            data = self._timeline(schedule, start, weeks)
            base += periods_from_wire(schedule, data.get("baseTimeline"))
            final += periods_from_wire(schedule, data.get("finalTimeline"))
        return Timelines(tuple(base), tuple(final), start, end)

    def _timeline(self, schedule: str, start: dt.datetime, weeks: int) -> Json:
        params = {
            **BY_NAME,
            "date": wire_instant(start),
            "interval": str(weeks),
            "intervalUnit": "weeks",
            "expand": "base",
        }
        what = f"read the timeline of {schedule}"
        path = _path("schedules", schedule, "timeline")
        return dict(self.client.call("GET", path, what, params=params, expect=dict))


class OpsGenieTarget(PagingTarget):
    """OpsGenie's schedules, rotations, overrides and escalation, from the schedule."""

    name = "opsgenie"
    vendor = "OpsGenie"
    credentials = ("OPSGENIE_API_KEY",)
    key_variable = "OPSGENIE_API_KEY"
    routing_hint = (
        "alerts reach this escalation only through a routing rule: make the default routing "
        "rule of the owner team (Teams > the team > Routing rules) notify it, or nothing pages "
        "the SET"
    )
    import_command = "setops import opsgenie"

    def make_backend(self) -> OpsGenieBackend:
        env = self.context.env
        key = (env.get("OPSGENIE_API_KEY") or "").strip()
        if not key:
            raise SetopsError("opsgenie: set OPSGENIE_API_KEY")
        return OpsGenieBackend(OpsGenieClient(opsgenie_url(env.get("OPSGENIE_API_URL")), key))
