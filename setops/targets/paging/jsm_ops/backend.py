"""Jira Service Management Operations: the paging Backend and the target using it (REST v1).

OpsGenie's successor keeps its schedule concepts under
`https://api.atlassian.com/jsm/ops/api/{cloudId}/v1`: JSM_OPS_EMAIL and JSM_OPS_API_TOKEN
(an Atlassian account and its API token, HTTP Basic), JSM_OPS_CLOUD_ID (the site's cloud
id), JSM_OPS_API_URL to point elsewhere. Everything about what to sync lives in
`setops.targets.paging`, shared with OpsGenie; this module, `client` (HTTP) and `wire`
(JSON) only carry the neutral objects to and from JSM.

Where JSM's API differs and this backend makes up for it: everything is addressed by id,
so the names setops keeps are mapped to ids as they are read or created; escalations
belong to the owning team; lists come in pages; there is no user look-up; and overrides
get aliases JSM makes itself, so setops marks its own (see `wire.MARK_NAME` and
`paging.unnamed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from setops.errors import SetopsError
from setops.targets.http import create_once
from setops.targets.paging.importer import Timelines
from setops.targets.paging.jsm_ops.client import JsmOpsClient, api_base
from setops.targets.paging.jsm_ops.wire import (
    MARK_NAME,
    Directory,
    escalation_from_wire,
    escalation_to_wire,
    mark_to_wire,
    override_from_wire,
    override_to_wire,
    rotation_from_wire,
    rotation_to_wire,
    schedule_from_wire,
    schedule_to_wire,
    schedule_update_to_wire,
)
from setops.targets.paging.model import (
    EscalationObj,
    OverrideObj,
    PagingState,
    RotationObj,
    ScheduleObj,
)
from setops.targets.paging.sync import PagingTarget

PAGE = 50  # schedules, rotations, overrides: the most a page may hold
ESCALATION_PAGE = 100
Json = dict[str, Any]


def _id(value: str) -> str:
    return quote(value, safe="")


def _obj(answer: Any) -> Json:
    """A write's answer as the object it should be (one without it tells nothing)."""
    return answer if isinstance(answer, dict) else {}


