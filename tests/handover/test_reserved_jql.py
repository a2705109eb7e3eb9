"""A reserved word in each JQL place: `setops validate` refuses it at its place, before any
request, and the test Jira refuses the same JQL as setops would send it, as Jira does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from setops.config.load import Config, load_config
from setops.targets.clients.jira import JiraClient, jira_auth
from setops.targets.http import VendorError
from tests.conftest import FIXTURES, Result, copy_config
from tests.fakes.jira import FakeJira
from tests.handover.conftest import jira_env, new_jira


def _ticket_jql(config: Config) -> str:
    jira = config.integrations.jira
    assert jira is not None
    return jira.jql


def _todo_jql(config: Config) -> str:
    jira = config.integrations.jira
    assert jira is not None
    return jira.todo_jql


def _rule_jql(config: Config) -> str:  # as the TO DO ranking sends it: joined to the column
    return f"({_todo_jql(config)}) AND ({config.priority_rules[2].jql})"


def _level_jql(config: Config) -> str:  # as the handover sends it: joined to the ticket JQL
    return f"({_ticket_jql(config)}) AND ({config.levels[2].jql})"


PLACES: dict[str, tuple[Callable[[Config], str], str]] = {
    "jql_reserved_word_ticket_jql": (_ticket_jql, "'SET' is a reserved JQL word"),
    "jql_reserved_word_todo_jql": (_todo_jql, "'do' is a reserved JQL word"),
    "jql_reserved_word_priority_rule": (_rule_jql, "'end' is a reserved JQL word"),
    "jql_reserved_word_level": (_level_jql, "'Select' is a reserved JQL word"),
}


def fixture_repo(case: str, tmp_path: Path) -> Path:
    repo = copy_config(FIXTURES / "base", tmp_path / "repo")
    return copy_config(FIXTURES / "invalid" / case, repo)


@pytest.mark.parametrize("case", sorted(PLACES))
def test_validate_refuses_a_reserved_word_at_its_place_before_any_request(
    case: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    repo = fixture_repo(case, tmp_path)
    fake = new_jira("cloud")
    with fake:
        env = jira_env(fake)
        for command in ("validate", "handover"):
            args = ("--dry-run", "--at", "2026-12-11T15:00") if command == "handover" else ()
            result = cli(command, *args, "--root", str(repo), env=env)
            assert result.code == 1
            expected = (FIXTURES / "invalid" / case / "expected.txt").read_text().splitlines()
            assert expected[0] in result.err.splitlines(), result.err
            assert "reserved JQL word" in expected[0]
        assert fake.log == [], "refused before any request reached Jira"


@pytest.mark.parametrize("deployment", ["cloud", "server"])
@pytest.mark.parametrize("case", sorted(PLACES))
def test_the_test_jira_refuses_it_too_as_jira_does(
    case: str, deployment: str, tmp_path: Path
) -> None:
    build, message = PLACES[case]
    config = load_config(fixture_repo(case, tmp_path))  # loads: only validate refuses it
    fake: FakeJira = new_jira(deployment)
    fake.seed_issue("SET-1", "one", status="In Progress")
    with fake:
        client = JiraClient(jira_auth(jira_env(fake)))
        with pytest.raises(VendorError) as refused:
            client.ids(build(config))
        assert refused.value.status == 400
        assert message in refused.value.vendor_message
        assert "You must surround it in quotation marks to use it in a query." in str(refused.value)
        with pytest.raises(VendorError) as on_board:
            client.board_issues(42, build(config))
        assert on_board.value.status == 400 and message in on_board.value.vendor_message
        assert [r.status for r in fake.log] == [400, 400]
