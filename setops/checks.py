"""Every check of a configuration, the files' own and those over the schedule they make.

`validate_config` is what `setops validate` (and every command that loads the config) runs:
the checks of `config.validate` first; when they find no error (the checks here assume every
reference resolves), those that compute the schedule: overrides placed within the cycles and
on someone else, nobody booked twice or on time off, the leads, the channel header's length,
and whether the schedule runs out. It sits above `render` because it renders the header.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from setops.config.header_template import template_problems
from setops.config.load import Config
from setops.config.models import HEADER_LIMIT, Override, Person, zone
from setops.config.planning_checks import outside_roster
from setops.config.validate import config_problems
from setops.errors import Problem
from setops.render.header import header_length, owned_text
from setops.schedule import (
    Slot,
    SlotKey,
    base_slots,
    compute_schedule,
    cycle_spans,
    local_instant,
    run_before,
)

RUNS_OUT_WARNING = dt.timedelta(weeks=4)


def validate_config(
    config: Config, now: dt.datetime, *, require_cover: bool = False
) -> list[Problem]:
    """Every problem with `config` (errors and warnings), sorted by place.

    A schedule that has run out by `now` is an error with `require_cover` (what `setops
    validate`, the CI gate, asks: nobody would be on call) and a warning otherwise, so
    other commands still read the past of an old schedule.
    """
    problems = [*config.warnings, *config_problems(config)]
    for check in (_paging_minutes, _handover_look_ahead):
        problems.extend(check(config))
    if not any(p.severity == "error" for p in problems):
        # The schedule-level checks assume every reference resolves.
        for check in (
            _override_placement,
            _double_booked,
            _time_off,
            _leads,
            _channel_header,
            roster_date_problems,
        ):
            problems.extend(check(config))
        problems.extend(_runs_out(config, now, require_cover))
    return sorted(problems, key=lambda p: (p.where, p.message))


def _paging_minutes(config: Config) -> Iterator[Problem]:
    """Every instant and hour setops sends falls on :00 or :30, which OpsGenie keeps.

    Instants are kept in UTC: a zone whose offset is not whole or half hours (Asia/Kathmandu,
    +05:45) puts a 09:00 shift change at 03:15 UTC. A shift's hours go to OpsGenie in the
    zone of the schedule they belong to: the rotation's under `per-role`, so a shift in
    such a zone (or a rotation in one) gets hours at :15 or :45 there.
    """
    rotation = config.rotation
    tz = zone(rotation.timezone)
    spans = cycle_spans(rotation, config.cycles)
    changes = [t for span in spans for t in (span.start, span.start + dt.timedelta(weeks=1))]
    off = next((t for t in changes if t.minute % 30), None)
    if off is not None:
        yield Problem(
            rotation.at("timezone"),
            f"the shift change, {rotation.shift_change.weekday} {rotation.shift_change.time} "
            f"in {rotation.timezone}, is at {off:%H:%M} UTC: {_ROUNDED}; use a rotation zone "
            "whose UTC offset is whole or half hours",
        )
    paging = config.integrations.paging_settings()
    if paging is not None and paging.schedules == "per-role-and-shift":
        return  # each shift's hours go in its own zone, on :00 or :30 as written
    for shift in rotation.shifts:
        local = zone(shift.timezone)
        for instant in changes:
            delta = _offset_minutes(instant, local) - _offset_minutes(instant, tz)
            if delta % 30:
                start, end = (_clock_minus(t, delta) for t in (shift.start, shift.end))
                yield Problem(
                    shift.at("timezone"),
                    f"the shift's hours, {shift.start}-{shift.end} in {shift.timezone}, are "
                    f"{start}-{end} in {rotation.timezone}, the zone of the SET schedules "
                    f"(schedules: per-role): {_ROUNDED}; set schedules: per-role-and-shift "
                    "in policies/integrations.yaml to give each shift its own schedule in its "
                    "own zone, or use zones whose offsets differ by whole or half hours",
                )
                break


_ROUNDED = "OpsGenie keeps only :00 and :30, so the person paged would differ from this file"


def _offset_minutes(instant: dt.datetime, tz: dt.tzinfo) -> int:
    offset = instant.astimezone(tz).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


def _clock_minus(clock: str, minutes: int) -> str:
    hours, mins = clock.split(":")
    total = (int(hours) * 60 + int(mins) - minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


def _override_placement(config: Config) -> Iterator[Problem]:
    spans = cycle_spans(config.rotation, config.cycles)
    first, last = spans[0].start, spans[-1].end
    timelines: dict[SlotKey, list[Slot]] = defaultdict(list)
    for slot in base_slots(config.rotation, spans):
        timelines[slot.key].append(slot)
    for timeline in timelines.values():
        timeline.sort(key=lambda s: s.start)
    starts = {key: [s.start for s in timeline] for key, timeline in timelines.items()}
    latest: dict[SlotKey, Override] = {}  # per role, the override reaching furthest so far
    for o in sorted(config.overrides, key=lambda o: o.start):
        key: SlotKey = (o.role, o.shift)
        if o.start < first or o.end > last:
            yield Problem(
                o.at("start"),
                f"the override is outside the cycles ({_fmt(config, first)} to "
                f"{_fmt(config, last)}); add the cycle first",
            )
        previous = latest.get(key)
        if previous is not None and o.start < previous.end:
            yield Problem(
                o.at("start"), f"overlaps the override at {previous.at('start')} for the same role"
            )
        if previous is None or o.end > previous.end:
            latest[key] = o
        holder = _held_by(timelines.get(key, []), starts.get(key, []), o)
        if holder is not None:
            yield Problem(
                o.at("person"),
                f"{o.person} already holds {_role(holder)} then "
                f"({_fmt(config, holder.start)} to {_fmt(config, holder.end)}); an override names "
                "someone else",
            )


def _held_by(timeline: list[Slot], starts: list[dt.datetime], o: Override) -> Slot | None:
    """The base slot in the override's time that the override's own person already holds."""
    i = max(bisect.bisect_right(starts, o.start) - 1, 0)
    while i < len(timeline) and timeline[i].start < o.end:
        if timeline[i].overlaps(o.start, o.end) and timeline[i].person == o.person:
            return timeline[i]
        i += 1
    return None


def _double_booked(config: Config) -> Iterator[Problem]:
    for person_slots in _by_person(compute_schedule(config).slots).values():
        person_slots.sort(key=lambda s: s.start)
        latest: Slot | None = None
        for slot in person_slots:
            if latest is not None and slot.start < latest.end:
                yield Problem(
                    slot.origin,
                    f"{slot.person} would be {_role(latest)} and "
                    f"{_role(slot)} at once, from {_fmt(config, max(slot.start, latest.start))} "
                    f"to {_fmt(config, min(slot.end, latest.end))}",
                )
            if latest is None or slot.end > latest.end:
                latest = slot


def _time_off(config: Config) -> Iterator[Problem]:
    schedule = compute_schedule(config)
    by_person = _by_person(schedule.slots)
    for entry in config.time_off:
        if entry.last_day < entry.first_day:
            yield Problem(
                entry.at("last_day"),
                f"last_day ({entry.last_day}) is before first_day ({entry.first_day}); both "
                "days are included, so one day off has the same first_day and last_day",
            )
            continue
        person_zone = config.person(entry.person).timezone
        tz = zone(person_zone)
        start = dt.datetime.combine(entry.first_day, dt.time(), tz)
        end = dt.datetime.combine(entry.last_day + dt.timedelta(days=1), dt.time(), tz)
        # Whole days in the person's zone: said when it is not the rotation's, since the
        # times below (in the rotation's) then start and end at other hours than midnight.
        where = "" if person_zone == config.rotation.timezone else f" in {person_zone}"
        for slot in by_person.get(entry.person, []):
            if slot.overlaps(start, end):
                yield Problem(
                    slot.origin,
                    f"{slot.person} is on time off {entry.first_day} to "
                    f"{entry.last_day}{where} ({entry.where}) but would be {_role(slot)} from "
                    f"{_fmt(config, max(slot.start, start))} to "
                    f"{_fmt(config, min(slot.end, end))}; "
                    + _time_off_fix(config, slot, start, end),
                )


def _time_off_fix(config: Config, slot: Slot, start: dt.datetime, end: dt.datetime) -> str:
    """What to change so someone is not on SET during their time off: an override for a
    slot of the cycles; for a slot an override gave them, that override, reshaped (a second
    override over it would overlap it, which validate refuses)."""
    override = next((o for o in config.overrides if o.id == slot.override), None)
    if override is None:
        return "cover it with an override"
    tz = zone(config.rotation.timezone)
    before, after = override.start < start, end < override.end
    first, last = (t.astimezone(tz).isoformat() for t in (start, end))
    if before and after:
        return (
            f"split override '{override.id}' around the time off: one part ending {first}, "
            f"another starting {last}"
        )
    if before:
        return f"shorten override '{override.id}' to end {first}"
    if after:
        return f"shorten override '{override.id}' to start {last}"
    return f"remove override '{override.id}', or give it to someone else"


def _leads(config: Config) -> Iterator[Problem]:
    for cycle in config.cycles:
        if not config.person(cycle.lead).can_lead:
            yield Problem(
                cycle.at("lead"),
                f"{cycle.lead} may not lead SET (can_lead is not true in rotations/roster.yaml)",
            )
    for o in config.overrides:
        if o.role == "lead" and not config.person(o.person).can_lead:
            yield Problem(
                o.at("person"),
                f"{o.person} may not lead SET (can_lead is not true in rotations/roster.yaml)",
            )


def _runs_out(config: Config, now: dt.datetime, require_cover: bool) -> Iterator[Problem]:
    end = cycle_spans(config.rotation, config.cycles)[-1].end
    last = max(config.cycles, key=lambda c: c.start)
    if end <= now:
        yield Problem(
            last.at("start"),
            f"the schedule has run out: the last cycle ended {_fmt(config, end)}, so nobody "
            f"is on SET now ({_fmt(config, now)}); add cycles to rotations/set.yaml",
            "error" if require_cover else "warning",
        )
    elif end <= now + RUNS_OUT_WARNING:
        yield Problem(
            last.at("start"),
            f"the schedule runs out in {(end - now).days} days (the last cycle ends "
            f"{_fmt(config, end)}); add cycles",
            "warning",
        )


def _by_person(slots: Iterable[Slot]) -> dict[str, list[Slot]]:
    out: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        out[slot.person].append(slot)
    return out


def _role(slot: Slot) -> str:
    return slot.role if slot.shift is None else f"{slot.role} {slot.shift}"


def _fmt(config: Config, instant: dt.datetime) -> str:
    return instant.astimezone(zone(config.rotation.timezone)).strftime("%Y-%m-%d %H:%M %Z")


# --- the handover and the channel header (policies/handover.yaml, integrations.yaml) ---


def _handover_look_ahead(config: Config) -> Iterator[Problem]:
    """The scheduled handover run finds the handover due: look_ahead_hours reaches back to it."""
    policy = config.handover
    if policy is not None and config.cycles:
        tz, rotation = zone(config.rotation.timezone), config.rotation
        first = min(c.start for c in config.cycles)
        change = local_instant(first, rotation.shift_change.clock(), tz)
        gap = change - run_before(rotation, change)
        if dt.timedelta(hours=policy.look_ahead_hours) < gap:
            yield Problem(
                policy.at("look_ahead_hours"),
                f"look_ahead_hours is {policy.look_ahead_hours}, but the handover run comes "
                f"{gap.total_seconds() / 3600:g} hours before the shift change: the scheduled "
                "run would find no handover due; use at least "
                f"{int(gap.total_seconds() // 3600) + 1}",
            )


def _channel_header(config: Config) -> Iterator[Problem]:
    """The header setops writes, for the team of each week of each cycle, fits Mattermost."""
    settings = config.integrations.mattermost
    if settings is None or not settings.enabled or template_problems(settings):
        return
    schedule = compute_schedule(config)
    for span in schedule.cycles:
        for week in range(config.rotation.cycle_weeks):
            at = span.start + dt.timedelta(weeks=week, hours=1)
            text = owned_text(config, settings, schedule.at(min(at, span.end)))
            if header_length(text) > HEADER_LIMIT:
                yield Problem(
                    span.cycle.where,
                    f"the channel header for week {week + 1} of this cycle would be "
                    f"{header_length(text)} characters; Mattermost allows {HEADER_LIMIT}: "
                    f"shorten mattermost.header_template ({settings.at('header_template')})",
                )
                break


def roster_date_problems(config: Config) -> Iterator[Problem]:
    """Every slot someone holds outside their roster dates (`since` / `until`)."""
    for slot in compute_schedule(config).slots:
        person = config.person_by_id.get(slot.person)
        if person is None or (person.since is None and person.until is None):
            continue
        if outside_roster(person, slot.start, slot.end):
            yield Problem(slot.origin, _message(person, slot))


def _message(person: Person, slot: Slot) -> str:
    role = slot.role if slot.shift is None else f"{slot.role} {slot.shift}"
    dates = f"since {person.since or 'always'} until {person.until or 'open'}"
    return (
        f"{person.id} is on the roster {dates} ({person.timezone}) but would be {role} from "
        f"{slot.start:%Y-%m-%d %H:%M} to {slot.end:%Y-%m-%d %H:%M} UTC; "
        "put someone else in the slot or cover it with an override"
    )
