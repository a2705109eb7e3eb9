"""A stateful fake of the OpsGenie REST v2 schedule, rotation, override, on-call,
escalation and user endpoints (the subset in ../shared/api-specs, README section A).

Written from OpsGenie's documentation and its OpenAPI description, independently of
setops: ``on_call()`` is the oracle that ``setops who --at T`` is compared against.

Vendor facts this fake relies on (docs.opsgenie.com, opsgenie-oas, opsgenie-go-sdk-v2):

* Auth: ``Authorization: GenieKey <key>``; a bad key is ``401``.
* Envelopes: ``{"data": ..., "took": <float>, "requestId": <uuid>}``; headers
  ``X-Request-ID`` and ``X-Response-Time``. Writes typed ``SuccessResponse`` in the
  spec also carry ``"result"`` ("Created", "Updated", "Deleted").
* Errors: ``{"message", "took", "requestId"}``; ``422`` adds an ``errors`` map
  (``"Request body is not processable. Please check the errors."``, as in the
  vendor's Go SDK tests); ``400`` only for unparseable JSON; ``409`` for a name that
  is already taken (e.g. "Escalation with [name] [x] already exists.").
* Schedule get/update/timeline read ``identifierType``; rotation, override and
  on-call paths read ``scheduleIdentifierType``. Both default to ``id``; a wrong
  parameter name is therefore ignored and the identifier is taken as an id.
* Rotation ``startDate``/``endDate`` and restriction minutes "may take 0 or 30 as
  value. Otherwise they will be converted to nearest 0 or 30 automatically".
* ``length`` defaults to 1. Participants come back with ``id`` and ``username``.
* All rotations of a schedule are on call together ("cumulative"). The participant
  index advances one step per ``length`` x ``type`` elapsed since ``startDate``
  (adding a participant reshuffles the whole rotation, as users report).
* An override replaces the participants of the rotations it lists, or of every
  rotation when it lists none ("If not provided, all rotations are overridden").
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .base import FakeServer, Fault, HTTPError, Request, Response, SpecChecker, find_api_specs

OPSGENIE_SPEC_FILE: Final = "opsgenie-v2.openapi3.json"
DEFAULT_API_KEY: Final = "fake-genie-key-0000"
TOOK: Final = 0.01
UNPROCESSABLE: Final = "Request body is not processable. Please check the errors."

ROTATION_TYPES: Final = ("daily", "weekly", "hourly")
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RESTRICTION_TYPES: Final = ("time-of-day", "weekday-and-time-of-day")
ESCALATION_CONDITIONS: Final = ("if-not-acked", "if-not-closed")
NOTIFY_TYPES: Final = ("default", "next", "previous", "users", "admins", "all")
TIME_UNITS: Final = ("days", "hours", "minutes", "seconds", "miliseconds", "micros", "nanos")
MINUTES_PER_DAY: Final = 24 * 60
MINUTES_PER_WEEK: Final = 7 * MINUTES_PER_DAY

Json = dict[str, Any]

# ==========================================================================
# Time helpers (pure)
# ==========================================================================


def parse_instant(text: object) -> datetime:
    """OpsGenie's ``yyyy-MM-dd'T'HH:mm:ssZ`` (ISO 8601 with an offset) -> aware UTC."""
    if not isinstance(text, str):
        raise ValueError("date must be a string")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"date {text!r} has no UTC offset")
    return parsed.astimezone(UTC)


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def round_minutes(total_minutes: int) -> int:
    """Round a minute count to the nearest :00 or :30 (ties go up): OpsGenie's rule for
    rotation dates and restriction times. Only the minute-of-hour matters."""
    minute = total_minutes % 60
    base = total_minutes - minute
    if minute < 15:
        return base
    if minute < 45:
        return base + 30
    return base + 60


def round_instant(instant: datetime) -> datetime:
    """Nearest :00/:30 (seconds dropped first), evaluated on the UTC clock."""
    utc = instant.astimezone(UTC).replace(second=0, microsecond=0)
    minute_of_hour = utc.minute
    return utc + timedelta(minutes=round_minutes(minute_of_hour) - minute_of_hour)


def _utc(dt: datetime) -> datetime:
    # Aware datetimes that share a tzinfo compare by wall clock, not by instant;
    # converting to UTC first makes every comparison an instant comparison.
    return dt.astimezone(UTC)


# ==========================================================================
# Model
# ==========================================================================


@dataclass
class User:
    id: str
    username: str
    full_name: str
    time_zone: str = "UTC"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Team:
    id: str
    name: str


@dataclass
class Rotation:
    id: str
    name: str
    type: str
    length: int
    start: datetime  # aware UTC, rounded
    end: datetime | None  # aware UTC, rounded
    participants: list[Json]  # stored form: {"type", "id", "username"|"name"} or {"type": "none"}
    time_restriction: Json | None  # stored (rounded) form


@dataclass
class Override:
    alias: str
    user: Json  # {"type": "user", "id", "username"} or {"type": "none"}
    start: datetime
    end: datetime
    rotations: list[Json]  # [{"id", "name"}]; empty = every rotation
    sequence: int  # creation/update order: the newest override wins an overlap


@dataclass
class Schedule:
    id: str
    name: str
    description: str
    timezone: str
    enabled: bool
    owner_team: Json | None
    rotations: list[Rotation] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def meta(self) -> Json:
        return {"id": self.id, "name": self.name, "enabled": self.enabled}


@dataclass
class Escalation:
    id: str
    name: str
    description: str
    owner_team: Json | None
    rules: list[Json]
    repeat: Json | None


# ==========================================================================
# The on-call oracle (pure functions of the stored model)
# ==========================================================================


