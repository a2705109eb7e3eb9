"""The models of every configuration file: typed, immutable, each node knowing its place.

Field-level rules (types, formats, :00/:30 minutes, known time zones) live here so pydantic
reports them with the value's path; rules that relate values to each other live in
`setops.config.validate`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
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
    StringConstraints,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from setops.config import formats
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
        if not formats.matches(formats.ZONE, name):
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
    if not formats.matches(formats.CLOCK_SHAPE, text) or text[:2] > "23" or text[3:] > "59":
        raise ValueError(f"expected a time as 'HH:MM' (24-hour), got {text!r}")
    if not formats.matches(formats.CLOCK, text):
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
# digit string too; in a YAML file that is always a slip, so only the written forms the
# schema describes pass (formats.DATE_SHAPE, formats.INSTANT_SHAPE).


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and formats.matches(formats.DATE_SHAPE, value):
        _refuse_impossible_day(value)
        return value
    raise PydanticCustomError("date_type", "expected a date as YYYY-MM-DD")


def _time_text(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (
        isinstance(value, str) and formats.matches(formats.INSTANT_SHAPE, value)
    ):
        if isinstance(value, str):
            _refuse_impossible_day(value[:10])
        return value
    raise PydanticCustomError("datetime_type", "expected a time as YYYY-MM-DDTHH:MM:SS+HH:MM")


def _refuse_impossible_day(text: str) -> None:
    """A YYYY-MM-DD that names no day (2027-02-30, 2026-13-01) says so, not "expected a
    date": the form is right, the calendar is not."""
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12:
        raise PydanticCustomError("no_such_day", "no such month: months are 01 to 12")
    if year < 1:
        raise PydanticCustomError("no_such_day", "no such year: years start at 0001")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise PydanticCustomError(
            "no_such_day",
            "no such day: {month} has {last} days",
            {"month": dt.date(year, month, 1).strftime("%B %Y"), "last": last},
        )


def _schema(**fragment: Any) -> Any:
    """A JSON Schema fragment for a type whose rule a validator checks (same expression)."""
    return Field(json_schema_extra=fragment)


# Values with a written form are checked as written: stripping spaces first would let
# ' amy' pass here while the schema's pattern refuses it.
_AS_WRITTEN = StringConstraints(strip_whitespace=False)


Id = Annotated[str, _AS_WRITTEN, Field(pattern=formats.ID, max_length=64)]
TimeZoneName = Annotated[
    str, _AS_WRITTEN, AfterValidator(_check_zone), _schema(pattern=formats.ZONE)
]
ClockTime = Annotated[
    str, _AS_WRITTEN, AfterValidator(_check_clock), _schema(pattern=formats.CLOCK)
]
Date = Annotated[dt.date, BeforeValidator(_date_text), _schema(pattern=formats.DATE)]
HalfHourInstant = Annotated[
    AwareDatetime,
    BeforeValidator(_time_text),
    AfterValidator(_check_half_hour),
    _schema(pattern=formats.INSTANT),
]
# A whole number as written: pydantic would take true as 1 and 20.0 as 20.
Whole = Annotated[int, Strict()]
# true or false as YAML 1.2 writes them (the core schema: also True/TRUE, False/FALSE);
# pydantic would also take 'yes', 'on', 1 and the text 'true'.
Flag = Annotated[bool, Strict()]
# Free text that must not be empty or only spaces.
Text = Annotated[str, Field(min_length=1), _schema(pattern=formats.NOT_BLANK)]


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
    id: Id = Field(description="the team's id, as people's `team` names it")
    name: str = Field(description="the team's name, as people read it")


class Person(Node):
    id: Id = Field(description="the person's id, as cycles, overrides and time off name them")
    name: str = Field(description="the person's full name")
    team: Id = Field(description="the id of the person's team, from `teams`")
    timezone: TimeZoneName = Field(
        description="the IANA time zone the person works in, e.g. Europe/Berlin (their "
        "time off is in it)"
    )
    mattermost: str = Field(description="Mattermost username, without @")
    opsgenie: str = Field(description="OpsGenie username (the user's e-mail address)")
    jira: str = Field(description="Jira Cloud account id, or user name on Server/DC")
    github: str = Field(description="GitHub login")
    can_lead: Flag = Field(
        default=False, description="whether the person may be the SET lead: true or false"
    )
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
    teams: list[Team] = Field(description="the teams people belong to")
    people: list[Person] = Field(description="everyone who may be on SET")


