"""The handover's Playbooks steps: the outgoing cycle's run and the incident runs.

Read first (`gather_playbooks`, read-only): the run setops started for the cycle being
handed over, the in-progress incident runs, which of them missed their update, and which
need the incoming team. Then (`carry_out`): bring the incoming team into the incident runs
an outgoing SET member takes part in, tick the cycle run's items the handover did (never
one a person touched), and post one status update on the cycle run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from setops.config.load import Config
from setops.config.models import PlaybooksSettings
from setops.handover.due import JUST_BEFORE, Handover
from setops.schedule import Schedule
from setops.targets.http import VendorError
from setops.targets.playbooks.client import PlaybooksClient
from setops.targets.playbooks.cycle import FINISHED, SKEW, Json, is_ours, ms
from setops.targets.playbooks.incidents import StaleRun, stale_runs

Say = Callable[[str], None]
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class RunJoin:
    """An incident run an outgoing SET member takes part in, and who joins it."""

    run_id: str
    name: str
    add: tuple[tuple[str, str], ...]  # (username, user id) not yet participants
    bot_joins: bool


@dataclass(frozen=True)
class PlaybooksFound:
    bot: str
    bot_name: str
    cycle_run: Json | None
    cycle_label: str  # e.g. "the cycle of 2026-11-30"
    stale: tuple[StaleRun, ...] = ()
    joins: tuple[RunJoin, ...] = ()
    update_posted: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def marker(handover: Handover) -> str:
    """The first line of the handover's status update: how a re-run knows it was posted."""
    return f"**SET handover {handover.id}**"


def gather_playbooks(
    config: Config,
    schedule: Schedule,
    client: PlaybooksClient,
    handover: Handover,
    now: dt.datetime,
) -> PlaybooksFound:
    settings, mm = config.integrations.playbooks, config.integrations.mattermost
    assert settings is not None and mm is not None
    bot, bot_name = client.me_user()
    team = client.team_id(mm.team)
    cycle_pb = _playbook(client, team, settings, "cycle_playbook")
    incident_pb = _playbook(client, team, settings, "incident_playbook")
    run, label = _cycle_run(client, schedule, handover, bot, team, cycle_pb)
    runs = client.runs(
        "read the incident runs", team_id=team, playbook_id=incident_pb, statuses="InProgress"
    )
    owners = client.usernames(str(r.get("owner_user_id")) for r in runs)
    stale = stale_runs(runs, config.levels, now, client.api.base, owners)
    joins = _joins(config, client, handover, runs, bot)
    posted = run is not None and _posted(client, run, handover, bot_name)
    notes = () if run else (f"no run setops started for {label}: `setops apply` starts it",)
    return PlaybooksFound(bot, bot_name, run, label, tuple(stale), joins, posted, notes)


def _playbook(client: PlaybooksClient, team: str, settings: PlaybooksSettings, key: str) -> str:
    title = str(getattr(settings, key))
    return str(client.playbook(team, title, str(settings.at(key)))["id"])


def _cycle_run(
    client: PlaybooksClient,
    schedule: Schedule,
    handover: Handover,
    bot: str,
    team: str,
    playbook: str,
) -> tuple[Json | None, str]:
    """The run setops started for the cycle the handover closes (or is in the middle of)."""
    span = schedule.cycle_at(handover.change - JUST_BEFORE)
    if span is None:
        return None, "no cycle"
    label = f"the cycle of {span.cycle.start}"
    runs = client.runs(
        f"read the runs of {label}",
        team_id=team,
        playbook_id=playbook,
        started_gte=ms(span.start - SKEW),
        started_lt=ms(span.end - SKEW),
    )
    ours = [r for r in runs if is_ours(r, bot, playbook)]
    return (ours[0] if ours else None), label


def _joins(
    config: Config, client: PlaybooksClient, handover: Handover, runs: Sequence[Json], bot: str
) -> tuple[RunJoin, ...]:
    outgoing = [config.person(p).mattermost for p in handover.outgoing_people]
    incoming = [config.person(p).mattermost for p in handover.incoming_people]
    if not outgoing or not incoming:
        return ()
    ids = client.user_ids([*outgoing, *incoming])
    leaving = {ids[u] for u in outgoing}
    joins = []
    for run in runs:
        have = set(run.get("participant_ids") or [])
        if not have & leaving:
            continue
        add = tuple((u, ids[u]) for u in incoming if ids[u] not in have)
        if add:
            joins.append(RunJoin(str(run["id"]), str(run.get("name")), add, bot not in have))
    return tuple(joins)


def _posted(client: PlaybooksClient, run: Json, handover: Handover, bot_name: str) -> bool:
    updates = client.status_updates(str(run["id"]), str(run.get("name")))
    first = marker(handover)
    return any(
        u.get("author_user_name") == bot_name and str(u.get("message", "")).startswith(first)
        for u in updates
    )


# ---- the write phase ---------------------------------------------------------------------


