"""Incident runs that missed their daily update (pure).

A run's `last_status_update_at` is no proof of an update: the plugin also sets it when the
run starts and when someone snoozes the reminder. Only its status posts count (those not
deleted); a run without any is judged from its start. Its level is an `L1`..`L9` word in
its name; a run without one is held to the strictest interval of the levels that get the
incident playbook.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from setops.config.models import Level

LEVEL = re.compile(r"\b(L[1-9])\b")
DEFAULT_HOURS = 24  # the process's "at least daily", when no level says otherwise


@dataclass(frozen=True)
class StaleRun:
    """One in-progress incident run whose newest status update is too old."""

    name: str
    owner: str  # Mattermost username, or the user id when Mattermost does not know it
    last_update: dt.datetime | None  # None: no status update at all
    started: dt.datetime
    age: dt.timedelta  # since the last update (or the start, without one)
    allowed: dt.timedelta
    link: str

    def describe(self) -> str:
        since = "no update since it started" if self.last_update is None else "last update"
        return f"{self.name}: owner @{self.owner}, {since} {hours(self.age)} ago ({self.link})"


def hours(age: dt.timedelta) -> str:
    total = int(age.total_seconds() // 3600)
    return f"{total // 24} d {total % 24} h" if total >= 24 else f"{total} h"


def interval(name: str, levels: Sequence[Level]) -> dt.timedelta:
    """How often the run must be updated: its level's, else the strictest."""
    watched = {lv.id: lv.update_every_hours for lv in levels if lv.incident_playbook}
    found = LEVEL.search(name)
    hours_ = watched.get(found.group(1)) if found else None
    if hours_ is None:
        known = [h for h in watched.values() if h]
        hours_ = min(known) if known else DEFAULT_HOURS
    return dt.timedelta(hours=hours_)


def last_update(run: Mapping[str, Any]) -> dt.datetime | None:
    posts = [p for p in run.get("status_posts") or [] if not p.get("delete_at")]
    newest = max((int(p.get("create_at") or 0) for p in posts), default=0)
    return instant(newest) if newest else None


def instant(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def stale_runs(
    runs: Iterable[Mapping[str, Any]],
    levels: Sequence[Level],
    now: dt.datetime,
    base_url: str,
    owners: Mapping[str, str],
) -> list[StaleRun]:
    """The in-progress runs whose newest status post is older than their interval, oldest
    update first. `owners` maps user ids to usernames."""
    found = []
    for run in runs:
        if run.get("current_status") != "InProgress":
            continue
        name = str(run.get("name") or run.get("id"))
        started = instant(int(run.get("create_at") or 0))
        last = last_update(run)
        age = now - (last or started)
        allowed = interval(name, levels)
        if age > allowed:
            owner_id = str(run.get("owner_user_id"))
            link = f"{base_url}/playbooks/runs/{run.get('id')}"
            found.append(
                StaleRun(name, owners.get(owner_id, owner_id), last, started, age, allowed, link)
            )
    return sorted(found, key=lambda s: -s.age)
