"""Fixtures of the handover tests: the shared fakes seeded with the bundled organisation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from setops.config.load import Config, load_config
from tests.fakes.base import FakeServer, find_api_specs
from tests.fakes.github import FakeGitHub
from tests.fakes.jira import FakeJira
from tests.fakes.jira_model import JiraUser
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.spec_routing import RoutedSpecChecker

# A canary: if any of these ever shows in output or logs, a credential leaked.
JIRA_CANARY = "canary-jira-token-7Qx1"
JIRA_PAT_CANARY = "canary-jira-pat-9Wz2"
GITHUB_CANARY = "ghs_canaryGithubToken0123456789abcdef"
MATTERMOST_CANARY = "canary-mattermost-token-5Ty8"
CANARIES = (JIRA_CANARY, JIRA_PAT_CANARY, GITHUB_CANARY, MATTERMOST_CANARY)

# Friday of the handover run that prepares Monday 2026-12-14 09:00 (a cycle change).
HANDOVER_RUN = "2026-12-11T15:00:00+01:00"
RUN_AT = dt.datetime.fromisoformat(HANDOVER_RUN)

SEARCH_LAG = 3600.0  # seconds: longer than any test
TEAM = "engineering"
SET_CHANNEL = "sustained-engineering"
INCIDENT_CHANNELS = ("incidents", "community-server-alerts")
REPOSITORY = "example-org/set-config"
BOT = {"login": "setops-bot", "id": 9, "type": "Bot"}
HUMAN_HEADER = "Escalations: see the wiki. Be kind."


def config_of(repo: Path) -> Config:
    return load_config(repo)


def use_jira_names(repo: Path) -> None:
    """Make the roster's Jira ids Server/DC user names (jira: user-05, ...)."""
    roster = repo / "rotations" / "roster.yaml"
    text = re.sub(r"jira: 712020:[0-9a-f-]+-0000000000(\d\d)", r"jira: user-\1", roster.read_text())
    roster.write_text(text)


def seed_people(fake: FakeJira, config: Config) -> dict[str, JiraUser]:
    """One Jira user per person of the roster; returns person id -> fake user."""
    users: dict[str, JiraUser] = {}
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


def new_jira(deployment: str) -> FakeJira:
    clock = lambda: RUN_AT.astimezone(dt.UTC)  # noqa: E731
    if deployment == "cloud":
        # Cloud's search lags behind writes: within a test, it never catches up by itself.
        fake = FakeJira("cloud", api_token=JIRA_CANARY, clock=clock, search_lag=SEARCH_LAG)
    else:
        fake = FakeJira("server", pat=JIRA_PAT_CANARY, clock=clock)
    fake.seed_project("SET")
    fake.seed_board(42, "project = 'SET' ORDER BY Rank ASC")
    return fake


@pytest.fixture
def cloud_jira(org_repo: Path) -> Iterator[FakeJira]:
    fake = new_jira("cloud")
    seed_people(fake, config_of(org_repo))
    with fake:
        yield fake


@pytest.fixture
def server_jira(org_repo: Path) -> Iterator[FakeJira]:
    use_jira_names(org_repo)
    fake = new_jira("server")
    seed_people(fake, config_of(org_repo))
    with fake:
        yield fake


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETOPS_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("SETOPS_HTTP_RETRIES", "2")
    monkeypatch.setenv("SETOPS_GITHUB_THROTTLE", "0")


def github_spec_checker() -> RoutedSpecChecker | None:
    """GitHub's description for every /repos/ request it covers; the rest is unchecked."""
    specs = find_api_specs()
    if specs is None:
        return None
    return RoutedSpecChecker([("/repos/", specs / "github-rest.openapi.json")])


def new_github(config: Config) -> FakeGitHub:
    """The configuration repository; everyone on the roster may be asked for a review."""
    return FakeGitHub(
        repository=REPOSITORY,
        tokens={GITHUB_CANARY: dict(BOT)},
        spec_checker=github_spec_checker(),
        collaborators=[p.github for p in config.people],
    )


def new_mattermost(config: Config, header: str = HUMAN_HEADER) -> FakeMattermost:
    """The team, its users, the SET channel and the incident channels (Mira is already
    in ~incidents)."""
    fake = FakeMattermost(MATTERMOST_CANARY)
    fake.seed_team(TEAM)
    for person in config.people:
        fake.seed_user(person.mattermost)
    fake.seed_channel(TEAM, SET_CHANNEL, header=header)
    fake.seed_channel(TEAM, "incidents", members=["mira.okafor"])
    fake.seed_channel(TEAM, "community-server-alerts")
    return fake


def mattermost_env(fake: FakeMattermost) -> dict[str, str]:
    return {"MATTERMOST_URL": fake.base_url, "MATTERMOST_TOKEN": MATTERMOST_CANARY}


# What the stored description subsets leave out, though the vendor documents it.
UNCHECKED = (
    re.compile(r"GET /api/v4/channels/\w+/posts$"),  # GetPostsForChannel
    re.compile(r"GET /api/v4/users/me$"),  # GetUser, user_id "me"
    re.compile(r"GET /api/v4/channels/\w+/members/me$"),  # GetChannelMember, user_id "me"
    re.compile(r"GET /repos/[^/]+/[^/]+$"),  # repos/get
    re.compile(r"(GET|PUT) /repos/[^/]+/[^/]+/contents/handovers/.+\.md$"),  # {path} spans "/"
    re.compile(r"GET /repos/[^/]+/[^/]+/git/ref/heads/.+$"),  # {ref} spans "/"
)


def assert_documented(*fakes: FakeServer) -> None:
    """No request broke its vendor's description, and only the known reads went unchecked."""
    for fake in fakes:
        fake.assert_no_spec_violations()
        checker = fake.spec_checker
        unchecked = checker.unchecked if isinstance(checker, RoutedSpecChecker) else []
        odd = [u for u in unchecked if not any(p.match(u) for p in UNCHECKED)]
        assert not odd, f"{type(fake).__name__}: requests no description covers: {odd}"


@dataclass
class World:
    """The three services of a handover, seeded with the bundled organisation."""

    repo: Path
    jira: FakeJira
    github: FakeGitHub
    mattermost: FakeMattermost

    @property
    def fakes(self) -> tuple[FakeServer, ...]:
        return (self.jira, self.github, self.mattermost)

    @property
    def env(self) -> dict[str, str]:
        return {
            **jira_env(self.jira),
            "GITHUB_TOKEN": GITHUB_CANARY,
            "GITHUB_API_URL": self.github.base_url,
            "GITHUB_REPOSITORY": REPOSITORY,
            **mattermost_env(self.mattermost),
        }

    def assert_no_writes(self) -> None:
        for fake in self.fakes:
            assert fake.mutating_requests() == [], type(fake).__name__

    def clear_logs(self) -> None:
        for fake in self.fakes:
            fake.clear_log()


def seed_tickets(fake: FakeJira, users: dict[str, JiraUser]) -> None:
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
def world(request: pytest.FixtureRequest, org_repo: Path) -> Iterator[World]:
    if request.param == "server":
        use_jira_names(org_repo)
    config = config_of(org_repo)
    jira = new_jira(request.param)
    seed_tickets(jira, seed_people(jira, config))
    github, mattermost = new_github(config), new_mattermost(config)
    with jira, github, mattermost:
        yield World(org_repo, jira, github, mattermost)
