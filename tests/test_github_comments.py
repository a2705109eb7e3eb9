"""The sticky PR comment and the drift issue, with the real PyGithub against FakeGitHub."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from setops.commands import github_cmds
from setops.errors import SetopsError
from setops.github_comments import (
    DRIFT_LABEL,
    MAX_BODY_CHARS,
    GitHubAccess,
    GitHubSession,
    connect,
    marker_tag,
    sync_drift_issue,
    upsert_sticky_comment,
)
from tests.fakes.base import Fault, SpecChecker, require_api_specs
from tests.fakes.github import DEFAULT_TOKEN, FakeGitHub

REPO = "example-org/set-config"
HEAD = "a" * 40
OTHER_USER = {"login": "ana", "id": 7, "type": "User"}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(repository=REPO) as server:
        yield server
        assert server.handler_errors == []


@pytest.fixture
def settings(fake: FakeGitHub) -> GitHubAccess:
    return GitHubAccess(api_url=fake.base_url, token=DEFAULT_TOKEN, repository=REPO)


@pytest.fixture
def session(settings: GitHubAccess) -> GitHubSession:
    return connect(settings, throttle=False)


@pytest.fixture
def pr(fake: FakeGitHub) -> int:
    number: int = fake.add_pull_request("Swap ana and ben", head_sha=HEAD)["number"]
    return number


@pytest.fixture
def env(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment Actions gives a step, pointed at the fake; no write throttling."""
    monkeypatch.setenv("GITHUB_API_URL", fake.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setattr(github_cmds, "connect", functools.partial(connect, throttle=False))


def writes(fake: FakeGitHub) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.mutating_requests()]


# ---- upsert_sticky_comment -------------------------------------------------------


