"""The texts of a handover: the pull request (title, body, file), the Jira comment and the
Mattermost announcement. Pure.

The pull request body has a generated part between two markers, which setops rewrites on
a re-run; the leads' ticks in its task list are carried over by item id, and everything
outside the markers (the knowledge section, notes) is theirs and kept as written. The
generated part ends with a hidden state line: the durable record of what the handover did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from setops import markdown
from setops.config.load import Config
from setops.handover.due import Handover
from setops.handover.tickets import TicketPlan, marker
from setops.render.people import when

BEGIN = "<!-- setops:handover:begin -->"
END = "<!-- setops:handover:end -->"
_STATE = re.compile(r"<!-- setops:state (\{.*?\}) -->")
_TICK = re.compile(r"^- \[([ xX])\] .*<!-- item:([a-z0-9_.-]+) -->\s*$", re.MULTILINE)
# GitHub refuses a description over 65,536 characters and Mattermost a post over 16,383:
# setops' parts stay well under, leaving the leads room for their own text.
GENERATED_BUDGET = 50_000
ANNOUNCEMENT_BUDGET = 12_000
TABLE = "\x00tickets"  # where the ticket table goes, once its room is known
KNOWLEDGE = (
    "## Knowledge that isn't in tickets\n\n"
    "<!-- Outgoing lead: what the incoming team needs to know beyond the tickets and the "
    "channels. setops never changes this section. -->\n"
)


@dataclass(frozen=True)
class HandoverProgress:
    """What the handover has done, as recorded in the pull request.

    `reviewers` are the logins setops asked for a review: GitHub drops a reviewer from the
    requested ones once they review, so only this record says not to ask them again.
    """

    announced: bool = False
    complete: bool = False
    summary: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()

    def line(self) -> str:
        data: dict[str, object] = {"announced": self.announced, "complete": self.complete}
        if self.reviewers:
            data["reviewers"] = sorted(self.reviewers)
        return f"<!-- setops:state {json.dumps(data, sort_keys=True)} -->"


def read_state(body: str | None) -> HandoverProgress | None:
    """The state recorded in a pull request body, or None when it holds none.

    Read from setops' part when the body has one: a lead may paste an older description,
    state line and all, outside it.
    """
    body = body or ""
    start = body.find(BEGIN)
    end = body.find(END, start)
    if start >= 0 and end > start:
        body = body[start:end]
    match = _STATE.search(body)
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    reviewers = data.get("reviewers")
    return HandoverProgress(
        bool(data.get("announced")),
        bool(data.get("complete")),
        reviewers=tuple(str(r) for r in reviewers) if isinstance(reviewers, list) else (),
    )


@dataclass(frozen=True)
class Facts:
    """Everything the handover texts say, gathered before anything is written."""

    config: Config
    handover: Handover
    tickets: Sequence[TicketPlan]
    channels: Sequence[str]
    tickets_known: bool = True  # False when Jira was not read (a dry run without credentials)
    pr_url: str | None = None
    ticks: frozenset[str] = field(default_factory=frozenset)


def md(text: str) -> str:
    """A value (ticket text, a name, a channel) made safe for a Markdown table cell, a list
    item and the markers: setops' one escaping, `setops.markdown.text`."""
    return markdown.text(text)


def title(config: Config, handover: Handover) -> str:
    return (
        f"SET handover {handover.id}: {_name(config, handover.lead.outgoing)} → "
        f"{_name(config, handover.lead.incoming)}"
    )


def _name(config: Config, person_id: str | None) -> str:
    return config.person(person_id).name if person_id else "nobody"


def _who(config: Config, person_id: str | None) -> str:
    if not person_id:
        return "—"
    person = config.person(person_id)
    return f"{md(person.name)} ({markdown.code(person.github, in_table=True)})"


def jira_name(config: Config, user: str | None, fallback: str | None = None) -> str:
    """A Jira user shown by the roster's name when setops knows them."""
    if not user:
        return "unassigned"
    person = next((p for p in config.people if p.jira == user), None)
    return person.name if person else (fallback or user)


