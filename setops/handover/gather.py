"""The read phase of a handover: everything it needs to know, before anything is written.

Only read-only calls. What a service without credentials cannot tell (a dry run on a
newcomer's machine) is left unknown and said so, never guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from setops.config.jql import joined
from setops.config.load import Config
from setops.config.models import JiraSettings, Level, MattermostSettings, PriorityRule
from setops.errors import Location, SetopsError
from setops.handover.chat import IncidentChannel, read_incident_channel
from setops.handover.document import Facts, HandoverProgress, jira_name, read_state, ticks
from setops.handover.due import Handover
from setops.handover.tickets import TicketPlan, plan_tickets
from setops.plan import Change
from setops.ranking import RankMove, desired_order, rank_moves
from setops.render.header import owned_text
from setops.schedule import Schedule
from setops.targets.clients.github_pr import (
    HandoverRepo,
    Pull,
    github_settings,
    missing_github_credentials,
)
from setops.targets.clients.jira import JiraClient, jira_auth, missing_jira_credentials
from setops.targets.clients.jira_tickets import read_tickets
from setops.targets.http import VendorError
from setops.targets.mattermost.client import (
    ChannelRef,
    MattermostClient,
    channel_ref,
    mattermost_client,
    out_of_reach,
)
from setops.targets.mattermost.target import header_change
from setops.ticket import Ticket

T = TypeVar("T")
ANNOUNCEMENT_PROP = "setops_handover"  # the props key that marks the announcement post


@dataclass
class Services:
    """The connected services; None where a dry run has no credentials for one."""

    github: HandoverRepo | None = None
    jira: JiraClient | None = None
    mattermost: MattermostClient | None = None
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    records: dict[str, tuple[Pull | None, HandoverProgress]] = field(default_factory=dict)

    def requests(self) -> int:
        return (self.jira.requests if self.jira else 0) + (
            self.mattermost.requests if self.mattermost else 0
        )


def connect(config: Config, env: Mapping[str, str], *, dry_run: bool, throttle: bool) -> Services:
    """Connect every enabled service; refuse (naming the variables) when one lacks
    credentials, unless this is a dry run, which then reads what it can."""
    integrations = config.integrations
    github, jira, mattermost = integrations.github, integrations.jira, integrations.mattermost
    if not dry_run and not (github and github.enabled):
        raise SetopsError(
            "setops handover needs github enabled in policies/integrations.yaml: the "
            "handover pull request is the record of what was handed over"
        )
    missing: dict[str, tuple[str, ...]] = {}
    if github and github.enabled and missing_github_credentials(env):
        missing["github"] = missing_github_credentials(env)
    if jira and jira.enabled and missing_jira_credentials(env):
        missing["jira"] = missing_jira_credentials(env)
    if mattermost and mattermost.enabled:
        lacking = tuple(n for n in ("MATTERMOST_URL", "MATTERMOST_TOKEN") if not env.get(n))
        if lacking:
            missing["mattermost"] = lacking
    if missing and not dry_run:
        named = "; ".join(f"{t} ({', '.join(v)})" for t, v in missing.items())
        raise SetopsError(f"missing credentials for enabled target(s): {named}. Nothing was sent.")
    services = Services(missing=missing)
    if github and github.enabled and "github" not in missing:
        services.github = HandoverRepo(github_settings(env, github), github, throttle=throttle)
    if jira and jira.enabled and "jira" not in missing:
        services.jira = JiraClient(jira_auth(env))
    if mattermost and mattermost.enabled and "mattermost" not in missing:
        services.mattermost = mattermost_client(env)
    return services


@dataclass(frozen=True)
class Gathered:
    """What the handover found: its record, its tickets, and what each step would change."""

    handover: Handover
    pull: Pull | None
    state: HandoverProgress
    tickets: tuple[TicketPlan, ...] = ()
    tickets_known: bool = False
    rank: tuple[RankMove, ...] | None = None
    header: Change | None = None
    header_known: bool = False
    channel: ChannelRef | None = None  # the SET channel
    channel_problem: str | None = None  # why the SET channel is out of reach
    joins: tuple[IncidentChannel, ...] | None = None
    users: dict[str, str] = field(default_factory=dict)  # the incoming team: username -> id
    announced: bool = False  # recorded in the PR, or the post found in the channel
    bot_joins: bool = False  # the bot must join the SET channel to set its header or post

    @property
    def ticks(self) -> frozenset[str]:
        return ticks(self.pull.body if self.pull else None)

    def facts(
        self,
        config: Config,
        tickets: tuple[TicketPlan, ...] | None = None,
        pr_url: str | None = None,
    ) -> Facts:
        """What the handover texts say: these tickets (as they stand) or the ones found."""
        channels = config.integrations.mattermost
        return Facts(
            config=config,
            handover=self.handover,
            tickets=self.tickets if tickets is None else tickets,
            channels=tuple(channels.incident_channels) if channels else (),
            tickets_known=self.tickets_known,
            pr_url=pr_url,
            ticks=self.ticks,
        )


def record(services: Services, handover: Handover) -> tuple[Pull | None, HandoverProgress]:
    """The handover's pull request and the state it records (none yet: nothing done)."""
    if services.github is None:
        return None, HandoverProgress()
    if handover.id not in services.records:  # asked once per run: is it done, then its PR
        pull = services.github.find_pull(handover.branch)
        services.records[handover.id] = (
            pull,
            (read_state(pull.body) if pull else None) or HandoverProgress(),
        )
    return services.records[handover.id]


