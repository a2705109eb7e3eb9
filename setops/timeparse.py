"""Reading instants and dates given on the command line."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from setops.errors import SetopsError


def now() -> dt.datetime:
    """The current instant; SETOPS_NOW (ISO 8601 with offset) pins it, for tests and replays."""
    pinned = os.environ.get("SETOPS_NOW")
    if pinned:
        value = _parse_iso(pinned, "SETOPS_NOW")
        if value.tzinfo is None:
            raise SetopsError("SETOPS_NOW needs a UTC offset, e.g. 2026-12-07T09:00:00+01:00")
        return value
    return dt.datetime.now(dt.UTC)


def parse_instant(
    text: str, tz: ZoneInfo, what: str = "--at", notes: list[str] | None = None
) -> dt.datetime:
    """An ISO 8601 time; one written without an offset is read in `tz` (the rotation's zone).

    A wall-clock time that a DST change skips or repeats in `tz` is read as the time it
    moves to, or as its first occurrence; `notes` (when given) gets a line saying so.
    """
    if text.strip().lower() == "now":
        return now().astimezone(tz)
    value = _parse_iso(text, what)
    try:
        if value.tzinfo is None:
            note = _wall_clock_note(value, tz)
            if note and notes is not None:
                notes.append(note)
            value = value.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)
        value.astimezone(dt.UTC).astimezone(tz)
    except OverflowError:
        raise SetopsError(
            f"{what}: {text.strip()} is beyond the dates a calendar can hold"
        ) from None
    return value


def _wall_clock_note(naive: dt.datetime, tz: ZoneInfo) -> str | None:
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    shown = naive.strftime("%Y-%m-%d %H:%M")
    back = first.astimezone(dt.UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        return (
            f"note: {shown} does not exist in {tz.key} (the clocks skip it); "
            f"reading it as {back:%H:%M %Z}"
        )
    return (
        f"note: {shown} happens twice in {tz.key} (the clocks go back); reading it as the "
        f"first, {first:%H:%M %Z} ({first:%z}); give an offset to choose"
    )


def parse_date(text: str, what: str = "--from") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise SetopsError(f"{what}: expected a date as YYYY-MM-DD, got {text!r}") from None


def _parse_iso(text: str, what: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SetopsError(
            f"{what}: expected an ISO 8601 time such as 2026-12-08T10:00 or "
            f"2026-12-08T10:00+01:00, got {text!r}"
        ) from None
