"""Overrides on a service that names them itself (JSM Operations): which ones are setops'.

OpsGenie keeps the alias setops gives an override (`setops-<override id>`), so the alias is
its identity. JSM Operations makes every alias itself and has no field for a client's name
or mark (Atlassian's JSDCLOUD-18644), so there setops recognises its overrides, in order:

1. by an alias `setops-…`: one setops made in OpsGenie, carried over by a migration;
2. by content (schedule, person, start, end, rotations) equal to a desired override: so a
   migrated account whose aliases were renewed, or a create whose answer was lost, plans
   nothing;
3. by setops' mark (`claimed`, which the backend reads off the override): one setops made
   earlier whose YAML entry changed is updated in place if it still covers the same
   rotations at an overlapping time; one whose entry went is deleted as stale.

Anything else stays foreign, as in OpsGenie: an override made by hand is never touched
without --prune, even when it covers setops' rotations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from setops.targets.paging.model import OWNED_OVERRIDE_PREFIX, OverrideObj

Match = Callable[[OverrideObj, OverrideObj], bool]


def claim_overrides(
    desired: Sequence[OverrideObj], current: Sequence[OverrideObj]
) -> tuple[OverrideObj, ...]:
    """`current`, in order, with each override recognised as a desired one renamed to that
    one's alias (the service's own alias kept in `id`), so the diff pairs them."""
    named = {(o.schedule, o.alias) for o in current if _named(o)}
    waiting = [d for d in desired if (d.schedule, d.alias) not in named]
    pool = [i for i, o in enumerate(current) if not _named(o)]
    renamed: dict[int, OverrideObj] = {}
    matches: tuple[Match, ...] = (_same_content, _same_scope)
    for match in matches:
        for wanted in list(waiting):
            index = next((i for i in pool if match(wanted, current[i])), None)
            if index is None:
                continue
            pool.remove(index)
            waiting.remove(wanted)
            found = current[index]
            renamed[index] = dataclasses.replace(found, alias=wanted.alias, id=found.handle)
    return tuple(renamed.get(i, o) for i, o in enumerate(current))


def _named(override: OverrideObj) -> bool:
    return override.alias.startswith(OWNED_OVERRIDE_PREFIX)


def _same_content(wanted: OverrideObj, found: OverrideObj) -> bool:
    return wanted.same_content(found)


def _same_scope(wanted: OverrideObj, found: OverrideObj) -> bool:
    """An override setops marked that covers the same rotations around the same time."""
    return (
        found.claimed
        and found.schedule == wanted.schedule
        and found.rotations == wanted.rotations
        and found.overlaps(wanted.start, wanted.end)
    )
