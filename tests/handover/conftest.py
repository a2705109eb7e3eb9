"""Fixtures of the handover tests: the fakes seeded with the bundled organisation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from setops.config.load import Config, load_config
from tests.fakes.jira import FakeJira

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
