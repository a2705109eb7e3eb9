"""The models of every configuration file: typed, immutable, each node knowing its place.

Field-level rules (types, formats, :00/:30 minutes, known time zones) live here so pydantic
reports them with the value's path; rules that relate values to each other live in
`setops.config.validate`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
)
from pydantic_core import PydanticCustomError

from setops.errors import Location

Role = Literal["lead", "primary", "backup"]
ROLES: tuple[Role, ...] = ("lead", "primary", "backup")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (cached: the same few zones are used thousands of times)."""
    return ZoneInfo(name)


def _check_zone(name: str) -> str:
    try:
        if "/" not in name and name not in ("UTC",):
            raise ZoneInfoNotFoundError(name)
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; {_zone_hint(name)}") from None
    return name


# For a zone given on the command line (--tz), checked as one in a file is.
check_zone = _check_zone


def _zone_hint(name: str) -> str:
    """The IANA name the user probably meant (only computed for a name that is none)."""
    names = {n.lower(): n for n in available_timezones() if "/" in n or n == "UTC"}
    close = difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.8)
    if close:
        return f"did you mean '{names[close[0]]}'?"
    return "use an IANA name such as 'Europe/Berlin'"


def _check_clock(text: str) -> str:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text)
    if not match:
        raise ValueError(f"expected a time as 'HH:MM' (24-hour), got {text!r}")
    if match.group(2) not in ("00", "30"):
        raise ValueError(
            f"{text} is not on :00 or :30; OpsGenie rounds other minutes, "
            "so the person paged would differ from this file"
        )
    return text


def _check_half_hour(value: dt.datetime) -> dt.datetime:
    # OpsGenie keeps instants on :00 and :30 of UTC, so an offset such as +05:45 turns a
    # local 14:00 into 08:15 UTC, which it would round.
    utc = value.astimezone(dt.UTC)
    if utc.minute not in (0, 30) or utc.second or utc.microsecond:
        shown = "" if value.minute % 30 == utc.minute % 30 else f" {utc:%H:%M} UTC,"
        raise ValueError(
            f"{value.isoformat()} is{shown} not on :00 or :30; OpsGenie rounds other minutes, "
            "so the person paged would differ from this file"
        )
    return value


# pydantic reads a number as a Unix timestamp where a date or time is expected, and a
# digit string too; in a YAML file that is always a slip, so only written dates pass.
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
        return value
    raise PydanticCustomError("date_type", "expected a date as YYYY-MM-DD")