def test_first_post_creates_the_comment_with_the_marker(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    action, comment_id = upsert_sticky_comment(session.repo, pr, "diff", "## Changes\n- ana")

    assert action == "created"
    assert fake.comments_on(pr) == ["<!-- setops:diff -->\n## Changes\n- ana\n"]
    assert fake.repo(REPO).comments[comment_id]["_issue"] == pr
    assert writes(fake) == [f"POST /repos/{REPO}/issues/{pr}/comments"]


def test_second_identical_post_sends_no_write(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    _, first = upsert_sticky_comment(session.repo, pr, "diff", "same text")
    fake.clear_log()

    action, second = upsert_sticky_comment(session.repo, pr, "diff", "same text\n\n")

    assert (action, second) == ("unchanged", first)
    assert writes(fake) == []
    assert len(fake.comments_on(pr)) == 1


def test_changed_body_edits_the_same_comment(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    _, first = upsert_sticky_comment(session.repo, pr, "diff", "ana holds emea primary")
    fake.clear_log()

    action, second = upsert_sticky_comment(session.repo, pr, "diff", "ben holds emea primary")

    assert (action, second) == ("updated", first)
    assert writes(fake) == [f"PATCH /repos/{REPO}/issues/comments/{first}"]
    assert fake.comments_on(pr) == ["<!-- setops:diff -->\nben holds emea primary\n"]


def test_marked_comment_beyond_the_first_page_is_found(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    for n in range(130):  # more than one page of 100
        fake.add_comment(pr, f"review remark {n}", user=OTHER_USER)
    _, first = upsert_sticky_comment(session.repo, pr, "diff", "v1")
    for n in range(100):  # and the marked one ends up in the middle
        fake.add_comment(pr, f"later remark {n}", user=OTHER_USER)
    fake.clear_log()

    action, second = upsert_sticky_comment(session.repo, pr, "diff", "v2")

    assert (action, second) == ("updated", first)
    pages = [r.arg("page", "1") for r in fake.log if r.method == "GET"]
    assert pages == ["1", "2"]  # stopped at the page holding it
    assert all(r.arg("per_page") == "100" for r in fake.log if r.method == "GET")
    bodies = fake.comments_on(pr)
    assert len(bodies) == 231
    assert sum(marker_tag("diff") in b for b in bodies) == 1


def test_a_body_that_carries_the_marker_keeps_only_one(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    upsert_sticky_comment(session.repo, pr, "diff", "<!-- setops:diff -->\n### Changes\n")

    assert fake.comments_on(pr) == ["<!-- setops:diff -->\n### Changes\n"]


def test_markers_keep_their_comments_apart(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    _, diff_id = upsert_sticky_comment(session.repo, pr, "diff", "the diff")
    _, other_id = upsert_sticky_comment(session.repo, pr, "diff-v2", "another")

    assert diff_id != other_id
    assert upsert_sticky_comment(session.repo, pr, "diff", "the diff") == ("unchanged", diff_id)


def test_a_lost_create_answer_is_not_resent_and_the_next_run_edits(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    """The comment was created but its answer lost: retrying the POST would duplicate it."""
    fake.faults.add(Fault(kind="drop_after", method="POST", path=r"/comments$"))

    with pytest.raises(SetopsError), session.errors("commenting"):
        upsert_sticky_comment(session.repo, pr, "diff", "v1")
    assert fake.count("POST") == 1

    action, _ = upsert_sticky_comment(session.repo, pr, "diff", "v2")
    assert action == "updated"
    assert len(fake.comments_on(pr)) == 1


def test_a_failed_read_is_retried(fake: FakeGitHub, session: GitHubSession, pr: int) -> None:
    fake.faults.add(Fault(kind="status", status=502, method="GET", path=r"/comments$"))

    action, _ = upsert_sticky_comment(session.repo, pr, "diff", "v1")

    assert action == "created"
    assert fake.count("GET") == 2


def test_an_overlong_body_is_cut_to_what_github_accepts(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    upsert_sticky_comment(session.repo, pr, "diff", "x" * (MAX_BODY_CHARS + 500))

    (body,) = fake.comments_on(pr)
    assert len(body) <= MAX_BODY_CHARS
    assert body.startswith(marker_tag("diff"))
    assert "truncated" in body


def test_a_bad_marker_is_refused_before_any_request(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    with pytest.raises(SetopsError, match="marker"):
        upsert_sticky_comment(session.repo, pr, "diff --> <b>", "x")
    assert fake.log == []


def test_create_comment_request_matches_githubs_description(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    checker = SpecChecker.for_file(require_api_specs() / "github-rest.openapi.json")

    upsert_sticky_comment(session.repo, pr, "diff", "checked")

    (post,) = [r for r in fake.log if r.method == "POST"]
    assert checker.check(post) == []


# ---- errors never carry the token ------------------------------------------------


def test_a_refused_token_gives_a_clean_message_without_the_token(fake: FakeGitHub, pr: int) -> None:
    token = "ghp_SuperSecret0123456789"
    session = connect(GitHubAccess(fake.base_url, token, REPO), throttle=False)

    with pytest.raises(SetopsError) as info, session.errors(f"commenting on #{pr}"):
        upsert_sticky_comment(session.repo, pr, "diff", "x")

    refused = f"GitHub refused commenting on #{pr}: 401 Bad credentials"
    assert str(info.value) == f"{refused} (check GITHUB_TOKEN: it may have expired)"
    assert token not in str(info.value)


def test_a_token_echoed_by_the_server_is_masked(
    fake: FakeGitHub, session: GitHubSession, pr: int
) -> None:
    body = {"message": f"token {DEFAULT_TOKEN} lacks scope", "documentation_url": "x"}
    fake.faults.add(Fault(kind="status", status=403, method="POST", body=body))

    with pytest.raises(SetopsError) as info, session.errors("commenting"):
        upsert_sticky_comment(session.repo, pr, "diff", "x")

    assert DEFAULT_TOKEN not in str(info.value)
    assert "403 token *** lacks scope" in str(info.value)


def test_validation_errors_are_named(fake: FakeGitHub, session: GitHubSession) -> None:
    with pytest.raises(SetopsError) as info, session.errors("commenting on #99"):
        upsert_sticky_comment(session.repo, 99, "diff", "x")

    assert str(info.value) == "GitHub refused commenting on #99: 404 Not Found"


def test_an_unreachable_github_names_the_address_not_the_token(
    fake: FakeGitHub, settings: GitHubAccess, pr: int
) -> None:
    session = connect(settings, throttle=False, retries=1)
    fake.stop()

    with pytest.raises(SetopsError) as info, session.errors("commenting"):
        upsert_sticky_comment(session.repo, pr, "diff", "x")

    assert str(info.value).startswith(f"cannot reach GitHub at {settings.api_url} while commenting")
    assert DEFAULT_TOKEN not in str(info.value)


def test_settings_come_from_the_environment() -> None:
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r"}
    assert GitHubAccess.from_env(env) == GitHubAccess("https://api.github.com", "t", "o/r")
    enterprise = {**env, "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}
    assert GitHubAccess.from_env(enterprise).api_url == "https://ghe.example.com/api/v3"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_REPOSITORY": "o/r"}, "GITHUB_TOKEN must be set"),
        ({"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "o/r"}, "GITHUB_TOKEN must be set"),
        ({}, "GITHUB_TOKEN and GITHUB_REPOSITORY must be set"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "just-a-name"}, "must be owner/name"),
    ],
)
def test_missing_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SetopsError, match=message):
        GitHubAccess.from_env(env)


# ---- sync_drift_issue ------------------------------------------------------------


def test_drift_opens_one_labelled_issue_and_updates_it(
    fake: FakeGitHub, session: GitHubSession
) -> None:
    action, number = sync_drift_issue(session.repo, "Drift: OpsGenie", "- rotation", True)
    assert action == "opened" and number is not None
    issue = fake.repo(REPO).issues[number]
    assert [label["name"] for label in issue["labels"]] == [DRIFT_LABEL]
    assert issue["body"].startswith(marker_tag("drift"))

    fake.clear_log()
    assert sync_drift_issue(session.repo, "Drift: OpsGenie", "- rotation", True) == (
        "unchanged",
        number,
    )
    assert writes(fake) == []

    changed = sync_drift_issue(session.repo, "Drift: OpsGenie, Jira", "- rotation\n- rank", True)
    assert changed == ("updated", number)
    assert issue["title"] == "Drift: OpsGenie, Jira"
    assert len([i for i in fake.repo(REPO).issues.values() if i["state"] == "open"]) == 1


def test_no_drift_closes_the_issue_with_a_note(fake: FakeGitHub, session: GitHubSession) -> None:
    _, number = sync_drift_issue(session.repo, "Drift", "- x", True)
    assert number is not None

    assert sync_drift_issue(session.repo, "Drift", "", False) == ("closed", number)
    issue = fake.repo(REPO).issues[number]
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    assert fake.comments_on(number) == ["No drift found any more; closing."]

    fake.clear_log()
    assert sync_drift_issue(session.repo, "Drift", "", False) == ("none", None)
    assert writes(fake) == []


def test_drift_ignores_other_labelled_issues_and_pull_requests(
    fake: FakeGitHub, session: GitHubSession
) -> None:
    by_hand = fake.add_issue("Drift noticed by hand", "no marker", labels=[DRIFT_LABEL])
    fake.add_pull_request("mentions it", head_sha=HEAD)

    action, number = sync_drift_issue(session.repo, "Drift", "- x", True)

    assert action == "opened"
    assert number != by_hand["number"]
    assert fake.repo(REPO).issues[by_hand["number"]]["body"] == "no marker"


def test_after_a_closed_drift_a_new_drift_opens_a_new_issue(
    fake: FakeGitHub, session: GitHubSession
) -> None:
    _, first = sync_drift_issue(session.repo, "Drift", "- x", True)
    sync_drift_issue(session.repo, "Drift", "", False)

    action, second = sync_drift_issue(session.repo, "Drift", "- y", True)

    assert action == "opened"
    assert second != first


# ---- the commands ----------------------------------------------------------------


def test_comment_command_reads_the_body_file(
    fake: FakeGitHub, env: None, pr: int, tmp_path: Path
) -> None:
    body = tmp_path / "comment.md"
    body.write_text("## setops diff\n", encoding="utf-8")
    args = ["--pr", str(pr), "--marker", "diff", "--body-file", str(body), "--head-sha", HEAD]

    first = CliRunner().invoke(github_cmds.command_comment, args)
    again = CliRunner().invoke(github_cmds.command_comment, args)

    assert first.exit_code == 0, first.output
    assert first.output.startswith("created: comment ")
    assert again.output.startswith("unchanged: comment ")
    assert fake.comments_on(pr) == ["<!-- setops:diff -->\n## setops diff\n"]


def test_comment_command_reads_stdin(fake: FakeGitHub, env: None, pr: int) -> None:
    args = ["--pr", str(pr), "--marker", "diff", "--body-file", "-"]

    result = CliRunner().invoke(github_cmds.command_comment, args, input="from stdin\n")

    assert result.exit_code == 0, result.output
    assert fake.comments_on(pr) == ["<!-- setops:diff -->\nfrom stdin\n"]


def test_comment_command_skips_a_pull_request_that_moved_on(
    fake: FakeGitHub, env: None, pr: int
) -> None:
    """An artifact from an older push (or naming another PR) must not post its diff."""
    args = ["--pr", str(pr), "--marker", "diff", "--body-file", "-", "--head-sha", "b" * 40]

    result = CliRunner().invoke(github_cmds.command_comment, args, input="stale\n")

    assert result.exit_code == 0, result.output
    assert "skipped: #" in result.output
    assert writes(fake) == []


@pytest.mark.parametrize(
    ("extra", "stdin", "message"),
    [
        (["--head-sha", "abc"], "x", "--head-sha must be a full 40-hex commit id"),
        ([], "  \n", "the body is empty"),
    ],
)
def test_comment_command_refuses_bad_input(
    fake: FakeGitHub, env: None, pr: int, extra: list[str], stdin: str, message: str
) -> None:
    args = ["--pr", str(pr), "--marker", "diff", "--body-file", "-", *extra]

    result = CliRunner().invoke(github_cmds.command_comment, args, input=stdin)

    assert isinstance(result.exception, SetopsError)
    assert message in str(result.exception)
    assert fake.log == []


def test_drift_issue_command_follows_the_plan_exit_code(
    fake: FakeGitHub, env: None, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("## opsgenie\n- update rotation\n## jira\n- rank SET-1\n", encoding="utf-8")
    drifted = ["--plan-file", str(plan), "--exit-code", "2"]

    opened = CliRunner().invoke(github_cmds.command_drift_issue, drifted)
    assert opened.exit_code == 0, opened.output
    (issue,) = fake.repo(REPO).issues.values()
    assert issue["title"] == "Drift: OpsGenie, Jira out of step with main"
    assert "https://github.com/example-org/set-config/actions/runs/4242" in issue["body"]
    assert "- rank SET-1" in issue["body"]

    closed = CliRunner().invoke(
        github_cmds.command_drift_issue, ["--plan-file", str(plan), "--exit-code", "0"]
    )
    assert closed.exit_code == 0, closed.output
    assert issue["state"] == "closed"
    assert "actions/runs/4242" in fake.comments_on(issue["number"])[0]


def test_drift_issue_command_leaves_the_issue_when_the_plan_failed(
    fake: FakeGitHub, env: None, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("", encoding="utf-8")

    result = CliRunner().invoke(
        github_cmds.command_drift_issue, ["--plan-file", str(plan), "--exit-code", "1"]
    )

    assert isinstance(result.exception, SetopsError)
    assert "plan failed (exit 1)" in str(result.exception)
    assert fake.log == []


@pytest.mark.parametrize(
    ("plan", "title"),
    [
        ("# Plan\n## OpsGenie\n- x\n## Mattermost\n- header", "Drift: OpsGenie, Mattermost"),
        ("- something changed", "Drift: targets"),
        ("## github: handover PR\n", "Drift: GitHub"),
        (
            "### setops plan\n\n#### opsgenie: 0 to create, 2 to update, 1 to delete\n"
            "| | kind |\n#### mattermost: 0 to create, 0 to update, 0 to delete\n"
            "#### jira: 1 to create, 0 to update, 0 to delete\n",
            "Drift: OpsGenie (3 changes), Jira (1 change)",
        ),
        (
            "### setops plan\n\n#### jsm-ops: 2 to create, 0 to update, 0 to delete\n",
            "Drift: JSM Operations (2 changes)",
        ),
        ("## jsm-ops\n- a rotation\n", "Drift: JSM Operations"),
    ],
)
def test_drift_title_names_the_targets(plan: str, title: str) -> None:
    assert github_cmds.drift_title(plan) == f"{title} out of step with main"
