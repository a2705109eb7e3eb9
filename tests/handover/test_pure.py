"""The pure parts: which handover is due, who hands to whom, ranking, the PR body."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from pathlib import Path

import pytest

from setops.config.load import load_config
from setops.handover import document
from setops.handover.document import Facts, HandoverProgress
from setops.handover.due import candidates, handover_at, pending, shift_changes
from setops.handover.tickets import TicketPlan
from setops.ranking import RANK_BATCH, apply_moves, desired_order, rank_moves
from setops.schedule import compute_schedule
from setops.ticket import Ticket

BERLIN = dt.timezone(dt.timedelta(hours=1))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def schedule(org_repo: Path):  # type: ignore[no-untyped-def]
    return compute_schedule(load_config(org_repo))


def test_every_week_has_a_shift_change(schedule) -> None:  # type: ignore[no-untyped-def]
    changes = shift_changes(schedule)
    assert len(changes) == 32 and changes[0] == at("2026-11-16T09:00")
    local = [c.astimezone(schedule.tz) for c in changes]
    assert all((b.date() - a.date()).days == 7 for a, b in itertools.pairwise(local))
    assert {(c.weekday(), c.hour) for c in local} == {(0, 9)}  # Monday 09:00, across DST


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-12-11T14:45", "2026-12-14"),  # the early cron, 15 minutes before the run
        ("2026-12-11T15:00", "2026-12-14"),
        ("2026-12-15T10:00", "2026-12-14"),  # a late run still hands over
        ("2026-12-10T12:00", "2026-12-07"),  # before the look-ahead: last week's
    ],
)
def test_the_due_handover(schedule, now: str, due: str) -> None:  # type: ignore[no-untyped-def]
    found = candidates(schedule, at(now), dt.timedelta(hours=72), 2)
    assert found[-1].id == due


def test_pending_is_every_handover_after_the_last_done(schedule) -> None:  # type: ignore[no-untyped-def]
    found = candidates(schedule, at("2026-12-25T15:00"), dt.timedelta(hours=72), 2)
    assert [h.id for h in found] == ["2026-12-14", "2026-12-21", "2026-12-28"]
    asked: list[str] = []

    def done(ids: set[str]):  # type: ignore[no-untyped-def]
        def is_done(h) -> bool:  # type: ignore[no-untyped-def]
            asked.append(h.id)
            return h.id in ids

        return is_done

    assert [h.id for h in pending(found, done({"2026-12-28"}))] == []
    assert asked == ["2026-12-28"]  # the weekly case asks once
    assert [h.id for h in pending(found, done({"2026-12-14"}))] == ["2026-12-21", "2026-12-28"]
    assert [h.id for h in pending(found, done(set()))] == ["2026-12-28"]  # the first run ever


def test_a_cycle_change_and_a_mid_cycle_change(schedule) -> None:  # type: ignore[no-untyped-def]
    cycle = handover_at(schedule, at("2026-12-14T09:00"))
    assert cycle.week == 1 and cycle.lead.outgoing == "ivo" and cycle.lead.incoming == "mira"
    assert set(cycle.outgoing_people) == {"ivo", "femi", "elif", "ines", "gus"}
    middle = handover_at(schedule, at("2026-12-21T09:00"))
    assert middle.week == 2 and middle.lead.outgoing == middle.lead.incoming == "mira"
    assert middle.outgoing_people == ()  # primaries and backups swap: everyone stays
    emea = middle.role("primary", "emea")
    assert emea is not None and (emea.outgoing, emea.incoming) == ("jonas", "kai")
    assert middle.run.isoformat() == "2026-12-18T15:00:00+01:00"


@pytest.mark.parametrize("seed", range(20))
def test_rank_moves_reach_the_desired_order(seed: int) -> None:
    rng = random.Random(seed)
    current = [f"SET-{n}" for n in range(rng.randint(1, 130))]
    rng.shuffle(current)
    rule_of = {k: rng.randint(1, 7) for k in current if rng.random() < 0.8}
    desired = desired_order(current, rule_of)
    moves = rank_moves(current, desired)
    assert apply_moves(current, moves) == desired
    assert all(len(m.issues) <= RANK_BATCH for m in moves)
    assert rank_moves(desired, desired) == []


def test_one_ticket_out_of_place_is_one_move() -> None:
    current = ["A", "B", "X", "C", "D"]
    rule_of = {"A": 1, "B": 1, "C": 1, "D": 1, "X": 2}
    (move,) = rank_moves(current, desired_order(current, rule_of))
    assert move.issues == ("X",) and move.after == "D"


def test_the_body_keeps_ticks_and_notes_and_only_rewrites_its_part(org_repo: Path) -> None:
    config = load_config(org_repo)
    schedule = compute_schedule(config)
    handover = handover_at(schedule, at("2026-12-14T09:00"))
    facts = Facts(config, handover, (), ("incidents",))
    first = document.body(facts, HandoverProgress())
    ticked = first.replace("- [ ] The incoming team is in", "- [x] The incoming team is in")
    ticked += "\nNotes: the DB migration is half done.\n"
    facts2 = Facts(config, handover, (), ("incidents",), ticks=document.ticks(ticked))
    again = document.body(facts2, HandoverProgress(complete=True), ticked)
    assert "- [x] The incoming team is in the right incident channels." in again
    assert again.endswith("Notes: the DB migration is half done.\n")
    assert document.read_state(again) == HandoverProgress(announced=False, complete=True)
    assert again.count(document.BEGIN) == 1 and again.count(document.END) == 1


def test_the_state_is_read_from_setops_part_only(org_repo: Path) -> None:
    config = load_config(org_repo)
    handover = handover_at(compute_schedule(config), at("2026-12-14T09:00"))
    facts = Facts(config, handover, (), ())
    # A lead pasted an old description, state line and all, above setops' part.
    pasted = '<!-- setops:state {"announced": true, "complete": true} -->\n\n'
    body = pasted + document.body(facts, HandoverProgress(reviewers=("mira-okafor",)))
    assert document.read_state(body) == HandoverProgress(reviewers=("mira-okafor",))


def test_ticket_text_pings_nobody_and_cannot_break_a_table_cell() -> None:
    nasty = "@channel @here @all <b>x</b> <!-- setops:handover:end --> a|b C:\\dir\\|c\nnext"
    cell = document.md(nasty)
    assert "@channel" not in cell and "@here" not in cell and "@all" not in cell
    assert "<" not in cell and ">" not in cell and "\n" not in cell
    # Every pipe is escaped by an odd number of backslashes: none ends the cell.
    for match in re.finditer(r"(\\*)\|", cell):
        assert len(match.group(1)) % 2 == 1, cell


def many_tickets(count: int) -> tuple[TicketPlan, ...]:
    created = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    plans = []
    for n in range(1, count + 1):
        ticket = Ticket(
            key=f"SET-{n}",
            summary=f"Customer escalation {n}: search is slow on a large Postgres install again",
            status="In Progress",
            priority="Highest",
            assignee="712020:0f6c1b2a-1111-4a5b-9c1d-000000000005",
            assignee_name="Femi Adeyemi",
            created=created,
            comments=(),
            url=f"https://example.atlassian.net/browse/SET-{n}",
            level="L1",
        )
        new = "712020:0f6c1b2a-1111-4a5b-9c1d-000000000011"
        plans.append(TicketPlan(ticket, ticket.assignee, new, "move", "emea primary", True))
    return tuple(plans)


def test_500_tickets_fit_githubs_and_mattermosts_limits(org_repo: Path) -> None:
    config = load_config(org_repo)
    handover = handover_at(compute_schedule(config), at("2026-12-14T09:00"))
    facts = Facts(config, handover, many_tickets(500), ("incidents",))
    body = document.body(
        facts, HandoverProgress(complete=True, summary=("500 ticket(s) handed over",))
    )
    assert len(body) <= 60_000  # GitHub refuses a description over 65,536; leads add theirs
    assert "[SET-1](" in body and "handovers/2026-12-14.md" in body  # the rest is there
    assert document.read_state(body) == HandoverProgress(complete=True)
    text = document.announcement(facts, "https://github.com/example-org/set-config/pull/1")
    assert len(text) <= 16_383  # Mattermost's limit on a post
    assert "[SET-1](" in text and "more" in text
