"""The tickets of a handover when Jira or people get in the way: someone who cannot be
assigned, a ticket deleted while the handover runs, a ticket moved on by hand, comments
that are and are not a human update."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.fakes.base import Fault
from tests.handover.conftest import HANDOVER_RUN, RUN_AT, World
from tests.handover.test_handover import (
    MOVED,
    announcements,
    assignee,
    handover,
    jira_id,
    marker_comments,
)

Cli = Callable[..., Any]


def jira_user(world: World, person: str) -> Any:
    wanted = jira_id(world, person)
    return next(u for u in world.jira.users if wanted in (u.account_id, u.name))


def test_someone_jira_will_not_assign_stops_the_handover_before_anything_is_sent(
    cli: Cli, world: World
) -> None:
    user = jira_user(world, "jonas")
    with world.jira.lock:
        world.jira.users[world.jira.users.index(user)] = dataclasses.replace(user, assignable=False)
    for args in (("--dry-run",), ()):
        result = handover(cli, world, "--at", HANDOVER_RUN, *args)
        assert result.code == 1
        assert "Jonas Brandt" in result.err and "cannot be assigned" in result.err
        assert "project SET" in result.err and "rotations/roster.yaml" in result.err
    world.assert_no_writes()


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize("write", ["edit", "comment", "assignee"])
def test_a_ticket_deleted_while_the_handover_runs_is_skipped(
    cli: Cli, world: World, write: str
) -> None:
    gone = {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
    if write != "edit":  # the edit screen lacks the assignee: comment, then assign, apart
        world.jira.edit_screen = frozenset({"comment"})
    method, path = {
        "edit": ("PUT", "/SET-2$"),
        "comment": ("POST", "/SET-2/comment$"),
        "assignee": ("PUT", "/SET-2/assignee$"),
    }[write]
    world.jira.faults.add(Fault(method=method, path=path, status=404, body=gone))
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "SET-2 is gone from Jira" in result.out
    for key in set(MOVED) - {"SET-2"}:
        assert assignee(world, key) == jira_id(world, MOVED[key])
    (pull,) = world.github.pulls()
    assert "gone from Jira" in pull["body"]
    assert '"complete": true' in pull["body"]
    assert "2 ticket(s) handed over" in announcements(world)[0]["message"]


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_ticket_moved_on_by_hand_after_the_handover_stays_put(cli: Cli, world: World) -> None:
    # The run stops after the tickets (Mattermost refuses the header), SET-1 was moved.
    world.mattermost.faults.add(Fault(method="PUT", path=r"/patch$", status=400))
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    assert assignee(world, "SET-1") == jira_id(world, "jonas")
    with world.jira.lock:  # the incoming primary passes it on, to the outgoing backup
        world.jira.issues["SET-1"].assignee = jira_user(world, "elif")
    world.clear_logs()
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    assert assignee(world, "SET-1") == jira_id(world, "elif")
    assert not [r for r in world.jira.mutating_requests() if "/issue/SET-" in r.path]
    assert len(marker_comments(world, "SET-1")) == 1


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_only_people_count_as_the_daily_update_of_an_l1(cli: Cli, world: World) -> None:
    hour = dt.timedelta(hours=1)
    utc = RUN_AT.astimezone(dt.UTC)
    # SET-1 (L1): a person 30 hours ago, then setops (an earlier handover) and a person
    # quoting a marker-like text in the middle of a sentence an hour ago.
    with world.jira.lock:
        world.jira.issues["SET-1"].comments.clear()
    world.jira.seed_comment("SET-1", "rolled back", created=utc - 30 * hour)
    world.jira.seed_comment(
        "SET-1",
        "SET handover 2026-12-07: ...\n\n[setops:handover 2026-12-07 from=a to=b]",
        created=utc - 2 * hour,
    )
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert "L1/L2 without a human update in a day: SET-1" in dry.out
    world.jira.seed_comment(
        "SET-1", "still on it; the bot wrote [setops:handover ...] above", created=utc - hour
    )
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert "L1/L2 without a human update in a day: none" in dry.out
