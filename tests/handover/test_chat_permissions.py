"""The handover against a Mattermost that decides as the real server does: the bot outside
an incident channel, a server that reads only `user_id`, people it will not add."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.base import Fault
from tests.fakes.mattermost import FakeMattermost
from tests.handover.conftest import (
    HANDOVER_RUN,
    SET_CHANNEL,
    TEAM,
    World,
    assert_documented,
    mattermost_env,
)
from tests.handover.test_handover import (
    MOVED,
    announcements,
    assert_handed_over,
    assignee,
    handover,
    jira_id,
)

Cli = Callable[..., Any]
INCOMING = {"mira.okafor", "jonas.brandt", "kai.nakamura", "lena.kowalski", "omar.haddad"}
MONDAY = "2026-12-14T09:00:00+01:00"


def leave(fake: FakeMattermost, channel: str, *, private: bool = False) -> None:
    """The bot is not in `channel` (and, with `private`, the channel is private)."""
    with fake.lock:
        found = next(c for c in fake.channels.values() if c.name == channel)
        found.members.pop(fake.bot.id, None)
        if private:
            found.type = "P"


def pull_body(world: World) -> str:
    (pull,) = world.github.pulls()
    return str(pull["body"])


def assert_rest_done(world: World) -> None:
    """Everything but the channel in question: tickets, header, announcement, record."""
    assert_handed_over(world)
    assert "lead @ivo.markovic" in world.mattermost.header(TEAM, SET_CHANNEL)
    assert len(announcements(world)) == 1
    assert '"complete": true' in pull_body(world)


def test_the_bot_joins_a_public_incident_channel_it_is_not_in(cli: Cli, world: World) -> None:
    leave(world.mattermost, "incidents")
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert dry.code == 0, dry.err
    assert "join ~incidents (the bot is not in it" in dry.out
    world.assert_no_writes()

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    assert "done: joined ~incidents" in result.out and "warning" not in result.out
    members = world.mattermost.members(TEAM, "incidents")
    assert INCOMING | {"setops-bot"} <= set(members) and len(members) == len(set(members))
    assert_rest_done(world)
    assert_documented(*world.fakes)


def test_a_private_incident_channel_without_the_bot_is_a_warning(cli: Cli, world: World) -> None:
    leave(world.mattermost, "community-server-alerts", private=True)

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    warning = next(line for line in result.out.splitlines() if "warning:" in line)
    assert "~community-server-alerts" in warning and "add the bot" in warning
    assert "add the bot to ~community-server-alerts" in pull_body(world)
    assert world.mattermost.members(TEAM, "community-server-alerts") == []
    assert set(world.mattermost.members(TEAM, "incidents")) >= INCOMING
    assert_rest_done(world)
    assert "with 1 warning(s)" in result.out


def test_an_incident_channel_that_keeps_failing_does_not_stop_the_handover(
    cli: Cli, world: World
) -> None:
    channel = world.mattermost.channel(TEAM, "incidents")["id"]
    broken = Fault(method="GET", path=f"/channels/{channel}/members$", status=500, times=None)
    world.mattermost.faults.add(broken)

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    assert "warning: could not read ~incidents" in result.out and "HTTP 500" in result.out
    assert set(world.mattermost.members(TEAM, "community-server-alerts")) >= INCOMING
    assert_rest_done(world)


def test_a_server_that_reads_only_user_id(cli: Cli, world: World) -> None:
    world.mattermost.legacy_add_member = True
    leave(world.mattermost, "incidents")

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    assert "warning" not in result.out
    for channel in ("incidents", "community-server-alerts"):
        assert set(world.mattermost.members(TEAM, channel)) >= INCOMING, channel
    assert_rest_done(world)
    assert not [r for r in world.mattermost.log if r.status == 400]


@pytest.mark.parametrize(
    ("how", "why"),
    [("off the team", "not on team engineering"), ("deactivated", "deactivated in Mattermost")],
)
def test_an_incoming_person_mattermost_will_not_add_is_named(
    cli: Cli, world: World, how: str, why: str
) -> None:
    fake = world.mattermost
    if how == "off the team":
        fake.seed_team_member(TEAM, "lena.kowalski", member=False)
    else:
        with fake.lock:
            fake._user_ref("lena.kowalski").delete_at = 1

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    for channel in ("incidents", "community-server-alerts"):
        line = f"warning: @lena.kowalski was not added to ~{channel}: {why}"
        assert line in result.out
        assert f"lena.kowalski was not added to ~{channel}: {why}" in pull_body(world)
        members = set(fake.members(TEAM, channel))
        assert INCOMING - {"lena.kowalski"} <= members and "lena.kowalski" not in members
    assert_rest_done(world)


def test_a_private_set_channel_without_the_bot_is_a_warning(cli: Cli, world: World) -> None:
    leave(world.mattermost, SET_CHANNEL, private=True)

    result = handover(cli, world, "--at", HANDOVER_RUN)

    assert result.code == 0, result.err
    assert f"add the bot to ~{SET_CHANNEL}" in result.out
    assert "the header and the announcement wait" in pull_body(world)
    assert announcements(world) == [] and "lead @" not in world.mattermost.header(TEAM, SET_CHANNEL)
    for key, person in MOVED.items():
        assert assignee(world, key) == jira_id(world, person)
    assert set(world.mattermost.members(TEAM, "incidents")) >= INCOMING
    assert '"complete": true' in pull_body(world) and "announcement not posted" in pull_body(world)


def test_apply_joins_the_public_set_channel_before_setting_its_header(
    cli: Cli, world: World
) -> None:
    leave(world.mattermost, SET_CHANNEL)
    env = {**mattermost_env(world.mattermost), "SETOPS_NOW": MONDAY}
    root = ("--root", str(world.repo))

    result = cli("apply", "--only", "mattermost", *root, env=env)

    assert result.code == 0, result.err
    assert "lead @mira.okafor" in world.mattermost.header(TEAM, SET_CHANNEL)
    assert "setops-bot" in world.mattermost.members(TEAM, SET_CHANNEL)
    assert_documented(world.mattermost)


def test_apply_names_a_private_set_channel_the_bot_is_not_in(
    cli: Cli, world: World, tmp_path: Path
) -> None:
    leave(world.mattermost, SET_CHANNEL, private=True)
    env = {**mattermost_env(world.mattermost), "SETOPS_NOW": MONDAY}

    result = cli("apply", "--only", "mattermost", "--root", str(world.repo), env=env)

    assert result.code == 1
    assert f"add the bot to ~{SET_CHANNEL}" in result.err and "Traceback" not in result.err
    assert world.mattermost.mutating_requests() == []
