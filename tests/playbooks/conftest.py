"""The Playbooks tests' world: the Mattermost and Playbooks fakes seeded with the bundled
organisation, a clock both setops and the fake read, and a way to run setops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from setops.config.load import Config, load_config
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.playbooks import FakePlaybooks, Run
from tests.handover.conftest import CYCLE_CHECKLIST

TOKEN = "canary-playbooks-token-3Kd9"
TEAM = "engineering"
SET_CHANNEL = "sustained-engineering"
CYCLE = "SET cycle"
INCIDENT = "Support incident"
# Tuesday of the cycle that starts Monday 2026-11-30 (lead ivo).
NOW = "2026-12-01T12:00:00+01:00"


def ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp() * 1000)


@dataclass
class Clock:
    now: str = NOW

    def ms(self) -> int:
        return ms(self.now)


@dataclass
class World:
    repo: Path
    config: Config
    mm: FakeMattermost
    plugin: FakePlaybooks
    clock: Clock
    cycle: str = ""
    incident: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            "MATTERMOST_URL": self.mm.base_url,
            "MATTERMOST_TOKEN": TOKEN,
            "SETOPS_NOW": self.clock.now,
            **self.extra_env,
        }

    def cycle_runs(self) -> list[Run]:
        return sorted(self.plugin.runs_of(self.cycle), key=lambda r: r.create_at)

    def writes(self) -> list[str]:
        """The requests that may change state (the user look-ups are reads by POST)."""
        reads = ("/api/v4/users/usernames", "/api/v4/users/ids")
        return [f"{r.method} {r.path}" for r in self.mm.mutating_requests() if r.path not in reads]

    def user(self, person: str) -> str:
        return self.plugin.user_id(self.config.person(person).mattermost)


def new_world(repo: Path, version: str = "1.41.1", *, bot_member: bool = True) -> World:
    config = load_config(repo)
    clock = Clock()
    mm = FakeMattermost(TOKEN)
    plugin = FakePlaybooks(mm, version=version, licensed=True, clock=clock.ms)
    world = World(repo, config, mm, plugin, clock)
    mm.start()
    mm.seed_team(TEAM)
    for person in config.people:
        mm.seed_user(person.mattermost, first_name=person.name)
    mm.seed_user("support.sam", first_name="Sam")
    mm.seed_channel(TEAM, SET_CHANNEL)
    plugin.mount()
    members = ["setops-bot"] if bot_member else []
    world.cycle = plugin.seed_playbook(
        CYCLE, team=TEAM, members=members, checklists=CYCLE_CHECKLIST
    )
    world.incident = plugin.seed_playbook(
        INCIDENT, team=TEAM, members=members, public=True, checklists=[("Triage", ["Owner"])]
    )
    return world


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETOPS_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("SETOPS_HTTP_RETRIES", "2")
    monkeypatch.setenv("SETOPS_HTTP_TIMEOUT", "5")


@pytest.fixture(params=["1.41.1"])
def world(request: pytest.FixtureRequest, org_repo: Path) -> Iterator[World]:
    w = new_world(org_repo, request.param)
    try:
        yield w
    finally:
        w.mm.stop()


Cli = Callable[..., Any]


def apply(cli: Cli, world: World, *args: str) -> Any:
    return cli("apply", "--only", "playbooks", "--root", str(world.repo), *args, env=world.env)


def plan(cli: Cli, world: World, *args: str) -> Any:
    return cli("plan", "--only", "playbooks", "--root", str(world.repo), *args, env=world.env)