def gather(
    config: Config,
    schedule: Schedule,
    services: Services,
    handover: Handover,
    now: dt.datetime,
    pull: Pull | None,
    state: HandoverProgress,
) -> Gathered:
    """Read Jira and Mattermost side by side (neither waits for the other's answers)."""
    found = Gathered(handover, pull, state, announced=state.announced)
    jira, mm = config.integrations.jira, config.integrations.mattermost
    with ThreadPoolExecutor(max_workers=1) as side:
        chat = None
        if services.mattermost is not None and mm is not None:
            chat = side.submit(
                _gather_mattermost, config, schedule, services.mattermost, mm, handover, now, found
            )
        read: tuple[tuple[TicketPlan, ...], tuple[RankMove, ...]] | None = None
        if services.jira is not None and jira is not None:
            plans = tuple(
                plan_tickets(config, jira, handover, _tickets(services.jira, config, jira), now)
            )
            check_assignable(services.jira, config, jira, plans)
            read = plans, tuple(board_moves(services.jira, config, jira))
        found = chat.result() if chat is not None else found
    if read is not None:
        found = dataclasses.replace(found, tickets=read[0], tickets_known=True, rank=read[1])
    return found


def at_place(where: Location, search: Callable[[], T]) -> T:
    """Run a search by a JQL from policies/; a JQL Jira rejects (400) is named at its place."""
    try:
        return search()
    except VendorError as exc:
        if exc.status != 400:
            raise
        raise SetopsError(f"{where}: this JQL: {exc}") from None


def _tickets(client: JiraClient, config: Config, jira: JiraSettings) -> list[Ticket]:
    """The open SET tickets, each with its support level (the first level whose JQL it matches)."""
    tickets = at_place(jira.at("jql"), lambda: read_tickets(client, jira.jql))

    def ids(level: Level) -> list[str]:  # whether a ticket is L1 does not follow our writes
        return at_place(level.at("jql"), partial(client.ids, joined(jira.jql, level.jql)))

    level_of: dict[str, str] = {}
    for level, found in zip(config.levels, client.each(ids, config.levels), strict=True):
        for issue_id in found:
            level_of.setdefault(issue_id, level.id)
    return [dataclasses.replace(t, level=level_of.get(t.id)) for t in tickets]


def check_assignable(
    client: JiraClient, config: Config, jira: JiraSettings, plans: tuple[TicketPlan, ...]
) -> None:
    """Refuse, before anything is written, to hand tickets to someone Jira will not let
    be assigned them: each ticket would get its comment and then fail its assignment."""
    targets = dict.fromkeys(p.new for p in plans if p.action in ("move", "assign") and p.new)
    answers = client.each(partial(client.assignable, jira.project), targets)
    refused = [user for user, answer in zip(targets, answers, strict=True) if answer is False]
    if refused:
        names = ", ".join(f"{jira_name(config, user)} ({user})" for user in refused)
        raise SetopsError(
            f"jira: {names} cannot be assigned tickets in project {jira.project} (not among "
            "its assignable users), so the handover cannot give them their tickets: grant "
            "the Assign Issues / Assignable User permission in Jira, or correct `jira:` in "
            "rotations/roster.yaml. Nothing was sent for this handover."
        )


def board_moves(client: JiraClient, config: Config, jira: JiraSettings) -> list[RankMove]:
    """The rank calls that put the board's TO DO column in the order of the priority rules."""
    column = at_place(jira.at("todo_jql"), lambda: client.board_issues(jira.board, jira.todo_jql))
    rules = sorted(config.priority_rules, key=lambda r: r.rank)

    def keys(rule: PriorityRule) -> list[str]:
        query = joined(jira.todo_jql, rule.jql)
        return at_place(rule.at("jql"), partial(client.board_issues, jira.board, query))

    rule_of: dict[str, int] = {}
    for rule, found in zip(rules, client.each(keys, rules), strict=True):
        for key in found:
            rule_of.setdefault(key, rule.rank)
    return rank_moves(column, desired_order(column, rule_of))


def incoming_usernames(config: Config, handover: Handover) -> list[str]:
    return [config.person(p).mattermost for p in handover.incoming_people]


def _gather_mattermost(
    config: Config,
    schedule: Schedule,
    client: MattermostClient,
    settings: MattermostSettings,
    handover: Handover,
    now: dt.datetime,
    found: Gathered,
) -> Gathered:
    users = client.user_ids(incoming_usernames(config, handover))
    joins = tuple(
        read_incident_channel(client, settings.team, name, users)
        for name in settings.incident_channels
    )
    found = dataclasses.replace(found, joins=joins, users=users)
    data = client.find_channel(settings.team, settings.channel)
    if data is None:  # private, and the bot not in it: a warning, the rest goes on
        return dataclasses.replace(
            found, channel_problem=out_of_reach(settings.team, settings.channel)
        )
    channel = channel_ref(data, settings.channel)
    owned = owned_text(config, settings, schedule.at(now))
    change = header_change(settings, str(data.get("header") or ""), owned, channel.id, channel.type)
    announced = found.announced or (
        client.find_post(channel.id, ANNOUNCEMENT_PROP, handover.id) is not None
    )
    # Setting the header and posting need the bot in the channel; it joins a public one.
    needs_member = change is not None or not announced
    bot_joins = needs_member and channel.public and not client.is_member(channel)
    return dataclasses.replace(
        found,
        header=change,
        header_known=True,
        channel=channel,
        announced=announced,
        bot_joins=bot_joins,
    )
