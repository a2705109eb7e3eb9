"""Mattermost Playbooks: one run of the SET cycle playbook per cycle (a target of
`plan`/`apply`, so the hourly apply keeps it).

The run is owned by whoever holds the lead role now (an override's lead while it lasts),
has the lead and the cycle's four engineers as participants and a summary naming them
and linking the rotation. When a cycle starts its run is started, and the runs setops
started for earlier cycles are finished. Runs people started are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from setops.config.load import Config
from setops.config.models import MattermostSettings, PlaybooksSettings
from setops.plan import Change, Notice, TargetPlan
from setops.targets.base import ApplyReport, Target
from setops.targets.playbooks.client import PlaybooksClient, playbooks_client
from setops.targets.playbooks.cycle import (
    FINISHED,
    IN_PROGRESS,
    CycleRun,
    Ids,
    Json,
    desired_run,
    finish_change,
    in_window,
    is_ours,
    ms,
    rotation_link,
    run_changes,
)


@dataclass(frozen=True)
class Found:
    """The cycle playbook's runs as they stand."""

    ids: Ids
    current: Json | None
    old: list[Json]  # in progress, started by setops for earlier cycles
    extra: list[Json]  # in progress, started by setops for this cycle after the first
    others: list[Json]  # started by people in this cycle's window


def read_runs(
    client: PlaybooksClient,
    settings: PlaybooksSettings,
    mm: MattermostSettings,
    desired: CycleRun,
    usernames: list[str],
) -> Found:
    bot = client.me()
    team = client.team_id(mm.team)
    playbook = client.playbook(team, settings.cycle_playbook, str(settings.at("cycle_playbook")))
    ids = Ids(bot, team, str(playbook["id"]), client.user_ids(usernames))
    start, end = (ms(t) for t in desired.window)
    scope = {"team_id": team, "playbook_id": ids.playbook}
    window = client.runs("read this cycle's runs", **scope, started_gte=start, started_lt=end)
    earlier = client.runs(
        "read the cycle runs in progress", **scope, statuses=IN_PROGRESS, started_lt=start
    )
    ours = [r for r in window if is_ours(r, bot, ids.playbook) and in_window(r, desired)]
    return Found(
        ids,
        ours[0] if ours else None,
        [r for r in earlier if is_ours(r, bot, ids.playbook)],
        [r for r in ours[1:] if r.get("current_status") == IN_PROGRESS],
        [r for r in window if not is_ours(r, bot, ids.playbook)],
    )


class PlaybooksTarget(Target):
    name = "playbooks"
    credentials = ("MATTERMOST_URL", "MATTERMOST_TOKEN")

    @property
    def settings(self) -> PlaybooksSettings:
        settings = self.context.config.integrations.playbooks
        assert settings is not None
        return settings

    @property
    def mattermost(self) -> MattermostSettings:
        settings = self.context.config.integrations.mattermost
        assert settings is not None
        return settings

    def enabled(self) -> bool:
        integrations = self.context.config.integrations
        playbooks, mm = integrations.playbooks, integrations.mattermost
        return bool(playbooks and playbooks.enabled and mm and mm.enabled)

    def desired(self) -> CycleRun | None:
        config, now = self.context.config, self.context.now
        link = rotation_link(config, dict(self.context.env))
        return desired_run(config, self.context.schedule, self.settings, now, link)

    def plan(self) -> TargetPlan:
        desired = self.desired()
        if desired is None:
            return TargetPlan(self.name, notices=(Notice("info", "no cycle now: no run to keep"),))
        config = self.context.config
        missing = self.missing_credentials()
        if missing:
            unknown = Ids("", "", "", {})
            changes = run_changes(config, desired, unknown, None, [])
            return TargetPlan(self.name, tuple(changes), configured=False, missing=missing)
        client = playbooks_client(self.context.env)
        usernames = list(desired.usernames(config))
        found = read_runs(client, self.settings, self.mattermost, desired, usernames)
        changes = run_changes(config, desired, found.ids, found.current, found.old)
        changes += [
            finish_change(r, "a second run setops started for this cycle") for r in found.extra
        ]
        notices = [self._foreign(r) for r in found.others]
        if found.current is None and self.context.now >= desired.window[1]:
            changes = [c for c in changes if c.action != "create"]
            notices.append(Notice("info", "the cycle ends in minutes: its run is not started"))
        if found.current is not None and found.current.get("current_status") == FINISHED:
            notices.append(
                Notice(
                    "info",
                    f"this cycle's run {found.current.get('name')!r} was finished by "
                    "a person: setops leaves it so",
                )
            )
        return TargetPlan(self.name, tuple(changes), notices=tuple(notices))

    def _foreign(self, run: Json) -> Notice:
        return Notice(
            "info",
            f"run {run.get('name')!r} of {self.settings.cycle_playbook!r} was started by a "
            "person this cycle; setops leaves it alone (and keeps its own)",
        )

    def apply(self, plan: TargetPlan) -> ApplyReport:
        client = playbooks_client(self.context.env)
        report = ApplyReport(self.name)
        for change in plan.ordered():
            self._carry_out(client, change)
            report.done.append(change)
        report.requests = client.requests
        return report

    def _carry_out(self, client: PlaybooksClient, change: Change) -> None:
        payload = change.payload
        if "finish" in payload:
            client.finish(payload["finish"], change.name)
            return
        desired, ids = payload["desired"], payload["ids"]
        run_id = payload.get("run_id") or self._start(client, desired, ids)
        converge(client, self.context.config, desired, ids, run_id)

    def _start(self, client: PlaybooksClient, desired: CycleRun, ids: Ids) -> str:
        config = self.context.config
        body = {
            "name": desired.name,
            "owner_user_id": ids.users[config.person(desired.owner).mattermost],
            "team_id": ids.team,
            "playbook_id": ids.playbook,
            # The summary's field is `description` up to plugin 2.6 and `summary` from 2.7;
            # each version ignores the other name, so both are sent.
            "description": desired.summary,
            "summary": desired.summary,
        }

        def find() -> Json | None:
            return find_current(client, ids, desired)

        return str(client.create_run(body, find)["id"])


def find_current(client: PlaybooksClient, ids: Ids, desired: CycleRun) -> Json | None:
    """The run setops started in this cycle's window, if the server has one."""
    start, end = (ms(t) for t in desired.window)
    runs = client.runs(
        "look for this cycle's run",
        team_id=ids.team,
        playbook_id=ids.playbook,
        started_gte=start,
        started_lt=end,
    )
    ours = [r for r in runs if is_ours(r, ids.bot, ids.playbook)]
    return ours[0] if ours else None


def converge(
    client: PlaybooksClient, config: Config, desired: CycleRun, ids: Ids, run_id: str
) -> None:
    """Bring a run's participants, owner and summary to the desired ones, reading it first
    (so a re-run after any failure only does what is left)."""
    run = client.run(run_id)
    if run.get("current_status") == FINISHED:
        return
    name = str(run.get("name"))
    have = set(run.get("participant_ids") or [])
    if ids.bot not in have:  # only a participant may add others: join first
        client.add_participants(run_id, [ids.bot], name)
    wanted = [ids.users[n] for n in desired.usernames(config)]
    missing = [u for u in wanted if u not in have]
    if missing:
        client.add_participants(run_id, missing, name)
    owner = ids.users[config.person(desired.owner).mattermost]
    if run.get("owner_user_id") != owner:
        client.change_owner(run_id, owner, name)
    if str(run.get("summary") or "") != desired.summary:
        client.update_summary(run_id, desired.summary, name)