class JsmOpsBackend:
    """The paging Backend over JSM Operations' REST v1 API."""

    def __init__(self, client: JsmOpsClient, owner_team: str, accounts: Mapping[str, str]) -> None:
        self.client = client
        self.owner_team = owner_team
        self.directory = Directory(accounts)
        self._team: str | None = None

    @property
    def requests(self) -> int:
        return self.client.requests

    # ---- reading ----

    def read(self, schedules: Sequence[str], escalation: str) -> PagingState:
        """Current state in 3 + one call per existing schedule (more when a list runs to
        further pages): the teams, every schedule with its rotations, each schedule's
        overrides, the owner team's escalations."""
        team = self.team_id()
        listed = self.client.pages(
            "/v1/schedules", "list schedules", size=PAGE, params={"expand": "rotation"}
        )
        found = {s["name"]: s for s in listed if s.get("name") in schedules}
        rotations: list[RotationObj] = []
        overrides: list[OverrideObj] = []
        for name, data in found.items():
            self.directory.remember(name, data)
            rotations += [
                rotation_from_wire(name, r, self.directory)
                for r in data.get("rotations") or []
                if r.get("name") != MARK_NAME  # setops' mark is no rotation to sync
            ]
            overrides += [
                override_from_wire(name, o, self.directory) for o in self._overrides(name)
            ]
        mine = next((e for e in self._escalations(team) if e.get("name") == escalation), None)
        return PagingState(
            schedules={n: schedule_from_wire(s, self.directory) for n, s in found.items()},
            rotations=tuple(rotations),
            overrides=tuple(overrides),
            escalation=escalation_from_wire(mine, self.owner_team, self.directory)
            if mine
            else None,
        )

    def team_id(self) -> str:
        """The owner team's id (GET /v1/teams, once)."""
        if self._team is None:
            listed = self.client.listing("/v1/teams", "list teams", "platformTeams")
            teams = {str(t["teamId"]): str(t["teamName"]) for t in listed}
            self.directory.teams.update(teams)
            self._team = self.directory.team_id(self.owner_team)
            if self._team is None:
                raise SetopsError(
                    f"jsm-ops: no team {self.owner_team!r} in JSM Operations (teams there: "
                    f"{', '.join(sorted(teams.values())) or 'none'}); create it, or correct "
                    "paging.owner_team in policies/integrations.yaml"
                )
        return self._team

    def _overrides(self, schedule: str) -> list[Json]:
        path = f"/v1/schedules/{_id(self.directory.schedules[schedule])}/overrides"
        return list(self.client.pages(path, f"list the overrides of {schedule}", size=PAGE))

    def _escalations(self, team: str) -> list[Json]:
        path = f"/v1/teams/{_id(team)}/escalations"
        what = f"list the escalations of team {self.owner_team}"
        return list(self.client.pages(path, what, size=ESCALATION_PAGE))

    def user_exists(self, username: str) -> bool:
        """JSM Operations has no user look-up: an unknown account id fails the write that
        names it (HTTP 422, naming the object)."""
        return True

    # ---- schedules ----

    def find_schedule(self, name: str) -> ScheduleObj | None:
        params = {"query": name, "expand": "rotation"}
        listed = self.client.pages(
            "/v1/schedules", f"find schedule {name}", size=PAGE, params=params
        )
        data = next((s for s in listed if s.get("name") == name), None)
        if data is None:
            return None
        self.directory.remember(name, data)
        return schedule_from_wire(data, self.directory)

    def create_schedule(self, schedule: ScheduleObj, rotations: Sequence[RotationObj]) -> None:
        """The schedule with its rotations and setops' mark, in one request."""
        bodies = [rotation_to_wire(r, self.directory) for r in rotations] + [mark_to_wire()]
        body = schedule_to_wire(schedule, self._team_of(schedule), bodies)
        data = self.client.call(
            "POST", "/v1/schedules", f"create schedule {schedule.name}", body=body
        )
        self.directory.remember(schedule.name, _obj(data))

    def update_schedule(self, schedule: ScheduleObj, current: ScheduleObj) -> None:
        what = f"update schedule {schedule.name}"
        path = f"/v1/schedules/{_id(self._schedule_id(schedule.name))}"
        body = schedule_update_to_wire(schedule, self._team_of(schedule))
        self.client.call("PATCH", path, what, body=body)

    def _team_of(self, schedule: ScheduleObj) -> str | None:
        return self.team_id() if schedule.owner_team else None

    def _schedule_id(self, name: str) -> str:
        if name not in self.directory.schedules and self.find_schedule(name) is None:
            raise SetopsError(f"jsm-ops: schedule {name} is not in JSM Operations")
        return self.directory.schedules[name]

    # ---- rotations ----

    def _rotations_path(self, schedule: str) -> str:
        return f"/v1/schedules/{_id(self._schedule_id(schedule))}/rotations"

    def _list_rotations(self, schedule: str) -> list[Json]:
        what = f"list the rotations of {schedule}"
        listed = list(self.client.pages(self._rotations_path(schedule), what, size=PAGE))
        for data in listed:
            self.directory.remember_rotation(schedule, data)
        return listed

    def find_rotation(self, schedule: str, name: str) -> RotationObj | None:
        found = next((r for r in self._list_rotations(schedule) if r.get("name") == name), None)
        return rotation_from_wire(schedule, found, self.directory) if found else None

    def create_rotation(self, rotation: RotationObj) -> None:
        what = f"create rotation '{rotation.name}' in {rotation.schedule}"
        body = rotation_to_wire(rotation, self.directory)
        data = self.client.call("POST", self._rotations_path(rotation.schedule), what, body=body)
        self.directory.remember_rotation(rotation.schedule, _obj(data))

    def update_rotation(self, rotation: RotationObj, current: RotationObj) -> None:
        what = f"update rotation '{rotation.name}' in {rotation.schedule}"
        path = f"{self._rotations_path(rotation.schedule)}/{_id(str(current.id))}"
        body = rotation_to_wire(rotation, self.directory, clear_hours=current.hours is not None)
        self.client.call("PATCH", path, what, body=body)

    def delete_rotation(self, current: RotationObj) -> None:
        what = f"delete rotation '{current.name}' in {current.schedule}"
        path = f"{self._rotations_path(current.schedule)}/{_id(str(current.id))}"
        self.client.call("DELETE", path, what, missing_ok=True)

    def _mark(self, schedule: str) -> str:
        """setops' mark in `schedule`: known, found, or made (once: a lost answer is
        looked up before the mark is made again)."""
        mark = self.directory.mark(schedule)
        if mark is not None:
            return mark
        what = f"create setops' override mark in {schedule}"

        def make() -> str:
            path = self._rotations_path(schedule)
            data = _obj(self.client.call("POST", path, what, body=mark_to_wire()))
            self.directory.remember_rotation(schedule, data)
            made = data.get("id") or find()  # an answer without the id: look it up
            if made is None:
                raise SetopsError(f"jsm-ops: {what}: JSM answered without the rotation's id")
            return str(made)

        def find() -> str | None:
            self._list_rotations(schedule)
            return self.directory.mark(schedule)

        # Its absence is known from the read (or from the schedule's create): make it.
        return create_once(make, find)

    # ---- overrides ----

    def _overrides_path(self, schedule: str) -> str:
        return f"/v1/schedules/{_id(self._schedule_id(schedule))}/overrides"

    def _rotation_ids(self, override: OverrideObj) -> None:
        """Make sure the ids of the override's rotations are known (made in this run)."""
        known = self.directory.rotations.get(override.schedule, {})
        if any(name not in known for name in override.rotations):
            self._list_rotations(override.schedule)
        missing = [
            n for n in override.rotations if n not in self.directory.rotations[override.schedule]
        ]
        if missing:
            raise SetopsError(
                f"jsm-ops: override '{override.alias}' in {override.schedule} names rotations "
                f"JSM Operations does not have: {', '.join(missing)}"
            )

    def _override_body(self, override: OverrideObj) -> Json:
        self._rotation_ids(override)
        mark = self._mark(override.schedule) if override.rotations else None
        return override_to_wire(override, self.directory, mark)

    def find_override(self, override: OverrideObj) -> OverrideObj | None:
        """The override JSM holds with this one's content (JSM names overrides itself)."""
        what = f"list the overrides of {override.schedule}"
        listed = self.client.pages(self._overrides_path(override.schedule), what, size=PAGE)
        found = (override_from_wire(override.schedule, o, self.directory) for o in listed)
        return next((o for o in found if o.same_content(override)), None)

    def create_override(self, override: OverrideObj) -> None:
        what = f"create override '{override.alias}' in {override.schedule}"
        body = self._override_body(override)
        self.client.call("POST", self._overrides_path(override.schedule), what, body=body)

    def update_override(self, override: OverrideObj, current: OverrideObj) -> None:
        what = f"update override '{override.alias}' in {override.schedule}"
        path = f"{self._overrides_path(override.schedule)}/{_id(current.handle)}"
        self.client.call("PUT", path, what, body=self._override_body(override))

    def delete_override(self, current: OverrideObj) -> None:
        what = f"delete override '{current.alias}' in {current.schedule}"
        path = f"{self._overrides_path(current.schedule)}/{_id(current.handle)}"
        self.client.call("DELETE", path, what, missing_ok=True)

    # ---- the escalation (the owner team's) ----

    def _escalations_path(self) -> str:
        return f"/v1/teams/{_id(self.team_id())}/escalations"

    def find_escalation(self, name: str) -> EscalationObj | None:
        found = next((e for e in self._escalations(self.team_id()) if e.get("name") == name), None)
        return escalation_from_wire(found, self.owner_team, self.directory) if found else None

    def _escalation_body(self, escalation: EscalationObj) -> Json:
        for rule in escalation.rules:  # the schedules it pages, by id
            kind, _, name = rule.recipient.partition(":")
            if kind == "schedule":
                self._schedule_id(name)
        return escalation_to_wire(escalation, self.directory, self.team_id())

    def create_escalation(self, escalation: EscalationObj) -> None:
        what = f"create escalation {escalation.name}"
        body = self._escalation_body(escalation)
        self.client.call("POST", self._escalations_path(), what, body=body)

    def update_escalation(self, escalation: EscalationObj, current: EscalationObj) -> None:
        what = f"update escalation {escalation.name}"
        path = f"{self._escalations_path()}/{_id(str(current.id))}"
        self.client.call("PATCH", path, what, body=self._escalation_body(escalation))

    # ---- import ----

    def timelines(
        self, schedules: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Timelines:
        raise SetopsError(
            "jsm-ops: import reads a schedule's timeline, which the JSM Operations API setops "
            "uses does not offer; import from OpsGenie before the move (`setops import "
            "opsgenie`), or write the overrides into rotations/overrides.yaml"
        )


class JsmOpsTarget(PagingTarget):
    """JSM Operations' schedules, rotations, overrides and team escalation, from the
    schedule: the same objects as the OpsGenie target, in JSM's wire format."""

    name = "jsm-ops"
    vendor = "JSM Operations"
    credentials = ("JSM_OPS_EMAIL", "JSM_OPS_API_TOKEN", "JSM_OPS_CLOUD_ID")
    key_variable = "JSM_OPS_API_TOKEN"
    routing_hint = (
        "alerts reach this escalation only through a routing rule: make the default routing "
        "rule of the owner team (Teams > the team > Operations > Routing rules) notify it, "
        "or nothing pages the SET"
    )
    keeps_override_aliases = False  # JSM makes every override's alias itself
    lists_ended_overrides = False  # "lists all ongoing and future overrides"

    def make_backend(self) -> JsmOpsBackend:
        env = self.context.env
        missing = self.missing_credentials()
        if missing:
            raise SetopsError(f"jsm-ops: set {', '.join(missing)}")
        base = api_base(env.get("JSM_OPS_API_URL"), env["JSM_OPS_CLOUD_ID"])
        client = JsmOpsClient(base, env["JSM_OPS_EMAIL"], env["JSM_OPS_API_TOKEN"])
        people = self.context.config.people
        accounts = {p.opsgenie.lower(): p.jira for p in people}
        return JsmOpsBackend(client, self.settings.owner_team, accounts)