# --- rotations/set.yaml --------------------------------------------------------------


class WeeklyMoment(Node):
    weekday: Weekday = Field(description="the day of the week, in lower case")
    time: ClockTime = Field(
        description="the time as HH:MM (24-hour, on :00 or :30) in the rotation's zone"
    )

    def clock(self) -> dt.time:
        hours, minutes = self.time.split(":")
        return dt.time(int(hours), int(minutes))


class Shift(Node):
    name: Id = Field(description="the shift's name, as cycles and overrides name it")
    timezone: TimeZoneName = Field(description="the IANA time zone of the shift's hours")
    start: ClockTime = Field(
        description="daily start of the shift's hours, local time, HH:MM on :00 or :30"
    )
    end: ClockTime = Field(
        description="daily end, HH:MM on :00 or :30; before start means the hours cross midnight"
    )
    days: list[Weekday] | None = Field(
        default=None, min_length=1, description="days the hours apply; all"
    )


class Rotation(Node):
    name: str = Field(description="the rotation's name, e.g. SET")
    timezone: TimeZoneName = Field(
        description="the IANA time zone of the shift change, the handover run and the output"
    )
    cycle_weeks: Literal[2] = Field(default=2, description="a cycle's length in weeks: 2")
    shift_change: WeeklyMoment = Field(description="when roles pass to the next people each week")
    handover_run: WeeklyMoment = Field(
        description="when the weekly handover runs, before the shift change"
    )
    shifts: list[Shift] = Field(min_length=1, description="the shifts, each with its hours")


class ShiftAssignment(Node):
    primary: Id = Field(description="primary in the cycle's first week, backup in its second")
    backup: Id = Field(description="backup in the cycle's first week, primary in its second")


class Cycle(Node):
    start: Date = Field(
        description="the first day, YYYY-MM-DD, on the shift-change weekday; the cycle "
        "starts at the shift change that day"
    )
    lead: Id = Field(description="the id of the cycle's lead (can_lead: true)")
    shifts: dict[str, ShiftAssignment] = Field(
        description="for each shift of the rotation, by name: its two engineers"
    )


class RotationFile(Node):
    FILE: ClassVar[str] = "rotations/set.yaml"
    rotation: Rotation = Field(description="the rotation: its zone, weekly moments and shifts")
    cycles: list[Cycle] = Field(min_length=1, description="the two-week cycles, in time order")


# --- rotations/overrides.yaml, rotations/time-off.yaml -------------------------------

# A lead override covers every shift, so it names none; a primary or backup override
# names the shift it is for. `validate` says the same in words (unknown shift names are
# checked against set.yaml, which no schema of this file can see).
_OVERRIDE_ROLE_AND_SHIFT: JsonDict = {
    "allOf": [
        {
            "if": {"properties": {"role": {"const": "lead"}}, "required": ["role"]},
            "then": {"properties": {"shift": {"type": "null"}}},
        },
        {
            "if": {"properties": {"role": {"enum": ["primary", "backup"]}}, "required": ["role"]},
            "then": {"required": ["shift"], "properties": {"shift": {"type": "string"}}},
        },
    ]
}


class Override(Node):
    model_config = ConfigDict(json_schema_extra=_OVERRIDE_ROLE_AND_SHIFT)
    id: Id = Field(description="the override's id (OpsGenie's alias is setops-<id>)")
    role: Role = Field(description="the role handed over: lead, primary or backup")
    shift: str | None = Field(
        default=None, description="the shift, for a primary or backup override; none for the lead"
    )
    person: Id = Field(description="the id of the person who takes the role")
    start: HalfHourInstant = Field(
        description="when it starts, YYYY-MM-DDTHH:MM:SS with its UTC offset, on :00 or :30 UTC"
    )
    end: HalfHourInstant = Field(
        description="when it ends (after start), YYYY-MM-DDTHH:MM:SS with its UTC offset, "
        "on :00 or :30 UTC"
    )
    reason: str | None = Field(default=None, description="why, for the reviewers")


class OverridesFile(Node):
    FILE: ClassVar[str] = "rotations/overrides.yaml"
    overrides: list[Override] = Field(
        default=[], description="roles handed to someone else for a while"
    )


class TimeOff(Node):
    person: Id = Field(description="the id of the person who is away")
    first_day: Date = Field(description="the first day away, YYYY-MM-DD, in the person's zone")
    last_day: Date = Field(description="the last day away (included), YYYY-MM-DD")
    reason: str | None = Field(default=None, description="why, if the person wants to say")


