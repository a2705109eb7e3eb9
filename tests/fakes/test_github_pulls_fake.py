"""FakeGitHub's handover-PR surface against the real PyGithub (and plain requests where
PyGithub hides the answer): branches via git refs, file commits via contents, pull
requests, review requests and labels, with GitHub's error answers."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException
from github.Repository import Repository

from tests.fakes.base import require_api_specs
from tests.fakes.github import DEFAULT_TOKEN, FakeGitHub, blob_sha
from tests.fakes.spec_routing import RoutedSpecChecker

REPO = "example-org/set-config"
BRANCH = "handover/2026-12-14"
ROSTER = "rotations/roster.yaml"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(repository=REPO, collaborators=["lead-ana", "lead-ben"]) as server:
        server.add_file(ROSTER, "people: [ana]\n")
        yield server


def client(fake: FakeGitHub) -> Github:
    return Github(
        base_url=fake.base_url,
        auth=Auth.Token(DEFAULT_TOKEN),
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=None,
    )


@pytest.fixture
def repo(fake: FakeGitHub) -> Repository:
    return client(fake).get_repo(REPO)


@pytest.fixture
def api(fake: FakeGitHub) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
    return session


def url(fake: FakeGitHub, path: str) -> str:
    return fake.url(f"/repos/{REPO}{path}")


def branch_with_change(
    repo: Repository, branch: str = BRANCH, text: str = "people: [bob]\n"
) -> str:
    """Create ``branch`` from main and commit a roster change on it; returns the commit sha."""
    repo.create_git_ref(f"refs/heads/{branch}", repo.get_branch("main").commit.sha)
    current = repo.get_contents(ROSTER, ref=branch)
    assert not isinstance(current, list)
    result = repo.update_file(ROSTER, "Hand over to bob", text, current.sha, branch=branch)
    sha: str = result["commit"].sha
    return sha


def assert_github_error(response: requests.Response, status: int, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["message"] == message
    assert "documentation_url" in body
    return body


# ==========================================================================
# The handover pull request, end to end
# ==========================================================================


def test_a_handover_pull_request_end_to_end(fake: FakeGitHub, repo: Repository) -> None:
    head = branch_with_change(repo)

    pull = repo.create_pull(base="main", head=BRANCH, title="Handover 2026-12-14", body="Who")
    pull.create_review_request(reviewers=["lead-ana"])
    pull.add_to_labels("handover", "set")

    (listed,) = repo.get_pulls(state="open", head=f"example-org:{BRANCH}")
    assert listed.number == pull.number
    assert (listed.head.ref, listed.head.sha, listed.base.ref) == (BRANCH, head, "main")
    assert [u.login for u in repo.get_pull(pull.number).requested_reviewers] == ["lead-ana"]
    assert [label.name for label in repo.get_issue(pull.number).labels] == ["handover", "set"]
    assert fake.file_text(ROSTER, ref=BRANCH) == "people: [bob]\n"
    assert fake.file_text(ROSTER) == "people: [ana]\n"  # main untouched
    assert fake.commit_messages(BRANCH)[0] == "Hand over to bob"
    (state,) = fake.pulls(REPO)
    assert (state["title"], state["body"], state["state"]) == ("Handover 2026-12-14", "Who", "open")


def test_the_head_follows_new_commits_on_the_branch(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")

    current = repo.get_contents(ROSTER, ref=BRANCH)
    assert not isinstance(current, list)
    newer = repo.update_file(ROSTER, "Fix", "people: [cem]\n", current.sha, branch=BRANCH)

    assert repo.get_pull(pull.number).head.sha == newer["commit"].sha


def test_pull_requests_and_issues_share_one_number_sequence(
    fake: FakeGitHub, repo: Repository
) -> None:
    first = fake.add_issue("Drift detected", repository=REPO)["number"]
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")
    after = repo.create_issue("Another")

    assert (first, pull.number, after.number) == (1, 2, 3)
    assert repo.get_issue(pull.number).pull_request is not None


def test_a_seeded_pull_request_keeps_the_shape_earlier_tests_rely_on(fake: FakeGitHub) -> None:
    pull = fake.add_pull_request("Swap", head_sha="c" * 40, repository=REPO)

    assert pull["head"]["sha"] == "c" * 40
    assert pull["head"]["repo"]["full_name"] == REPO
    assert client(fake).get_repo(REPO).get_pull(pull["number"]).head.sha == "c" * 40


# ==========================================================================
# Listing and updating pull requests
# ==========================================================================


def test_listing_filters_by_head_only_in_the_owner_form(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo, "a")
    branch_with_change(repo, "b")
    first = repo.create_pull(base="main", head="a", title="A")
    second = repo.create_pull(base="main", head="b", title="B")

    by_owner = [p.number for p in repo.get_pulls(head="example-org:a")]
    bare = [p.number for p in repo.get_pulls(head="a")]  # GitHub ignores a bare branch name

    assert by_owner == [first.number]
    assert bare == [second.number, first.number]  # newest first


def test_listing_by_state(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo, "a")
    branch_with_change(repo, "b")
    closed = repo.create_pull(base="main", head="a", title="A")
    still_open = repo.create_pull(base="main", head="b", title="B")
    closed.edit(state="closed")

    assert [p.number for p in repo.get_pulls()] == [still_open.number]
    assert [p.number for p in repo.get_pulls(state="closed")] == [closed.number]
    assert len(list(repo.get_pulls(state="all"))) == 2


def test_editing_title_body_and_state(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover", body="old")

    pull.edit(title="Handover (amended)", body="new")
    pull.edit(state="closed")
    reread = repo.get_pull(pull.number)

    assert (reread.title, reread.body, reread.state) == ("Handover (amended)", "new", "closed")
    assert reread.closed_at is not None
    assert repo.get_issue(pull.number).state == "closed"


def test_reopening_beside_another_open_pull_request_is_422(
    fake: FakeGitHub, repo: Repository, api: requests.Session
) -> None:
    branch_with_change(repo)
    first = repo.create_pull(base="main", head=BRANCH, title="One")
    first.edit(state="closed")
    repo.create_pull(base="main", head=BRANCH, title="Two")

    response = api.patch(url(fake, f"/pulls/{first.number}"), json={"state": "open"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        f"A pull request already exists for example-org:{BRANCH}."
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"base": "main", "title": "t"},
            {"resource": "PullRequest", "field": "head", "code": "missing_field"},
        ),
        (
            {"head": BRANCH, "base": "main"},
            {"resource": "PullRequest", "field": "title", "code": "missing_field"},
        ),
        (
            {"head": "nope", "base": "main", "title": "t"},
            {"resource": "PullRequest", "field": "head", "code": "invalid"},
        ),
        (
            {"head": BRANCH, "base": "nope", "title": "t"},
            {"resource": "PullRequest", "field": "base", "code": "invalid"},
        ),
        (
            {"head": f"someone-else:{BRANCH}", "base": "main", "title": "t"},
            {"resource": "PullRequest", "field": "head", "code": "invalid"},
        ),
    ],
)
def test_creating_with_a_missing_or_unknown_branch_is_422(
    fake: FakeGitHub,
    repo: Repository,
    api: requests.Session,
    body: dict[str, str],
    error: dict[str, str],
) -> None:
    branch_with_change(repo)

    response = api.post(url(fake, "/pulls"), json=body)

    assert assert_github_error(response, 422, "Validation Failed")["errors"] == [error]
    assert fake.pulls(REPO) == []


def test_a_second_open_pull_request_for_the_same_head_is_422(
    fake: FakeGitHub, repo: Repository
) -> None:
    branch_with_change(repo)
    repo.create_pull(base="main", head=BRANCH, title="Handover")

    with pytest.raises(GithubException) as raised:
        repo.create_pull(base="main", head=f"example-org:{BRANCH}", title="Again")

    assert raised.value.status == 422
    assert raised.value.data["errors"][0]["message"] == (
        f"A pull request already exists for example-org:{BRANCH}."
    )


def test_a_branch_without_new_commits_cannot_be_proposed(
    fake: FakeGitHub, repo: Repository
) -> None:
    repo.create_git_ref(f"refs/heads/{BRANCH}", repo.get_branch("main").commit.sha)

    with pytest.raises(GithubException) as raised:
        repo.create_pull(base="main", head=BRANCH, title="Empty")

    assert raised.value.data["errors"][0]["message"] == f"No commits between main and {BRANCH}"


def test_deleting_the_head_branch_closes_the_pull_request(
    fake: FakeGitHub, repo: Repository
) -> None:
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")

    repo.get_git_ref(f"heads/{BRANCH}").delete()

    assert repo.get_pull(pull.number).state == "closed"
    assert fake.branch_sha(BRANCH) is None


# ==========================================================================
# Review requests and labels
# ==========================================================================


def test_reviewers_must_be_collaborators(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")

    with pytest.raises(GithubException) as raised:
        pull.create_review_request(reviewers=["lead-ana", "stranger"])

    assert raised.value.status == 422
    assert raised.value.data["message"] == (
        "Reviews may only be requested from collaborators. One or more of the users or teams "
        f"you specified is not a collaborator of the {REPO} repository."
    )
    assert repo.get_pull(pull.number).requested_reviewers == []  # nothing half-applied


def test_requesting_reviewers_twice_lists_them_once(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")

    pull.create_review_request(reviewers=["lead-ana"])
    pull.create_review_request(reviewers=["lead-ana", "lead-ben"])

    reviewers = [u.login for u in repo.get_pull(pull.number).requested_reviewers]
    assert reviewers == ["lead-ana", "lead-ben"]


def test_the_author_cannot_be_asked_to_review(
    fake: FakeGitHub, repo: Repository, api: requests.Session
) -> None:
    fake.add_collaborator("github-actions[bot]", repository=REPO)
    branch_with_change(repo)
    pull = repo.create_pull(base="main", head=BRANCH, title="Handover")

    response = api.post(
        url(fake, f"/pulls/{pull.number}/requested_reviewers"),
        json={"reviewers": ["github-actions[bot]"]},
    )

    assert_github_error(response, 422, "Review cannot be requested from pull request author.")


@pytest.mark.parametrize(
    "body",
    [
        ["handover"],
        {"labels": ["handover"]},
        [{"name": "handover"}],
        {"labels": [{"name": "handover"}]},
    ],
)
def test_labels_are_added_in_every_documented_body_form(
    fake: FakeGitHub, api: requests.Session, body: Any
) -> None:
    number = fake.add_issue("Handover", repository=REPO, labels=["set"])["number"]

    response = api.post(url(fake, f"/issues/{number}/labels"), json=body)

    assert response.status_code == 200
    assert [label["name"] for label in response.json()] == ["set", "handover"]  # added, kept


def test_labels_on_an_unknown_issue_are_404(fake: FakeGitHub, api: requests.Session) -> None:
    assert api.post(url(fake, "/issues/99/labels"), json=["x"]).status_code == 404


# ==========================================================================
# Git refs
# ==========================================================================


def test_an_absent_ref_is_404(fake: FakeGitHub, repo: Repository) -> None:
    with pytest.raises(GithubException) as raised:
        _ = repo.get_git_ref("heads/nope").object

    assert raised.value.status == 404


def test_creating_refs(fake: FakeGitHub, repo: Repository, api: requests.Session) -> None:
    main = repo.get_branch("main").commit.sha

    created = repo.create_git_ref(f"refs/heads/{BRANCH}", main)
    again = api.post(url(fake, "/git/refs"), json={"ref": f"refs/heads/{BRANCH}", "sha": main})
    unknown = api.post(url(fake, "/git/refs"), json={"ref": "refs/heads/x", "sha": "f" * 40})

    assert (created.ref, created.object.sha) == (f"refs/heads/{BRANCH}", main)
    assert repo.get_git_ref(f"heads/{BRANCH}").object.sha == main
    assert_github_error(again, 422, "Reference already exists")
    assert_github_error(unknown, 422, "Object does not exist")
    assert api.post(url(fake, "/git/refs"), json={"ref": "x", "sha": main}).status_code == 422


def test_moving_a_ref_backwards_needs_force(fake: FakeGitHub, repo: Repository) -> None:
    head = branch_with_change(repo)
    main = repo.get_branch("main").commit.sha
    ref = repo.get_git_ref(f"heads/{BRANCH}")

    with pytest.raises(GithubException) as raised:
        ref.edit(main)
    assert raised.value.status == 422
    assert raised.value.data["message"] == "Update is not a fast forward"
    assert fake.branch_sha(BRANCH) == head

    ref.edit(main, force=True)
    assert fake.branch_sha(BRANCH) == main


def test_a_fast_forward_needs_no_force(fake: FakeGitHub, repo: Repository) -> None:
    head = branch_with_change(repo)
    main_ref = repo.get_git_ref("heads/main")

    main_ref.edit(head)

    assert fake.branch_sha("main") == head
    assert fake.file_text(ROSTER) == "people: [bob]\n"


# ==========================================================================
# Contents
# ==========================================================================


def test_a_file_is_base64_wrapped_at_60_columns_with_its_blob_sha(
    fake: FakeGitHub, api: requests.Session
) -> None:
    fake.add_file("docs/long.md", "x" * 100)
    fake.add_file("hello.txt", "hello\n")

    long_file = api.get(url(fake, "/contents/docs/long.md")).json()
    hello = api.get(url(fake, "/contents/hello.txt")).json()

    lines = long_file["content"].splitlines()
    assert [len(line) for line in lines] == [60, 60, 16]
    assert base64.b64decode(long_file["content"]) == b"x" * 100
    assert (long_file["encoding"], long_file["type"], long_file["size"]) == ("base64", "file", 100)
    # `echo hello | git hash-object --stdin`
    assert hello["sha"] == "ce013625030ba8dba906f756967f9e9ca394464a" == blob_sha(b"hello\n")


def test_reading_through_pygithub_on_a_branch(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)

    on_branch = repo.get_contents(ROSTER, ref=BRANCH)
    on_main = repo.get_contents(ROSTER)

    assert not isinstance(on_branch, list) and not isinstance(on_main, list)
    assert on_branch.decoded_content == b"people: [bob]\n"
    assert on_main.decoded_content == b"people: [ana]\n"


def test_an_encoded_slash_reads_the_same_file(fake: FakeGitHub, api: requests.Session) -> None:
    plain = api.get(url(fake, f"/contents/{ROSTER}")).json()
    encoded = api.get(url(fake, "/contents/rotations%2Froster.yaml")).json()

    assert plain["sha"] == encoded["sha"]


def test_a_directory_lists_its_entries(fake: FakeGitHub, api: requests.Session) -> None:
    fake.add_file("rotations/overrides/2026.yaml", "[]\n")

    listing = api.get(url(fake, "/contents/rotations")).json()

    assert [(e["type"], e["name"]) for e in listing] == [
        ("dir", "overrides"),
        ("file", "roster.yaml"),
    ]


def test_missing_files_and_refs_are_404(fake: FakeGitHub, api: requests.Session) -> None:
    assert_github_error(api.get(url(fake, "/contents/nope.txt")), 404, "Not Found")
    missing_ref = api.get(url(fake, f"/contents/{ROSTER}"), params={"ref": "nope"})
    assert_github_error(missing_ref, 404, "No commit found for the ref nope")


def put_file(
    api: requests.Session, fake: FakeGitHub, path: str, text: str, **extra: Any
) -> requests.Response:
    body = {"message": "change", "content": base64.b64encode(text.encode()).decode(), **extra}
    return api.put(url(fake, f"/contents/{path}"), json=body)


def test_updating_an_existing_file_needs_its_sha(fake: FakeGitHub, api: requests.Session) -> None:
    response = put_file(api, fake, ROSTER, "people: []\n")

    assert_github_error(response, 422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    assert fake.file_text(ROSTER) == "people: [ana]\n"


def test_a_stale_sha_is_a_409_conflict(fake: FakeGitHub, api: requests.Session) -> None:
    stale = "0123456789abcdef0123456789abcdef01234567"

    response = put_file(api, fake, ROSTER, "people: []\n", sha=stale)

    assert_github_error(response, 409, f"{ROSTER} does not match {stale}")


def test_creating_ignores_a_sha_and_updating_with_the_right_one_works(
    fake: FakeGitHub, api: requests.Session
) -> None:
    created = put_file(api, fake, "new.txt", "one\n", sha="f" * 40)
    updated = put_file(api, fake, "new.txt", "two\n", sha=created.json()["content"]["sha"])

    assert (created.status_code, updated.status_code) == (201, 200)
    commit = updated.json()["commit"]
    assert commit["parents"][0]["sha"] == created.json()["commit"]["sha"]
    assert commit["author"]["name"] == "github-actions[bot]"
    assert fake.file_text("new.txt") == "two\n"


def test_writing_to_an_unknown_branch_is_404(fake: FakeGitHub, api: requests.Session) -> None:
    response = put_file(api, fake, ROSTER, "x\n", sha="f" * 40, branch="nope")

    assert_github_error(response, 404, "Branch nope not found")


def test_pygithub_creates_and_updates_files_on_a_branch(fake: FakeGitHub, repo: Repository) -> None:
    branch_with_change(repo)

    created = repo.create_file("HANDOVER.md", "Add notes", "notes\n", branch=BRANCH)

    assert created["content"].sha == blob_sha(b"notes\n")
    assert fake.file_text("HANDOVER.md", ref=BRANCH) == "notes\n"
    assert fake.file_text("HANDOVER.md") is None
    assert fake.commit_messages(BRANCH)[:2] == ["Add notes", "Hand over to bob"]


# ==========================================================================
# Spec checking
# ==========================================================================


@pytest.fixture(scope="module")
def api_specs() -> Path:
    return require_api_specs()


def test_pygithubs_handover_requests_stay_inside_the_description(api_specs: Path) -> None:
    checker = RoutedSpecChecker([("/repos/", api_specs / "github-rest.openapi.json")])
    with FakeGitHub(repository=REPO, collaborators=["lead-ana"], spec_checker=checker) as fake:
        fake.add_file("roster.yaml", "people: [ana]\n")
        repo = client(fake).get_repo(REPO)
        repo.create_git_ref(f"refs/heads/{BRANCH}", repo.get_branch("main").commit.sha)
        current = repo.get_contents("roster.yaml", ref=BRANCH)
        assert not isinstance(current, list)
        repo.update_file("roster.yaml", "Handover", "people: [bob]\n", current.sha, branch=BRANCH)
        pull = repo.create_pull(base="main", head=BRANCH, title="Handover")
        pull.create_review_request(reviewers=["lead-ana"])
        pull.add_to_labels("handover")
        list(repo.get_pulls(state="open", head=f"example-org:{BRANCH}"))
        pull.edit(body="done")

        fake.assert_no_spec_violations()
        # Not in the stored subset: the repository and branch reads, and (openapi-core
        # matches one segment per {ref}) the multi-segment ref paths.
        assert f"GET /repos/{REPO}/branches/main" in checker.unchecked
