"""`setops schedule` output: the slots of a window as text, Markdown, JSON or iCalendar."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard

from setops import markdown as md
from setops.config.load import Config
from setops.config.models import zone
from setops.render.people import iso, person_json, when
from setops.schedule import Slot


def role_label(slot: Slot) -> str:
    return slot.role if slot.shift is None else f"{slot.role} {slot.shift}"


def slots_json(config: Config, slots: Sequence[Slot], tz: ZoneInfo | None = None) -> str:
    tz = tz or zone(config.rotation.timezone)
    data = {
        "slots": [
            {
                "role": slot.role,
                "shift": slot.shift,
                "person": person_json(config.person(slot.person)),
                "start": iso(slot.start, tz),
                "end": iso(slot.end, tz),
                "override": slot.override,
            }
            for slot in slots
        ]
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def slots_text(config: Config, slots: Sequence[Slot], tz: ZoneInfo | None = None) -> str:
    if not slots:
        return "no slots in this window"
    tz = tz or zone(config.rotation.timezone)
    lines = []
    for slot in slots:
        start, end = when(slot.start, tz), when(slot.end, tz)
        name = config.person(slot.person).name
        note = f"  (override {slot.override})" if slot.override else ""
        lines.append(f"{start}  to  {end}  {role_label(slot):<14} {name} ({slot.person}){note}")
    return "\n".join(lines)


def slots_markdown(config: Config, slots: Sequence[Slot], tz: ZoneInfo | None = None) -> str:
    tz = tz or zone(config.rotation.timezone)
    lines = ["| from | to | role | who | note |", "|---|---|---|---|---|"]
    for slot in slots:
        start, end = when(slot.start, tz), when(slot.end, tz)
        name = md.text(config.person(slot.person).name)
        person = md.code(slot.person, in_table=True)
        note = f"override {md.code(slot.override, in_table=True)}" if slot.override else ""
        lines.append(
            f"| {start} | {end} | {md.text(role_label(slot))} | {name} ({person}) | {note} |"
        )
    return "\n".join(lines)


def slots_ics(
    config: Config,
    slots: Sequence[Slot],
    stamp: dt.datetime,
    tz: ZoneInfo | None = None,
    owner: str | None = None,
) -> str:
    """An RFC 5545 calendar, one event per slot; UIDs stay the same from one run to the next.

    With `owner` (a person's id) it is that person's own feed, and named after them."""
    calendar = Calendar()
    calendar.add("prodid", "-//setops//SET rotation//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    whose = f": {config.person(owner).name}" if owner else ""
    calendar.add("x-wr-calname", f"{config.rotation.name} rotation{whose}")
    tz = tz or zone(config.rotation.timezone)
    for slot in slots:
        person = config.person(slot.person)
        event = Event()
        start_utc = slot.start.astimezone(dt.UTC)
        uid = f"{start_utc:%Y%m%dT%H%M%SZ}-{slot.role}-{slot.shift or 'all'}-{slot.person}@setops"
        event.add("uid", uid)
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", start_utc)
        event.add("dtend", slot.end.astimezone(dt.UTC))
        event.add("summary", f"{config.rotation.name} {role_label(slot)}: {person.name}")
        detail = (
            f"{person.name} is {role_label(slot)} from {iso(slot.start, tz)} "
            f"to {iso(slot.end, tz)}."
        )
        if slot.override:
            detail += f" Override: {slot.override}."
        event.add("description", detail)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    if not slots:
        # RFC 5545 wants at least one component in a calendar; a feed with nobody on SET in
        # its window gets an unused UTC time zone, so strict readers still accept it.
        calendar.add_component(_utc_zone())
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def _utc_zone() -> Timezone:
    standard = TimezoneStandard()
    standard.add("dtstart", dt.datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", dt.timedelta(0))
    standard.add("tzoffsetto", dt.timedelta(0))
    standard.add("tzname", "UTC")
    utc = Timezone()
    utc.add("tzid", "UTC")
    utc.add_component(standard)
    return utc