class TimeOffFile(Node):
    FILE: ClassVar[str] = "rotations/time-off.yaml"
    time_off: list[TimeOff] = Field(default=[], description="recorded time off")


# --- policies/ -----------------------------------------------------------------------


class EscalationStep(Node):
    notify: str = Field(
        description="the role paged: primary, backup or lead",
        json_schema_extra={"enum": list(ROLES)},
    )
    after_minutes: Whole = Field(
        ge=0, le=1440, description="minutes after the alert, if nobody acknowledged it"
    )


class Repeat(Node):
    times: Whole = Field(ge=0, le=20, description="how many times the escalation repeats")
    after_minutes: Whole = Field(
        ge=1, le=1440, description="minutes after the last step before it repeats"
    )


class EscalationPolicy(Node):
    name: str = Field(description="the escalation's name in the paging service")
    description: str | None = Field(default=None, description="what it is for, for people")
    steps: list[EscalationStep] = Field(
        min_length=1, description="whom to page, in order, with increasing delays"
    )
    repeat: Repeat | None = Field(default=None, description="whether to start over, and when")


class EscalationFile(Node):
    FILE: ClassVar[str] = "policies/escalation.yaml"
    escalation_policy: EscalationPolicy = Field(description="the SET's escalation policy")


class PriorityRule(Node):
    rank: Whole = Field(ge=1, description="the rule's place in the order, 1 first; unique")
    name: str = Field(description="the rule's name")
    description: str | None = Field(default=None, description="what the rule is for")
    jql: Text = Field(description="the JQL clause of the tickets this rule puts here")


# L1 and L2 are incidents: the playbook and an update at least daily. `validate` says the
# same in words.
_INCIDENT_LEVELS: JsonDict = {
    "if": {"properties": {"id": {"enum": ["L1", "L2"]}}, "required": ["id"]},
    "then": {
        "required": ["incident_playbook", "update_every_hours"],
        "properties": {
            "incident_playbook": {"const": True},
            "update_every_hours": {"type": "integer", "maximum": 24},
        },
    },
}


class Level(Node):
    model_config = ConfigDict(json_schema_extra=_INCIDENT_LEVELS)
    id: Annotated[str, _AS_WRITTEN, Field(pattern=formats.LEVEL_ID)] = Field(
        description="the level, L1 (most severe) to L9"
    )
    name: str = Field(description="the level's name, e.g. critical")
    jql: Text = Field(description="the JQL clause of the tickets of this level")
    incident_playbook: Flag = Field(
        default=False, description="whether tickets of this level run the incident playbook"
    )
    update_every_hours: Whole | None = Field(
        default=None, ge=1, description="how often a ticket of this level needs a human update"
    )


class PrioritiesFile(Node):
    FILE: ClassVar[str] = "policies/priorities.yaml"
    priority_rules: list[PriorityRule] = Field(
        min_length=1, description="the order of the TO DO column: a ticket takes its first rule"
    )
    levels: list[Level] = Field(min_length=1, description="the support levels, L1 to L4")


class ChecklistItem(Node):
    id: Id = Field(description="the item's id, which keeps its tick across re-runs")
    when: Literal["start", "handover"] = Field(
        description="handover: by the handover; start: the start-of-week review"
    )
    text: Text = Field(description="what to do, as the pull request's task list shows it")


class HandoverFile(Node):
    FILE: ClassVar[str] = "policies/handover.yaml"
    checklist: list[ChecklistItem] = Field(
        min_length=1, description="the handover pull request's checklist"
    )
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
    lead: str = Field(default="SET Lead", description="the lead's schedule")
    primary: str = Field(default="SET Primary", description="the primaries' schedule")
    backup: str = Field(default="SET Backup", description="the backups' schedule")


PagingTargetName = Literal["opsgenie", "jsm-ops"]


