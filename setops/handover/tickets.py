"""What the handover does with each SET ticket: pure decisions over tickets already read.

A ticket handed over carries a comment with a marker naming the handover, the outgoing
and the incoming assignee. That marker, not the current assignee, is how a re-run knows
the ticket was handled: it is not moved again, and a ticket someone reassigned after the
handover stays where they put it. The comment and the assignment go in one edit; where
Jira's edit screen forbids that, the comment is written before the assignment, so a run
that stopped between the two finds the marker with the ticket still on the outgoing
person, and finishes the move (`assign`). The tickets must be read as they are, not from
a search that may lag behind the last run's writes (see targets/clients/jira_tickets.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from setops.config.load import Config
from setops.config.models import JiraSettings, Role
from setops.handover.due import Handover, RoleChange
from setops.ticket import Ticket

_MARK = re.compile(r"\[setops:handover (\d{4}-\d{2}-\d{2}) from=([^\]]*?) to=([^\]]*?)\]")
Action = Literal["move", "assign", "done", "keep", "gone"]


@dataclass(frozen=True)
class Mark:
    handover: str
    source: str
    target: str


def marker(handover_id: str, source: str, target: str) -> str:
    return f"[setops:handover {handover_id} from={source} to={target}]"


def marks(ticket: Ticket) -> dict[str, Mark]:
    """The handovers that handled `ticket`, by handover id."""
    found: dict[str, Mark] = {}
    for comment in ticket.comments:
        for match in _MARK.finditer(comment.text):
            found[match.group(1)] = Mark(match.group(1), match.group(2), match.group(3))
    return found


@dataclass(frozen=True)
class TicketPlan:
    """One ticket in one handover: who holds it before and after, and what setops does.

    `move`: comment and assign; `assign`: the comment is there, the assignment is not (a
    run stopped between the two writes of the fallback); `done`: handled by this handover
    already; `keep`: not held by someone leaving SET, left alone; `gone`: deleted from
    Jira while the handover ran.
    """

    ticket: Ticket
    old: str | None  # Jira user
    new: str | None
    action: Action
    role: str = ""
    stale: bool = False

    @property
    def moves(self) -> bool:
        return self.old != self.new


_RULE_FIELD: dict[Role, str] = {
    "lead": "lead_tickets",
    "primary": "primary_tickets",
    "backup": "backup_tickets",
}


def successor(handover: Handover, change: RoleChange, settings: JiraSettings) -> str | None:
    """Who takes the outgoing holder of `change`'s tickets, by the rule in policies/."""
    rule = getattr(settings, _RULE_FIELD[change.role])
    if rule is None:
        return change.incoming
    role: Role = rule.removeprefix("incoming-")
    if role == "lead":
        return handover.lead.incoming
    shift = change.shift or next((r.shift for r in handover.roles if r.shift), None)
    target = handover.role(role, shift)
    return target.incoming if target else None


def stale_levels(config: Config) -> dict[str, int]:
    """Level id -> hours within which a human update is due (the levels that have one)."""
    return {lv.id: lv.update_every_hours for lv in config.levels if lv.update_every_hours}


def lacks_update(ticket: Ticket, now: dt.datetime, levels: Mapping[str, int]) -> bool:
    """Whether `ticket`'s level asks for an update it has not had (setops' comments aside)."""
    hours = levels.get(ticket.level or "")
    return hours is not None and now - ticket.last_human_update() > dt.timedelta(hours=hours)


def plan_tickets(
    config: Config,
    settings: JiraSettings,
    handover: Handover,
    tickets: Iterable[Ticket],
    now: dt.datetime,
) -> list[TicketPlan]:
    """The decision for every open SET ticket, in the order given."""
    jira_id = {p.id: p.jira for p in config.people}
    leaving = set(handover.outgoing_people)
    by_outgoing: dict[str, RoleChange] = {}
    for role_change in handover.roles:
        if role_change.outgoing in leaving:
            by_outgoing.setdefault(jira_id[role_change.outgoing], role_change)
    levels = stale_levels(config)
    plans = []
    for ticket in tickets:
        stale = lacks_update(ticket, now, levels)
        mark = marks(ticket).get(handover.id)
        if mark is not None:
            action: Action = "assign" if ticket.assignee == mark.source else "done"
            plans.append(TicketPlan(ticket, mark.source, mark.target, action, "", stale))
            continue
        change = by_outgoing.get(ticket.assignee or "")
        target = successor(handover, change, settings) if change else None
        if change is None or target is None or jira_id[target] == ticket.assignee:
            plans.append(TicketPlan(ticket, ticket.assignee, ticket.assignee, "keep", "", stale))
            continue
        plans.append(
            TicketPlan(ticket, ticket.assignee, jira_id[target], "move", change.label, stale)
        )
    return plans
