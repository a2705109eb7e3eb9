"""The terminal text of a handover: who hands over to whom, and what each step does."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from setops.config.load import Config
from setops.handover import document
from setops.handover.due import Handover
from setops.handover.gather import Gathered, Services, incoming_usernames
from setops.render.header import owned_part, owned_text
from setops.render.people import when
from setops.schedule import Schedule


def _person(config: Config, person_id: str | None) -> str:
    return f"{config.person(person_id).name} ({person_id})" if person_id else "nobody"


def people_lines(config: Config, handover: Handover) -> list[str]:
    tz = handover.change.tzinfo
    assert tz is not None
    lines = [
        f"Handover {handover.id}: shift change {when(handover.change, tz)}, "
        f"handover run {when(handover.run, tz)}",
        f"  week {handover.week} of the cycle starting {handover.cycle.cycle.start}",
        "",
        f"  {'role':<14} {'outgoing':<30} incoming",
    ]
    for change in handover.roles:
        out = _person(config, change.outgoing)
        lines.append(f"  {change.label:<14} {out:<30} {_person(config, change.incoming)}")
    leaving = ", ".join(handover.outgoing_people) or "nobody"
    lines.append(f"  leaving SET: {leaving}")
    return lines


def _missing(services: Services, target: str) -> str:
    names = services.missing.get(target)
    return f" (not configured: set {', '.join(names)})" if names else ""


def step_lines(
    config: Config, schedule: Schedule, services: Services, found: Gathered, now: dt.datetime
) -> list[str]:
    """What each step will do (or, in a dry run, would do)."""
    h, integrations = found.handover, config.integrations
    lines = ["", "Steps:"]
    if integrations.github and integrations.github.enabled:
        pr = f"#{found.pull.number} ({found.pull.url})" if found.pull else "none yet"
        if found.pull and found.pull.merged:
            pr += ", merged: its branch and reviews are left as they are"
        leads = [config.person(p).github for p in (h.lead.outgoing, h.lead.incoming) if p]
        github = integrations.github
        title = document.title(config, h)
        lines += [
            f"  1. github: pull request {title!r}{_missing(services, 'github')}",
            f"     branch {h.branch}, file {h.path}, into {github.base_branch}; "
            f"review: {', '.join(dict.fromkeys(leads))}; label {github.handover_label}",
            f"     existing pull request: {pr}",
        ]
    if integrations.jira and integrations.jira.enabled:
        lines += _jira_lines(config, services, found)
    if integrations.mattermost and integrations.mattermost.enabled:
        lines += _mattermost_lines(config, schedule, services, found, now)
    lines.append("  4. github: record the handover as complete in the pull request")
    return lines


def _jira_lines(config: Config, services: Services, found: Gathered) -> list[str]:
    jira = config.integrations.jira
    assert jira is not None
    lines = [
        f"  2. jira: hand the open SET tickets ({jira.jql}) of people leaving SET to the "
        f"incoming holder of their role{_missing(services, 'jira')}; one comment on each"
    ]
    if not found.tickets_known:
        return [
            *lines,
            "     rank the TO DO column of board "
            f"{jira.board} by the priority rules in policies/priorities.yaml",
        ]
    stale = [p for p in found.tickets if p.stale]
    lines.append(
        f"     {len(found.tickets)} open ticket(s); L1/L2 without a human update in "
        f"a day: {', '.join(p.ticket.key for p in stale) or 'none'}"
    )
    for plan in found.tickets:
        if plan.action in ("move", "assign"):
            old = document.jira_name(config, plan.old, plan.ticket.assignee_name)
            new = document.jira_name(config, plan.new)
            what = "move" if plan.action == "move" else "finish moving"
            lines.append(
                f"     {what} {plan.ticket.key} from {old} to {new} ({plan.role or 'resume'})"
            )
    done = sum(p.action == "done" for p in found.tickets)
    if done:
        lines.append(f"     {done} ticket(s) already handed over by this handover: left alone")
    moves = found.rank or ()
    lines.append(
        f"     rank the TO DO column of board {jira.board}: "
        f"{len(moves) or 'nothing'} move(s)" + (" needed" if moves else " out of order")
    )
    lines += [f"       {m.describe()}" for m in moves]
    return lines


def _mattermost_lines(
    config: Config, schedule: Schedule, services: Services, found: Gathered, now: dt.datetime
) -> list[str]:
    mm = config.integrations.mattermost
    assert mm is not None
    h = found.handover
    now_text = owned_part(owned_text(config, mm, schedule.at(now)), mm)
    at_change = owned_part(owned_text(config, mm, schedule.at(h.change)), mm)
    if found.header_known:
        header = " (up to date)" if found.header is None else " (to be set)"
    else:
        header = _missing(services, "mattermost")
    lines = [
        f"  3. mattermost: ~{mm.channel} header now{header}:",
        f"       {now_text}",
        f"     from the shift change `setops apply` sets: {at_change}",
    ]
    team = ", ".join(f"@{u}" for u in incoming_usernames(config, h))
    channels = ", ".join(f"~{c}" for c in mm.incident_channels) or "none"
    if found.joins is None:
        lines.append(f"     add the incoming team ({team}) to {channels}")
    else:
        lines += _incident_lines(found)
    if found.channel_problem:
        lines.append(f"     warning: {found.channel_problem}")
        return lines
    if found.bot_joins:
        lines.append(
            f"     join ~{mm.channel} (the bot is not a member; the header and posting need it)"
        )
    if found.announced:
        lines.append("     announcement: already posted")
    else:
        text = document.announcement(
            document.Facts(
                config, h, found.tickets, tuple(mm.incident_channels), found.tickets_known
            ),
            found.pull.url if found.pull else "(the pull request)",
        )
        lines.append(f"     announce in ~{mm.channel}:")
        lines += [f"       | {line}" for line in text.splitlines()]
    return lines


def _incident_lines(found: Gathered) -> list[str]:
    """What happens in each incident channel, as far as the read phase could tell."""
    adds, lines = [], []
    for channel in found.joins or ():
        if channel.problem:
            lines.append(f"     warning: {channel.problem}")
        elif channel.bot_joins:
            who = ", ".join(found.users) or "nobody"
            lines.append(
                f"     join ~{channel.name} (the bot is not in it; only members see who is), "
                f"then add whoever of {who} is missing"
            )
        elif channel.add:
            adds.append(f"{', '.join(u for u, _ in channel.add)} to ~{channel.name}")
    summary = "; ".join(adds) or ("nobody else" if lines else "nobody (all are in)")
    return [f"     incident channels: add {summary}", *lines]


def body_lines(config: Config, found: Gathered) -> list[str]:
    """The pull request's description as the handover would write it now: the filled
    checklist, the people and the ticket table, cut as the real description is cut, with
    whatever a lead wrote outside setops' part kept."""
    github = config.integrations.github
    if not (github and github.enabled):
        return []
    h = found.handover
    leads = [config.person(p).github for p in (h.lead.outgoing, h.lead.incoming) if p]
    state = replace(found.state, reviewers=tuple(sorted({*found.state.reviewers, *leads})))
    text = document.body(found.facts(config), state, found.pull.body if found.pull else None)
    which = f"#{found.pull.number}" if found.pull else "the new pull request"
    return [
        "",
        f"Description of {which}, as it would be written:",
        *(f"     | {line}".rstrip() for line in text.splitlines()),
    ]
