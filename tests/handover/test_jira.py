"""The Jira client against the test Jira (Cloud and Server/DC)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from setops.handover.gather import _tickets, board_moves
from setops.handover.tickets import lacks_update, stale_levels
from setops.ranking import apply_moves
from setops.targets.clients.jira import JiraClient, jira_auth, missing_jira_credentials
from setops.targets.clients.jira_tickets import add_comment, comment_body, read_tickets
from setops.targets.http import VendorError
from tests.fakes.jira import FakeJira
from tests.handover.conftest import CANARIES, RUN_AT, config_of, jira_env

BASE_JQL = 'project = "SET" AND statusCategory != Done'


def client_for(fake: FakeJira) -> JiraClient:
    return JiraClient(jira_auth(jira_env(fake)))


def test_credentials_pick_the_deployment() -> None:
    cloud = jira_auth({"JIRA_URL": "https://x", "JIRA_EMAIL": "a@b", "JIRA_API_TOKEN": "t"})
    server = jira_auth({"JIRA_URL": "https://x/", "JIRA_TOKEN": "p"})
    assert cloud.cloud and not server.cloud and server.url == "https://x"
    assert missing_jira_credentials({}) == (
        "JIRA_URL",
        "JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_TOKEN (Server/DC)",
    )
    assert missing_jira_credentials({"JIRA_URL": "u", "JIRA_EMAIL": "e"}) == (
        "JIRA_API_TOKEN (with JIRA_EMAIL, for Jira Cloud)",
    )


@pytest.mark.parametrize("deployment", ["cloud", "server"])
def test_search_pages_through_more_than_one_page(
    deployment: str, cloud_jira: FakeJira, server_jira: FakeJira
) -> None:
    fake = cloud_jira if deployment == "cloud" else server_jira
    for n in range(1, 251):
        fake.seed_issue(f"SET-{n}", f"ticket {n}", status="In Progress")
    fake.seed_issue("SET-999", "closed", status="Done")
    fake.clear_log()
    tickets = read_tickets(client_for(fake), BASE_JQL)
    assert sorted(t.key for t in tickets) == sorted(f"SET-{n}" for n in range(1, 251))
    searches = [r for r in fake.log if "/search" in r.path]
    if deployment == "cloud":  # the ids, then 5 x 50 read after-write consistent
        assert all(r.path == "/rest/api/3/search/jql" for r in searches)
        assert [r.arg("fields") for r in searches[:1]] == ["id"]
        assert [len(r.query.get("reconcileIssues", [])) for r in searches] == [0, *[50] * 5]
        assert not any(r.arg("nextPageToken") for r in searches)
    else:  # 100 + 100 + 50
        assert len(searches) == 3
        assert all(r.path == "/rest/api/2/search" for r in searches)
        assert [r.arg("startAt") for r in searches] == ["0", "100", "200"]
    fake.assert_no_spec_violations()


def test_cloud_assigns_by_account_id_server_by_name(
    cloud_jira: FakeJira, server_jira: FakeJira
) -> None:
    for fake, wanted, field in (
        (cloud_jira, "712020:0f6c1b2a-1111-4a5b-9c1d-000000000011", "accountId"),
        (server_jira, "user-11", "name"),
    ):
        fake.seed_issue("SET-1", "x", status="In Progress")
        client_for(fake).assign("SET-1", wanted)
        assert fake.issue("SET-1")["assignee"] == wanted
        puts = [r for r in fake.log if r.method == "PUT"]
        assert [r.json for r in puts] == [{field: wanted}]
        assert not [r for r in fake.log if "/user" in r.path], "no fuzzy user search"
        fake.assert_no_spec_violations()


def test_a_refused_call_names_the_ticket_and_jiras_reason_but_no_token(
    cloud_jira: FakeJira,
) -> None:
    cloud_jira.seed_issue("SET-1", "x")
    with pytest.raises(VendorError) as caught:
        client_for(cloud_jira).assign("SET-1", "712020:nobody")
    text = str(caught.value)
    assert text.startswith("jira: assign SET-1 to 712020:nobody failed (HTTP 400): ")
    assert "does not exist" in text
    assert not any(c in text for c in CANARIES) and "Authorization" not in text


def test_wrong_credentials_are_one_clean_line(cloud_jira: FakeJira) -> None:
    env = {**jira_env(cloud_jira), "JIRA_API_TOKEN": "canary-jira-token-7Qx1-wrong"}
    with pytest.raises(VendorError) as caught:
        read_tickets(JiraClient(jira_auth(env)), BASE_JQL)
    assert "(HTTP 401)" in str(caught.value) and "canary" not in str(caught.value)


def test_comments_are_adf_on_cloud_and_text_on_server(
    cloud_jira: FakeJira, server_jira: FakeJira
) -> None:
    for fake in (cloud_jira, server_jira):
        fake.seed_issue("SET-1", "x")
        client = client_for(fake)
        body = comment_body(client, [[("see ", None), ("https://pr", "https://pr")]])
        add_comment(client, "SET-1", body, "https://pr")
        (comment,) = fake.comments("SET-1")
        assert "see" in comment["body"] and "https://pr" in comment["body"]
        fake.assert_no_spec_violations()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ranking_a_shuffled_board_moves_only_what_is_out_of_order(
    seed: int, cloud_jira: FakeJira, org_repo: Path
) -> None:
    config = config_of(org_repo)
    jira = config.integrations.jira
    assert jira is not None
    labels = ["community-server", "support-escalation", "hotfix", "release-blocker"]
    labels += ["customer-reported", "", ""]
    rng = random.Random(seed)
    for n in range(1, 61):
        label = rng.choice(labels)
        kind = "Bug" if rng.random() < 0.5 else "Task"
        cloud_jira.seed_issue(f"SET-{n}", labels=[label] if label else [], issuetype=kind)
    cloud_jira.seed_issue("SET-100", labels=["hotfix"], status="In Progress")  # not in TO DO
    client = client_for(cloud_jira)
    moves = board_moves(client, config, jira)
    before = [k for k in cloud_jira.rank_order("SET") if k != "SET-100"]
    assert apply_moves(before, moves) != before
    for move in moves:
        client.rank(move.issues, before=move.before, after=move.after)
    after = [k for k in cloud_jira.rank_order("SET") if k != "SET-100"]
    assert after == apply_moves(before, moves)
    rule = {"community-server": 1, "support-escalation": 2, "hotfix": 3, "release-blocker": 4}
    rule["customer-reported"] = 5

    def rank_of(key: str) -> int:
        issue = cloud_jira.issue(key)
        found = [rule[label] for label in issue["labels"] if label in rule]
        return min(found) if found else (6 if issue["issuetype"] == "Bug" else 7)

    ranks = [rank_of(k) for k in after]
    assert ranks == sorted(ranks)
    moved = {k for m in moves for k in m.issues}
    assert len(moved) < len(before)  # the longest in-order run stays put
    assert board_moves(client, config, jira) == []  # ranked: nothing left to move
    cloud_jira.assert_no_spec_violations()


def test_stale_check_ignores_setops_comments(cloud_jira: FakeJira, org_repo: Path) -> None:
    config = config_of(org_repo)
    jira = config.integrations.jira
    assert jira is not None
    day = dt.timedelta(days=1)
    utc = RUN_AT.astimezone(dt.UTC)
    cloud_jira.seed_issue("SET-1", "L1 quiet", priority="Highest", created=utc - 3 * day)
    cloud_jira.seed_comment("SET-1", "looking", created=utc - 2 * day)
    cloud_jira.seed_comment(
        "SET-1", "[setops:handover 2026-12-07 from=a to=b]", created=utc - dt.timedelta(hours=1)
    )
    cloud_jira.seed_issue("SET-2", "L2 fresh", priority="High", created=utc - 3 * day)
    cloud_jira.seed_comment("SET-2", "fixed soon", created=utc - dt.timedelta(hours=2))
    cloud_jira.seed_issue("SET-3", "L3 old", priority="Medium", created=utc - 9 * day)
    cloud_jira.seed_issue(
        "SET-4", "L1 new", priority="Highest", created=utc - dt.timedelta(hours=3)
    )
    tickets = {t.key: t for t in _tickets(client_for(cloud_jira), config, jira)}
    assert {k: t.level for k, t in tickets.items()} == {
        "SET-1": "L1",
        "SET-2": "L2",
        "SET-3": "L3",
        "SET-4": "L1",
    }
    levels = stale_levels(config)
    stale = sorted(k for k, t in tickets.items() if lacks_update(t, RUN_AT, levels))
    assert stale == ["SET-1"]
    cloud_jira.assert_no_spec_violations()


@pytest.mark.parametrize(
    ("line", "bad"),
    # What Jira's parser takes but its fields do not: validate cannot know the site's fields.
    [(32, "jql: priority = Urgent"), (10, "jql: labels = x AND nosuchfield = 1")],
)
def test_a_jql_jira_rejects_is_named_at_its_place_in_policies(
    cli: Any, cloud_jira: FakeJira, org_repo: Path, line: int, bad: str
) -> None:
    path = org_repo / "policies" / "priorities.yaml"
    lines = path.read_text().splitlines(keepends=True)
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines[line - 1] = f"{indent}{bad}\n"
    path.write_text("".join(lines))
    for command in ("handover", "rank") if line == 10 else ("handover",):  # rank: rules only
        args = ("--dry-run", "--at", "2026-12-11T15:00") if command == "handover" else ()
        result = cli(command, *args, "--root", str(org_repo), env=jira_env(cloud_jira))
        assert result.code == 1, result.out
        assert f"policies/priorities.yaml:{line}:" in result.err, result.err
        assert "failed (HTTP 400)" in result.err and "Traceback" not in result.err