def people_table(config: Config, handover: Handover) -> list[str]:
    lines = ["| role | outgoing | incoming |", "|---|---|---|"]
    for change in handover.roles:
        out, inc = _who(config, change.outgoing), _who(config, change.incoming)
        lines.append(f"| {md(change.label)} | {out} | {inc} |")
    return lines


def _channels(facts: Facts) -> str:
    return ", ".join(md(f"~{c}") for c in facts.channels)


def tickets_table(facts: Facts) -> list[str]:
    if not facts.tickets_known:
        return ["_Jira was not read (no credentials): the tickets are listed on the real run._"]
    if not facts.tickets:
        return ["No open SET tickets."]
    lines = [
        "| ticket | level | status | assignee before | assignee after | daily update |",
        "|---|---|---|---|---|---|",
    ]
    for plan in facts.tickets:
        t = plan.ticket
        before = jira_name(facts.config, plan.old, t.assignee_name)
        after = jira_name(facts.config, plan.new, t.assignee_name)
        update = "**missing**" if plan.stale else ("—" if not _needs_update(facts, plan) else "ok")
        note = " (moved)" if plan.moves else " (gone from Jira)" if plan.action == "gone" else ""
        lines.append(
            f"| [{t.key}]({t.url}) {md(t.summary)} | {t.level or '—'} | {md(t.status)} | "
            f"{md(before)} | {md(after)}{note} | {update} |"
        )
    return lines


def _needs_update(facts: Facts, plan: TicketPlan) -> bool:
    return any(lv.id == plan.ticket.level and lv.update_every_hours for lv in facts.config.levels)


def checklist(facts: Facts) -> list[str]:
    lines: list[str] = []
    for when_, heading in (("handover", "Hand-over, by Friday end of day"), ("start", "Start")):
        items = [i for i in facts.config.checklist if i.when == when_]
        if not items:
            continue
        lines += [f"**{heading}**", ""]
        for item in items:
            box = "x" if item.id in facts.ticks else " "
            lines.append(f"- [{box}] {md(item.text)} <!-- item:{item.id} -->")
        lines.append("")
    return lines


def generated(facts: Facts, state: HandoverProgress) -> str:
    """The part of the body setops owns, markers included."""
    h, config = facts.handover, facts.config
    tz = h.change.tzinfo
    assert tz is not None
    moved = sum(p.moves for p in facts.tickets)
    lines = [
        BEGIN,
        f"## SET handover for the shift change of {when(h.change, tz)}",
        "",
        f"Week {h.week} of the cycle starting {h.cycle.cycle.start}. Prepared by "
        f"`setops handover` for the handover run of {when(h.run, tz)}. setops rewrites the "
        "part of this description above the knowledge section on a re-run; ticked boxes "
        "are kept.",
        "",
        "### Checklist",
        "",
        *checklist(facts),
        "### People",
        "",
        *people_table(config, h),
        "",
        f"### Ongoing tickets ({len(facts.tickets)}, {moved} handed over)",
        "",
        TABLE,
        "",
        "### Incident channels the incoming team joins",
        "",
        ", ".join(md(f"~{c}") for c in facts.channels)
        or "none listed in policies/integrations.yaml",
        "",
        "### Status",
        "",
        "Handover complete." if state.complete else "In progress: setops is still working.",
        *(f"- {md(s)}" for s in state.summary),
        state.line(),
        END,
    ]
    rest = len("\n".join(lines)) - len(TABLE)
    table = fitted(tickets_table(facts), GENERATED_BUDGET - rest, f"`{h.path}`")
    return "\n".join(table if line == TABLE else line for line in lines)


def fitted(lines: Sequence[str], budget: int, where: str) -> str:
    """`lines` joined, cut to `budget` characters with a closing line saying how many more
    there are and `where` they all are. A table keeps its header rows."""
    text = "\n".join(lines)
    if len(text) <= budget:
        return text
    kept: list[str] = []
    size = 200  # room for the closing line
    for line in lines:
        if size + len(line) + 1 > budget and len(kept) >= 2:
            break
        kept.append(line)
        size += len(line) + 1
    more = len(lines) - len(kept)
    return "\n".join([*kept, "", f"_…and {more} more, too many to list here: all are in {where}._"])


