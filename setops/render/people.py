"""How a person appears in every output."""

from __future__ import annotations

import datetime as dt
from typing import Any

from setops.config.load import Config
from setops.config.models import Person


def person_json(person: Person | None) -> dict[str, Any] | None:
    """The `P` object of the JSON contracts."""
    if person is None:
        return None
    return {
        "id": person.id,
        "name": person.name,
        "team": person.team,
        "timezone": person.timezone,
        "mattermost": person.mattermost,
        "opsgenie": person.opsgenie,
        "jira": person.jira,
        "github": person.github,
    }


def person_text(config: Config, person_id: str | None) -> str:
    if person_id is None:
        return "nobody"
    person = config.person(person_id)
    return f"{person.name} ({person.id}, {person.team})"


def iso(instant: dt.datetime, tz: dt.tzinfo) -> str:
    """ISO 8601 in zone `tz`, with its offset."""
    return instant.astimezone(tz).isoformat(timespec="seconds")


def when(instant: dt.datetime, tz: dt.tzinfo) -> str:
    return instant.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def span(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """From `start` to `end` in zone `tz`, each end with its own abbreviation (a span across a
    DST change reads `09:00 CET to 09:00 CEST`)."""
    return f"{when(start, tz)} to {when(end, tz)}"