class _PagingFields(Node):
    """What every paging service is told: the same for OpsGenie and JSM Operations."""

    enabled: Flag = Field(default=True, description="whether setops keeps this service in step")
    owner_team: str = Field(
        description="the team that owns the schedules and the escalation, by name"
    )
    schedules: Literal["per-role", "per-role-and-shift"] = Field(
        default="per-role",
        description="one schedule per role, or one per role and shift (each in its zone)",
    )
    schedule_names: ScheduleNames = Field(
        default=ScheduleNames(), description="the names of the schedules setops keeps"
    )
    horizon_weeks: Whole = Field(
        default=12, ge=1, le=104, description="how far ahead the synced window reaches"
    )
    retention_weeks: Whole = Field(
        default=4, ge=0, le=104, description="how far back setops still manages what it made"
    )


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
    enabled: Flag = Field(default=True, description="whether setops uses Mattermost")
    team: str = Field(description="the Mattermost team's name (as in its URL)")
    channel: str = Field(description="the SET channel's name (as in its URL)")
    incident_channels: list[str] = Field(
        default=[], description="channels the incoming team joins at each handover"
    )
    header_template: Text = Field(
        default=DEFAULT_HEADER_TEMPLATE,
        description="the part of the channel header setops owns; placeholders: {lead}, "
        "{lead_name}, {cycle_start}, {cycle_end}, {week_start}, {shifts}",
    )
    header_shift_template: Text = Field(
        default=DEFAULT_HEADER_SHIFT,
        description="one shift in {shifts}; placeholders: {shift}, {primary}, {backup}, "
        "{primary_name}, {backup_name}",
    )
    header_shift_separator: str = Field(
        default=" · ", description="what goes between two shifts in {shifts}"
    )
    header_start_marker: str = Field(
        default=HEADER_START, min_length=1, description="where setops' part of the header starts"
    )
    header_end_marker: str = Field(
        default=HEADER_END, min_length=1, description="where setops' part of the header ends"
    )


TicketRule = Literal["incoming-lead", "incoming-primary", "incoming-backup"]
_TICKET_RULE = (
    "whose hands an outgoing {role}'s tickets go to: incoming-lead, incoming-primary or "
    "incoming-backup; unset: the incoming holder of the same role and shift"
)


class JiraSettings(Node):
    enabled: Flag = Field(default=True, description="whether setops uses Jira")
    project: str = Field(description="the SET project's key")
    board: Whole = Field(description="the id of the SET board, whose TO DO column is ranked")
    jql: str = Field(description="the JQL of the open SET tickets, which the handover moves")
    todo_jql: Text = Field(
        default='status = "To Do"',
        description="the JQL clause of the board's TO DO column, which `setops rank` orders",
    )
    # For the lead's tickets, primary or backup means the first shift's.
    lead_tickets: TicketRule | None = Field(
        default=None, description=_TICKET_RULE.format(role="lead")
    )
    primary_tickets: TicketRule | None = Field(
        default=None, description=_TICKET_RULE.format(role="primary")
    )
    backup_tickets: TicketRule | None = Field(
        default=None, description=_TICKET_RULE.format(role="backup")
    )


class GitHubSettings(Node):
    enabled: Flag = Field(default=True, description="whether setops opens handover pull requests")
    repository: Annotated[str, _AS_WRITTEN, Field(pattern=formats.REPOSITORY)] = Field(
        description="owner/name of this repository (GITHUB_REPOSITORY wins when set)"
    )
    handover_label: str = Field(
        default="handover", description="the label of handover pull requests"
    )
    base_branch: str = Field(default="main", description="the branch handovers merge into")


# paging: and its older spelling opsgenie: are one section: never both.
_ONE_PAGING_SECTION: JsonDict = {
    "not": {
        "required": ["paging", "opsgenie"],
        "properties": {"paging": {"type": "object"}, "opsgenie": {"type": "object"}},
    }
}


class IntegrationsFile(Node):
    model_config = ConfigDict(json_schema_extra=_ONE_PAGING_SECTION)
    FILE: ClassVar[str] = "policies/integrations.yaml"
    paging: PagingSettings | None = Field(
        default=None, description="the paging service: OpsGenie or JSM Operations"
    )
    opsgenie: OpsGenieSettings | None = Field(
        default=None,
        description="older spelling of `paging:` with `target: opsgenie`; use `paging:`",
    )
    mattermost: MattermostSettings | None = Field(
        default=None, description="the SET channel's header and the handover announcement"
    )
    jira: JiraSettings | None = Field(
        default=None, description="the SET tickets, their handover and ranking"
    )
    github: GitHubSettings | None = Field(
        default=None, description="the weekly handover pull request"
    )

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
            value = getattr(node, name)
            if isinstance(value, dict):
                # A mapping's keys are names (a cycle's shifts): each has its own line.
                for key in value:
                    node._fields_at[f"{name}.{key}"] = doc.at((*child, key), key=True)
            attach_places(value, doc, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            attach_places(item, doc, (*path, index))
    elif isinstance(node, dict):
        for key, item in node.items():
            attach_places(item, doc, (*path, key))
