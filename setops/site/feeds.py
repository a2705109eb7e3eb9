"""The calendar feeds generated into the site: the whole rotation's and each person's."""

from __future__ import annotations

import datetime as dt

from setops.config.load import Config
from setops.render.calendar import slots_ics
from setops.schedule import Schedule

ROTATION_FEED = "feeds/rotation.ics"


def feeds(config: Config, schedule: Schedule, now: dt.datetime) -> dict[str, bytes]:
    """Path -> iCalendar bytes: every slot of the schedule, then each person's own."""
    files = {ROTATION_FEED: slots_ics(config, schedule.slots, now).encode("utf-8")}
    for person in config.people:
        own = [s for s in schedule.slots if s.person == person.id]
        files[person_feed(person.id)] = slots_ics(config, own, now).encode("utf-8")
    return files


def person_feed(person_id: str) -> str:
    return f"feeds/people/{person_id}.ics"
