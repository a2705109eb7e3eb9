"""Semantic validation of the files themselves: ids, references, shapes, orders, templates.

Each check is a small function from the Config to the problems it finds; `config_problems`
runs them all. None needs the schedule: the checks over the computed schedule (placement of
overrides, double bookings, time off, the header's length) are `setops.checks`', which
runs these first.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator

from setops.config.codeowners import codeowners_problems
from setops.config.header_template import template_problems
from setops.config.jql import jql_problems
from setops.config.load import Config
from setops.config.models import WEEKDAYS, Node
from setops.config.planning_checks import policy_problems
from setops.errors import Location, Problem


def config_problems(config: Config) -> list[Problem]:
    """Every problem `config` has on its own, before any schedule is computed (unsorted)."""
    problems: list[Problem] = []
    for check in (
        _duplicate_ids,
        _references,
        _shift_names,
        _overrides_shape,
        _escalation,
        _priorities,
        _levels,
        _cycle_boundaries,
        _codeowners,
        _integrations,
        policy_problems,
        jql_problems,
    ):
        problems.extend(check(config))
    return problems


def _dupes(nodes: Iterable[Node], field: str, what: str) -> Iterator[Problem]:
    first: dict[object, Location] = {}
    for node in nodes:
        value = getattr(node, field)
        if value in first:
            yield Problem(node.at(field), f"duplicate {what} '{value}' (first at {first[value]})")
        else:
            first[value] = node.at(field)


def _duplicate_ids(config: Config) -> Iterator[Problem]:
    yield from _dupes(config.teams, "id", "team id")
    yield from _dupes(config.people, "id", "person id")
    yield from _dupes(config.overrides, "id", "override id")
    yield from _dupes(config.checklist, "id", "checklist item id")
    yield from _dupes(config.rotation.shifts, "name", "shift name")
    yield from _dupes(config.cycles, "start", "cycle start")


def _unknown_person(config: Config, node: Node, field: str) -> Iterator[Problem]:
    person = getattr(node, field)
    if person not in config.person_by_id:
        close = difflib.get_close_matches(person, list(config.person_by_id), n=1)
        hint = f"did you mean '{close[0]}'? If not, " if close else ""
        yield Problem(
            node.at(field), f"unknown person '{person}'; {hint}add them to rotations/roster.yaml"
        )


def _references(config: Config) -> Iterator[Problem]:
    teams = {t.id for t in config.teams}
    for person in config.people:
        if person.team not in teams:
            yield Problem(
                person.at("team"),
                f"unknown team '{person.team}'; teams are: " + ", ".join(sorted(teams)),
            )
    for cycle in config.cycles:
        yield from _unknown_person(config, cycle, "lead")
        for pair in cycle.shifts.values():
            yield from _unknown_person(config, pair, "primary")
            yield from _unknown_person(config, pair, "backup")
    for override in config.overrides:
        yield from _unknown_person(config, override, "person")
    for entry in config.time_off:
        yield from _unknown_person(config, entry, "person")


def _unknown_shift(name: str, names: list[str]) -> str:
    """The message for a shift name that is none of `names`, with the likely one."""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown shift '{name}'; {hint}shifts are: " + ", ".join(names)


def _shift_names(config: Config) -> Iterator[Problem]:
    names = [s.name for s in config.rotation.shifts]
    for cycle in config.cycles:
        for name in cycle.shifts:
            if name not in names:
                yield Problem(cycle.at(f"shifts.{name}"), _unknown_shift(name, names))
        missing = [n for n in names if n not in cycle.shifts]
        if missing:
            yield Problem(cycle.at("shifts"), f"no engineers for shift {', '.join(missing)}")


def _overrides_shape(config: Config) -> Iterator[Problem]:
    names = [s.name for s in config.rotation.shifts]
    for o in config.overrides:
        if o.role == "lead" and o.shift is not None:
            yield Problem(
                o.at("shift"), "a lead override takes no shift: the lead holds all shifts"
            )
        elif o.role != "lead" and o.shift is None:
            yield Problem(o.where, f"missing key 'shift': a {o.role} override names its shift")
        elif o.role != "lead" and o.shift not in names:
            yield Problem(o.at("shift"), _unknown_shift(str(o.shift), names))
        if o.end == o.start:
            yield Problem(
                o.at("end"),
                f"the override ends when it starts ({o.end.isoformat()}); its end must come "
                "after its start",
            )
        elif o.end < o.start:
            yield Problem(
                o.at("end"),
                f"the override ends ({o.end.isoformat()}) before it starts ({o.start.isoformat()})",
            )


def _escalation(config: Config) -> Iterator[Problem]:
    previous: int | None = None
    for step in config.escalation.steps:
        if step.notify not in ("primary", "backup", "lead"):
            yield Problem(
                step.at("notify"),
                f"unknown role '{step.notify}'; escalation steps notify primary, backup or lead",
            )
        if previous is not None and step.after_minutes <= previous:
            yield Problem(
                step.at("after_minutes"),
                f"after_minutes must increase from step to "
                f"step ({step.after_minutes} follows {previous})",
            )
        previous = step.after_minutes


def _priorities(config: Config) -> Iterator[Problem]:
    yield from _dupes(config.priority_rules, "rank", "priority rank")


def _levels(config: Config) -> Iterator[Problem]:
    yield from _dupes(config.levels, "id", "level")
    for level in config.levels:
        if level.id in ("L1", "L2") and not (
            level.incident_playbook and level.update_every_hours and level.update_every_hours <= 24
        ):
            yield Problem(
                level.where,
                f"{level.id} issues get the incident playbook and an update "
                "at least daily: set incident_playbook: true and "
                "update_every_hours: 24 or less",
            )


def _cycle_boundaries(config: Config) -> Iterator[Problem]:
    weekday = config.rotation.shift_change.weekday
    length = dt.timedelta(weeks=config.rotation.cycle_weeks)
    latest = None
    for cycle in config.cycles:
        if latest is not None and cycle.start < latest.start:
            yield Problem(
                cycle.at("start"),
                f"cycles must be listed in time order: {cycle.start} comes before "
                f"{latest.start}, listed above it",
            )
        if latest is None or cycle.start > latest.start:
            latest = cycle
    previous = None
    # Gaps and overlaps are between neighbours in time, however the cycles are listed.
    for cycle in sorted(config.cycles, key=lambda c: c.start):
        day = WEEKDAYS[cycle.start.weekday()]
        if day != weekday:
            yield Problem(
                cycle.at("start"),
                f"cycle starts on a {day} ({cycle.start}); cycles "
                f"start at the shift change, on a {weekday}",
            )
        elif previous is not None:
            expected = previous.start + length
            if cycle.start > expected:
                yield Problem(
                    cycle.at("start"),
                    f"gap: the cycle before ends {expected}, this "
                    f"one starts {cycle.start}; nobody is on SET in between",
                )
            elif previous.start < cycle.start < expected:
                yield Problem(
                    cycle.at("start"),
                    f"overlap: the cycle before runs until "
                    f"{expected}, this one starts {cycle.start}",
                )
        previous = cycle


def _codeowners(config: Config) -> Iterator[Problem]:
    leads = [p.github for p in config.people if p.can_lead]
    yield from codeowners_problems(config.codeowners, leads)


# --- the integrations (policies/integrations.yaml) ---


def _integrations(config: Config) -> Iterator[Problem]:
    integrations = config.integrations
    if integrations.paging is not None and integrations.opsgenie is not None:
        yield Problem(
            integrations.at("opsgenie"),
            "opsgenie: is the older spelling of paging: (with target: opsgenie), and paging: "
            "is set too; keep paging: only",
        )
    mattermost = config.integrations.mattermost
    if mattermost is not None:
        for field, message in template_problems(mattermost):
            yield Problem(mattermost.at(field), f"{field}: {message}")