@dataclass
class PlaybooksStep:
    """The handover's Playbooks writes; `did` and `warn` report as the other steps do."""

    config: Config
    client: PlaybooksClient
    found: PlaybooksFound
    handover: Handover
    did: Say
    warn: Say
    note: Say
    joined: int = 0

    def carry_out(self, steps_done: Iterable[str], summary: Sequence[str], pr_url: str) -> None:
        for note in self.found.notes:
            self.note(note)
        joined_all = self.join_incident_runs()
        run = self.found.cycle_run
        if run is None:
            return
        fresh = self.client.run(str(run["id"]))
        if fresh.get("current_status") == FINISHED:
            self.warn(f"the cycle run {fresh.get('name')!r} is finished: not ticked or updated")
            return
        self.tick(fresh, {*steps_done, *(["incident-runs"] if joined_all else [])})
        if not self.found.update_posted:
            self.post_update(fresh, summary, pr_url)

    def join_incident_runs(self) -> bool:
        """Bring the incoming team into the runs; False when one run refused."""
        complete = True
        for join in self.found.joins:
            names = ", ".join("@" + u for u, _ in join.add)
            try:
                if join.bot_joins:  # only a participant may add others
                    self.client.add_participants(join.run_id, [self.found.bot], join.name)
                self.client.add_participants(join.run_id, [i for _, i in join.add], join.name)
            except VendorError as exc:
                self.warn(f"could not add {names} to the incident run {join.name!r}: {exc}")
                complete = False
                continue
            self.joined += len(join.add)
            self.did(f"added {names} to the incident run {join.name!r}")
        return complete

    def tick(self, run: Json, steps_done: set[str]) -> None:
        for item in self.config.checklist:
            if not item.playbook_item or item.done_by not in steps_done:
                continue
            place = find_item(run, item.playbook_item)
            if place is None:
                self.warn(
                    f"the cycle run has no checklist item {item.playbook_item!r} "
                    f"({item.at('playbook_item')}): not ticked"
                )
                continue
            (c, i), state, changed = place
            if state or changed:
                continue  # a person ticked, skipped or changed it: theirs
            self.client.set_item_state(str(run["id"]), (c, i), "closed", item.playbook_item)
            self.did(f"ticked {item.playbook_item!r} in the cycle run")

    def post_update(self, run: Json, summary: Sequence[str], pr_url: str) -> None:
        message = update_message(self.config, self.handover, summary, pr_url, self.joined)
        reminder = int(run.get("previous_reminder") or 0) // 1_000_000_000 or WEEK
        run_id, name = str(run["id"]), str(run.get("name"))

        def posted() -> bool:
            return _posted(self.client, run, self.handover, self.found.bot_name)

        self.client.post_status(run_id, message, reminder, posted)
        self.did(f"posted the handover's status update on {name!r}")


def find_item(run: Json, title: str) -> tuple[tuple[int, int], str, bool] | None:
    """((checklist, item), state, changed by someone) of the item titled `title`."""
    wanted = " ".join(title.split()).casefold()
    for c, checklist in enumerate(run.get("checklists") or []):
        for i, item in enumerate(checklist.get("items") or []):
            if " ".join(str(item.get("title", "")).split()).casefold() == wanted:
                state = str(item.get("state") or "")
                return (c, i), state, bool(item.get("state_modified"))
    return None


def update_message(
    config: Config, handover: Handover, summary: Sequence[str], pr_url: str, joined: int
) -> str:
    def name(person: str | None) -> str:
        return config.person(person).name if person else "nobody"

    lead = handover.lead
    lines = [
        f"{marker(handover)}: {name(lead.outgoing)} hands over to {name(lead.incoming)}",
        *(f"- {s}" for s in summary),
        f"- {joined} participant(s) added to incident runs",
        f"Handover pull request: {pr_url}",
    ]
    return "\n".join(lines)


def stale_lines(found: PlaybooksFound | None) -> list[str]:
    """The incident runs without a recent update, one line each, for texts."""
    if found is None:
        return []
    return [s.describe() for s in found.stale]


def step_lines(config: Config, found: PlaybooksFound | None, missing: str) -> list[str]:
    """What the Playbooks step will do (or, in a dry run, would do)."""
    settings = config.integrations.playbooks
    assert settings is not None
    head = (
        f"  playbooks: the run of {settings.cycle_playbook!r} and of {settings.incident_playbook!r}"
    )
    if found is None:
        return [head + missing]
    run = found.cycle_run
    lines = [head]
    if run is None:
        lines.append(f"     {found.notes[0] if found.notes else 'no cycle run'}")
    else:
        ticks = [i.playbook_item for i in config.checklist if i.playbook_item and i.done_by]
        lines.append(
            f"     cycle run {run.get('name')!r} ({found.cycle_label}): tick, where untouched: "
            + (", ".join(repr(t) for t in ticks) or "nothing mapped in policies/handover.yaml")
        )
        update = "already posted" if found.update_posted else "post the handover's summary"
        lines.append(f"     status update: {update}")
    for join in found.joins:
        names = ", ".join("@" + u for u, _ in join.add)
        lines.append(f"     add {names} to the incident run {join.name!r}")
    if not found.joins:
        lines.append("     incident runs: nobody to add")
    lines.append(f"     incident runs without a recent status update: {len(found.stale) or 'none'}")
    lines += [f"       {s.describe()}" for s in found.stale]
    return lines
