"""`setops handover` end to end: the real jira and PyGithub clients and the Mattermost code
against the shared fakes, run in-process through the CLI with the time pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from setops.config.load import load_config
from tests.fakes.base import Fault
from tests.handover.conftest import (
    CANARIES,
    HANDOVER_RUN,
    HUMAN_HEADER,
    SET_CHANNEL,
    TEAM,
    World,
    assert_documented,
)

Cli = Callable[..., Any]
BRANCH = "handover/2026-12-14"
MOVED = {"SET-1": "jonas", "SET-2": "mira", "SET-4": "omar"}


def handover(cli: Cli, world: World, *args: str, env: dict[str, str] | None = None) -> Any:
    result = cli("handover", "--root", str(world.repo), *args, env=env or world.env)
    assert_no_canary(result.out + result.err, world.repo.parent / "logs")
    return result


def assert_no_canary(text: str, logs: Path) -> None:
    """No credential in the output, nor in a crash log."""
    for path in logs.glob("**/*") if logs.is_dir() else ():
        text += path.read_text(errors="replace") if path.is_file() else ""
    for canary in CANARIES:
        assert canary not in text, "a credential leaked into the output"


def assignee(world: World, key: str) -> str | None:
    found: str | None = world.jira.issue(key)["assignee"]
    return found


def jira_id(world: World, person: str) -> str:
    return load_config(world.repo).person(person).jira


def marker_comments(world: World, key: str) -> list[str]:
    return [c["body"] for c in world.jira.comments(key) if "[setops:handover" in c["body"]]


def announcements(world: World) -> list[dict[str, Any]]:
    return world.mattermost.posts(TEAM, SET_CHANNEL)


def assert_handed_over(world: World) -> None:
    """Every ticket moved once, one PR, one announcement: the end state of any good run."""
    for key, person in MOVED.items():
        assert assignee(world, key) == jira_id(world, person)
        assert len(marker_comments(world, key)) == 1, key
    assert assignee(world, "SET-3") == jira_id(world, "ana")
    (pull,) = world.github.pulls()
    assert '"complete": true' in pull["body"]
    assert {u["login"] for u in pull["requested_reviewers"]} == {"ivo-markovic", "mira-okafor"}
    assert [label["name"] for label in pull["labels"]] == ["handover"]
    (post,) = announcements(world)
    assert post["props"] == {"setops_handover": "2026-12-14"}


def test_a_handover_does_every_step_once(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "Handover 2026-12-14 complete." in result.out
    # Jira: the tickets of people leaving SET go to the incoming holder of the same role.
    assert_handed_over(world)
    assert assignee(world, "SET-6") is None
    (pull,) = world.github.pulls()
    for key in MOVED:
        (comment,) = marker_comments(world, key)
        assert pull["html_url"] in comment and "handed over from" in comment
    assert marker_comments(world, "SET-3") == []
    # GitHub: one PR from handover/<date>, the file on its branch, leads asked, labelled.
    assert pull["head"]["ref"] == BRANCH and pull["user"]["login"] == "setops-bot"
    body = pull["body"]
    assert "- [ ] The incoming team is in the right incident channels." in body
    assert "| lead | Ivo Marković (`ivo-markovic`) | Mira Okafor (`mira-okafor`) |" in body
    assert "[SET-1]" in body and "| L1 |" in body and "**missing**" in body  # no daily update
    assert "@\u2060channel DB down &lt;!-- setops:handover:end --&gt; \\| pipe" in body
    assert "@channel" not in body
    assert "## Knowledge that isn't in tickets" in body
    assert '"complete": true' in body and "~incidents, ~community-server-alerts" in body
    record = world.github.file_text("handovers/2026-12-14.md", ref=BRANCH)
    assert record is not None and record.startswith("# SET handover 2026-12-14")
    assert world.github.file_text("handovers/2026-12-14.md") is None  # not on main
    assert world.github.commit_messages(BRANCH)[-1] == world.github.commit_messages("main")[-1]
    assert not [r for r in world.github.log if r.method == "PATCH" and "/git/refs/" in r.path]
    # Mattermost: the header keeps the human text; one announcement; incident channels.
    header = world.mattermost.header(TEAM, SET_CHANNEL)
    assert HUMAN_HEADER in header and "lead @ivo.markovic" in header  # the team on SET now
    (post,) = announcements(world)
    assert "@mira.okafor" in post["message"] and pull["html_url"] in post["message"]
    assert post["username"] == "setops-bot"
    team = {"mira.okafor", "jonas.brandt", "kai.nakamura", "lena.kowalski", "omar.haddad"}
    for channel in ("incidents", "community-server-alerts"):
        members = world.mattermost.members(TEAM, channel)
        assert team <= set(members) and len(members) == len(set(members))
    assert_documented(*world.fakes)


def test_a_second_run_sends_nothing(cli: Cli, world: World) -> None:
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert "No handover due" in again.out
    world.assert_no_writes()
    assert_handed_over(world)
    assert_documented(*world.fakes)


def test_a_crash_after_the_pull_request_is_finished_by_a_rerun(cli: Cli, world: World) -> None:
    # The second hand-over write fails for good (a 400 is no lost answer): one is moved.
    world.jira.faults.add(
        Fault(method="PUT", path=r"/issue/SET-\d+$", status=400, skip=1, times=None)
    )
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1
    assert "step 'jira: reassign tickets' failed" in first.err
    assert "already done:" in first.err and "opened pull request #" in first.err
    (done,) = [k for k in MOVED if marker_comments(world, k)]
    assert f"{done} to " in first.err
    assert announcements(world) == [] and len(world.github.pulls()) == 1
    world.jira.faults.clear()
    # Someone deliberately gives the moved ticket to Kai after the handover moved it.
    world.jira.issues[done].assignee = next(
        u for u in world.jira.users if jira_id(world, "kai") in (u.account_id, u.name)
    )
    world.clear_logs()
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert len(world.github.pulls()) == 1  # no second PR
    assert world.github.count("POST", "/repos/example-org/set-config/pulls") == 0
    assert assignee(world, done) == jira_id(world, "kai")  # not moved back
    for key, person in MOVED.items():
        if key != done:
            assert assignee(world, key) == jira_id(world, person)
        assert len(marker_comments(world, key)) == 1
    assert len(announcements(world)) == 1
    assert '"complete": true' in world.github.pulls()[0]["body"]
    assert_documented(*world.fakes)


def test_a_crash_after_the_announcement_step_does_not_announce_twice(
    cli: Cli, world: World
) -> None:
    # After the one recording the reviewers, every PATCH of the pull request fails: the
    # record says "not announced".
    patch = Fault(method="PATCH", path=r"/pulls/\d+$", status=422, skip=1, times=None)
    world.github.faults.add(patch)
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "step 'github: record the handover' failed" in first.err
    world.github.faults.clear()
    # The post itself is found again by its props.
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert len(world.github.pulls()) == 1 and len(announcements(world)) == 1
    assert '"announced": true, "complete": true' in world.github.pulls()[0]["body"]


def test_a_late_run_still_hands_over(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", "2026-12-15T10:00")  # Tuesday, after the change
    assert result.code == 0, result.err
    assert "Handover 2026-12-14 complete." in result.out
    header = world.mattermost.header(TEAM, SET_CHANNEL)
    assert "lead @mira.okafor" in header  # after the change: the incoming team's header


def test_a_missed_week_is_handed_over_in_order(cli: Cli, world: World) -> None:
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    result = handover(cli, world, "--at", "2026-12-25T15:00")  # 2026-12-18's run was missed
    assert result.code == 0, result.err
    assert result.out.index("Handover 2026-12-21 complete.") < result.out.index(
        "Handover 2026-12-28 complete."
    )
    heads = sorted(p["head"]["ref"] for p in world.github.pulls())
    assert heads == ["handover/2026-12-14", "handover/2026-12-21", "handover/2026-12-28"]
    props = [p["props"]["setops_handover"] for p in announcements(world)]
    assert props == ["2026-12-14", "2026-12-21", "2026-12-28"]


def test_a_missing_credential_is_named_and_nothing_is_sent(cli: Cli, world: World) -> None:
    env = {**world.env, "MATTERMOST_TOKEN": ""}
    result = handover(cli, world, "--at", HANDOVER_RUN, env=env)
    assert result.code == 1
    assert "mattermost (MATTERMOST_TOKEN)" in result.err and "Nothing was sent" in result.err
    assert all(fake.log == [] for fake in world.fakes)


def test_a_dry_run_reads_but_sends_nothing(cli: Cli, world: World) -> None:
    result = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert result.code == 0, result.err
    assert "move SET-1 from Femi Adeyemi to Jonas Brandt" in result.out
    assert "Dry run: nothing was sent." in result.out
    world.assert_no_writes()
    assert_documented(*world.fakes)


def review(world: World, login: str) -> None:
    """`login` reviews the pull request: GitHub no longer lists them as requested."""
    with world.github.lock:
        (pull,) = world.github.repo().pulls.values()
        pull["requested_reviewers"] = [
            u for u in pull["requested_reviewers"] if u["login"] != login
        ]


def test_a_lead_who_reviewed_before_the_rerun_is_not_asked_again(cli: Cli, world: World) -> None:
    world.github.faults.add(Fault(method="POST", path=r"/labels$", status=400))
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "requested review from ivo-markovic, mira-okafor" in first.err
    assert '"reviewers": ["ivo-markovic", "mira-okafor"]' in world.github.pulls()[0]["body"]
    review(world, "ivo-markovic")
    world.clear_logs()
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert world.github.count("POST", "/repos/example-org/set-config/pulls/1/requested") == 0
    (pull,) = world.github.pulls()
    assert [u["login"] for u in pull["requested_reviewers"]] == ["mira-okafor"]
    assert [label["name"] for label in pull["labels"]] == ["handover"]


def test_a_crash_before_the_reviewers_are_recorded_asks_nobody_twice(
    cli: Cli, world: World
) -> None:
    # Reviews were requested, then the PATCH recording them failed.
    world.github.faults.add(Fault(method="PATCH", path=r"/pulls/\d+$", status=422))
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "requested review from" in first.err
    assert '"reviewers"' not in world.github.pulls()[0]["body"]
    world.clear_logs()
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    # Still requested on GitHub: not asked again, and now recorded.
    assert world.github.count("POST", "/repos/example-org/set-config/pulls/1/requested") == 0
    assert '"reviewers": ["ivo-markovic", "mira-okafor"]' in world.github.pulls()[0]["body"]
    assert_handed_over(world)


def test_the_bot_joins_the_channel_before_it_posts(cli: Cli, world: World) -> None:
    fake = world.mattermost
    with fake.lock:  # the bot was never added to ~sustained-engineering
        next(c for c in fake.channels.values() if c.name == SET_CHANNEL).members.pop(fake.bot.id)
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert "join ~sustained-engineering (the bot is not a member" in dry.out
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    assert "done: joined ~sustained-engineering, to set its header and post in it" in result.out
    assert "setops-bot" in fake.members(TEAM, SET_CHANNEL)
    assert len(announcements(world)) == 1
    assert_documented(*world.fakes)


def test_an_expired_token_is_one_clean_line_naming_the_variable(cli: Cli, world: World) -> None:
    jira_token = "JIRA_API_TOKEN" if "JIRA_API_TOKEN" in world.env else "JIRA_TOKEN"
    for name in (jira_token, "GITHUB_TOKEN", "MATTERMOST_TOKEN"):
        env = {**world.env, name: world.env[name] + "-expired"}
        result = handover(cli, world, "--at", HANDOVER_RUN, env=env)  # no canary printed
        assert result.code == 1 and "401" in result.err
        assert f"check {name}" in result.err or f"and {name}" in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    world.assert_no_writes()
