"""The proposal pull request against the fake GitHub: opened once with the leads asked to
review and the load in its description; a re-run with nothing changed writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from setops.config.load import load_config
from tests.fakes.github import FakeGitHub

TOKEN = "ghs_canaryGithubToken0123456789abcdef"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


def test_opens_one_pull_request_and_a_rerun_changes_nothing(
    cli: Callable[..., Any], org_repo: Path
) -> None:
    config = load_config(org_repo)
    with FakeGitHub(
        tokens={TOKEN: dict(BOT)}, collaborators=[p.github for p in config.people]
    ) as github:
        env = {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_API_URL": github.base_url,
            "GITHUB_REPOSITORY": "example-org/set-config",
            "SETOPS_GITHUB_THROTTLE": "0",
        }
        args = ("propose", "--cycles", "2", "--pull-request", "--root", str(org_repo))
        first = cli(*args, "--time-limit", "5", env=env)
        assert first.code == 0, first.err
        assert "opened pull request #1" in first.err
        (pull,) = github.pulls()
        assert pull["head"]["ref"] == "setops/proposal-2027-06-28"
        assert "Load before" in pull["body"] and "Load after" in pull["body"]
        assert "proven optimal" in pull["body"]
        reviewers = {u["login"] for u in pull["requested_reviewers"]}
        assert reviewers == {p.github for p in config.people if p.can_lead}
        assert TOKEN not in first.out + first.err
        github.clear_log()
        again = cli(*args, "--time-limit", "5", env=env)
        assert again.code == 0, again.err
        assert "is up to date; nothing changed" in again.err
        assert github.mutating_requests() == []
        assert len(github.pulls()) == 1


def test_nothing_to_propose_while_the_schedule_reaches_far(
    cli: Callable[..., Any], org_repo: Path
) -> None:
    result = cli("propose", "--cycles", "2", "--if-runs-out-within", "6", "--root", str(org_repo))
    assert result.code == 0
    assert "the schedule runs until 2027-06-28, more than 6 weeks away" in result.out
