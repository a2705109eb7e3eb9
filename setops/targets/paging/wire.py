"""Wire pieces OpsGenie and its successor JSM Operations share: JSM kept OpsGenie's instants
and time-restriction shapes, so both translate them here (pure, normalising).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from setops.config.models import WEEKDAYS
from setops.targets.paging.model import DAY, Hours, RotationObj, canonical_hours, utc_minute

Json = dict[str, Any]


def instant(text: str) -> dt.datetime:
    """An instant the service sent; one without an offset is UTC (as the services mean
    it), never the zone of the machine setops happens to run on."""
    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return utc_minute(parsed)


def wire_instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hours_from_wire(data: Mapping[str, Any] | None) -> Hours | None:
    if not data:
        return None
    if data.get("type") == "time-of-day":
        r = data.get("restriction") or {}
        start = r.get("startHour", 0) * 60 + r.get("startMin", 0)
        return canonical_hours(False, [(start, r.get("endHour", 0) * 60 + r.get("endMin", 0))])
    windows = []
    for r in data.get("restrictions") or []:
        start = _weekday(r["startDay"]) * DAY + r.get("startHour", 0) * 60
        end = _weekday(r["endDay"]) * DAY + r.get("endHour", 0) * 60
        windows.append((start + r.get("startMin", 0), end + r.get("endMin", 0)))
    return canonical_hours(True, windows)


def _weekday(name: str) -> int:
    try:
        return WEEKDAYS.index(name.lower())
    except ValueError:
        raise ValueError(f"{name!r} is no weekday") from None


def hours_to_wire(hours: Hours) -> Json:
    def clock(prefix: str, minutes: int) -> Json:
        return {f"{prefix}Hour": minutes // 60, f"{prefix}Min": minutes % 60}

    if not hours.weekly:
        start, end = hours.windows[0]
        return {
            "type": "time-of-day",
            "restriction": {**clock("start", start), **clock("end", end)},
        }
    restrictions = []
    for start, end in hours.windows:
        (d1, m1), (d2, m2) = divmod(start, DAY), divmod(end, DAY)
        restrictions.append(
            {
                "startDay": WEEKDAYS[d1],
                **clock("start", m1),
                "endDay": WEEKDAYS[d2],
                **clock("end", m2),
            }
        )
    return {"type": "weekday-and-time-of-day", "restrictions": restrictions}


def rotation_body(
    rotation: RotationObj, participant: Callable[[str], Json], *, clear_hours: bool = False
) -> Json:
    """A dated, single-participant weekly rotation as both services take it; `participant`
    writes a person in the service's own form (a username, an account id)."""
    body: Json = {
        "name": rotation.name,
        "startDate": wire_instant(rotation.start),
        "type": "weekly",
        "length": 1,
        "participants": [participant(p) for p in rotation.participants],
    }
    if rotation.end is not None:
        body["endDate"] = wire_instant(rotation.end)
    if rotation.hours is not None:
        body["timeRestriction"] = hours_to_wire(rotation.hours)
    elif clear_hours:  # a rotation that loses its hours (rare: a shift made 24-hour)
        body["timeRestriction"] = None
    return body