def body(facts: Facts, state: HandoverProgress, current: str | None = None) -> str:
    """The whole body: a new one, or `current` with only its generated part replaced."""
    part = generated(facts, state)
    if current is None:
        return f"{part}\n\n{KNOWLEDGE}"
    start, end = current.find(BEGIN), current.find(END)
    if start < 0 or end < start:
        return f"{part}\n\n{current}"
    return current[:start] + part + current[end + len(END) :]


def ticks(current: str | None) -> frozenset[str]:
    """The ids of the checklist items ticked in a body."""
    return frozenset(m.group(2) for m in _TICK.finditer(current or "") if m.group(1) != " ")


def record_file(facts: Facts) -> str:
    """`handovers/<date>.md`: the handover as merged into the repository."""
    h = facts.handover
    tz = h.change.tzinfo
    assert tz is not None
    lines = [
        f"# SET handover {h.id}",
        "",
        f"Shift change: {when(h.change, tz)}. Handover run: {when(h.run, tz)}.",
        "",
        "## People",
        "",
        *people_table(facts.config, h),
        "",
        "## Ongoing tickets",
        "",
        *tickets_table(facts),
        "",
        "## Incident channels",
        "",
        _channels(facts) or "none",
        "",
    ]
    return "\n".join(lines)


def jira_comment(
    facts: Facts, plan: TicketPlan, pr_url: str | None
) -> list[list[tuple[str, str | None]]]:
    """The one comment on a moved ticket: who handed it to whom, the PR, the marker."""
    h, config = facts.handover, facts.config
    tz = h.change.tzinfo
    assert tz is not None
    text = (
        f"SET handover {h.id}: handed over from {jira_name(config, plan.old)} to "
        f"{jira_name(config, plan.new)} ({plan.role}) for the shift change of "
        f"{when(h.change, tz)}."
    )
    first: list[tuple[str, str | None]] = [(text, None)]
    if pr_url:
        first += [(" Handover pull request: ", None), (pr_url, pr_url)]
    return [first, [(jira_marker(facts, plan), None)]]


def jira_marker(facts: Facts, plan: TicketPlan) -> str:
    """The marker of a moved ticket's comment: how a re-run knows it was handed over."""
    return marker(facts.handover.id, plan.old or "", plan.new or "")


def announcement(facts: Facts, pr_url: str | None) -> str:
    """The one Mattermost post of the handover: the incoming team, the PR, open L1/L2 gaps."""
    h, config = facts.handover, facts.config
    tz = h.change.tzinfo
    assert tz is not None

    def at(person_id: str | None) -> str:
        return f"@{config.person(person_id).mattermost}" if person_id else "nobody"

    shifts = " · ".join(
        f"{s.name}: primary {at(_incoming(h, 'primary', s.name))}, "
        f"backup {at(_incoming(h, 'backup', s.name))}"
        for s in config.rotation.shifts
    )
    moved = sum(p.moves for p in facts.tickets)
    tickets = (
        f"{moved} ticket(s) handed over to the incoming team."
        if facts.tickets_known
        else "The open SET tickets are listed in the handover pull request."
    )
    lines = [
        f"#### SET handover: the team from {when(h.change, tz)}",
        f"Lead {at(h.lead.incoming)} · {shifts}",
        "",
        tickets + (f" Handover pull request: {pr_url}" if pr_url else ""),
    ]
    stale = [p.ticket for p in facts.tickets if p.stale]
    if stale:
        lines += ["", "L1/L2 tickets without an update in the last day:"]
        listed = [f"- [{t.key}]({t.url}) {md(t.summary)}" for t in stale]
        lines.append(fitted(listed, ANNOUNCEMENT_BUDGET, "the handover pull request"))
    return "\n".join(lines)


def _incoming(h: Handover, role: str, shift: str) -> str | None:
    change = next((r for r in h.roles if r.role == role and r.shift == shift), None)
    return change.incoming if change else None


def stale_lines(plans: Iterable[TicketPlan]) -> list[str]:
    return [f"{p.ticket.key} ({p.ticket.level}) {p.ticket.summary}" for p in plans if p.stale]
