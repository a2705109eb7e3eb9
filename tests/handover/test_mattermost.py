"""The Mattermost target: `setops plan/apply --only mattermost` keep the channel header."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from setops.config.load import load_config
from setops.render.header import escape_mentions, merge_header, owned_part
from tests.fakes.base import Fault
from tests.fakes.mattermost import FakeMattermost
from tests.handover.conftest import (
    HANDOVER_RUN,
    MATTERMOST_CANARY,
    SET_CHANNEL,
    TEAM,
    World,
    assert_documented,
    mattermost_env,
)
from tests.handover.test_handover import announcements, handover

Cli = Callable[..., Any]
MONDAY = "2026-12-14T09:00:00+01:00"  # the shift change: the incoming team from this minute


@pytest.fixture
def mattermost() -> Iterator[FakeMattermost]:
    fake = FakeMattermost(MATTERMOST_CANARY)
    fake.seed_team(TEAM)
    fake.seed_channel(TEAM, SET_CHANNEL, header="Runbook: https://wiki/set")
    with fake:
        yield fake


env = mattermost_env


def header(fake: FakeMattermost) -> str:
    return fake.header(TEAM, SET_CHANNEL)


def set_header(fake: FakeMattermost, text: str) -> None:
    """A person edits the header in Mattermost."""
    with fake.lock:
        next(c for c in fake.channels.values() if c.name == SET_CHANNEL).header = text


def test_apply_sets_the_header_at_the_shift_change_and_keeps_the_human_text(
    cli: Cli, mattermost: FakeMattermost, org_repo: Path
) -> None:
    root = ("--root", str(org_repo))
    result = cli(
        "apply", "--only", "mattermost", *root, env={**env(mattermost), "SETOPS_NOW": MONDAY}
    )
    assert result.code == 0, result.err
    text = header(mattermost)
    assert text.endswith(" Runbook: https://wiki/set")
    assert (
        "lead @mira.okafor" in text and "emea: primary @jonas.brandt, backup @kai.nakamura" in text
    )
    assert "2026-12-14 to 2026-12-27" in text
    # Someone edits the human part; the next run (still the same team) changes nothing.
    set_header(mattermost, text.replace("Runbook", "Playbook"))
    mattermost.clear_log()
    again = cli(
        "apply", "--only", "mattermost", *root, env={**env(mattermost), "SETOPS_NOW": MONDAY}
    )
    assert again.code == 0 and not mattermost.mutating_requests()
    assert "Playbook" in header(mattermost)
    later = {**env(mattermost), "SETOPS_NOW": "2026-12-21T09:00:00+01:00"}
    assert cli("apply", "--only", "mattermost", *root, env=later).code == 0
    assert "emea: primary @kai.nakamura, backup @jonas.brandt" in header(mattermost)
    assert "Playbook" in header(mattermost)
    assert MATTERMOST_CANARY not in result.out + result.err
    changes = mattermost.posts(TEAM, SET_CHANNEL, include_system=True)
    assert [p["type"] for p in changes] == ["system_header_change"] * 2  # one per real change
    assert_documented(mattermost)


def test_a_header_over_the_limit_is_refused_before_anything_is_sent(
    cli: Cli, mattermost: FakeMattermost, org_repo: Path
) -> None:
    set_header(mattermost, "x" * 1000)
    result = cli("apply", "--only", "mattermost", "--root", str(org_repo), env=env(mattermost))
    assert result.code == 1
    assert "over Mattermost's limit of 1024" in result.err
    assert not mattermost.mutating_requests()


def test_a_template_too_long_for_a_cycle_is_a_validation_error(cli: Cli, org_repo: Path) -> None:
    integrations = org_repo / "policies" / "integrations.yaml"
    text = re.sub(
        r"  header_template: .*\n",
        "  header_template: '" + "{shifts} " * 12 + "'\n",
        integrations.read_text(),
    )
    integrations.write_text(text)
    result = cli("validate", "--root", str(org_repo))
    assert result.code == 1
    assert "rotations/set.yaml:" in result.err
    assert "the channel header for week 1 of this cycle would be" in result.err
    assert "policies/integrations.yaml:" in result.err  # the template's place too


def test_an_unknown_placeholder_is_a_validation_error_at_its_place(
    cli: Cli, org_repo: Path
) -> None:
    integrations = org_repo / "policies" / "integrations.yaml"
    text = re.sub(
        r"  header_template: .*\n", "  header_template: 'SET {leed}'\n", integrations.read_text()
    )
    integrations.write_text(text)
    result = cli("validate", "--root", str(org_repo))
    assert result.code == 1
    assert (
        "policies/integrations.yaml:27:20: header_template: unknown placeholder {leed}"
        in result.err
    )


def test_plan_without_credentials_shows_the_header_it_would_set(
    cli: Cli, org_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATTERMOST_URL", raising=False)
    monkeypatch.delenv("MATTERMOST_TOKEN", raising=False)
    result = cli("plan", "--only", "mattermost", "--root", str(org_repo))
    assert result.code == 1  # --only a target without credentials
    assert "lead @ivo.markovic" in result.out and "MATTERMOST_URL" in result.err


def test_merge_keeps_text_outside_the_markers(org_repo: Path) -> None:
    settings = load_config(org_repo).integrations.mattermost
    assert settings is not None
    start, end = settings.header_start_marker, settings.header_end_marker
    owned = f"{start}new{end}"
    assert merge_header("", owned, settings) == owned
    assert merge_header("human", owned, settings) == f"{owned} human"
    assert merge_header(f"a {start}old{end} b", owned, settings) == f"a {owned} b"
    assert owned_part(f"a {start}old{end} b", settings) == "old"


def test_mentions_from_tickets_ping_nobody() -> None:
    assert escape_mentions("@channel @all @here a@b.c") == (
        "@\u2060channel @\u2060all @\u2060here a@\u2060b.c"
    )


@pytest.mark.parametrize("suffix", ["/", "/api/v4", "/api/v4/"])
def test_the_url_may_end_in_a_slash_or_the_api_path(
    cli: Cli, mattermost: FakeMattermost, org_repo: Path, suffix: str
) -> None:
    url = {**env(mattermost), "MATTERMOST_URL": mattermost.base_url + suffix}
    result = cli("apply", "--only", "mattermost", "--root", str(org_repo), env=url)
    assert result.code == 0, result.err
    assert "lead @ivo.markovic" in header(mattermost)


def test_an_incident_channel_the_bot_may_not_add_to_is_a_warning(cli: Cli, world: World) -> None:
    incidents = world.mattermost.channel(TEAM, "incidents")["id"]
    world.mattermost.faults.add(
        Fault(method="POST", path=f"/channels/{incidents}/members$", status=403, times=None)
    )
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "was not added to ~incidents: the bot may not add people" in result.out
    assert len(announcements(world)) == 1
    (pull,) = world.github.pulls()
    assert "was not added to ~incidents" in pull["body"] and '"complete": true' in pull["body"]
    assert "lena.kowalski" in world.mattermost.members(TEAM, "community-server-alerts")


def test_a_redirect_is_not_followed_and_names_the_variable(
    cli: Cli, mattermost: FakeMattermost, org_repo: Path
) -> None:
    # A proxy sending the API elsewhere: the bearer token must not go along.
    elsewhere = "https://login.example.com/sso?token=" + MATTERMOST_CANARY
    mattermost.faults.add(
        Fault(method="GET", path="/channels/name/", status=302, headers={"Location": elsewhere})
    )
    result = cli("apply", "--only", "mattermost", "--root", str(org_repo), env=env(mattermost))
    assert result.code == 1, result.err
    assert "does not follow redirects" in result.err and "MATTERMOST_URL" in result.err
    assert "login.example.com" in result.err and MATTERMOST_CANARY not in result.out + result.err
    assert len(mattermost.log) == 1 and not mattermost.mutating_requests()


def test_an_answer_of_the_wrong_shape_is_a_clean_error(
    cli: Cli, mattermost: FakeMattermost, org_repo: Path
) -> None:
    mattermost.faults.add(Fault(method="GET", path="/channels/name/", status=200, body=[]))
    result = cli("apply", "--only", "mattermost", "--root", str(org_repo), env=env(mattermost))
    assert result.code == 1, result.err
    assert "read channel ~sustained-engineering" in result.err and "MATTERMOST_URL" in result.err
    assert "Traceback" not in result.err and not mattermost.mutating_requests()