def _time_text(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (
        isinstance(value, str) and _TIME_TEXT.fullmatch(value.strip())
    ):
        return value
    raise PydanticCustomError("datetime_type", "expected a time as YYYY-MM-DDTHH:MM:SS+HH:MM")


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
ClockTime = Annotated[str, AfterValidator(_check_clock)]
Date = Annotated[dt.date, BeforeValidator(_date_text)]
HalfHourInstant = Annotated[
    AwareDatetime, BeforeValidator(_time_text), AfterValidator(_check_half_hour)
]
# A whole number as written: pydantic would take true as 1 and 20.0 as 20.
Whole = Annotated[int, Strict()]


class Node(BaseModel):
    """Base of every model: strict about unknown keys, immutable, and aware of its place."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    FILE: ClassVar[str] = ""  # set on the model of a whole file: its path under the root
    _where: Location | None = PrivateAttr(default=None)
    _fields_at: dict[str, Location] = PrivateAttr(default_factory=dict)

    @property
    def where(self) -> Location:
        """The place of this node in its file."""
        return self._where or Location("<unknown>")

    def at(self, field: str) -> Location:
        """The place of one of this node's values (the node itself when not written)."""
        return self._fields_at.get(field, self.where)


# --- rotations/roster.yaml -----------------------------------------------------------


class Team(Node):
    id: Id
    name: str


class Person(Node):
    id: Id
    name: str
    team: Id
    timezone: TimeZoneName
    mattermost: str = Field(description="Mattermost username, without @")
    opsgenie: str = Field(description="OpsGenie username (the user's e-mail address)")
    jira: str = Field(description="Jira Cloud account id, or user name on Server/DC")
    github: str = Field(description="GitHub login")
    can_lead: bool = False
    since: Date | None = Field(
        default=None,
        description="first day this person may be on SET (a joiner), in their own zone",
    )
    until: Date | None = Field(
        default=None,
        description="last day this person may be on SET (a leaver), in their own zone",
    )


class Roster(Node):
    FILE: ClassVar[str] = "rotations/roster.yaml"
    teams: list[Team]
    people: list[Person]


# --- rotations/set.yaml --------------------------------------------------------------


class WeeklyMoment(Node):
    weekday: Weekday
    time: ClockTime

    def clock(self) -> dt.time:
        hours, minutes = self.time.split(":")
        return dt.time(int(hours), int(minutes))


class Shift(Node):
    name: Id
    timezone: TimeZoneName
    start: ClockTime = Field(description="daily start of the shift's hours, local time")
    end: ClockTime = Field(description="daily end; before start means the hours cross midnight")
    days: list[Weekday] | None = Field(
        default=None, min_length=1, description="days the hours apply; all"
    )


class Rotation(Node):
    name: str
    timezone: TimeZoneName
    cycle_weeks: Literal[2] = 2
    shift_change: WeeklyMoment
    handover_run: WeeklyMoment
    shifts: list[Shift] = Field(min_length=1)


class ShiftAssignment(Node):
    primary: Id = Field(description="primary in the cycle's first week, backup in its second")
    backup: Id = Field(description="backup in the cycle's first week, primary in its second")


class Cycle(Node):
    start: Date
    lead: Id
    shifts: dict[str, ShiftAssignment]


class RotationFile(Node):
    FILE: ClassVar[str] = "rotations/set.yaml"
    rotation: Rotation
    cycles: list[Cycle] = Field(min_length=1)


# --- rotations/overrides.yaml, rotations/time-off.yaml -------------------------------


class Override(Node):
    id: Id
    role: Role
    shift: str | None = None
    person: Id
    start: HalfHourInstant
    end: HalfHourInstant
    reason: str | None = None


class OverridesFile(Node):
    FILE: ClassVar[str] = "rotations/overrides.yaml"
    overrides: list[Override] = []


class TimeOff(Node):
    person: Id
    first_day: Date
    last_day: Date
    reason: str | None = None


class TimeOffFile(Node):
    FILE: ClassVar[str] = "rotations/time-off.yaml"
    time_off: list[TimeOff] = []


# --- policies/ -----------------------------------------------------------------------


class EscalationStep(Node):
    notify: str = Field(description="the role paged: primary, backup or lead")
    after_minutes: Whole = Field(ge=0, le=1440)


class Repeat(Node):
    times: Whole = Field(ge=0, le=20)
    after_minutes: Whole = Field(ge=1, le=1440)


class EscalationPolicy(Node):
    name: str
    description: str | None = None
    steps: list[EscalationStep] = Field(min_length=1)
    repeat: Repeat | None = None


class EscalationFile(Node):
    FILE: ClassVar[str] = "policies/escalation.yaml"
    escalation_policy: EscalationPolicy


class PriorityRule(Node):
    rank: Whole = Field(ge=1)
    name: str
    description: str | None = None
    jql: str = Field(min_length=1)


class Level(Node):
    id: Annotated[str, Field(pattern=r"^L[1-9]$")]
    name: str
    jql: str = Field(min_length=1)
    incident_playbook: bool = False
    update_every_hours: Whole | None = Field(default=None, ge=1)


class PrioritiesFile(Node):
    FILE: ClassVar[str] = "policies/priorities.yaml"
    priority_rules: list[PriorityRule] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)


class ChecklistItem(Node):
    id: Id
    when: Literal["start", "handover"]
    text: str = Field(min_length=1)


class HandoverFile(Node):
    FILE: ClassVar[str] = "policies/handover.yaml"
    checklist: list[ChecklistItem] = Field(min_length=1)
    look_ahead_hours: Whole = Field(
        default=72,
        ge=1,
        le=336,
        description="a handover is due this long before its shift change (the handover run, "
        "e.g. Friday 15:00, prepares Monday 09:00's change)",
    )
    catch_up_weeks: Whole = Field(
        default=2,
        ge=0,
        le=8,
        description="how many missed weekly handovers a late run still carries out, in order",
    )


class ScheduleNames(Node):
    lead: str = "SET Lead"
    primary: str = "SET Primary"
    backup: str = "SET Backup"


PagingTargetName = Literal["opsgenie", "jsm-ops"]


class _PagingFields(Node):
    """What every paging service is told: the same for OpsGenie and JSM Operations."""

    enabled: bool = True
    owner_team: str = Field(
        description="the team that owns the schedules and the escalation, by name"
    )
    schedules: Literal["per-role", "per-role-and-shift"] = "per-role"
    schedule_names: ScheduleNames = ScheduleNames()
    horizon_weeks: Whole = Field(default=12, ge=1, le=104)
    retention_weeks: Whole = Field(default=4, ge=0, le=104)


class PagingSettings(_PagingFields):
    target: PagingTargetName = Field(
        default="opsgenie",
        description="the paging service the SET uses: opsgenie, or jsm-ops (Jira Service "
        "Management Operations, OpsGenie's successor); the one line to change when moving",
    )


class OpsGenieSettings(_PagingFields):
    """The older spelling of `paging:` with `target: opsgenie` (still read)."""


# The part of the SET channel header setops owns sits between two invisible markers (a zero
# width space and a word joiner), so the header reads cleanly; text outside them is kept.
HEADER_START = "\u200b\u2060"
HEADER_END = "\u2060\u200b"
HEADER_LIMIT = 1024  # Mattermost's limit on a channel header, in characters
DEFAULT_HEADER_TEMPLATE = "**On SET** {cycle_start} to {cycle_end} · lead {lead} · {shifts}"
DEFAULT_HEADER_SHIFT = "{shift}: primary {primary}, backup {backup}"


