"""The Jira side of a handover as Jira Cloud behaves: a search that lags behind writes, one
edit per moved ticket, and the fallback where the edit screen lacks a field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.fakes.base import Fault
from tests.handover.conftest import HANDOVER_RUN, World
from tests.handover.test_faults import assert_nothing_twice
from tests.handover.test_handover import (
    MOVED,
    assert_handed_over,
    assignee,
    handover,
    jira_id,
    marker_comments,
)

Cli = Callable[..., Any]


def stale_search(world: World, key: str) -> dict[str, Any]:
    """Issue `key` as an ordinary search (no reconcileIssues) shows it now."""
    response = requests.get(
        f"{world.jira.base_url}/rest/api/3/search/jql",
        params={"jql": f"key = {key}", "fields": "assignee,comment"},
        auth=(world.jira.email, world.jira.api_token),
        timeout=10,
    )
    (issue,) = response.json()["issues"]
    fields: dict[str, Any] = issue["fields"]
    return fields


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_rerun_inside_the_search_lag_neither_comments_twice_nor_moves_back(
    cli: Cli, world: World
) -> None:
    # The run stops after the Jira step (Mattermost refuses the header): tickets moved.
    world.mattermost.faults.add(Fault(method="PUT", path=r"/patch$", status=400))
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    # A lead gives SET-1 to Kai right away, through Jira's API: also not yet searchable.
    kai = jira_id(world, "kai")
    taken = requests.put(
        f"{world.jira.base_url}/rest/api/3/issue/SET-1/assignee",
        json={"accountId": kai},
        auth=(world.jira.email, world.jira.api_token),
        timeout=10,
    )
    assert taken.status_code == 204
    # Inside the lag, a plain search still shows the tickets as before the handover.
    stale = stale_search(world, "SET-2")
    assert stale["assignee"]["accountId"] == jira_id(world, "ivo")
    assert not any("[setops:handover" in str(c) for c in stale["comment"]["comments"])
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert assignee(world, "SET-1") == kai  # not moved back
    for key in MOVED:
        assert len(marker_comments(world, key)) == 1, f"{key} commented twice"
    jira_writes = [r for r in world.jira.mutating_requests() if r.method != "GET"]
    assert [r.path for r in jira_writes if "/rank" not in r.path] == []
    searches = [r for r in world.jira.log if r.path.endswith("/search/jql")]
    read = [r for r in searches if r.arg("fields") != "id"]
    assert read and all(r.query.get("reconcileIssues") for r in read)


@pytest.mark.parametrize("world", ["cloud", "server"], indirect=True)
def test_one_write_moves_a_ticket_with_its_comment(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert_handed_over(world)
    writes = [r for r in world.jira.mutating_requests() if "/rank" not in r.path]
    assert sorted(r.path.rsplit("/", 1)[1] for r in writes) == sorted(MOVED)
    version = "3" if world.jira.cloud else "2"
    for r in writes:
        assert r.method == "PUT" and r.path.startswith(f"/rest/api/{version}/issue/SET-")
        (add,) = r.json["update"]["comment"]
        body = add["add"]["body"]
        if world.jira.cloud:  # v3: ADF; v2: a string with [text|link]
            assert body["type"] == "doc" and set(r.json["fields"]["assignee"]) == {"accountId"}
        else:
            assert isinstance(body, str) and "[setops:handover" in body
            assert set(r.json["fields"]["assignee"]) == {"name"}


@pytest.mark.parametrize("world", ["cloud", "server"], indirect=True)
def test_an_assignee_off_the_edit_screen_falls_back_for_the_rest_of_the_run(
    cli: Cli, world: World
) -> None:
    world.jira.edit_screen = frozenset({"comment", "summary"})
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert_handed_over(world)
    assert_nothing_twice(world)
    tried = [
        r
        for r in world.jira.log
        if r.method == "PUT" and r.path.endswith(("SET-1", "SET-2", "SET-4"))
    ]
    assert [r.status for r in tried] == [400], "one refused edit, then the fallback only"
    assert "Field 'assignee' cannot be set" in result.out  # said once, as a warning
    assert result.out.count("would not set assignee") == 1
    comments = [r for r in world.jira.log if r.method == "POST" and r.path.endswith("/comment")]
    assigns = [r for r in world.jira.log if r.path.endswith("/assignee")]
    assert len(comments) == len(assigns) == len(MOVED)
    (pull,) = world.github.pulls()
    assert "would not set assignee" in pull["body"]


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_the_fallback_stopped_between_comment_and_assignment_is_finished(
    cli: Cli, world: World
) -> None:
    world.jira.edit_screen = frozenset({"comment"})
    world.jira.faults.add(Fault(method="PUT", path=r"/SET-2/assignee$", status=400))
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "assign SET-2" in first.err
    assert len(marker_comments(world, "SET-2")) == 1
    assert assignee(world, "SET-2") == jira_id(world, "ivo")
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert_handed_over(world)
    assert_nothing_twice(world)
