"""A stateful fake of the Jira Service Management (JSM) Operations REST API v1: schedules,
schedule rotations, schedule overrides, on-calls, team escalations and the team list (the
subset in ../shared/api-specs/jsm-ops-v1.openapi.json, README section F).

Written from the vendor's description and documentation, independently of setops:
``on_call()`` is the oracle a JSM target is compared against. JSM Operations is OpsGenie's
successor and keeps its schedule semantics, so the pure on-call helpers of
:mod:`tests.fakes.opsgenie` (rotation activity, participant cycling, time restrictions,
:00/:30 rounding) are reused; every field name and body shape here is JSM's.

Vendor facts this fake relies on (spec = jsm-ops-v1.openapi.json):

* Base URL ``https://api.atlassian.com/jsm/ops/api/{cloudId}``; paths ``/v1/...``. The
  fake serves one cloud id; any other is ``404``.
* Auth: HTTP Basic with an Atlassian account e-mail and API token (spec ``basicAuth``;
  developer.atlassian.com/cloud/jira/service-desk-ops/security/basic-auth-for-rest-apis).
  Bad or missing credentials are ``401`` with ``UnauthorizedErrorResponse``
  ``{"code": 401, "message": ...}``. Every operation also lists OAuth2 scopes
  (``read:``/``write:``/``delete:ops-config:jira-service-management``); OAuth itself is
  not faked, but ``token_scopes`` models a *scoped* API token: an operation whose
  documented scopes the token lacks answers the gateway's
  ``{"code": 401, "message": "Unauthorized; scope does not match"}`` (seen in public bug
  reports against api.atlassian.com).
* Other errors: ``ErrorResponses`` ``{"errors": [{"title", "code"}]}``. ``404`` unknown
  ids, ``409`` a schedule or rotation name already taken (documented for those two only),
  ``422`` a payload or query parameter that cannot be validated.
* Ids only, no ``identifierType``: schedules by ``{id}``, rotations/overrides/on-calls under
  ``{scheduleId}``, overrides by ``{alias}`` (server-made: the create body has no alias),
  escalations under ``/v1/teams/{teamId}``.
* Paging: ``offset`` (default 0) and ``size`` (1..50, default 25; escalations 1..100,
  default 20); the answer is ``{"values": [...], "links": {"next": ...}}`` where ``next``
  is relative to the base URL (spec example ``/v1/schedules?offset=50&size=25``) and is
  present only while more items follow. ``size`` is "the maximum number of items that may
  be returned", so the fake returns at most ``max_page_size`` (small by default) to make
  clients follow ``links.next`` instead of assuming full pages.
* Defaults the API fills in and returns: ids and aliases, ``timezone`` America/New_York
  (the schema's default), ``enabled`` true, ``description`` "", rotation ``length`` 1 and
  :00/:30-rounded dates and restriction times, escalation ``repeat`` with its documented
  defaults, ``{"type": "noone"}`` participants without an id.
* Writes are synchronous: every selected operation documents 200/201/204 with the
  resource (or nothing), none documents ``202`` + request id (the source's asynchronous
  team operations, ``enableOperations``/``getTeamRequestStatus``, are not in the subset).
* Overrides are listed only while ongoing or in the future ("Lists all ongoing and future
  overrides"); ``rotationIds`` absent/null means every rotation.
* On-calls: ``GET .../on-calls?date=&flat=``; ``flat=false`` gives
  ``{"onCallParticipants": [{"id", "type"}]}``, ``flat=true`` ``{"onCallUsers": [ids]}``.

Where this fake had to choose (not settled by the subset or the documentation found):
the ``code`` strings in error bodies (``HTTPStatus`` names); 422, not 400, for a body that
is missing or not JSON (no operation documents 400); 422 for a ``size`` out of range on
every list (only listSchedules documents 422); 404 for an unknown team or escalation on
create/update too (documented for list/get/delete only); 422 for an escalation name
already used in its team (no 409 is documented for escalations); ``rotationIds: []``
read like null; escalation ``delay`` 0 accepted (the description says minimum 1);
``links.next`` keeping the other query parameters, ``links`` always present (``{}`` on
the last page); a missing rotation ``name`` becoming "Rotation <n>"; a schedule PATCH
with ``rotations`` replacing them all; team and escalation participants not flattened
into users on the on-call answer; the on-call answer and override windows honour
OpsGenie's semantics (rotations on call together, newest override wins).

Request checking: :class:`JsmSpecChecker` strips the ``/jsm/ops/api/{cloudId}`` prefix
(base.py's checker rewrites ``servers`` to ``/``), repairs the two ``oneOf`` schemas that
no body can satisfy (:func:`repair_unsatisfiable_one_ofs`) and checks Basic auth only
(:func:`keep_basic_auth_only`).
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import functools
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .base import (
    FakeServer,
    Handler,
    HTTPError,
    Request,
    Response,
    SpecChecker,
    find_api_specs,
)
from .opsgenie import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    ROTATION_TYPES,
    WEEKDAYS,
    Rotation,
    format_instant,
    parse_instant,
    rotation_is_active,
    rotation_json,  # the same view: the Rotation schema declares no field nullable
    round_instant,
    round_minutes,
    shift_index,
)

JSM_SPEC_FILE: Final = "jsm-ops-v1.openapi.json"
DEFAULT_CLOUD_ID: Final = "3f6b1c2e-5d4a-4e8f-9a7b-000000000001"
DEFAULT_EMAIL: Final = "setops-bot@example.com"
DEFAULT_API_TOKEN: Final = "fake-atlassian-api-token-0000"
DEFAULT_TIMEZONE: Final = "America/New_York"  # CreateScheduleRequest.timezone default
DEFAULT_MAX_PAGE_SIZE: Final = 3

API_ROOT: Final = "/jsm/ops/api/{cloudId}"
V1: Final = API_ROOT + "/v1"

READ_SCOPE: Final = "read:ops-config:jira-service-management"
WRITE_SCOPE: Final = "write:ops-config:jira-service-management"
DELETE_SCOPE: Final = "delete:ops-config:jira-service-management"

UNAUTHORIZED: Final = "Unauthorized"
SCOPE_MISMATCH: Final = "Unauthorized; scope does not match"

PARTICIPANT_TYPES: Final = ("user", "team", "escalation", "noone")
OVERRIDE_RESPONDER_TYPES: Final = ("user", "noone")
RECIPIENT_TYPES: Final = ("user", "schedule", "team")
ESCALATION_CONDITIONS: Final = ("if-not-acked", "if-not-closed")
NOTIFY_TYPES: Final = ("default", "next", "previous", "users", "admins", "all", "random")
RESTRICTION_TYPES: Final = ("time-of-day", "weekday-and-time-of-day")

Json = dict[str, Any]


def required_scopes(method: str) -> frozenset[str]:
    """The OAuth2 scopes the spec lists for an operation of this method: every read needs
    ``read:``; writes add ``write:`` and deletes ``delete:`` (checked against the spec by
    the tests, so a spec refresh that breaks the pattern is noticed)."""
    method = method.upper()
    if method == "GET":
        return frozenset({READ_SCOPE})
    if method == "DELETE":
        return frozenset({READ_SCOPE, DELETE_SCOPE})
    return frozenset({READ_SCOPE, WRITE_SCOPE})


# ==========================================================================
# Model
# ==========================================================================


@dataclass
class User:
    account_id: str  # Atlassian accountId, e.g. "5b10ac8d82e05b22cc7d4ef5"
    name: str


@dataclass
class Team:
    id: str
    name: str


@dataclass
class Override:
    alias: str
    responder: Json  # {"type": "user", "id": accountId} or {"type": "noone"}
    start: datetime  # aware UTC
    end: datetime
    rotation_ids: list[str] | None  # None: every rotation of the schedule
    sequence: int  # creation/update order: the newest override wins an overlap


@dataclass
class Schedule:
    id: str
    name: str
    description: str
    timezone: str
    enabled: bool
    team_id: str | None
    # OpsGenie's Rotation dataclass is reused as the storage type because the on-call
    # helpers imported from opsgenie.py read exactly its fields; participants are stored
    # in JSM's form ({"type", "id"}).
    rotations: list[Rotation] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class Escalation:
    id: str
    team_id: str
    name: str
    description: str
    enabled: bool
    rules: list[Json]
    repeat: Json


@dataclass(frozen=True)
class PageRule:
    """A list operation's documented ``size`` default and maximum."""

    default: int
    maximum: int


