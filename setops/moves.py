"""How a change moves people: the intervals where a role's holder differs between two schedules.

Pure: two Schedules in, a list of moves and load changes out.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from setops.config.models import Role
from setops.schedule import Schedule, Slot, SlotKey

ROLE_ORDER = {"lead": 0, "primary": 1, "backup": 2}


@dataclass(frozen=True)
class Move:
    """Over [start, end) the role (of the shift) was held by `before` and is held by `after`."""

    role: Role
    shift: str | None
    start: dt.datetime
    end: dt.datetime
    before: str | None
    after: str | None


@dataclass(frozen=True)
class LoadChange:
    """A person's total time on SET, per role, before and after."""

    person: str
    before: dict[str, dt.timedelta]
    after: dict[str, dt.timedelta]

    @property
    def total_before(self) -> dt.timedelta:
        return sum(self.before.values(), dt.timedelta())

    @property
    def total_after(self) -> dt.timedelta:
        return sum(self.after.values(), dt.timedelta())


def moves(before: Schedule, after: Schedule) -> list[Move]:
    """Every interval, per role and shift, where the holder differs; adjacent ones merged."""
    keys: list[SlotKey] = []
    for slot in (*after.slots, *before.slots):
        if slot.key not in keys:
            keys.append(slot.key)
    out: list[Move] = []
    for key in keys:
        out.extend(_key_moves(key, before.timeline(*key), after.timeline(*key)))
    shift_order = {s.name: i for i, s in enumerate(after.rotation.shifts)}
    return sorted(
        out, key=lambda m: (m.start, ROLE_ORDER[m.role], shift_order.get(m.shift or "", -1))
    )


def _key_moves(key: SlotKey, old: Sequence[Slot], new: Sequence[Slot]) -> list[Move]:
    cuts = sorted({t for s in (*old, *new) for t in (s.start, s.end)})
    found: list[Move] = []
    i = j = 0
    for start, end in itertools.pairwise(cuts):
        while i < len(old) and old[i].end <= start:
            i += 1
        while j < len(new) and new[j].end <= start:
            j += 1
        a = old[i].person if i < len(old) and old[i].start <= start else None
        b = new[j].person if j < len(new) and new[j].start <= start else None
        if a == b:
            continue
        last = found[-1] if found else None
        if last and last.end == start and (last.before, last.after) == (a, b):
            found[-1] = Move(key[0], key[1], last.start, end, a, b)
        else:
            found.append(Move(key[0], key[1], start, end, a, b))
    return found


def load_changes(before: Schedule, after: Schedule) -> list[LoadChange]:
    """People whose total time in any role changes, by person id."""
    old, new = _load(before.slots), _load(after.slots)
    people = sorted(set(old) | set(new))
    return [
        LoadChange(p, dict(old.get(p, {})), dict(new.get(p, {})))
        for p in people
        if old.get(p, {}) != new.get(p, {})
    ]


def _load(slots: Iterable[Slot]) -> dict[str, dict[str, dt.timedelta]]:
    out: dict[str, dict[str, dt.timedelta]] = defaultdict(lambda: defaultdict(dt.timedelta))
    for slot in slots:
        out[slot.person][slot.role] += slot.end - slot.start
    return {p: {r: d for r, d in roles.items() if d} for p, roles in out.items()}
