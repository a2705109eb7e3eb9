"""The handover pull request against the fake GitHub: what people do to it between runs
(close it, merge it, edit its description, delete its markers) and what GitHub refuses
(a reviewer who is no collaborator, a label it will not add)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fakes.base import Fault
from tests.handover.conftest import HANDOVER_RUN, World
from tests.handover.test_handover import (
    BRANCH,
    announcements,
    assert_handed_over,
    handover,
    marker_comments,
)

Cli = Callable[..., Any]
PULLS = "/repos/example-org/set-config/pulls"


def stop_after_the_pull_request(world: World) -> None:
    """The first run stops right after the pull request step (Jira refuses every move)."""
    world.jira.faults.add(Fault(method="PUT", path=r"/issue/SET-\d+$", status=400, times=None))


def edit_pull(world: World, **fields: Any) -> None:
    """A person edits the pull request on GitHub (its issue side holds body and state)."""
    with world.github.lock:
        (pull,) = world.github.repo().pulls.values()
        world.github.repo().issues[pull["number"]].update(fields)


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_pull_request_closed_by_hand_is_neither_reopened_nor_replaced(
    cli: Cli, world: World
) -> None:
    stop_after_the_pull_request(world)
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    world.jira.faults.clear()
    edit_pull(world, state="closed")  # a lead calls this handover off
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert "#1 was closed without being merged" in again.out
    assert "reopen it" in again.out
    world.assert_no_writes()  # no ticket moved, no second PR, no post, nothing reopened
    assert [p["state"] for p in world.github.pulls()] == ["closed"]
    assert announcements(world) == [] and marker_comments(world, "SET-1") == []
    # Reopened, the next run finishes it in the same pull request.
    edit_pull(world, state="open")
    finished = handover(cli, world, "--at", HANDOVER_RUN)
    assert finished.code == 0, finished.err
    assert_handed_over(world)


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_pull_request_merged_before_the_handover_finished_is_completed_in_place(
    cli: Cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop_after_the_pull_request(world)
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    world.jira.faults.clear()
    # A lead merges it and GitHub deletes the branch; the fake models no merge, so its
    # view of the pull request is made to say so.
    fake = world.github
    view = fake._pull_view

    def merged_view(repo: Any, number: int) -> dict[str, Any]:
        pull = view(repo, number)
        pull.update(state="closed", merged=True, merged_at="2026-12-11T15:30:00Z")
        return pull

    monkeypatch.setattr(fake, "_pull_view", merged_view)
    with fake.lock:
        del fake.repo().refs[f"heads/{BRANCH}"]
    fake.clear_log()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert fake.branch_sha(BRANCH) is None  # not made again
    writes = [(r.method, r.path) for r in fake.mutating_requests()]
    assert writes == [("PATCH", f"{PULLS}/1")]  # only the record of the handover
    assert '"complete": true' in fake.pulls()[0]["body"]
    assert len(announcements(world)) == 1


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_lead_who_is_no_collaborator_is_named_and_the_handover_goes_on(
    cli: Cli, world: World
) -> None:
    with world.github.lock:
        world.github.repo().collaborators.discard("ivo-markovic")
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "warning: review could not be requested from ivo-markovic" in result.out
    assert "not a collaborator" in result.out
    (pull,) = world.github.pulls()
    assert [u["login"] for u in pull["requested_reviewers"]] == ["mira-okafor"]
    assert "review could not be requested from ivo-markovic" in pull["body"]
    assert len(announcements(world)) == 1 and '"complete": true' in pull["body"]
    world.clear_logs()
    assert "No handover due" in handover(cli, world, "--at", HANDOVER_RUN).out
    world.assert_no_writes()


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_label_github_will_not_add_is_a_warning_not_a_stop(cli: Cli, world: World) -> None:
    refused = {"message": "Resource not accessible by integration"}
    world.github.faults.add(Fault(method="POST", path=r"/labels$", status=403, body=refused))
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "warning: could not label #1 handover" in result.out
    assert "Resource not accessible by integration" in result.out
    assert len(announcements(world)) == 1
    assert '"complete": true' in world.github.pulls()[0]["body"]


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_the_branch_of_a_half_run_is_used_as_it_is(cli: Cli, world: World) -> None:
    sha = world.github.add_branch(BRANCH)  # made, then the run died
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "created branch" not in result.out
    assert world.github.count("POST", "/repos/example-org/set-config/git/refs") == 0
    commits = world.github.commit_messages(BRANCH)
    assert len(commits) == 2 and world.github.branch_sha(BRANCH) != sha  # one commit on it
    assert_handed_over(world)


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_what_a_lead_writes_in_the_description_is_kept(cli: Cli, world: World) -> None:
    stop_after_the_pull_request(world)
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    world.jira.faults.clear()
    body = world.github.pulls()[0]["body"]
    ticked = body.replace("- [ ] The incoming team is in", "- [x] The incoming team is in")
    edit_pull(world, body="Lead's note on top.\n\n" + ticked + "\nDB migration half done.\n")
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    after = world.github.pulls()[0]["body"]
    assert after.startswith("Lead's note on top.\n\n<!-- setops:handover:begin -->")
    assert "- [x] The incoming team is in the right incident channels." in after
    assert after.endswith("DB migration half done.\n")
    assert '"complete": true' in after and after.count("<!-- setops:state") == 1


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_markers_a_lead_deleted_come_back_and_the_old_text_stays_theirs(
    cli: Cli, world: World
) -> None:
    stop_after_the_pull_request(world)
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    world.jira.faults.clear()
    body = world.github.pulls()[0]["body"]
    stripped = body.replace("<!-- setops:handover:begin -->", "").replace(
        "<!-- setops:handover:end -->", ""
    )
    edit_pull(world, body=stripped + "\nA note.\n")
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0, "re-run"
    after = world.github.pulls()[0]["body"]
    assert after.count("<!-- setops:handover:begin -->") == 1
    assert after.count("<!-- setops:handover:end -->") == 1
    assert after.endswith("A note.\n")
    assert_handed_over(world)
    world.clear_logs()
    assert "No handover due" in handover(cli, world, "--at", HANDOVER_RUN).out
    world.assert_no_writes()


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_run_with_a_leads_own_token_the_lead_is_not_asked_to_review_their_pr(
    cli: Cli, world: World
) -> None:
    token = "ghp_miraOkaforPersonalToken0123456789"
    world.github.tokens[token] = {"login": "mira-okafor", "id": 77, "type": "User"}
    result = handover(cli, world, "--at", HANDOVER_RUN, env={**world.env, "GITHUB_TOKEN": token})
    assert result.code == 0, result.err
    assert "warning" not in result.out and token not in result.out + result.err
    (pull,) = world.github.pulls()
    assert pull["user"]["login"] == "mira-okafor"
    assert [u["login"] for u in pull["requested_reviewers"]] == ["ivo-markovic"]