class MattermostSettings(Node):
    enabled: bool = True
    team: str
    channel: str
    incident_channels: list[str] = []
    header_template: str = Field(
        default=DEFAULT_HEADER_TEMPLATE,
        min_length=1,
        description="the part of the channel header setops owns; placeholders: {lead}, "
        "{lead_name}, {cycle_start}, {cycle_end}, {week_start}, {shifts}",
    )
    header_shift_template: str = Field(
        default=DEFAULT_HEADER_SHIFT,
        min_length=1,
        description="one shift in {shifts}; placeholders: {shift}, {primary}, {backup}, "
        "{primary_name}, {backup_name}",
    )
    header_shift_separator: str = " · "
    header_start_marker: str = Field(default=HEADER_START, min_length=1)
    header_end_marker: str = Field(default=HEADER_END, min_length=1)


TicketRule = Literal["incoming-lead", "incoming-primary", "incoming-backup"]


class JiraSettings(Node):
    enabled: bool = True
    project: str
    board: Whole
    jql: str
    todo_jql: str = Field(
        default='status = "To Do"',
        min_length=1,
        description="the JQL clause of the board's TO DO column, which `setops rank` orders",
    )
    # Whose hands an outgoing person's tickets go to; unset: the incoming holder of the same
    # role and shift. For the lead's tickets, primary or backup means the first shift's.
    lead_tickets: TicketRule | None = None
    primary_tickets: TicketRule | None = None
    backup_tickets: TicketRule | None = None


class GitHubSettings(Node):
    enabled: bool = True
    repository: Annotated[str, Field(pattern=r"^[\w.-]+/[\w.-]+$")]
    handover_label: str = "handover"
    base_branch: str = "main"


class IntegrationsFile(Node):
    FILE: ClassVar[str] = "policies/integrations.yaml"
    paging: PagingSettings | None = None
    opsgenie: OpsGenieSettings | None = Field(
        default=None,
        description="older spelling of `paging:` with `target: opsgenie`; use `paging:`",
    )
    mattermost: MattermostSettings | None = None
    jira: JiraSettings | None = None
    github: GitHubSettings | None = None

    def paging_settings(self) -> PagingSettings | None:
        """The paging section: `paging:`, or an older `opsgenie:` one read as
        `target: opsgenie` (keeping its places in the file)."""
        if self.paging is not None or self.opsgenie is None:
            return self.paging
        legacy = PagingSettings.model_validate({"target": "opsgenie", **self.opsgenie.model_dump()})
        legacy._where = self.opsgenie._where
        legacy._fields_at = dict(self.opsgenie._fields_at)
        return legacy


class WorkingDay(Node):
    start: ClockTime = Field(description="earliest local time a shift's hours may begin")
    end: ClockTime = Field(description="latest local time a shift's hours may end")


class PlanningFile(Node):
    FILE: ClassVar[str] = "policies/planning.yaml"
    min_gap_cycles: Whole = Field(
        default=1,
        ge=0,
        le=52,
        description="cycles that must pass between two SET cycles of the same person",
    )
    min_teams: Whole = Field(
        default=2, ge=1, le=64, description="distinct teams among a cycle's engineers, at least"
    )
    working_day: WorkingDay = Field(
        default=WorkingDay(start="05:00", end="22:00"),
        description="a shift's hours must fall inside this window in the person's own zone",
    )
    past_weeks: Whole = Field(
        default=26,
        ge=0,
        le=520,
        description="how many weeks of past duty count towards each person's load",
    )


FILE_MODELS: tuple[type[Node], ...] = (
    Roster,
    RotationFile,
    OverridesFile,
    TimeOffFile,
    EscalationFile,
    PrioritiesFile,
    HandoverFile,
    IntegrationsFile,
    PlanningFile,
)
OPTIONAL_FILES = frozenset({OverridesFile.FILE, TimeOffFile.FILE, PlanningFile.FILE})


def schema_name(model: type[Node]) -> str:
    """The JSON Schema file name of a config file model, e.g. 'roster.schema.json'."""
    stem = str(model.FILE).rsplit("/", 1)[-1].removesuffix(".yaml")
    return f"{stem}.schema.json"


def attach_places(node: Any, doc: Any, path: tuple[str | int, ...]) -> None:
    """Tell every model in the tree under `node` where it stands in `doc`."""
    if isinstance(node, Node):
        node._where = doc.at(path)
        for name in type(node).model_fields:
            child = (*path, name)
            node._fields_at[name] = doc.at(child)
            attach_places(getattr(node, name), doc, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            attach_places(item, doc, (*path, index))
    elif isinstance(node, dict):
        for key, item in node.items():
            attach_places(item, doc, (*path, key))
