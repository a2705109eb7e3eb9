"""Neutral paging objects: what a schedule, rotation, override and escalation *mean*.

Vendors' wire forms differ (time zones, participant shapes, fields the API fills in); each
backend turns what it reads into these, normalised, so that equal meaning compares equal and
an unchanged configuration never shows a diff. Instants are aware UTC, whole minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from setops.config.models import WEEKDAYS

Kind = Literal["schedule", "rotation", "override", "escalation"]
DAY = 24 * 60
WEEK = 7 * DAY
OWNED_ROTATION_PREFIX = "setops: "
OWNED_OVERRIDE_PREFIX = "setops-"


def utc_minute(instant: dt.datetime) -> dt.datetime:
    """`instant` in UTC without seconds: the precision paging services keep."""
    return instant.astimezone(dt.UTC).replace(second=0, microsecond=0)


def show(instant: dt.datetime | None, tz: ZoneInfo) -> str | None:
    return instant.astimezone(tz).isoformat() if instant is not None else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _in_window(value: int, start: int, end: int) -> bool:
    if start == end:
        return True
    if start < end:
        return start <= value < end
    return value >= start or value < end


@dataclass(frozen=True)
class Hours:
    """When a rotation is active, as wall-clock windows in its schedule's zone.

    Daily windows count minutes from midnight, weekly ones from Monday 00:00; an end before
    the start wraps past midnight (or past Sunday).
    """

    weekly: bool
    windows: tuple[tuple[int, int], ...]

    def active(self, local: dt.datetime) -> bool:
        minute = local.hour * 60 + local.minute
        if self.weekly:
            minute += local.weekday() * DAY
        return any(_in_window(minute, s, e) for s, e in self.windows)

    def describe(self) -> str:
        if not self.weekly:
            start, end = self.windows[0]
            return f"daily {_clock(start)}-{_clock(end)}"
        parts = []
        for start, end in self.windows:
            (d1, m1), (d2, m2) = divmod(start, DAY), divmod(end, DAY)
            tail = _clock(m2) if d1 == d2 else f"{WEEKDAYS[d2][:3]} {_clock(m2)}"
            parts.append(f"{WEEKDAYS[d1][:3]} {_clock(m1)}-{tail}")
        return ", ".join(parts)


def canonical_hours(weekly: bool, windows: list[tuple[int, int]]) -> Hours | None:
    """Hours in one canonical form; None when they cover all the time."""
    period = WEEK if weekly else DAY
    cleaned = sorted({(s % period, e % period) for s, e in windows})
    if not cleaned or any(s == e for s, e in cleaned):
        return None
    return Hours(weekly, tuple(cleaned))


@dataclass(frozen=True)
class ScheduleObj:
    name: str
    timezone: str
    owner_team: str | None
    enabled: bool = True
    id: str | None = field(default=None, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def fields(self) -> dict[str, Any]:
        return {"timezone": self.timezone, "owner_team": self.owner_team, "enabled": self.enabled}


@dataclass(frozen=True)
class RotationObj:
    """One dated rotation; setops' have a single participant and the shift's hours."""

    schedule: str
    name: str
    start: dt.datetime
    end: dt.datetime | None
    participants: tuple[str, ...]  # usernames (lower case); other kinds as "type:name"
    hours: Hours | None
    id: str | None = field(default=None, compare=False)

    @property
    def owned(self) -> bool:
        return self.name.startswith(OWNED_ROTATION_PREFIX)

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and (self.end is None or start < self.end)

    def active(self, instant: dt.datetime, tz: ZoneInfo) -> bool:
        if instant < self.start or (self.end is not None and instant >= self.end):
            return False
        return self.hours is None or self.hours.active(instant.astimezone(tz))

    def fields(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "start": show(self.start, tz),
            "end": show(self.end, tz),
            "participant": self.participants[0]
            if len(self.participants) == 1
            else list(self.participants),
            "hours": f"{self.hours.describe()} {tz.key}" if self.hours else None,
        }


@dataclass(frozen=True)
class OverrideObj:
    """Someone else in the listed rotations (all of them when none are listed) for a while.

    `alias` is its identity in the diff. A service that makes its own aliases (JSM
    Operations) keeps its handle in `id`, and says by `claimed` that the override carries
    setops' mark; see `paging.unnamed`.
    """

    schedule: str
    alias: str
    user: str
    start: dt.datetime
    end: dt.datetime
    rotations: tuple[str, ...]  # rotation names, sorted
    id: str | None = field(default=None, compare=False)
    claimed: bool = field(default=False, compare=False)

    @property
    def owned(self) -> bool:
        return self.claimed or self.alias.startswith(OWNED_OVERRIDE_PREFIX)

    @property
    def handle(self) -> str:
        """How the service addresses it: its own alias, or the one setops gave it."""
        return self.id or self.alias

    def same_content(self, other: OverrideObj) -> bool:
        return (self.schedule, self.user, self.start, self.end, self.rotations) == (
            other.schedule,
            other.user,
            other.start,
            other.end,
            other.rotations,
        )

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end

    def fields(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "user": self.user,
            "start": show(self.start, tz),
            "end": show(self.end, tz),
            "rotations": list(self.rotations) or "all",
        }


@dataclass(frozen=True)
class Rule:
    delay_minutes: int
    recipient: str  # "schedule:<name>" (or "user:…", "team:…" for rules setops did not write)
    condition: str = "if-not-acked"
    notify: str = "default"

    def describe(self) -> str:
        extra = (
            ""
            if (self.condition, self.notify) == ("if-not-acked", "default")
            else (f" ({self.condition}, {self.notify})")
        )
        return f"after {self.delay_minutes} min: {self.recipient}{extra}"


def _rule_order(rule: Rule) -> tuple[int, str, str, str]:
    return (rule.delay_minutes, rule.recipient, rule.condition, rule.notify)


@dataclass(frozen=True)
class Repeat:
    after_minutes: int
    times: int
    reset_recipient_states: bool = False
    close_alert_after_all: bool = False


@dataclass(frozen=True)
class EscalationObj:
    name: str
    description: str
    owner_team: str | None
    rules: tuple[Rule, ...] = field(compare=False)  # as configured, the order they are sent
    repeat: Repeat | None
    enabled: bool = True  # a disabled escalation pages nobody
    id: str | None = field(default=None, compare=False)
    # Rules take effect by their delay, not by their place in the list, and services list
    # them back in an order of their own: escalations compare by their rules in one order.
    ordered_rules: tuple[Rule, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ordered_rules", tuple(sorted(self.rules, key=_rule_order)))

    def fields(self) -> dict[str, Any]:
        repeat = self.repeat
        return {
            "description": self.description,
            "owner_team": self.owner_team,
            "rules": [r.describe() for r in self.rules],
            "repeat": None
            if repeat is None
            else f"{repeat.times} time(s), after {repeat.after_minutes} min"
            + (", resetting recipient states" if repeat.reset_recipient_states else "")
            + (", closing the alert after all" if repeat.close_alert_after_all else ""),
            "enabled": self.enabled,
        }


@dataclass(frozen=True)
class PagingState:
    """What the paging service holds now, of the schedules and escalation setops manages."""

    schedules: Mapping[str, ScheduleObj]
    rotations: tuple[RotationObj, ...] = ()
    overrides: tuple[OverrideObj, ...] = ()
    escalation: EscalationObj | None = None

    def known_users(self) -> frozenset[str]:
        """Usernames the service itself returned, so they exist there."""
        names = {p for r in self.rotations for p in r.participants if ":" not in p}
        return frozenset(names | {o.user for o in self.overrides if ":" not in o.user})
