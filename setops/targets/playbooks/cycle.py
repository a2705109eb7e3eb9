"""The cycle run: what it should be (pure), how setops knows its own, and what differs.

A cycle's run is the run of the SET cycle playbook that the setops bot started (its
reporter, which nobody can edit) within the cycle's window: from SKEW before the cycle's
first shift change to SKEW before the next cycle's. setops starts a run only inside that
window, so a run is found again by who started it and when, never by its name, which
people may edit. A run setops started in an earlier window and that is still in
progress is the previous cycle's: it is finished.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from setops.config.load import Config
from setops.config.models import PlaybooksSettings
from setops.plan import Change, FieldChange
from setops.schedule import CycleSpan, Schedule

SKEW = dt.timedelta(minutes=5)  # the server's clock may run a little behind ours
IN_PROGRESS, FINISHED = "InProgress", "Finished"
KIND = "cycle run"
Json = dict[str, Any]


@dataclass(frozen=True)
class CycleRun:
    """The run the current cycle should have: people are roster ids."""

    span: CycleSpan
    name: str
    owner: str
    participants: tuple[str, ...]
    summary: str

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        return self.span.start - SKEW, self.span.end - SKEW

    def usernames(self, config: Config) -> tuple[str, ...]:
        return tuple(config.person(p).mattermost for p in self.participants)


def last_day(span: CycleSpan) -> dt.date:
    return span.cycle.start + dt.timedelta(weeks=2, days=-1)


def rotation_link(config: Config, env: dict[str, str] | None = None) -> str | None:
    """Where people read the rotation: rotations/set.yaml on GitHub, when GitHub is set."""
    github = config.integrations.github
    if github is None:
        return None
    server = ((env or {}).get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    return f"{server}/{github.repository}/blob/{github.base_branch}/rotations/set.yaml"


def desired_run(
    config: Config,
    schedule: Schedule,
    settings: PlaybooksSettings,
    now: dt.datetime,
    link: str | None,
) -> CycleRun | None:
    """The run of the cycle at `now`, owned by whoever holds the lead role now."""
    span = schedule.cycle_at(now)
    if span is None:
        return None
    holder = schedule.holder("lead", None, now)
    owner = holder.person if holder else span.cycle.lead
    engineers = [
        person for pair in span.cycle.shifts.values() for person in (pair.primary, pair.backup)
    ]
    # The cycle's own lead stays a participant while someone stands in for them.
    participants = tuple(dict.fromkeys([owner, span.cycle.lead, *engineers]))
    name = settings.run_name.format(
        cycle_start=span.cycle.start.isoformat(), cycle_end=last_day(span).isoformat()
    )
    return CycleRun(span, name, owner, participants, summary(config, span, owner, link))


def summary(config: Config, span: CycleSpan, owner: str, link: str | None) -> str:
    def who(person_id: str) -> str:
        person = config.person(person_id)
        return f"@{person.mattermost} ({person.name})"

    lines = [f"SET cycle {span.cycle.start} to {last_day(span)}.", f"Lead: {who(owner)}"]
    if owner != span.cycle.lead:
        lines[-1] += f", standing in for {who(span.cycle.lead)}"
    for shift, pair in span.cycle.shifts.items():
        lines.append(f"{shift}: {who(pair.primary)} and {who(pair.backup)}")
    if link:
        lines.append(f"Rotation: {link}")
    lines.append("Kept by setops from rotations/: change the rotation, not this summary.")
    return "\n".join(lines)


def ms(instant: dt.datetime) -> int:
    return int(instant.timestamp() * 1000)


def is_ours(run: Json, bot: str, playbook_id: str) -> bool:
    return run.get("reporter_user_id") == bot and run.get("playbook_id") == playbook_id


def in_window(run: Json, desired: CycleRun) -> bool:
    start, end = desired.window
    created = int(run.get("create_at") or 0)
    return ms(start) <= created < ms(end)


@dataclass(frozen=True)
class Ids:
    """What the server calls the people and things of a cycle run."""

    bot: str
    team: str
    playbook: str
    users: dict[str, str]  # username -> user id


def run_changes(
    config: Config, desired: CycleRun, ids: Ids, current: Json | None, old: list[Json]
) -> list[Change]:
    """Start or correct the cycle's run, and finish the earlier ones setops started."""
    changes = [finish_change(run, "its cycle is over") for run in old]
    if current is None:
        return [create_change(config, desired, ids), *changes]
    if current.get("current_status") == FINISHED:
        return changes  # a person finished this cycle's run: setops does not start another
    update = update_change(config, desired, ids, current)
    return [*([update] if update else []), *changes]


def create_change(config: Config, desired: CycleRun, ids: Ids) -> Change:
    names = desired.usernames(config)
    fields = (
        FieldChange("owner", None, "@" + config.person(desired.owner).mattermost),
        FieldChange("participants", None, ["@" + n for n in names]),
        FieldChange("summary", None, desired.summary),
    )
    return Change(
        target="playbooks",
        action="create",
        kind=KIND,
        name=desired.name,
        fields=fields,
        reason=f"the cycle of {desired.span.cycle.start} has no run setops started",
        payload={"desired": desired, "ids": ids},
    )


def update_change(config: Config, desired: CycleRun, ids: Ids, run: Json) -> Change | None:
    fields = []
    owner = ids.users[config.person(desired.owner).mattermost]
    if run.get("owner_user_id") != owner:
        by_id = {v: k for k, v in ids.users.items()}
        before = by_id.get(str(run.get("owner_user_id")), str(run.get("owner_user_id")))
        fields.append(FieldChange("owner", before, config.person(desired.owner).mattermost))
    have = set(run.get("participant_ids") or [])
    missing = [n for n in desired.usernames(config) if ids.users[n] not in have]
    if missing:
        fields.append(FieldChange("participants", None, ["+@" + n for n in missing]))
    if str(run.get("summary") or "") != desired.summary:
        fields.append(FieldChange("summary", run.get("summary"), desired.summary))
    if not fields:
        return None
    return Change(
        target="playbooks",
        action="update",
        kind=KIND,
        name=str(run.get("name")),
        fields=tuple(fields),
        reason="the cycle's people changed" if len(fields) > 0 else "",
        payload={"desired": desired, "ids": ids, "run_id": run["id"]},
    )


def finish_change(run: Json, why: str) -> Change:
    return Change(
        target="playbooks",
        action="update",
        kind=KIND,
        name=str(run.get("name")),
        fields=(FieldChange("status", IN_PROGRESS, FINISHED),),
        reason=why,
        payload={"finish": run["id"]},
    )