def restriction_active(restriction: Json, local: datetime) -> bool:
    """Whether a stored (rounded) timeRestriction covers a wall-clock instant in the
    schedule's zone. An end before the start wraps past midnight (time-of-day) or past
    Sunday (weekday); an end equal to the start covers the whole day/week."""
    minute_of_day = local.hour * 60 + local.minute + local.second / 60
    if restriction["type"] == "time-of-day":
        r = restriction["restriction"]
        start = r["startHour"] * 60 + r["startMin"]
        end = r["endHour"] * 60 + r["endMin"]
        return _in_cyclic_window(minute_of_day, start, end)
    minute_of_week = local.weekday() * MINUTES_PER_DAY + minute_of_day
    for r in restriction["restrictions"]:
        start = (
            WEEKDAYS.index(r["startDay"]) * MINUTES_PER_DAY + r["startHour"] * 60 + r["startMin"]
        )
        end = WEEKDAYS.index(r["endDay"]) * MINUTES_PER_DAY + r["endHour"] * 60 + r["endMin"]
        if _in_cyclic_window(minute_of_week, start, end):
            return True
    return False


def _in_cyclic_window(value: float, start: int, end: int) -> bool:
    if start == end:
        return True
    if start < end:
        return start <= value < end
    return value >= start or value < end


