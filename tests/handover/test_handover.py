"""`setops handover` end to end: the real jira and PyGithub clients and the Mattermost code
against local fakes, run in-process through the CLI with the time pinned."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.fakes.base import Fault
from tests.handover.conftest import CANARIES, HANDOVER_RUN, HUMAN_HEADER, World

Cli = Callable[..., Any]


def handover(cli: Cli, world: World, *args: str, env: dict[str, str] | None = None) -> Any:
    result = cli("handover", "--root", str(world.repo), *args, env=env or world.env)
    for canary in CANARIES:
        assert canary not in result.out + result.err, "a credential leaked into the output"
    return result


def assignee(world: World, key: str) -> str | None:
    return world.jira.issue(key)["assignee"]


def jira_id(world: World, person: str) -> str:
    from setops.config.load import load_config

    return load_config(world.repo).person(person).jira


def marker_comments(world: World, key: str) -> list[str]:
    return [c["body"] for c in world.jira.comments(key) if "[setops:handover" in c["body"]]


def test_a_handover_does_every_step_once(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "Handover 2026-12-14 complete." in result.out
    # Jira: the tickets of people leaving SET go to the incoming holder of the same role.
    assert assignee(world, "SET-1") == jira_id(world, "jonas")  # emea primary
    assert assignee(world, "SET-2") == jira_id(world, "mira")  # lead
    assert assignee(world, "SET-4") == jira_id(world, "omar")  # amer backup
    assert assignee(world, "SET-3") == jira_id(world, "ana")  # not on SET: left alone
    assert assignee(world, "SET-6") is None
    (pull_url,) = {p["html_url"] for p in world.github.repo().pulls.values()}
    for key in ("SET-1", "SET-2", "SET-4"):
        (comment,) = marker_comments(world, key)
        assert pull_url in comment and "handed over from" in comment
    assert marker_comments(world, "SET-3") == []
    # GitHub: one PR from handover/<date>, the file on its branch, leads asked, labelled.
    (pull,) = world.github.repo().pulls.values()
    assert pull["head"]["ref"] == "handover/2026-12-14"
    assert {u["login"] for u in pull["requested_reviewers"]} == {"ivo-markovic", "mira-okafor"}
    (body,) = world.github.pull_bodies()
    assert "- [ ] The incoming team is in the right incident channels." in body
    assert "| lead | Ivo Marković (`ivo-markovic`) | Mira Okafor (`mira-okafor`) |" in body
    assert "[SET-1]" in body and "| L1 |" in body and "**missing**" in body  # no daily update
    assert "@\u2060channel DB down &lt;!-- setops:handover:end --&gt; \\| pipe" in body
    assert "@channel" not in body
    assert "## Knowledge that isn't in tickets" in body
    assert '"complete": true' in body and "~incidents, ~community-server-alerts" in body
    issue = world.github.repo().issues[pull["number"]]
    assert [label["name"] for label in issue["labels"]] == ["handover"]
    assert ("handover/2026-12-14", "handovers/2026-12-14.md") in world.github.files
    assert world.github.force_pushes == 0
    assert world.github.refs["heads/handover/2026-12-14"] != world.github.refs["heads/main"]
    # Mattermost: the header keeps the human text; one announcement; incident channels.
    header = world.mattermost.channel("sustained-engineering")["header"]
    assert HUMAN_HEADER in header and "lead @ivo.markovic" in header  # the team on SET now
    (post,) = world.mattermost.posts
    assert "@mira.okafor" in post["message"] and pull_url in post["message"]
    team = {"mira.okafor", "jonas.brandt", "kai.nakamura", "lena.kowalski", "omar.haddad"}
    assert team <= world.mattermost.member_names("incidents")
    assert team <= world.mattermost.member_names("community-server-alerts")
    world.jira.assert_no_spec_violations()
    assert_documented(world)


def assert_documented(world: World) -> None:
    """Every Mattermost request is in the bundled spec, but the one read it lacks."""
    read = re.compile(r"GET /api/v4/channels/\w+/posts: ")
    outside = [v for v in world.mattermost.spec_violations if not read.match(v)]
    assert not outside, outside


def test_a_second_run_sends_nothing(cli: Cli, world: World) -> None:
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert "No handover due" in again.out
    assert world.mutating() == 0
    assert len(world.github.repo().pulls) == 1 and len(world.mattermost.posts) == 1


def test_a_crash_after_the_pull_request_is_finished_by_a_rerun(cli: Cli, world: World) -> None:
    # The second comment fails (a 500 on a POST is not retried): one ticket is moved.
    world.jira.faults.add(Fault(method="POST", path="/comment$", status=500, skip=1, times=None))
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1
    assert "step 'jira: reassign tickets' failed" in first.err
    assert "already done:" in first.err and "opened pull request #" in first.err
    (done,) = [k for k in ("SET-1", "SET-2", "SET-4") if marker_comments(world, k)]
    assert f"{done} to " in first.err
    assert world.mattermost.posts == [] and len(world.github.repo().pulls) == 1
    world.jira.faults.clear()
    # Someone deliberately gives the moved ticket to Kai after the handover moved it.
    world.jira.issues[done].assignee = next(
        u for u in world.jira.users if jira_id(world, "kai") in (u.account_id, u.name)
    )
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert len(world.github.repo().pulls) == 1  # no second PR
    assert assignee(world, done) == jira_id(world, "kai")  # not moved back
    expected = {"SET-1": "jonas", "SET-2": "mira", "SET-4": "omar"}
    for key, person in expected.items():
        if key != done:
            assert assignee(world, key) == jira_id(world, person)
    for key in ("SET-1", "SET-2", "SET-4"):
        assert len(marker_comments(world, key)) == 1
    assert len(world.mattermost.posts) == 1
    assert '"complete": true' in world.github.pull_bodies()[0]


def test_a_crash_after_the_announcement_step_does_not_announce_twice(
    cli: Cli, world: World
) -> None:
    world.github.faults.add(Fault(method="PATCH", path="/pulls/", status=500, times=None))
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "step 'github: record the handover' failed" in first.err
    world.github.faults.clear()
    # The record in the PR says "not announced"; the post itself is found again.
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert len(world.github.repo().pulls) == 1 and len(world.mattermost.posts) == 1
    assert '"announced": true, "complete": true' in world.github.pull_bodies()[0]


def test_a_late_run_still_hands_over(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", "2026-12-15T10:00")  # Tuesday, after the change
    assert result.code == 0, result.err
    assert "Handover 2026-12-14 complete." in result.out
    header = world.mattermost.channel("sustained-engineering")["header"]
    assert "lead @mira.okafor" in header  # after the change: the incoming team's header


def test_a_missed_week_is_handed_over_in_order(cli: Cli, world: World) -> None:
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    result = handover(cli, world, "--at", "2026-12-25T15:00")  # 2026-12-18's run was missed
    assert result.code == 0, result.err
    assert result.out.index("Handover 2026-12-21 complete.") < result.out.index(
        "Handover 2026-12-28 complete."
    )
    heads = sorted(p["head"]["ref"] for p in world.github.repo().pulls.values())
    assert heads == ["handover/2026-12-14", "handover/2026-12-21", "handover/2026-12-28"]


def test_a_missing_credential_is_named_and_nothing_is_sent(cli: Cli, world: World) -> None:
    env = {**world.env, "MATTERMOST_TOKEN": ""}
    result = handover(cli, world, "--at", HANDOVER_RUN, env=env)
    assert result.code == 1
    assert "mattermost (MATTERMOST_TOKEN)" in result.err and "Nothing was sent" in result.err
    assert world.mutating() == 0 and not world.jira.log and not world.github.log


def test_a_dry_run_reads_but_sends_nothing(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert result.code == 0, result.err
    assert "move SET-1 from Femi Adeyemi to Jonas Brandt" in result.out
    assert "Dry run: nothing was sent." in result.out
    assert world.mutating() == 0
