"""Checks of the planning policy and the roster dates (joiners and leavers).

Kept apart from `setops.config.validate` because they belong to planning: `validate` runs
them with the rest, and `setops propose` holds its proposals to the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from setops.config.load import Config
from setops.config.models import Person, zone
from setops.errors import Problem


def roster_span(person: Person) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The instants between which `person` may be on SET: from the start of `since` to the
    end of `until`, whole days in their own zone (None: open)."""
    tz = zone(person.timezone)
    start = dt.datetime.combine(person.since, dt.time(), tz) if person.since else None
    end = (
        dt.datetime.combine(person.until + dt.timedelta(days=1), dt.time(), tz)
        if person.until
        else None
    )
    return start, end


def outside_roster(person: Person, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) reaches outside the person's roster dates."""
    first, last = roster_span(person)
    return (first is not None and start < first) or (last is not None and end > last)


def policy_problems(config: Config) -> Iterator[Problem]:
    """Values of policies/planning.yaml that cannot hold together, and roster dates in the
    wrong order."""
    policy = config.planning
    day = policy.working_day
    if day.end <= day.start:
        yield Problem(
            day.at("end"),
            f"working_day end ({day.end}) is not after its start ({day.start}); the window is "
            "one day's hours in the person's own zone",
        )
    engineers = 2 * len(config.rotation.shifts)
    if policy.min_teams > engineers:
        yield Problem(
            policy.at("min_teams"),
            f"min_teams is {policy.min_teams} but a cycle has only {engineers} engineers "
            f"(two per shift); use {engineers} or less",
        )
    for person in config.people:
        if person.since and person.until and person.until < person.since:
            yield Problem(
                person.at("until"),
                f"until ({person.until}) is before since ({person.since}); both days count",
            )