def shift_index(rotation: Rotation, instant: datetime, zone: ZoneInfo) -> int:
    """How many handovers happened between the rotation's start and ``instant``.

    Hourly rotations count elapsed real hours. Daily and weekly rotations hand over at
    the start's wall-clock time in the schedule's zone, so 09:00 stays 09:00 across a
    DST change (a calendar day, not 24 hours)."""
    instant = _utc(instant)
    if rotation.type == "hourly":
        elapsed = (instant - rotation.start).total_seconds()
        return int(elapsed // (3600 * rotation.length))
    step_days = rotation.length * (7 if rotation.type == "weekly" else 1)
    wall_start = rotation.start.astimezone(zone).replace(tzinfo=None)

    def handover(k: int) -> datetime:
        return (wall_start + timedelta(days=k * step_days)).replace(tzinfo=zone).astimezone(UTC)

    days = (instant.astimezone(zone).date() - wall_start.date()).days
    k = days // step_days
    while k > 0 and handover(k) > instant:
        k -= 1
    while handover(k + 1) <= instant:
        k += 1
    return k


def rotation_is_active(rotation: Rotation, instant: datetime, zone: ZoneInfo) -> bool:
    instant = _utc(instant)
    if instant < rotation.start or (rotation.end is not None and instant >= rotation.end):
        return False
    if rotation.time_restriction is None:
        return True
    return restriction_active(rotation.time_restriction, instant.astimezone(zone))


def rotation_participant(rotation: Rotation, instant: datetime, zone: ZoneInfo) -> Json | None:
    """The rotation's own participant at ``instant`` (may be type none), or None when
    the rotation is not active then."""
    if not rotation.participants or not rotation_is_active(rotation, instant, zone):
        return None
    index = shift_index(rotation, instant, zone) % len(rotation.participants)
    return rotation.participants[index]


def covering_override(schedule: Schedule, rotation: Rotation, instant: datetime) -> Override | None:
    """The newest override active at ``instant`` that applies to ``rotation``."""
    instant = _utc(instant)
    matching = [
        o
        for o in schedule.overrides.values()
        if o.start <= instant < o.end
        and (not o.rotations or any(r["id"] == rotation.id for r in o.rotations))
    ]
    return max(matching, key=lambda o: o.sequence, default=None)


def effective_participant(
    schedule: Schedule, rotation: Rotation, instant: datetime
) -> tuple[Json, bool] | None:
    """(participant, overridden) for one rotation at ``instant``; None when inactive."""
    own = rotation_participant(rotation, instant, schedule.zone)
    if own is None:
        return None
    override = covering_override(schedule, rotation, instant)
    if override is not None:
        return override.user, True
    return own, False


def on_call_participants(schedule: Schedule, instant: datetime) -> list[Json]:
    """Everyone on call at ``instant``: every active rotation contributes its (possibly
    overridden) participant; ``none`` contributes nobody; duplicates are listed once,
    in rotation order."""
    seen: set[tuple[str, str]] = set()
    result: list[Json] = []
    for rotation in schedule.rotations:
        found = effective_participant(schedule, rotation, instant)
        if found is None or found[0]["type"] == "none":
            continue
        participant = found[0]
        key = (participant["type"], participant["id"])
        if key not in seen:
            seen.add(key)
            result.append(participant)
    return result


def participant_name(participant: Mapping[str, Any]) -> str:
    return str(participant.get("username") or participant.get("name") or participant.get("id"))


# ==========================================================================
# JSON views of the model
# ==========================================================================


def rotation_json(rotation: Rotation) -> Json:
    body: Json = {
        "id": rotation.id,
        "name": rotation.name,
        "startDate": format_instant(rotation.start),
        "type": rotation.type,
        "length": rotation.length,
        "participants": copy.deepcopy(rotation.participants),
    }
    if rotation.end is not None:
        body["endDate"] = format_instant(rotation.end)
    if rotation.time_restriction is not None:
        body["timeRestriction"] = copy.deepcopy(rotation.time_restriction)
    return body


def schedule_json(schedule: Schedule, *, with_rotations: bool = True) -> Json:
    body: Json = {
        "id": schedule.id,
        "name": schedule.name,
        "description": schedule.description,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
        "rotations": [rotation_json(r) for r in schedule.rotations] if with_rotations else [],
    }
    if schedule.owner_team is not None:
        body["ownerTeam"] = dict(schedule.owner_team)
    return body


def override_json(schedule: Schedule, override: Override) -> Json:
    return {
        "_parent": schedule.meta(),
        "alias": override.alias,
        "user": dict(override.user),
        "startDate": format_instant(override.start),
        "endDate": format_instant(override.end),
        "rotations": [dict(r) for r in override.rotations],
    }


def escalation_json(escalation: Escalation) -> Json:
    body: Json = {
        "id": escalation.id,
        "name": escalation.name,
        "description": escalation.description,
        "rules": copy.deepcopy(escalation.rules),
    }
    if escalation.owner_team is not None:
        body["ownerTeam"] = dict(escalation.owner_team)
    if escalation.repeat is not None:
        body["repeat"] = dict(escalation.repeat)
    return body


def user_json(user: User) -> Json:
    return {
        "id": user.id,
        "username": user.username,
        "fullName": user.full_name,
        "role": {"id": "User", "name": "User"},
        "blocked": False,
        "verified": True,
        "timeZone": user.time_zone,
        "locale": "en_US",
        "createdAt": format_instant(user.created_at),
    }


# ==========================================================================
# Request-body validation helpers
# ==========================================================================


def unprocessable(errors: Mapping[str, str]) -> HTTPError:
    return HTTPError(422, UNPROCESSABLE, errors=dict(errors))


def _require_dict(value: object, where: str) -> Json:
    if not isinstance(value, dict):
        raise unprocessable({where: f"{where} must be an object"})
    return value


def _require_str(body: Mapping[str, Any], key: str, where: str | None = None) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise unprocessable({where or key: f"{key} can not be empty"})
    return value


def _parse_date_field(body: Mapping[str, Any], key: str, *, required: bool) -> datetime | None:
    if body.get(key) is None:
        if required:
            raise unprocessable({key: f"{key} can not be empty"})
        return None
    try:
        return parse_instant(body[key])
    except ValueError as exc:
        raise unprocessable({key: f"Invalid {key}: {exc}"}) from None


def _int_field(body: Mapping[str, Any], key: str, low: int, high: int, where: str) -> int:
    # Missing values count as 0: the vendor's own Go SDK omits zero-valued fields.
    value = body.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise unprocessable({f"{where}#{key}": f"{key} must be an integer in [{low}, {high}]"})
    return value


def normalise_time_restriction(raw: object) -> Json:
    """Validate a timeRestriction and store it rounded to :00/:30."""
    restriction = _require_dict(raw, "timeRestriction")
    kind = restriction.get("type")
    if kind == "time-of-day":
        part = _require_dict(restriction.get("restriction"), "timeRestriction#restriction")
        start = _rounded_clock(part, "start", "timeRestriction#restriction") % MINUTES_PER_DAY
        end = _rounded_clock(part, "end", "timeRestriction#restriction") % MINUTES_PER_DAY
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
            raise unprocessable({"timeRestriction#restrictions": "restrictions can not be empty"})
        return {"type": kind, "restrictions": [_weekday_restriction(p) for p in parts]}
    raise unprocessable({"timeRestriction#type": f"Invalid time restriction type {kind!r}"})


def _rounded_clock(part: Mapping[str, Any], prefix: str, where: str) -> int:
    """Minutes since midnight, rounded to :00/:30; may reach 24:00 (callers wrap it)."""
    hour = _int_field(part, f"{prefix}Hour", 0, 24, where)
    minute = _int_field(part, f"{prefix}Min", 0, 59, where)
    return round_minutes(hour * 60 + minute)


def _weekday_restriction(raw: object) -> Json:
    part = _require_dict(raw, "timeRestriction#restrictions")
    stored: Json = {}
    for prefix in ("start", "end"):
        day = part.get(f"{prefix}Day")
        if day not in WEEKDAYS:
            raise unprocessable({f"timeRestriction#{prefix}Day": f"Invalid {prefix}Day {day!r}"})
        clock = _rounded_clock(part, prefix, "timeRestriction#restrictions")
        # Rounding 23:50 up gives 24:00, i.e. 00:00 of the next day (Sunday wraps to Monday).
        minute_of_week = (WEEKDAYS.index(day) * MINUTES_PER_DAY + clock) % MINUTES_PER_WEEK
        day_index, clock = divmod(minute_of_week, MINUTES_PER_DAY)
        stored[f"{prefix}Day"] = WEEKDAYS[day_index]
        stored[f"{prefix}Hour"] = clock // 60
        stored[f"{prefix}Min"] = clock % 60
    keys = ("startDay", "startHour", "startMin", "endDay", "endHour", "endMin")
    return {k: stored[k] for k in keys}


# ==========================================================================
# The fake server
# ==========================================================================

SpecCheckerOption = SpecChecker | None | Literal["auto"]


class FakeOpsGenie(FakeServer):
    """Stateful fake OpsGenie. Seed users/teams, point the client at ``base_url`` with
    ``Authorization: GenieKey <api_key>``, then inspect state or ask :meth:`on_call`.

    ``account_timezone`` is what a schedule created without ``timezone`` gets (OpsGenie
    uses the account's zone), deliberately not UTC so a client that forgets to send the
    zone is caught. ``round_override_times`` applies the :00/:30 rounding to overrides
    too (OpsGenie documents it for rotations and restrictions).
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        account_timezone: str = "America/New_York",
        spec_checker: SpecCheckerOption = "auto",
        latency: float = 0.0,
        round_override_times: bool = True,
        check_responses: bool = False,
    ) -> None:
        super().__init__(
            spec_checker=_pick_spec_checker(spec_checker),
            latency=latency,
            check_responses=check_responses,
        )
        self.api_key = api_key
        self.account_timezone = account_timezone
        self.round_override_times = round_override_times
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.schedules: dict[str, Schedule] = {}
        self.escalations: dict[str, Escalation] = {}
        self._sequence = 0
        self._register_routes()

    def _register_routes(self) -> None:
        s = "/v2/schedules/{identifier}"
        routes = [
            ("POST", "/v2/schedules", self._create_schedule),
            ("GET", "/v2/schedules", self._list_schedules),
            ("GET", s, self._get_schedule),
            ("PATCH", s, self._update_schedule),
            ("DELETE", s, self._delete_schedule),
            ("GET", s + "/timeline", self._get_timeline),
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
            ("POST", "/v2/escalations", self._create_escalation),
            ("GET", "/v2/escalations", self._list_escalations),
            ("GET", "/v2/escalations/{identifier}", self._get_escalation),
            ("PATCH", "/v2/escalations/{identifier}", self._update_escalation),
            ("DELETE", "/v2/escalations/{identifier}", self._delete_escalation),
            ("GET", "/v2/users/{identifier}", self._get_user),
        ]
        for method, template, handler in routes:
            self.route(method, template, handler)

    # ---- seeding and inspection (no HTTP, for tests) -------------------------

    def seed_user(
        self, username: str, full_name: str | None = None, user_id: str | None = None
    ) -> str:
        """Add a user (username = e-mail address); returns its id."""
        with self.lock:
            user = User(user_id or self._new_id(), username, full_name or username.split("@")[0])
            self.users[user.id] = user
            return user.id

    def seed_team(self, name: str, team_id: str | None = None) -> str:
        with self.lock:
            team = Team(team_id or self._new_id(), name)
            self.teams[team.id] = team
            return team.id

    def seed_schedule(self, payload: Json) -> str:
        """Create a schedule from a CreateSchedulePayload-shaped dict, as the API would."""
        with self.lock:
            return self._do_create_schedule(copy.deepcopy(payload)).id

    def seed_override(self, schedule_name: str, payload: Json) -> str:
        with self.lock:
            schedule = self._schedule_by("name", schedule_name)
            return self._do_create_override(schedule, copy.deepcopy(payload)).alias

    def seed_escalation(self, payload: Json) -> str:
        with self.lock:
            return self._do_create_escalation(copy.deepcopy(payload)).id

    def schedules_by_name(self) -> dict[str, Json]:
        with self.lock:
            return {s.name: schedule_json(s) for s in self.schedules.values()}

    def rotations(self, schedule_name: str) -> list[Json]:
        with self.lock:
            return [rotation_json(r) for r in self._schedule_by("name", schedule_name).rotations]

    def overrides(self, schedule_name: str) -> list[Json]:
        with self.lock:
            schedule = self._schedule_by("name", schedule_name)
            return [override_json(schedule, o) for o in schedule.overrides.values()]

    def escalation(self, name: str) -> Json | None:
        with self.lock:
            found = self._find_escalation("name", name)
            return escalation_json(found) if found else None

    def on_call(self, schedule_name: str, instant: datetime) -> list[str]:
        """The oracle: names (usernames for users) on call at ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise ValueError("on_call() needs an aware datetime")
        with self.lock:
            schedule = self._schedule_by("name", schedule_name)
            return [participant_name(p) for p in on_call_participants(schedule, instant)]

    def snapshot(self) -> Json:
        """All vendor state keyed by name, for "a second sync changes nothing" checks.
        Server-made ids are kept on purpose: a delete-and-recreate shows up as a change."""
        with self.lock:
            return {
                "schedules": self.schedules_by_name(),
                "overrides": {
                    s.name: [override_json(s, o) for o in s.overrides.values()]
                    for s in self.schedules.values()
                },
                "escalations": {e.name: escalation_json(e) for e in self.escalations.values()},
            }

    def throttle(
        self,
        *,
        method: str | None = None,
        path: str = "",
        times: int | None = 1,
        skip: int = 0,
        retry_after: int | None = None,
    ) -> Fault:
        """Inject OpsGenie's 429 (with its X-RateLimit-* headers) for matching requests."""
        headers = {
            "X-RateLimit-State": "THROTTLED",
            "X-RateLimit-Reason": "INTEGRATION",
            "X-RateLimit-Period-In-Sec": "1",
        }
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        fault = Fault(method=method, path=path, status=429, headers=headers, times=times, skip=skip)
        return self.faults.add(fault)

    # ---- hooks ---------------------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        body: Json = {"message": message, **extra}
        body["took"] = TOOK
        body["requestId"] = _request_id(request)
        return body

    def before_request(self, request: Request) -> Response | None:
        _request_id(request)
        if request.header("Authorization") != f"GenieKey {self.api_key}":
            return self.error_response(401, "Could not authenticate", request)
        if request.json_error is not None:
            return self.error_response(400, "Invalid JSON body", request)
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        response.headers.setdefault("X-Request-ID", _request_id(request))
        response.headers.setdefault("X-Response-Time", str(TOOK))
        response.headers.setdefault("X-RateLimit-State", "OK")
        return response

    # ---- envelopes -----------------------------------------------------------

    def _ok(
        self,
        request: Request,
        data: Any = None,
        *,
        status: int = 200,
        result: str | None = None,
        **extra: Any,
    ) -> Response:
        body: Json = {}
        if result is not None:
            body["result"] = result
        if data is not None:
            body["data"] = data
        body.update(extra)
        body["took"] = TOOK
        body["requestId"] = _request_id(request)
        return Response(status, json=body)

    def _new_id(self) -> str:
        return str(uuid.uuid4())

    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    # ---- lookups ---------------------------------------------------------------

    def _identifier_type(self, request: Request, param: str) -> str:
        kind = request.arg(param) or "id"
        if kind not in ("id", "name"):
            raise HTTPError(422, f"Invalid {param} [{kind}]; possible values are id and name")
        return kind

    def _schedule_by(self, kind: str, identifier: str) -> Schedule:
        for schedule in self.schedules.values():
            if (schedule.id if kind == "id" else schedule.name) == identifier:
                return schedule
        raise HTTPError(404, f"No schedule exists with {kind} [{identifier}]")

    def _schedule(self, request: Request, param: str = "scheduleIdentifierType") -> Schedule:
        kind = self._identifier_type(request, param)
        return self._schedule_by(kind, request.path_params["identifier"])

    def _find_escalation(self, kind: str, identifier: str) -> Escalation | None:
        for escalation in self.escalations.values():
            if (escalation.id if kind == "id" else escalation.name) == identifier:
                return escalation
        return None

    def _escalation(self, request: Request) -> Escalation:
        kind = self._identifier_type(request, "identifierType")
        identifier = request.path_params["identifier"]
        found = self._find_escalation(kind, identifier)
        if found is None:
            raise HTTPError(404, f"No escalation exists with {kind} [{identifier}]")
        return found

    def _find_user(self, ref: Mapping[str, Any]) -> User | None:
        if ref.get("id") is not None:
            return self.users.get(str(ref["id"]))
        username = str(ref.get("username") or ref.get("name") or "").lower()
        # OpsGenie usernames are e-mail addresses, compared case-insensitively.
        return next((u for u in self.users.values() if u.username.lower() == username), None)

    def _find_team(self, ref: Mapping[str, Any]) -> Team | None:
        if ref.get("id") is not None:
            return self.teams.get(str(ref["id"]))
        return next((t for t in self.teams.values() if t.name == ref.get("name")), None)

    def _owner_team(self, raw: object) -> Json | None:
        if raw is None:
            return None
        team = self._find_team(_require_dict(raw, "ownerTeam"))
        if team is None:
            raise unprocessable({"ownerTeam": f"Team {raw!r} does not exist"})
        return {"id": team.id, "name": team.name}

    def _recipient(self, raw: object, where: str, allowed: tuple[str, ...]) -> Json:
        """Resolve a Recipient ({type, id|username|name}) to its stored form."""
        ref = _require_dict(raw, where)
        kind = str(ref.get("type"))
        if kind not in allowed:
            raise unprocessable({f"{where}#type": f"Invalid recipient type {kind!r}"})
        if kind == "none":
            return {"type": "none"}
        if kind == "user":
            user = self._find_user(ref)
            if user is None:
                raise unprocessable({where: f"User {_ref_text(ref)} does not exist"})
            return {"type": "user", "id": user.id, "username": user.username}
        target = self._find_named(kind, ref)
        if target is None:
            raise unprocessable({where: f"{kind.capitalize()} {_ref_text(ref)} does not exist"})
        return {"type": kind, "id": target[0], "name": target[1]}

    def _find_named(self, kind: str, ref: Mapping[str, Any]) -> tuple[str, str] | None:
        pools: dict[str, Iterable[Team | Schedule | Escalation]] = {
            "team": self.teams.values(),
            "schedule": self.schedules.values(),
            "escalation": self.escalations.values(),
        }
        for item in pools.get(kind, ()):
            if item.id == ref.get("id") or (ref.get("id") is None and item.name == ref.get("name")):
                return item.id, item.name
        return None

    # ---- schedules -------------------------------------------------------------

    def _create_schedule(self, request: Request) -> Response:
        schedule = self._do_create_schedule(_body(request))
        return self._ok(request, schedule.meta(), status=201)

    def _do_create_schedule(self, body: Json) -> Schedule:
        name = _require_str(body, "name")
        if any(s.name == name for s in self.schedules.values()):
            raise HTTPError(409, f"Schedule with [name] [{name}] already exists.")
        schedule = Schedule(
            id=self._new_id(),
            name=name,
            description=str(body.get("description") or ""),
            timezone=_timezone(body.get("timezone") or self.account_timezone),
            enabled=body.get("enabled") is not False,  # null or absent: enabled
            owner_team=self._owner_team(body.get("ownerTeam")),
        )
        schedule.rotations = self._build_rotations(schedule, body.get("rotations") or [])
        self.schedules[schedule.id] = schedule
        return schedule

    def _build_rotations(self, schedule: Schedule, raw: object) -> list[Rotation]:
        if not isinstance(raw, list):
            raise unprocessable({"rotations": "rotations must be a list"})
        built: list[Rotation] = []
        for item in raw:
            rotation = self._new_rotation(schedule, _require_dict(item, "rotations"), built)
            built.append(rotation)
        return built

    def _list_schedules(self, request: Request) -> Response:
        expand = _csv_values(request, "expand")
        data = [
            schedule_json(s, with_rotations="rotation" in expand) for s in self.schedules.values()
        ]
        return self._ok(request, data, expandable=["rotation"])

    def _get_schedule(self, request: Request) -> Response:
        return self._ok(request, schedule_json(self._schedule(request, "identifierType")))

    def _update_schedule(self, request: Request) -> Response:
        schedule = self._schedule(request, "identifierType")
        body = _body(request)
        if "name" in body:
            name = _require_str(body, "name")
            if any(s.name == name and s is not schedule for s in self.schedules.values()):
                raise HTTPError(409, f"Schedule with [name] [{name}] already exists.")
            schedule.name = name
        if "description" in body:
            schedule.description = str(body["description"] or "")
        if body.get("timezone") is not None:
            schedule.timezone = _timezone(body["timezone"])
        if body.get("enabled") is not None:
            schedule.enabled = bool(body["enabled"])
        if "ownerTeam" in body:
            schedule.owner_team = self._owner_team(body["ownerTeam"])
        if body.get("rotations") is not None:  # PATCH with rotations replaces them all
            schedule.rotations = self._build_rotations(schedule, body["rotations"])
        return self._ok(request, schedule.meta())

    def _delete_schedule(self, request: Request) -> Response:
        schedule = self._schedule(request, "identifierType")
        del self.schedules[schedule.id]
        return self._ok(request, result="Deleted")

    # ---- rotations -------------------------------------------------------------

    def _new_rotation(
        self, schedule: Schedule, body: Json, siblings: list[Rotation] | None = None
    ) -> Rotation:
        existing = schedule.rotations if siblings is None else siblings
        name = body.get("name") or f"Rotation {len(existing) + 1}"
        if not isinstance(name, str):
            raise unprocessable({"name": "name must be a string"})
        if any(r.name == name for r in existing):
            raise HTTPError(409, f"Rotation with [name] [{name}] already exists.")
        # Placeholder values: _apply_rotation_fields fills in and validates every field.
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
        if creating or "type" in body:
            if body.get("type") not in ROTATION_TYPES:
                raise unprocessable({"type": f"Invalid rotation type {body.get('type')!r}"})
            rotation.type = body["type"]
        if creating or "length" in body:
            length = body.get("length", 1) if creating else body["length"]
            if isinstance(length, bool) or not isinstance(length, int) or length < 1:
                raise unprocessable({"length": "length must be a positive integer"})
            rotation.length = length
        if creating or "startDate" in body:
            start = _parse_date_field(body, "startDate", required=True)
            assert start is not None
            rotation.start = round_instant(start)
        if "endDate" in body:
            end = _parse_date_field(body, "endDate", required=False)
            rotation.end = round_instant(end) if end is not None else None
        if rotation.end is not None and rotation.end <= rotation.start:
            raise unprocessable({"endDate": "endDate must be after startDate"})
        if creating or "participants" in body:
            rotation.participants = self._participants(body.get("participants"))
        if "timeRestriction" in body:
            raw = body["timeRestriction"]
            rotation.time_restriction = None if raw is None else normalise_time_restriction(raw)

    def _participants(self, raw: object) -> list[Json]:
        if not isinstance(raw, list) or not raw:
            raise unprocessable({"participants": "participants can not be empty"})
        allowed = ("user", "team", "escalation", "none")
        return [self._recipient(p, "participants", allowed) for p in raw]

    def _rotation(self, schedule: Schedule, request: Request) -> Rotation:
        rotation_id = request.path_params["id"]
        for rotation in schedule.rotations:
            if rotation.id == rotation_id:
                return rotation
        raise HTTPError(404, f"No rotation exists with id [{rotation_id}]")

    def _create_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        rotation = self._new_rotation(schedule, _body(request))
        schedule.rotations.append(rotation)
        return self._ok(
            request, {"id": rotation.id, "name": rotation.name}, status=201, result="Created"
        )

    def _list_rotations(self, request: Request) -> Response:
        schedule = self._schedule(request)
        return self._ok(request, [rotation_json(r) for r in schedule.rotations])

    def _get_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        data = {**rotation_json(self._rotation(schedule, request)), "_parent": schedule.meta()}
        return self._ok(request, data)

    def _update_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        rotation = self._rotation(schedule, request)
        body = _body(request)
        updated = copy.deepcopy(rotation)  # validate fully before committing anything
        if "name" in body:
            name = _require_str(body, "name")
            if any(r.name == name and r.id != rotation.id for r in schedule.rotations):
                raise HTTPError(409, f"Rotation with [name] [{name}] already exists.")
            updated.name = name
        self._apply_rotation_fields(updated, body, creating=False)
        schedule.rotations[schedule.rotations.index(rotation)] = updated
        return self._ok(request, {"id": updated.id, "name": updated.name}, result="Updated")

    def _delete_rotation(self, request: Request) -> Response:
        schedule = self._schedule(request)
        schedule.rotations.remove(self._rotation(schedule, request))
        return self._ok(request, result="Deleted")

    # ---- overrides -------------------------------------------------------------

    def _override_fields(
        self, schedule: Schedule, body: Json
    ) -> tuple[Json, datetime, datetime, list[Json]]:
        user = self._recipient(body.get("user"), "user", ("user", "none"))
        start = _parse_date_field(body, "startDate", required=True)
        end = _parse_date_field(body, "endDate", required=True)
        assert start is not None and end is not None
        if self.round_override_times:
            start, end = round_instant(start), round_instant(end)
        if end <= start:
            raise unprocessable({"endDate": "endDate must be after startDate"})
        rotations = [self._override_rotation(schedule, r) for r in body.get("rotations") or []]
        return user, start, end, rotations

    def _override_rotation(self, schedule: Schedule, raw: object) -> Json:
        ref = _require_dict(raw, "rotations")
        for rotation in schedule.rotations:
            if rotation.id == ref.get("id") or (
                ref.get("id") is None and rotation.name == ref.get("name")
            ):
                return {"id": rotation.id, "name": rotation.name}
        raise unprocessable({"rotations": f"Rotation {_ref_text(ref)} does not exist"})

    def _do_create_override(self, schedule: Schedule, body: Json) -> Override:
        alias = body.get("alias") or self._new_id()
        if not isinstance(alias, str):
            raise unprocessable({"alias": "alias must be a string"})
        if alias in schedule.overrides:
            raise HTTPError(409, f"Override with [alias] [{alias}] already exists.")
        user, start, end, rotations = self._override_fields(schedule, body)
        override = Override(alias, user, start, end, rotations, self._next_sequence())
        schedule.overrides[alias] = override
        return override

    def _override(self, schedule: Schedule, request: Request) -> Override:
        alias = request.path_params["alias"]
        if alias not in schedule.overrides:
            raise HTTPError(404, f"No override exists with alias [{alias}]")
        return schedule.overrides[alias]

    def _create_override(self, request: Request) -> Response:
        override = self._do_create_override(self._schedule(request), _body(request))
        return self._ok(request, {"alias": override.alias}, status=201)

    def _list_overrides(self, request: Request) -> Response:
        schedule = self._schedule(request)
        return self._ok(request, [override_json(schedule, o) for o in schedule.overrides.values()])

    def _get_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        return self._ok(request, override_json(schedule, self._override(schedule, request)))

    def _update_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        override = self._override(schedule, request)
        user, start, end, rotations = self._override_fields(schedule, _body(request))
        override.user, override.start, override.end = user, start, end
        override.rotations, override.sequence = rotations, self._next_sequence()
        return self._ok(request, {"alias": override.alias})

    def _delete_override(self, request: Request) -> Response:
        schedule = self._schedule(request)
        del schedule.overrides[self._override(schedule, request).alias]
        return self._ok(request, result="Deleted")

    # ---- on-calls and timeline -------------------------------------------------

    def _get_on_calls(self, request: Request) -> Response:
        schedule = self._schedule(request)
        instant = _query_date(request, "date")
        flat = (request.arg("flat") or "false").lower() == "true"
        participants = on_call_participants(schedule, instant)
        data: Json = {"_parent": schedule.meta()}
        if flat:
            data["onCallRecipients"] = [p["username"] for p in participants if p["type"] == "user"]
        else:
            data["onCallParticipants"] = [
                {"id": p["id"], "name": participant_name(p), "type": p["type"]}
                for p in participants
            ]
        return self._ok(request, data)

    def _get_timeline(self, request: Request) -> Response:
        schedule = self._schedule(request, "identifierType")
        start = _query_date(request, "date")
        end = _timeline_end(schedule, start, request)
        expand = _csv_values(request, "expand")
        data: Json = {
            "_parent": schedule.meta(),
            "startDate": format_instant(start),
            "endDate": format_instant(end),
            "finalTimeline": {
                "rotations": timeline_rotations(schedule, start, end, overrides=True)
            },
        }
        if "base" in expand:
            data["baseTimeline"] = {
                "rotations": timeline_rotations(schedule, start, end, overrides=False)
            }
        return self._ok(request, data, expandable=["base", "forwarding", "override"])

    # ---- escalations -----------------------------------------------------------

    def _do_create_escalation(self, body: Json) -> Escalation:
        name = _require_str(body, "name")
        if self._find_escalation("name", name) is not None:
            raise HTTPError(409, f"Escalation with [name] [{name}] already exists.")
        if "rules" not in body:
            raise unprocessable({"rules": "rules can not be empty"})
        escalation = Escalation(
            id=self._new_id(),
            name=name,
            description=str(body.get("description") or ""),
            owner_team=self._owner_team(body.get("ownerTeam")),
            rules=self._rules(body["rules"]),
            repeat=_repeat(body.get("repeat")),
        )
        self.escalations[escalation.id] = escalation
        return escalation

    def _rules(self, raw: object) -> list[Json]:
        if not isinstance(raw, list):
            raise unprocessable({"rules": "rules must be a list"})
        return [self._rule(_require_dict(r, "rules")) for r in raw]

    def _rule(self, rule: Json) -> Json:
        condition = rule.get("condition", "if-not-acked")
        notify_type = rule.get("notifyType", "default")
        if condition not in ESCALATION_CONDITIONS:
            raise unprocessable({"rules#condition": f"Invalid condition {condition!r}"})
        if notify_type not in NOTIFY_TYPES:
            raise unprocessable({"rules#notifyType": f"Invalid notifyType {notify_type!r}"})
        delay = _require_dict(rule.get("delay"), "rules#delay")
        amount, unit = delay.get("timeAmount"), delay.get("timeUnit", "minutes")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise unprocessable(
                {"rules#delay#timeAmount": "timeAmount must be a non-negative integer"}
            )
        if unit not in TIME_UNITS:
            raise unprocessable({"rules#delay#timeUnit": f"Invalid timeUnit {unit!r}"})
        recipient = self._recipient(
            rule.get("recipient"), "rules#recipient", ("user", "team", "schedule")
        )
        return {
            "condition": condition,
            "notifyType": notify_type,
            "delay": {"timeAmount": amount, "timeUnit": unit},
            "recipient": recipient,
        }

    def _create_escalation(self, request: Request) -> Response:
        escalation = self._do_create_escalation(_body(request))
        data = {"id": escalation.id, "name": escalation.name}
        return self._ok(request, data, status=201, result="Created")

    def _list_escalations(self, request: Request) -> Response:
        return self._ok(request, [escalation_json(e) for e in self.escalations.values()])

    def _get_escalation(self, request: Request) -> Response:
        return self._ok(request, escalation_json(self._escalation(request)))

    def _update_escalation(self, request: Request) -> Response:
        escalation = self._escalation(request)
        body = _body(request)
        updated = copy.deepcopy(escalation)  # validate fully before committing anything
        if "name" in body:
            name = _require_str(body, "name")
            clash = self._find_escalation("name", name)
            if clash is not None and clash.id != escalation.id:
                raise HTTPError(409, f"Escalation with [name] [{name}] already exists.")
            updated.name = name
        if "description" in body:
            updated.description = str(body["description"] or "")
        if "ownerTeam" in body:
            updated.owner_team = self._owner_team(body["ownerTeam"])
        if "rules" in body:
            updated.rules = self._rules(body["rules"])
        if "repeat" in body:
            updated.repeat = _repeat(body["repeat"])
        self.escalations[escalation.id] = updated
        return self._ok(request, {"id": updated.id, "name": updated.name}, result="Updated")

    def _delete_escalation(self, request: Request) -> Response:
        del self.escalations[self._escalation(request).id]
        return self._ok(request, result="Deleted")

    # ---- users -------------------------------------------------------------------

    def _get_user(self, request: Request) -> Response:
        identifier = request.path_params["identifier"]
        user = self.users.get(identifier) or self._find_user({"username": identifier})
        if user is None:
            raise HTTPError(404, f"No user exists with identifier [{identifier}]")
        data = user_json(user)
        if "contact" in _csv_values(request, "expand"):
            data["userContacts"] = [
                {
                    "id": user.id + "-email",
                    "to": user.username,
                    "contactMethod": "email",
                    "enabled": True,
                }
            ]
        return self._ok(request, data, expandable=["contact"])


# ==========================================================================
# Module helpers used by the handlers
# ==========================================================================


def _pick_spec_checker(option: SpecCheckerOption) -> SpecChecker | None:
    if option != "auto":
        return option
    specs = find_api_specs()
    if specs is None or not (specs / OPSGENIE_SPEC_FILE).is_file():
        return None
    return SpecChecker.for_file(specs / OPSGENIE_SPEC_FILE)


def _request_id(request: Request | None) -> str:
    if request is None:
        return str(uuid.uuid4())
    rid = request.context.get("request_id")
    if not isinstance(rid, str):
        rid = str(uuid.uuid4())
        request.context["request_id"] = rid
    return rid


def _body(request: Request) -> Json:
    if request.json is None:
        return {}
    if not isinstance(request.json, dict):
        raise HTTPError(400, "Invalid JSON body")
    return dict(request.json)


def _ref_text(ref: Mapping[str, Any]) -> str:
    for key in ("id", "username", "name"):
        if ref.get(key) is not None:
            return f"with {key} [{ref[key]}]"
    return "without identifier"


def _timezone(value: object) -> str:
    try:
        if not isinstance(value, str) or not value:
            raise ValueError
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise unprocessable({"timezone": f"Invalid timezone {value!r}"}) from None
    return value


def _repeat(raw: object) -> Json | None:
    if raw is None:
        return None
    repeat = _require_dict(raw, "repeat")
    return {
        "waitInterval": repeat.get("waitInterval", 0),
        "count": repeat.get("count", 1),
        "resetRecipientStates": bool(repeat.get("resetRecipientStates", False)),
        "closeAlertAfterAll": bool(repeat.get("closeAlertAfterAll", False)),
    }


def _csv_values(request: Request, name: str) -> set[str]:
    # style=form, explode=false: "a,b" in one value (repeated keys accepted too)
    return {part.strip() for value in request.query.get(name, []) for part in value.split(",")}


def _query_date(request: Request, name: str) -> datetime:
    raw = request.arg(name)
    if raw is None:
        return datetime.now(UTC)
    try:
        return parse_instant(raw)
    except ValueError:
        # An unescaped "+" in the offset arrives as a space: the vendor warns about it.
        raise HTTPError(422, f"Invalid {name} [{raw}]") from None


def _timeline_end(schedule: Schedule, start: datetime, request: Request) -> datetime:
    try:
        interval = int(request.arg("interval") or 1)
    except ValueError:
        raise HTTPError(422, "Invalid interval") from None
    unit = request.arg("intervalUnit") or "weeks"
    if unit == "days":
        return start + timedelta(days=interval)
    if unit == "weeks":
        return start + timedelta(weeks=interval)
    if unit == "months":
        local = start.astimezone(schedule.zone)
        month_index = local.month - 1 + interval
        year, month = local.year + month_index // 12, month_index % 12 + 1
        day = min(local.day, _days_in_month(year, month))
        return local.replace(year=year, month=month, day=day).astimezone(UTC)
    raise HTTPError(422, f"Invalid intervalUnit [{unit}]")


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


TIMELINE_STEP: Final = timedelta(minutes=15)  # every boundary lies on a 15-minute grid


def timeline_rotations(
    schedule: Schedule, start: datetime, end: datetime, *, overrides: bool
) -> list[Json]:
    """Per-rotation periods between ``start`` and ``end``, sampled on the 15-minute grid
    (rotation dates and restriction times are rounded to :00/:30, and zone offsets are
    multiples of 15 minutes, so no boundary falls between samples)."""
    return [
        {
            "id": rotation.id,
            "name": rotation.name,
            "order": float(index + 1),
            "periods": _periods(schedule, rotation, start, end, overrides=overrides),
        }
        for index, rotation in enumerate(schedule.rotations)
    ]


def _periods(
    schedule: Schedule, rotation: Rotation, start: datetime, end: datetime, *, overrides: bool
) -> list[Json]:
    periods: list[Json] = []
    current: tuple[str, str] | None = None  # (period type, participant key)
    for sample, next_sample in _grid(start, end):
        slot = _slot(schedule, rotation, sample, overrides=overrides)
        key = None if slot is None else (slot[1], f"{slot[0]['type']}:{slot[0].get('id')}")
        if key is not None and key == current:
            periods[-1]["endDate"] = format_instant(next_sample)
        elif slot is not None:
            participant, kind = slot
            periods.append(
                {
                    "startDate": format_instant(sample),
                    "endDate": format_instant(next_sample),
                    "type": kind,
                    "recipient": {
                        "id": participant.get("id"),
                        "name": participant_name(participant),
                        "type": participant["type"],
                    },
                }
            )
        current = key
    return periods


def _slot(
    schedule: Schedule, rotation: Rotation, instant: datetime, *, overrides: bool
) -> tuple[Json, str] | None:
    if overrides:
        found = effective_participant(schedule, rotation, instant)
        if found is None or found[0]["type"] == "none":
            return None
        return found[0], "override" if found[1] else "default"
    own = rotation_participant(rotation, instant, schedule.zone)
    if own is None or own["type"] == "none":
        return None
    return own, "default"


def _grid(start: datetime, end: datetime) -> Iterable[tuple[datetime, datetime]]:
    """Consecutive (sample, next) pairs: ``start``, then every 15-minute grid point."""
    start, end = _utc(start), _utc(end)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    step_seconds = TIMELINE_STEP.total_seconds()
    steps = -(-(start - epoch).total_seconds() // step_seconds)  # ceil
    point = start
    next_point = epoch + timedelta(seconds=steps * step_seconds)
    if next_point == start:
        next_point += TIMELINE_STEP
    while point < end:
        upper = min(next_point, end)
        yield point, upper
        point, next_point = upper, next_point + TIMELINE_STEP
