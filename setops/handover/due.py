"""Which handover is due: the shift changes of the schedule, and who hands over to whom.

A *handover* belongs to one weekly shift change (the start of a cycle, or the middle of
one, when primaries and backups swap). It is due from `look_ahead` before that change
(the handover run, e.g. Friday 15:00, prepares Monday 09:00's change). Whether it was
done is not known here: the handover pull request is the durable record, so the caller
passes `is_done` and this module decides which of the recent changes still need one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from setops.config.load import Config
from setops.config.models import Role, zone
from setops.render.people import when
from setops.schedule import CycleSpan, Schedule, local_instant, run_before

JUST_BEFORE = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class RoleChange:
    """One role (of one shift, or None for the lead) passing from one person to the next."""

    role: Role
    shift: str | None
    outgoing: str | None
    incoming: str | None

    @property
    def label(self) -> str:
        return self.role if self.shift is None else f"{self.shift} {self.role}"


@dataclass(frozen=True)
class Handover:
    """The handover of one shift change: when, and who hands over to whom."""

    change: dt.datetime  # the shift change, in the rotation's zone
    run: dt.datetime  # when the handover run for it is scheduled
    cycle: CycleSpan
    week: int  # 1: the cycle's first week, 2: its second (primaries and backups swap)
    roles: tuple[RoleChange, ...]

    @property
    def id(self) -> str:
        """The handover's name everywhere: the shift change's date, e.g. 2026-12-14."""
        return self.change.date().isoformat()

    @property
    def branch(self) -> str:
        return f"handover/{self.id}"

    @property
    def path(self) -> str:
        return f"handovers/{self.id}.md"

    def role(self, role: Role, shift: str | None) -> RoleChange | None:
        return next((r for r in self.roles if r.role == role and r.shift == shift), None)

    @property
    def incoming_people(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.incoming for r in self.roles if r.incoming))

    @property
    def outgoing_people(self) -> tuple[str, ...]:
        """Who leaves SET at this change (people who keep a role stay, and are not here)."""
        staying = set(self.incoming_people)
        return tuple(
            dict.fromkeys(
                r.outgoing for r in self.roles if r.outgoing and r.outgoing not in staying
            )
        )

    @property
    def lead(self) -> RoleChange:
        found = self.role("lead", None)
        assert found is not None
        return found


def shift_changes(schedule: Schedule) -> tuple[dt.datetime, ...]:
    """Every weekly shift change of the schedule, in time order."""
    rotation = schedule.rotation
    tz, clock = zone(rotation.timezone), rotation.shift_change.clock()
    changes: list[dt.datetime] = []
    for span in schedule.cycles:
        for week in range(rotation.cycle_weeks):
            day = span.cycle.start + dt.timedelta(weeks=week)
            changes.append(local_instant(day, clock, tz))
    return tuple(sorted(set(changes)))


def handover_at(schedule: Schedule, change: dt.datetime) -> Handover:
    """The handover of the shift change at `change`: each role's outgoing and incoming holder."""
    before, shifts = change - JUST_BEFORE, [s.name for s in schedule.rotation.shifts]
    keys: list[tuple[Role, str | None]] = [("lead", None)]
    keys += [(role, shift) for shift in shifts for role in ("primary", "backup")]
    roles = []
    for role, shift in keys:
        out, inc = schedule.holder(role, shift, before), schedule.holder(role, shift, change)
        roles.append(
            RoleChange(role, shift, out.person if out else None, inc.person if inc else None)
        )
    span = schedule.cycle_at(change)
    assert span is not None, "a shift change lies within a cycle"
    week = 1 + (change.astimezone(schedule.tz).date() - span.cycle.start).days // 7
    return Handover(
        change.astimezone(schedule.tz),
        run_before(schedule.rotation, change).astimezone(schedule.tz),
        span,
        week,
        tuple(roles),
    )


def candidates(
    schedule: Schedule, now: dt.datetime, look_ahead: dt.timedelta, catch_up_weeks: int
) -> tuple[Handover, ...]:
    """The handovers that may be due at `now`, oldest first: the latest change whose
    look-ahead has begun, and up to `catch_up_weeks` before it (a run that was missed)."""
    due = [c for c in shift_changes(schedule) if c - look_ahead <= now]
    return tuple(handover_at(schedule, c) for c in due[-(catch_up_weeks + 1) :])


def before_start(schedule: Schedule, now: dt.datetime, look_ahead: dt.timedelta) -> str | None:
    """Why nothing is due when `now` is before the first handover of the schedule."""
    changes = shift_changes(schedule)
    if not changes or changes[0] - look_ahead <= now:
        return None
    first, tz = changes[0], schedule.tz
    return (
        f"the first shift change is {when(first, tz)}; its handover is due from "
        f"{when(first - look_ahead, tz)}"
    )


def schedule_end(
    config: Config, schedule: Schedule, now: dt.datetime, look_ahead: dt.timedelta
) -> str | None:
    """The error when the schedule ends within the look-ahead (or has ended): nobody takes
    over from the last team, so there is no handover to prepare, only cycles to add."""
    end = schedule.end
    if end is None or now < end - look_ahead:
        return None
    last = max(config.cycles, key=lambda c: c.start)
    ended = "ended" if end <= now else "ends"
    return (
        f"{last.at('start')}: the schedule {ended} {when(end, schedule.tz)} with the cycle "
        f"starting {last.start}: nobody takes over from its team, so there is no handover to "
        "prepare; add the next cycle to rotations/set.yaml"
    )


def pending(candidates: Sequence[Handover], is_done: Callable[[Handover], bool]) -> list[Handover]:
    """The candidates not yet handed over, oldest first: every one after the latest done.

    Asked newest first, so a weekly run that finds its own handover done asks once. When
    none of them is done (the first run ever), only the newest is due: setops does not
    replay the weeks before it was set up.
    """
    for index in range(len(candidates) - 1, -1, -1):
        if is_done(candidates[index]):
            return list(candidates[index + 1 :])
    return list(candidates[-1:])