SCHEDULE_PAGING: Final = PageRule(default=25, maximum=50)  # schedules, rotations, overrides
ESCALATION_PAGING: Final = PageRule(default=20, maximum=100)

# ==========================================================================
# The on-call oracle (pure functions of the stored model)
# ==========================================================================


def _utc(instant: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare by wall clock; UTC compares instants.
    return instant.astimezone(UTC)


def covering_override(schedule: Schedule, rotation: Rotation, instant: datetime) -> Override | None:
    """The newest override active at ``instant`` whose ``rotationIds`` include the rotation
    (or that names no rotation, i.e. applies to all)."""
    instant = _utc(instant)
    matching = [
        o
        for o in schedule.overrides.values()
        if o.start <= instant < o.end and (o.rotation_ids is None or rotation.id in o.rotation_ids)
    ]
    return max(matching, key=lambda o: o.sequence, default=None)


def rotation_responder(schedule: Schedule, rotation: Rotation, instant: datetime) -> Json | None:
    """Who one rotation puts on call at ``instant`` (possibly ``noone``), after overrides;
    None when the rotation is not active then (outside its dates or time restriction)."""
    zone = schedule.zone
    if not rotation_is_active(rotation, instant, zone):
        return None
    override = covering_override(schedule, rotation, instant)
    if override is not None:
        return override.responder
    if not rotation.participants:  # JSM does not require participants
        return None
    index = shift_index(rotation, instant, zone) % len(rotation.participants)
    return rotation.participants[index]


def on_call_responders(schedule: Schedule, instant: datetime) -> list[Json]:
    """Every active rotation contributes its responder (all rotations are on call together,
    as in OpsGenie); ``noone`` contributes nobody; duplicates once, in rotation order."""
    seen: set[tuple[str, str]] = set()
    result: list[Json] = []
    for rotation in schedule.rotations:
        responder = rotation_responder(schedule, rotation, instant)
        if responder is None or responder["type"] == "noone":
            continue
        key = (responder["type"], responder["id"])
        if key not in seen:
            seen.add(key)
            result.append(responder)
    return result


# ==========================================================================
# JSON views of the model
# ==========================================================================


def schedule_json(schedule: Schedule, *, with_rotations: bool = True) -> Json:
    body: Json = {
        "id": schedule.id,
        "name": schedule.name,
        "description": schedule.description,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
    }
    if schedule.team_id is not None:
        body["teamId"] = schedule.team_id
    if with_rotations:
        body["rotations"] = [rotation_json(r) for r in schedule.rotations]
    return body


def override_json(override: Override) -> Json:
    body: Json = {
        "alias": override.alias,
        "responder": dict(override.responder),
        "startDate": format_instant(override.start),
        "endDate": format_instant(override.end),
    }
    # The description says "Null if no rotation is specified", but the property is not
    # nullable; leaving it out satisfies both readings.
    if override.rotation_ids is not None:
        body["rotationIds"] = list(override.rotation_ids)
    return body


def escalation_json(escalation: Escalation) -> Json:
    return {
        "id": escalation.id,
        "name": escalation.name,
        "description": escalation.description,
        "rules": copy.deepcopy(escalation.rules),
        "enabled": escalation.enabled,
        "repeat": dict(escalation.repeat),
    }


# ==========================================================================
# Request-body validation (pure; every failure is a 422 the vendor documents)
# ==========================================================================


def invalid(message: str) -> HTTPError:
    return HTTPError(422, message)


def _object(value: object, where: str) -> Json:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object")
    return value


def _text(body: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
    """A string field; missing -> ``default`` (or 422 when there is none); blank -> 422
    ("Name of the schedule. Cannot be empty.")."""
    value = body.get(key)
    if value is None:
        if default is None:
            raise invalid(f"{key} cannot be empty")
        return default
    if not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    if default is None and not value.strip():
        raise invalid(f"{key} cannot be empty")
    return value


def _bool(body: Mapping[str, Any], key: str, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(f"{key} must be a boolean")
    return value


def _int(body: Mapping[str, Any], key: str, low: int, high: int | None, default: int | None) -> int:
    value = body.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        upper = "" if high is None else f" and at most {high}"
        raise invalid(f"{key} must be an integer of at least {low}{upper}")
    return value


def _instant(body: Mapping[str, Any], key: str, *, required: bool) -> datetime | None:
    if body.get(key) is None:
        if required:
            raise invalid(f"{key} cannot be empty")
        return None
    try:
        return parse_instant(body[key])
    except ValueError as exc:
        raise invalid(f"Invalid {key}: {exc}") from None


def _timezone(value: object) -> str:
    try:
        if not isinstance(value, str) or not value:
            raise ValueError
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise invalid(f"Invalid timezone {value!r}") from None
    return value


def normalise_time_restriction(raw: object) -> Json:
    """Validate a timeRestriction as the request schemas describe it (every hour 0..23 and
    minute 0..59 required) and store it rounded to :00/:30 as OpsGenie did."""
    restriction = _object(raw, "timeRestriction")
    kind = restriction.get("type")
    if kind == "time-of-day":
        part = _object(restriction.get("restriction"), "timeRestriction.restriction")
        start = _clock(part, "start") % MINUTES_PER_DAY
        end = _clock(part, "end") % MINUTES_PER_DAY
        return {
            "type": kind,
            "restriction": {
                "startHour": start // 60,
                "startMin": start % 60,
                "endHour": end // 60,
                "endMin": end % 60,
            },
        }
    if kind == "weekday-and-time-of-day":
        parts = restriction.get("restrictions")
        if not isinstance(parts, list) or not parts:
            raise invalid("timeRestriction.restrictions cannot be empty")
        return {"type": kind, "restrictions": [_weekday_part(p) for p in parts]}
    raise invalid(f"Invalid timeRestriction.type {kind!r}; expected one of {RESTRICTION_TYPES}")


def _clock(part: Mapping[str, Any], prefix: str) -> int:
    """Minutes since midnight, rounded; rounding 23:45 up gives 24:00 (callers wrap it)."""
    hour = _int(part, f"{prefix}Hour", 0, 23, None)
    minute = _int(part, f"{prefix}Min", 0, 59, None)
    return round_minutes(hour * 60 + minute)


def _weekday_part(raw: object) -> Json:
    part = _object(raw, "timeRestriction.restrictions[]")
    stored: Json = {}
    for prefix in ("start", "end"):
        day = part.get(f"{prefix}Day")
        if day not in WEEKDAYS:
            raise invalid(f"Invalid timeRestriction {prefix}Day {day!r}")
        clock = _clock(part, prefix)
        # 24:00 after rounding is 00:00 of the next day; Sunday wraps to Monday.
        minute_of_week = (WEEKDAYS.index(day) * MINUTES_PER_DAY + clock) % MINUTES_PER_WEEK
        day_index, clock = divmod(minute_of_week, MINUTES_PER_DAY)
        stored[f"{prefix}Day"] = WEEKDAYS[day_index]
        stored[f"{prefix}Hour"] = clock // 60
        stored[f"{prefix}Min"] = clock % 60
    keys = ("startDay", "startHour", "startMin", "endDay", "endHour", "endMin")
    return {k: stored[k] for k in keys}


def _repeat(raw: object) -> Json:
    """EscalationRepeat with its documented defaults filled in."""
    repeat = {} if raw is None else _object(raw, "repeat")
    return {
        "waitInterval": _int(repeat, "waitInterval", 0, None, 0),
        "count": _int(repeat, "count", 1, 20, 1),
        "resetRecipientStates": _bool(repeat, "resetRecipientStates", False),
        "closeAlertAfterAll": _bool(repeat, "closeAlertAfterAll", False),
    }


# ==========================================================================
# Spec checking: base path and the two unsatisfiable oneOf schemas
# ==========================================================================

_API_PREFIX: Final = re.compile(r"^/jsm/ops/api/[^/]+(?=/)")

# Each restriction branch names its own type only as a ``default``; making that value an
# ``enum`` is the discriminator the description evidently intends.
_RESTRICTION_BRANCHES: Final = {
    "TimeOfDayTimeRestrictionRequest": "time-of-day",
    "WeekdayTimeRestrictionRequest": "weekday-and-time-of-day",
    "TimeOfDayTimeRestriction": "time-of-day",
    "WeekdayTimeRestriction": "weekday-and-time-of-day",
}
# The on-call answer is one shape or the other depending on ``flat``; each shape is told
# apart by the one property it has.
_ON_CALL_BRANCHES: Final = {
    "OnCallParticipants": "onCallParticipants",
    "OnCallUsers": "onCallUsers",
}


def repair_unsatisfiable_one_ofs(spec: Json) -> list[str]:
    """Make the two ``oneOf`` schemas of README section F satisfiable; returns what changed.

    As published, (1) ``timeRestriction`` is ``oneOf`` a time-of-day and a weekday schema
    that each require only a free ``type`` string, so every restriction object matches
    both and fails ``oneOf`` -- any rotation (or schedule) body with a restriction, and any
    rotation answer carrying one, is "invalid"; (2) ``OnCallResponse`` is ``oneOf``
    ``OnCallParticipants``/``OnCallUsers``, neither with a required property, so every
    on-call answer fails the same way. Checking requests against that literally would flag
    every correct client, so the in-memory copy gets (1) ``type: enum [<its default>]``
    per branch and (2) ``required: [<its property>]`` per branch. A restriction of an
    unknown type, or one that fits no branch, is still reported. Nothing else is changed;
    a branch already carrying an enum/required (a fixed spec) is left alone.
    """
    schemas = spec["components"]["schemas"]
    changes: list[str] = []
    for name, kind in _RESTRICTION_BRANCHES.items():
        type_schema = schemas[name]["properties"]["type"]
        if "enum" not in type_schema:
            type_schema["enum"] = [kind]
            changes.append(f"{name}.type: enum [{kind!r}]")
    for name, prop in _ON_CALL_BRANCHES.items():
        if not schemas[name].get("required"):
            schemas[name]["required"] = [prop]
            changes.append(f"{name}: required [{prop!r}]")
    return changes


def keep_basic_auth_only(spec: Json) -> int:
    """Drop the OAuth2 alternative from every operation's ``security``; returns how many
    operations changed. openapi-core cannot evaluate OAuth2 and lets every request pass
    it (with a warning), so a request without any credentials was never reported; the
    fake fakes no OAuth, so Basic is the only way in that it can check."""
    changed = 0
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "security" not in operation:
                continue
            kept = [s for s in operation["security"] if "OAuth2" not in s]
            if kept != operation["security"]:
                operation["security"] = kept
                changed += 1
    return changed


class JsmSpecChecker(SpecChecker):
    """SpecChecker for jsm-ops-v1: strips ``/jsm/ops/api/<cloudId>`` before matching (the
    base class rewrites ``servers`` to ``/``, so the description's paths start at
    ``/v1``) and validates against a copy with :func:`repair_unsatisfiable_one_ofs` and
    :func:`keep_basic_auth_only` applied. Violations still name the full path the client
    used."""

    def __init__(self, spec_file: Path | str, *, strict_query: bool = True) -> None:
        from openapi_core import OpenAPI

        super().__init__(spec_file, strict_query=strict_query)
        # SpecChecker has no hook between loading the file and compiling it, so the
        # compiled description is rebuilt here from the repaired copy.
        self.repairs = repair_unsatisfiable_one_ofs(self._spec)
        self.basic_auth_only_operations = keep_basic_auth_only(self._spec)
        self._app = OpenAPI.from_dict(self._spec)

    @staticmethod
    def for_file(spec_file: Path | str) -> JsmSpecChecker:
        return _shared_jsm_checker(Path(spec_file).resolve())

    def check(self, request: Request) -> list[str]:
        relative = _without_api_prefix(request)
        return _renamed(super().check(relative), relative, request)

    def check_response(self, request: Request, response: Response) -> list[str]:
        relative = _without_api_prefix(request)
        return _renamed(super().check_response(relative, response), relative, request)


@functools.cache
def _shared_jsm_checker(spec_file: Path) -> JsmSpecChecker:
    return JsmSpecChecker(spec_file)


def _without_api_prefix(request: Request) -> Request:
    path = _API_PREFIX.sub("", request.path, count=1)
    raw_path = _API_PREFIX.sub("", request.raw_path, count=1)
    return dataclasses.replace(request, path=path, raw_path=raw_path)


def _renamed(problems: list[str], relative: Request, original: Request) -> list[str]:
    short = f"{relative.method} {relative.path}"
    full = f"{original.method} {original.path}"
    return [full + p[len(short) :] if p.startswith(short) else p for p in problems]


SpecCheckerOption = SpecChecker | None | Literal["auto"]


def _pick_spec_checker(option: SpecCheckerOption) -> SpecChecker | None:
    if option != "auto":
        return option
    specs = find_api_specs()
    if specs is None or not (specs / JSM_SPEC_FILE).is_file():
        return None
    return JsmSpecChecker.for_file(specs / JSM_SPEC_FILE)


# ==========================================================================
# The fake server
# ==========================================================================


class FakeJsmOps(FakeServer):
    """Stateful fake JSM Operations. Seed users and teams, point the client at
    :attr:`api_base` with HTTP Basic ``(email, api_token)``, then inspect the state or ask
    :meth:`on_call`.

    * ``cloud_id``: the one cloud served; other cloud ids are 404.
    * ``token_scopes``: None for a classic API token (every operation allowed); a set of
      scopes for a scoped token, checked against each operation's documented scopes.
    * ``max_page_size``: the most items one page returns (<= the documented maximum).
    * ``now``: the clock for "ongoing and future" overrides and an on-call ``date`` that
      is left out; defaults to the real time.
    * ``round_override_times``: apply OpsGenie's :00/:30 rounding to overrides too.
    """

    def __init__(
        self,
        cloud_id: str = DEFAULT_CLOUD_ID,
        email: str = DEFAULT_EMAIL,
        api_token: str = DEFAULT_API_TOKEN,
        *,
        token_scopes: Iterable[str] | None = None,
        max_page_size: int = DEFAULT_MAX_PAGE_SIZE,
        now: Callable[[], datetime] | None = None,
        round_override_times: bool = True,
        spec_checker: SpecCheckerOption = "auto",
        latency: float = 0.0,
        check_responses: bool = False,
    ) -> None:
        super().__init__(
            spec_checker=_pick_spec_checker(spec_checker),
            latency=latency,
            check_responses=check_responses,
        )
        if max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        self.cloud_id = cloud_id
        self.email = email
        self.api_token = api_token
        self.token_scopes = None if token_scopes is None else frozenset(token_scopes)
        self.max_page_size = max_page_size
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.round_override_times = round_override_times
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.schedules: dict[str, Schedule] = {}
        self.escalations_by_id: dict[str, Escalation] = {}
        self._sequence = 0
        self._register_routes()

    # ---- URLs and credentials ----------------------------------------------------

    @property
    def api_base(self) -> str:
        """``base_url`` + ``/jsm/ops/api/<cloudId>``: what ``links.next`` is relative to."""
        return self.base_url + API_ROOT.format(cloudId=self.cloud_id)

    def api_url(self, path: str) -> str:
        """Full URL of a ``/v1/...`` path for the configured cloud."""
        return self.api_base + path

    @property
    def auth(self) -> tuple[str, str]:
        """``(email, api_token)``, usable as ``requests``' ``auth=``."""
        return (self.email, self.api_token)

    def _register_routes(self) -> None:
        s = V1 + "/schedules/{scheduleId}"
        e = V1 + "/teams/{teamId}/escalations"
        routes: list[tuple[str, str, Handler]] = [
            ("POST", V1 + "/schedules", self._create_schedule),
            ("GET", V1 + "/schedules", self._list_schedules),
            ("GET", V1 + "/schedules/{id}", self._get_schedule),
            ("PATCH", V1 + "/schedules/{id}", self._update_schedule),
            ("DELETE", V1 + "/schedules/{id}", self._delete_schedule),
            ("POST", s + "/rotations", self._create_rotation),
            ("GET", s + "/rotations", self._list_rotations),
            ("GET", s + "/rotations/{id}", self._get_rotation),
            ("PATCH", s + "/rotations/{id}", self._update_rotation),
            ("DELETE", s + "/rotations/{id}", self._delete_rotation),
            ("POST", s + "/overrides", self._create_override),
            ("GET", s + "/overrides", self._list_overrides),
            ("GET", s + "/overrides/{alias}", self._get_override),
            ("PUT", s + "/overrides/{alias}", self._update_override),
            ("DELETE", s + "/overrides/{alias}", self._delete_override),
            ("GET", s + "/on-calls", self._get_on_calls),
            ("POST", e, self._create_escalation),
            ("GET", e, self._list_escalations),
            ("GET", e + "/{id}", self._get_escalation),
            ("PATCH", e + "/{id}", self._update_escalation),
            ("DELETE", e + "/{id}", self._delete_escalation),
            ("GET", V1 + "/teams", self._list_teams),
        ]
        for method, template, handler in routes:
            self.route(method, template, self._guarded(method, handler))

    def _guarded(self, method: str, handler: Handler) -> Handler:
        """Cloud id and token scopes are checked per operation, after Basic auth."""
        needed = required_scopes(method)

        def run(request: Request) -> Response:
            if request.path_params.get("cloudId") != self.cloud_id:
                raise HTTPError(404, "Cloud not found")
            if self.token_scopes is not None and not needed <= self.token_scopes:
                raise HTTPError(401, SCOPE_MISMATCH)
            return handler(request)

        return run

    # ---- seeding and inspection (no HTTP, for tests) -----------------------------

    def seed_user(self, account_id: str, name: str | None = None) -> str:
        """Add an Atlassian account (e.g. ``"5b10ac8d82e05b22cc7d4ef5"``); returns its id."""
        with self.lock:
            self.users[account_id] = User(account_id, name or account_id)
            return account_id

    def seed_team(self, name: str, team_id: str | None = None) -> str:
        with self.lock:
            team = Team(team_id or self._new_id(), name)
            self.teams[team.id] = team
            return team.id

    def seed_schedule(self, payload: Json) -> str:
        """Create a schedule from a CreateScheduleRequest-shaped dict, as the API would."""
        with self.lock:
            return self._do_create_schedule(copy.deepcopy(payload)).id

    def seed_rotation(self, schedule_name: str, payload: Json) -> str:
        with self.lock:
            schedule = self._schedule_by_name(schedule_name)
            rotation = self._new_rotation(schedule.rotations, copy.deepcopy(payload))
            schedule.rotations.append(rotation)
            return rotation.id

    def seed_override(self, schedule_name: str, payload: Json) -> str:
        with self.lock:
            schedule = self._schedule_by_name(schedule_name)
            return self._do_create_override(schedule, copy.deepcopy(payload)).alias

    def seed_escalation(self, team_id: str, payload: Json) -> str:
        with self.lock:
            return self._do_create_escalation(self._team(team_id), copy.deepcopy(payload)).id

    def schedules_by_name(self) -> dict[str, Json]:
        with self.lock:
            return {s.name: schedule_json(s) for s in self.schedules.values()}

    def rotations(self, schedule_name: str) -> list[Json]:
        with self.lock:
            return [rotation_json(r) for r in self._schedule_by_name(schedule_name).rotations]

    def overrides(self, schedule_name: str) -> list[Json]:
        """Every stored override, past ones included (the list endpoint hides those)."""
        with self.lock:
            schedule = self._schedule_by_name(schedule_name)
            return [override_json(o) for o in schedule.overrides.values()]

    def escalations(self, team_id: str) -> list[Json]:
        """The escalations of one team, in creation order."""
        with self.lock:
            return [escalation_json(e) for e in self._team_escalations(self._team(team_id))]

    def on_call(self, schedule_name: str, instant: datetime) -> list[str]:
        """The oracle: account ids of the users on call at ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise ValueError("on_call() needs an aware datetime")
        with self.lock:
            schedule = self._schedule_by_name(schedule_name)
            responders = on_call_responders(schedule, instant)
            return [r["id"] for r in responders if r["type"] == "user"]

    def snapshot(self) -> Json:
        """All vendor state keyed by name, for "a second sync changes nothing" checks.
        Server-made ids are kept on purpose: a delete-and-recreate shows up as a change."""
        with self.lock:
            return {
                "schedules": self.schedules_by_name(),
                "overrides": {
                    s.name: [override_json(o) for o in s.overrides.values()]
                    for s in self.schedules.values()
                },
                "escalations": {
                    t.name: {e.name: escalation_json(e) for e in self._team_escalations(t)}
                    for t in self.teams.values()
                },
            }

    # ---- hooks ---------------------------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        if status == 401:  # UnauthorizedErrorResponse, the gateway's shape
            return {"code": 401, "message": message}
        try:
            code = HTTPStatus(status).name
        except ValueError:
            code = str(status)
        return {"errors": [{"title": message, "code": code}]}

    def before_request(self, request: Request) -> Response | None:
        if not self._authenticated(request):
            return self.error_response(401, UNAUTHORIZED, request)
        if request.json_error is not None:
            # No operation documents 400; an unreadable body is a payload that "cannot be
            # validated" (422), which every write documents.
            return self.error_response(422, "Request body is not valid JSON", request)
        return None

    def _authenticated(self, request: Request) -> bool:
        header = request.header("Authorization") or ""
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        email, _, token = decoded.partition(":")
        return email == self.email and token == self.api_token

    # ---- helpers -------------------------------------------------------------------

    def _new_id(self) -> str:
        return str(uuid.uuid4())

    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def _page(self, request: Request, items: list[Json], rule: PageRule, path: str) -> Json:
        """One page of ``items`` as ``{"values", "links"}`` per the documented paging."""
        offset = _query_int(request, "offset", 0, None, 0)
        size = _query_int(request, "size", 1, rule.maximum, rule.default)
        page = items[offset : offset + min(size, self.max_page_size)]
        links: Json = {}
        following = offset + len(page)
        if following < len(items):
            kept = [
                (k, v) for k, vs in request.query.items() if k not in ("offset", "size") for v in vs
            ]
            query = urllib.parse.urlencode([("offset", following), ("size", size), *kept])
            links["next"] = f"{path}?{query}"
        return {"values": page, "links": links}

    def _schedule_by_name(self, name: str) -> Schedule:
        for schedule in self.schedules.values():
            if schedule.name == name:
                return schedule
        raise HTTPError(404, f"Schedule with name [{name}] not found")

    def _schedule(self, request: Request, param: str = "scheduleId") -> Schedule:
        schedule_id = request.path_params[param]
        if schedule_id not in self.schedules:
            raise HTTPError(404, f"Schedule with id [{schedule_id}] not found")
        return self.schedules[schedule_id]

    def _team(self, team_id: str) -> Team:
        if team_id not in self.teams:
            raise HTTPError(404, f"Team with id [{team_id}] not found")
        return self.teams[team_id]

    def _team_escalations(self, team: Team) -> list[Escalation]:
        return [e for e in self.escalations_by_id.values() if e.team_id == team.id]

    def _team_ref(self, value: object) -> str | None:
        """``teamId`` of a schedule body; "" (documented for update) means global."""
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in self.teams:
            raise invalid(f"Team with id [{value}] does not exist")
        return value

    def _participant(self, raw: object, allowed: tuple[str, ...], where: str) -> Json:
        """Resolve a ResponderInfo/OverrideResponderInfo to its stored form."""
        ref = _object(raw, where)
        kind = ref.get("type")
        if kind not in allowed:
            raise invalid(f"Invalid {where} type {kind!r}; expected one of {allowed}")
        if kind == "noone":
            return {"type": "noone"}
        ident = ref.get("id")
        if not isinstance(ident, str) or not self._exists(kind, ident):
            raise invalid(f"{where}: {kind} with id [{ident}] does not exist")
        return {"type": kind, "id": ident}

    def _exists(self, kind: str, ident: str) -> bool:
        pools: dict[str, Mapping[str, object]] = {
            "user": self.users,
            "team": self.teams,
            "schedule": self.schedules,
            "escalation": self.escalations_by_id,
        }
        return ident in pools.get(kind, {})

    # ---- teams ---------------------------------------------------------------------

    def _list_teams(self, request: Request) -> Response:
        teams = [{"teamId": t.id, "teamName": t.name} for t in self.teams.values()]
        return Response(200, json={"platformTeams": teams})

    # ---- schedules -----------------------------------------------------------------

    def _do_create_schedule(self, body: Json) -> Schedule:
        name = _text(body, "name")
        if any(s.name == name for s in self.schedules.values()):
            raise HTTPError(409, f"Schedule with name [{name}] already exists")
        schedule = Schedule(
            id=self._new_id(),
            name=name,
            description=_text(body, "description", default=""),
            timezone=_timezone(body.get("timezone") or DEFAULT_TIMEZONE),
            enabled=_bool(body, "enabled", True),
            team_id=self._team_ref(body.get("teamId")),
        )
        if "rotations" in body:
            schedule.rotations = self._build_rotations(body["rotations"], allow_empty=False)
        self.schedules[schedule.id] = schedule
        return schedule

    def _build_rotations(self, raw: object, *, allow_empty: bool) -> list[Rotation]:
        if not isinstance(raw, list):
            raise invalid("rotations must be a list")
        if not raw and not allow_empty:  # CreateScheduleRequest: minItems 1
            raise invalid("rotations must have at least 1 item; leave it out instead")
        built: list[Rotation] = []
        for item in raw:
            built.append(self._new_rotation(built, _object(item, "rotations[]")))
        return built

    def _create_schedule(self, request: Request) -> Response:
        schedule = self._do_create_schedule(_body(request))
        return Response(201, json=schedule_json(schedule))

    def _list_schedules(self, request: Request) -> Response:
        expand = {part for v in request.query.get("expand", []) for part in v.split(",")}
        wanted = _name_filter(request.arg("query"))
        items = [
            schedule_json(s, with_rotations="rotation" in expand)
            for s in self.schedules.values()
            if wanted(s.name)
        ]
        body = self._page(request, items, SCHEDULE_PAGING, "/v1/schedules")
        body["_expands"] = ["rotation"]
        return Response(200, json=body)

    def _get_schedule(self, request: Request) -> Response:
        return Response(200, json=schedule_json(self._schedule(request, "id")))

    def _update_schedule(self, request: Request) -> Response:
        schedule = self._schedule(request, "id")
        body = _body(request)
        updated = copy.copy(schedule)  # validate fully before committing anything
        if body.get("name") is not None:
            name = _text(body, "name")
            if any(s.name == name and s.id != schedule.id for s in self.schedules.values()):
                raise HTTPError(409, f"Schedule with name [{name}] already exists")
            updated.name = name
        if body.get("description") is not None:
            updated.description = _text(body, "description", default="")
        if body.get("timezone") is not None:
            updated.timezone = _timezone(body["timezone"])
        if body.get("enabled") is not None:
            updated.enabled = _bool(body, "enabled", schedule.enabled)
        if "teamId" in body:
            updated.team_id = self._team_ref(body["teamId"])
        if body.get("rotations") is not None:  # a PATCH with rotations replaces them all
            updated.rotations = self._build_rotations(body["rotations"], allow_empty=True)
        self.schedules[schedule.id] = updated
        return Response(200, json=schedule_json(updated))

    def _delete_schedule(self, request: Request) -> Response:
        del self.schedules[self._schedule(request, "id").id]
        return Response(204)

    # ---- rotations -----------------------------------------------------------------

    def _new_rotation(self, siblings: list[Rotation], body: Json) -> Rotation:
        name = _text(body, "name", default=f"Rotation {len(siblings) + 1}")
        if not name.strip():
            raise invalid("name cannot be empty")
        if any(r.name == name for r in siblings):
            raise HTTPError(409, f"Rotation with name [{name}] already exists")
        # Placeholders: _apply_rotation_fields fills in and validates every field.
        rotation = Rotation(
            id=self._new_id(),
            name=name,
            type="",
            length=1,
            start=datetime.min.replace(tzinfo=UTC),
            end=None,
            participants=[],
            time_restriction=None,
        )
        self._apply_rotation_fields(rotation, body, creating=True)
        return rotation

    def _apply_rotation_fields(self, rotation: Rotation, body: Json, *, creating: bool) -> None:
        if creating or body.get("type") is not None:
            if body.get("type") not in ROTATION_TYPES:
                raise invalid(f"Invalid rotation type {body.get('type')!r}")
            rotation.type = body["type"]
        if creating or body.get("length") is not None:
            rotation.length = _int(body, "length", 1, None, 1)
        if creating or body.get("startDate") is not None:
            start = _instant(body, "startDate", required=True)
            assert start is not None
            rotation.start = round_instant(start)
        if "endDate" in body:
            end = _instant(body, "endDate", required=False)
            rotation.end = None if end is None else round_instant(end)
        if rotation.end is not None and rotation.end <= rotation.start:
            raise invalid("endDate must be after startDate")
        if creating or body.get("participants") is not None:
            raw = body.get("participants") or []
            if not isinstance(raw, list):
                raise invalid("participants must be a list")
            rotation.participants = [
                self._participant(p, PARTICIPANT_TYPES, "participants[]") for p in raw
            ]
        if "timeRestriction" in body:
            raw_restriction = body["timeRestriction"]
            rotation.time_restriction = (
                None if raw_restriction is None else normalise_time_restriction(raw_restriction)
            )

    def _rotation(self, schedule: Schedule, request: Request) -> Rotation:
        rotation_id = request.path_params["id"]
        for rotation in schedule.rotations:
            if rotation.id == rotation_id:
                return rotation
        raise HTTPError(404, f"Rotation with id [{rotation_id}] not found")

    def _create_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        rotation = self._new_rotation(schedule.rotations, _body(request))
        schedule.rotations.append(rotation)
        return Response(201, json=rotation_json(rotation))

    def _list_rotations(self, request: Request) -> Response:
        schedule = self._schedule(request)
        items = [rotation_json(r) for r in schedule.rotations]
        path = f"/v1/schedules/{_quote(schedule.id)}/rotations"
        return Response(200, json=self._page(request, items, SCHEDULE_PAGING, path))

    def _get_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        return Response(200, json=rotation_json(self._rotation(schedule, request)))

    def _update_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        rotation = self._rotation(schedule, request)
        body = _body(request)
        updated = copy.deepcopy(rotation)  # validate fully before committing anything
        if body.get("name") is not None:
            name = _text(body, "name")
            if any(r.name == name and r.id != rotation.id for r in schedule.rotations):
                raise HTTPError(409, f"Rotation with name [{name}] already exists")
            updated.name = name
        self._apply_rotation_fields(updated, body, creating=False)
        schedule.rotations[schedule.rotations.index(rotation)] = updated
        return Response(200, json=rotation_json(updated))

    def _delete_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        schedule.rotations.remove(self._rotation(schedule, request))
        return Response(204)

    # ---- overrides -----------------------------------------------------------------

    def _override_fields(
        self, schedule: Schedule, body: Json
    ) -> tuple[Json, datetime, datetime, list[str] | None]:
        if body.get("responder") is None:
            raise invalid("responder cannot be empty")
        responder = self._participant(body["responder"], OVERRIDE_RESPONDER_TYPES, "responder")
        start = _instant(body, "startDate", required=True)
        end = _instant(body, "endDate", required=True)
        assert start is not None and end is not None
        if self.round_override_times:
            start, end = round_instant(start), round_instant(end)
        if end <= start:
            raise invalid("endDate must be after startDate")
        return responder, start, end, self._rotation_ids(schedule, body.get("rotationIds"))

    def _rotation_ids(self, schedule: Schedule, raw: object) -> list[str] | None:
        # "Should be null to apply the override to all rotations"; [] is read the same way.
        if raw is None or raw == []:
            return None
        if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
            raise invalid("rotationIds must be a list of rotation ids")
        known = {r.id for r in schedule.rotations}
        unknown = [i for i in raw if i not in known]
        if unknown:
            raise invalid(f"Rotations with ids {unknown} do not exist in the schedule")
        return list(dict.fromkeys(raw))

    def _do_create_override(self, schedule: Schedule, body: Json) -> Override:
        responder, start, end, rotation_ids = self._override_fields(schedule, body)
        # CreateOverrideRequest has no alias: the server makes one (an alias sent anyway
        # is an unknown field and ignored, like any other).
        override = Override(
            self._new_id(), responder, start, end, rotation_ids, self._next_sequence()
        )
        schedule.overrides[override.alias] = override
        return override

    def _override(self, schedule: Schedule, request: Request) -> Override:
        alias = request.path_params["alias"]
        if alias not in schedule.overrides:
            raise HTTPError(404, f"Override with alias [{alias}] not found")
        return schedule.overrides[alias]

    def _create_override(self, request: Request) -> Response:
        override = self._do_create_override(self._schedule(request), _body(request))
        return Response(201, json=override_json(override))

    def _list_overrides(self, request: Request) -> Response:
        schedule = self._schedule(request)
        now = _utc(self.now())
        # "Lists all ongoing and future overrides": finished ones are left out.
        items = [override_json(o) for o in schedule.overrides.values() if o.end > now]
        path = f"/v1/schedules/{_quote(schedule.id)}/overrides"
        return Response(200, json=self._page(request, items, SCHEDULE_PAGING, path))

    def _get_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        return Response(200, json=override_json(self._override(schedule, request)))

    def _update_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        override = self._override(schedule, request)
        responder, start, end, rotation_ids = self._override_fields(schedule, _body(request))
        override.responder, override.start, override.end = responder, start, end
        override.rotation_ids, override.sequence = rotation_ids, self._next_sequence()
        return Response(200, json=override_json(override))

    def _delete_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        del schedule.overrides[self._override(schedule, request).alias]
        return Response(204)

    # ---- on-calls ------------------------------------------------------------------

    def _get_on_calls(self, request: Request) -> Response:
        schedule = self._schedule(request)
        instant = self._query_date(request)
        flat = _query_bool(request, "flat", False)
        responders = on_call_responders(schedule, instant)
        if flat:  # "returns only the user ids of the on-call participants in user type"
            users = [r["id"] for r in responders if r["type"] == "user"]
            return Response(200, json={"onCallUsers": users})
        participants = [{"id": r["id"], "type": r["type"]} for r in responders]
        return Response(200, json={"onCallParticipants": participants})

    def _query_date(self, request: Request) -> datetime:
        raw = request.arg("date")
        if raw is None:
            return self.now()
        try:
            return parse_instant(raw)
        except ValueError:
            # An unescaped "+" in the offset arrives as a space.
            raise invalid(f"Invalid date [{raw}]") from None

    # ---- escalations ---------------------------------------------------------------

    def _do_create_escalation(self, team: Team, body: Json) -> Escalation:
        name = _text(body, "name")
        self._check_escalation_name(team, name, None)
        if body.get("rules") is None:
            raise invalid("rules cannot be empty")
        escalation = Escalation(
            id=self._new_id(),
            team_id=team.id,
            name=name,
            description=_text(body, "description", default=""),
            enabled=_bool(body, "enabled", True),
            rules=self._rules(body["rules"]),
            repeat=_repeat(body.get("repeat")),
        )
        self.escalations_by_id[escalation.id] = escalation
        return escalation

    def _check_escalation_name(self, team: Team, name: str, own_id: str | None) -> None:
        # No 409 is documented for escalations, so a name clash is a validation error.
        if any(e.name == name and e.id != own_id for e in self._team_escalations(team)):
            raise invalid(f"Escalation with name [{name}] already exists in the team")

    def _rules(self, raw: object) -> list[Json]:
        if not isinstance(raw, list):
            raise invalid("rules must be a list")
        return [self._rule(_object(r, "rules[]")) for r in raw]

    def _rule(self, rule: Json) -> Json:
        # EscalationRule requires all four fields.
        condition, notify_type = rule.get("condition"), rule.get("notifyType")
        if condition not in ESCALATION_CONDITIONS:
            raise invalid(f"Invalid rules[].condition {condition!r}")
        if notify_type not in NOTIFY_TYPES:
            raise invalid(f"Invalid rules[].notifyType {notify_type!r}")
        if "delay" not in rule:
            raise invalid("rules[].delay cannot be empty")
        # Delay in minutes; 0 ("notify at once") is accepted although the description
        # says minimum 1 -- the request checker still reports it (README F).
        delay = _int(rule, "delay", 0, None, None)
        if rule.get("recipient") is None:
            raise invalid("rules[].recipient cannot be empty")
        recipient = self._participant(rule["recipient"], RECIPIENT_TYPES, "rules[].recipient")
        return {
            "condition": condition,
            "notifyType": notify_type,
            "delay": delay,
            "recipient": {"id": recipient["id"], "type": recipient["type"]},
        }

    def _escalation(self, request: Request) -> Escalation:
        team = self._team(request.path_params["teamId"])
        escalation_id = request.path_params["id"]
        found = self.escalations_by_id.get(escalation_id)
        if found is None or found.team_id != team.id:
            raise HTTPError(404, f"Escalation with id [{escalation_id}] not found")
        return found

    def _create_escalation(self, request: Request) -> Response:
        team = self._team(request.path_params["teamId"])
        escalation = self._do_create_escalation(team, _body(request))
        return Response(201, json=escalation_json(escalation))

    def _list_escalations(self, request: Request) -> Response:
        team = self._team(request.path_params["teamId"])
        items = [escalation_json(e) for e in self._team_escalations(team)]
        path = f"/v1/teams/{_quote(team.id)}/escalations"
        return Response(200, json=self._page(request, items, ESCALATION_PAGING, path))

    def _get_escalation(self, request: Request) -> Response:
        return Response(200, json=escalation_json(self._escalation(request)))

    def _update_escalation(self, request: Request) -> Response:
        escalation = self._escalation(request)
        body = _body(request)
        updated = copy.deepcopy(escalation)  # validate fully before committing anything
        if body.get("name") is not None:
            updated.name = _text(body, "name")
            self._check_escalation_name(self.teams[escalation.team_id], updated.name, escalation.id)
        if body.get("description") is not None:
            updated.description = _text(body, "description", default="")
        if body.get("enabled") is not None:
            updated.enabled = _bool(body, "enabled", escalation.enabled)
        if body.get("rules") is not None:
            updated.rules = self._rules(body["rules"])
        if body.get("repeat") is not None:
            updated.repeat = _repeat(body["repeat"])
        self.escalations_by_id[escalation.id] = updated
        return Response(200, json=escalation_json(updated))

    def _delete_escalation(self, request: Request) -> Response:
        del self.escalations_by_id[self._escalation(request).id]
        return Response(204)


# ==========================================================================
# Module helpers used by the handlers
# ==========================================================================


def _body(request: Request) -> Json:
    """The JSON object body; every write here documents ``requestBody: required``."""
    if request.json is None:
        raise invalid("Request body is missing")
    if not isinstance(request.json, dict):
        raise invalid("Request body must be a JSON object")
    return dict(request.json)


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def _query_int(request: Request, name: str, low: int, high: int | None, default: int) -> int:
    raw = request.arg(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"Invalid {name} [{raw}]") from None
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and at most {high}"
        raise invalid(f"{name} must be at least {low}{upper}")
    return value


def _query_bool(request: Request, name: str, default: bool) -> bool:
    raw = request.arg(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise invalid(f"Invalid {name} [{raw}]")
    return raw.lower() == "true"


def _name_filter(query: str | None) -> Callable[[str], bool]:
    """listSchedules ``query``: exact match, or a prefix match when it ends with ``*``;
    case-insensitive either way."""
    if not query:
        return lambda name: True
    wanted = query.lower()
    if wanted.endswith("*"):
        prefix = wanted[:-1]
        return lambda name: name.lower().startswith(prefix)
    return lambda name: name.lower() == wanted
