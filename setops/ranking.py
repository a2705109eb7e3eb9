"""Ordering the SET board's TO DO column by the priority rules. Pure.

Each ticket takes the first rule it matches (by rank); tickets within one rule keep the
order people gave them, and tickets matching no rule go last. Only what is out of order
moves: the longest run of tickets already in the right relative order stays put, and the
others are ranked, in groups, just before (or after) one of those that stay.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RANK_BATCH = 50  # the most issues one Jira rank call takes
NO_RULE = 1_000_000


@dataclass(frozen=True)
class RankMove:
    """Rank `issues`, in this order, right before `before` or right after `after`."""

    issues: tuple[str, ...]
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        where = f"before {self.before}" if self.before else f"after {self.after}"
        return f"rank {', '.join(self.issues)} {where}"


def desired_order(current: Sequence[str], rule_of: Mapping[str, int]) -> list[str]:
    """`current` sorted by rule rank; ties keep their current order (a stable sort)."""
    return sorted(current, key=lambda key: rule_of.get(key, NO_RULE))


def _longest_in_order(positions: Sequence[int]) -> set[int]:
    """Indexes into `positions` of a longest strictly increasing subsequence."""
    tails: list[int] = []  # tails[k]: index of the smallest tail of a run of length k+1
    parent = [-1] * len(positions)
    for i, value in enumerate(positions):
        k = bisect.bisect_left([positions[t] for t in tails], value)
        parent[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    keep, i = set(), tails[-1] if tails else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def rank_moves(current: Sequence[str], desired: Sequence[str]) -> list[RankMove]:
    """The fewest groups of rank calls that turn `current` into `desired`."""
    where = {key: i for i, key in enumerate(desired)}
    stay_idx = _longest_in_order([where[key] for key in current])
    stay = {current[i] for i in stay_idx}
    moves: list[RankMove] = []
    run: list[str] = []
    previous: str | None = None
    for key in [*desired, None]:
        if key is not None and key not in stay:
            run.append(key)
            continue
        if run:
            moves += _chunks(run, before=key, after=previous)
            run = []
        previous = key
    return moves


def _chunks(run: list[str], *, before: str | None, after: str | None) -> list[RankMove]:
    moves = []
    for start in range(0, len(run), RANK_BATCH):
        chunk = tuple(run[start : start + RANK_BATCH])
        if before is not None:
            moves.append(RankMove(chunk, before=before))
        else:
            moves.append(RankMove(chunk, after=after))
            after = chunk[-1]
    return moves


def apply_moves(current: Sequence[str], moves: Sequence[RankMove]) -> list[str]:
    """What the column looks like after `moves` (to check a plan, and in tests)."""
    order = list(current)
    for move in moves:
        order = [key for key in order if key not in move.issues]
        anchor = move.before if move.before is not None else move.after
        at = order.index(anchor) if anchor is not None else len(order)
        if move.before is None:
            at += 1
        order[at:at] = list(move.issues)
    return order
