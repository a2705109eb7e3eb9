"""Fixtures of the handover tests: the fakes seeded with the bundled organisation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from setops.config.load import Config, load_config
from tests.fakes.jira import FakeJira
from tests.handover.fakes_ext import FakeMattermost, HandoverGitHub

# A canary: if any of these ever shows in output or logs, a credential leaked.
JIRA_CANARY = "canary-jira-token-7Qx1"
JIRA_PAT_CANARY = "canary-jira-pat-9Wz2"
GITHUB_CANARY = "ghs_canaryGithubToken0123456789abcdef"
MATTERMOST_CANARY = "canary-mattermost-token-5Ty8"
CANARIES = (JIRA_CANARY, JIRA_PAT_CANARY, GITHUB_CANARY, MATTERMOST_CANARY)

# Friday of the handover run that prepares Monday 2026-12-14 09:00 (a cycle change).
HANDOVER_RUN = "2026-12-11T15:00:00+01:00"
RUN_AT = dt.datetime.fromisoformat(HANDOVER_RUN)


def config_of(repo: Path) -> Config:
    return load_config(repo)


def use_jira_names(repo: Path) -> None:
    """Make the roster's Jira ids Server/DC user names (jira: user-05, ...)."""
    roster = repo / "rotations" / "roster.yaml"
    text = re.sub(r"jira: 712020:[0-9a-f-]+-0000000000(\d\d)", r"jira: user-\1", roster.read_text())
    roster.write_text(text)


def seed_people(fake: FakeJira, config: Config) -> dict[str, object]:
    """One Jira user per person of the roster; returns person id -> fake user."""
    users: dict[str, object] = {}
    for person in config.people:
        if fake.cloud:
            users[person.id] = fake.seed_user(person.name, account_id=person.jira, name=person.id)
        else:
            users[person.id] = fake.seed_user(person.name, name=person.jira)
    return users


def jira_env(fake: FakeJira) -> dict[str, str]:
    if fake.cloud:
        return {
            "JIRA_URL": fake.base_url,
            "JIRA_EMAIL": fake.email,
            "JIRA_API_TOKEN": fake.api_token,
        }
    return {"JIRA_URL": fake.base_url, "JIRA_TOKEN": fake.pat}


@pytest.fixture
def cloud_jira(bundled_repo: Path) -> Iterator[FakeJira]:
    fake = FakeJira("cloud", api_token=JIRA_CANARY, clock=lambda: RUN_AT.astimezone(dt.UTC))
    fake.seed_project("SET")
    fake.seed_board(42, "project = SET ORDER BY Rank ASC")
    seed_people(fake, config_of(bundled_repo))
    with fake:
        yield fake


@pytest.fixture
def server_jira(bundled_repo: Path) -> Iterator[FakeJira]:
    use_jira_names(bundled_repo)
    fake = FakeJira("server", pat=JIRA_PAT_CANARY, clock=lambda: RUN_AT.astimezone(dt.UTC))
    fake.seed_project("SET")
    fake.seed_board(42, "project = SET ORDER BY Rank ASC")
    seed_people(fake, config_of(bundled_repo))
    with fake:
        yield fake


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETOPS_HTTP_BACKOFF", "0")
    monkeypatch.setenv("SETOPS_HTTP_RETRIES", "2")
    monkeypatch.setenv("SETOPS_GITHUB_THROTTLE", "0")


@dataclass
class World:
    """The three services of a handover, seeded with the bundled organisation."""

    repo: Path
    jira: FakeJira
    github: HandoverGitHub
    mattermost: FakeMattermost

    @property
    def env(self) -> dict[str, str]:
        return {
            **jira_env(self.jira),
            "GITHUB_TOKEN": GITHUB_CANARY,
            "GITHUB_API_URL": self.github.base_url,
            "GITHUB_REPOSITORY": "example-org/set-config",
            "MATTERMOST_URL": self.mattermost.base_url,
            "MATTERMOST_TOKEN": MATTERMOST_CANARY,
        }

    def mutating(self) -> int:
        return sum(len(f.mutating_requests()) for f in (self.jira, self.github, self.mattermost))

    def clear_logs(self) -> None:
        for fake in (self.jira, self.github, self.mattermost):
            fake.clear_log()


HUMAN_HEADER = "Escalations: see the wiki. Be kind."


def seed_tickets(fake: FakeJira, users: dict[str, object]) -> None:
    utc = RUN_AT.astimezone(dt.UTC)
    day = dt.timedelta(days=1)
    seed = fake.seed_issue
    seed(
        "SET-1",
        "Community server 500s",
        status="In Progress",
        priority="Highest",
        labels=["community-server"],
        assignee=users["femi"],
        created=utc - 3 * day,
    )
    fake.seed_comment("SET-1", "rolled back, watching", created=utc - 2 * day)
    seed(
        "SET-2",
        "Customer escalation: slow search",
        priority="High",
        labels=["support-escalation"],
        assignee=users["ivo"],
        created=utc - 5 * day,
    )
    fake.seed_comment("SET-2", "profile attached", created=utc - dt.timedelta(hours=3))
    seed("SET-3", "Mobile crash", assignee=users["ana"], issuetype="Bug")
    seed(
        "SET-4",
        "@channel DB down <!-- setops:handover:end --> | pipe",
        priority="Medium",
        labels=["hotfix"],
        assignee=users["gus"],
    )
    seed("SET-5", "Done one", status="Done", assignee=users["femi"])
    seed("SET-6", "Nobody's", labels=["release-blocker"])


@pytest.fixture(params=["cloud", "server"])
def world(request: pytest.FixtureRequest, bundled_repo: Path) -> Iterator[World]:
    if request.param == "server":
        use_jira_names(bundled_repo)
    config = config_of(bundled_repo)
    clock = lambda: RUN_AT.astimezone(dt.UTC)  # noqa: E731
    if request.param == "cloud":
        jira = FakeJira("cloud", api_token=JIRA_CANARY, clock=clock)
    else:
        jira = FakeJira("server", pat=JIRA_PAT_CANARY, clock=clock)
    jira.seed_project("SET")
    jira.seed_board(42, "project = SET ORDER BY Rank ASC")
    seed_tickets(jira, seed_people(jira, config))
    github = HandoverGitHub(tokens={GITHUB_CANARY: {"login": "setops-bot", "id": 9, "type": "Bot"}})
    mattermost = FakeMattermost(MATTERMOST_CANARY)
    mattermost.add_channel("sustained-engineering", HUMAN_HEADER)
    for name in ("incidents", "community-server-alerts"):
        mattermost.add_channel(name)
    for person in config.people:
        mattermost.add_user(person.mattermost)
    incidents = mattermost.channel("incidents")["id"]
    mattermost.members[incidents].append(mattermost.users["mira.okafor"]["id"])
    with jira, github, mattermost:
        yield World(bundled_repo, jira, github, mattermost)
