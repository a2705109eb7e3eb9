"""The handover pull request on GitHub, through PyGithub.

One branch `handover/<date>` holding `handovers/<date>.md`, one pull request from it. Every
call is find-or-create: the branch is created only when missing and never force-pushed
(the file changes by a new commit), the pull request is looked up by its branch before one
is opened, reviewers and the label are added only when missing, and the body is edited
only when its text would change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from github import GithubException
from github.PullRequest import PullRequest

from setops.config.models import GitHubSettings as GitHubPolicy
from setops.errors import SetopsError
from setops.github_comments import (
    DEFAULT_API_URL,
    GitHubSession,
    GitHubSettings,
    connect,
    same_text,
)
from setops.targets.http import create_once


def missing_github_credentials(env: Mapping[str, str]) -> tuple[str, ...]:
    return () if env.get("GITHUB_TOKEN") else ("GITHUB_TOKEN",)


def github_settings(env: Mapping[str, str], policy: GitHubPolicy) -> GitHubSettings:
    """GITHUB_TOKEN, GITHUB_API_URL, and GITHUB_REPOSITORY (else the one in policies/)."""
    if not env.get("GITHUB_TOKEN"):
        raise SetopsError("github: set GITHUB_TOKEN")
    repository = env.get("GITHUB_REPOSITORY") or policy.repository
    if repository.count("/") != 1 or not all(repository.split("/")):
        raise SetopsError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    return GitHubSettings(api_url=api_url, token=env["GITHUB_TOKEN"], repository=repository)


@dataclass(frozen=True)
class Pull:
    """What setops needs to know of a handover pull request."""

    number: int
    url: str
    body: str
    author: str
    reviewers: frozenset[str]
    labels: frozenset[str]
    raw: PullRequest


def _pull(pr: PullRequest) -> Pull:
    return Pull(
        number=pr.number,
        url=pr.html_url,
        body=pr.body or "",
        author=pr.user.login if pr.user else "",
        reviewers=frozenset(u.login for u in pr.requested_reviewers),
        labels=frozenset(label.name for label in pr.labels),
        raw=pr,
    )


def _not_found(exc: GithubException) -> bool:
    return exc.status == 404


class HandoverRepo:
    """The repository the handover pull requests live in."""

    def __init__(self, settings: GitHubSettings, policy: GitHubPolicy, throttle: bool = True):
        self.session: GitHubSession = connect(settings, throttle=throttle)
        self.policy = policy
        self.owner = settings.repository.split("/")[0]

    def find_pull(self, branch: str) -> Pull | None:
        """The pull request from `branch`, open or closed, or None."""
        with self.session.errors(f"looking up the pull request of {branch}"):
            pulls = self.session.repo.get_pulls(state="all", head=f"{self.owner}:{branch}")
            for pr in pulls:
                if pr.head.ref == branch:
                    return _pull(pr)
        return None

    def ensure_branch(self, branch: str) -> bool:
        """Create `branch` from the base branch when missing; True when it was created."""
        repo = self.session.repo
        with self.session.errors(f"reading branch {branch}"):
            try:
                # The client is lazy: reading .object is what sends the GET.
                repo.get_git_ref(f"heads/{branch}").object  # noqa: B018
                return False
            except GithubException as exc:
                if not _not_found(exc):
                    raise
        base = self.policy.base_branch
        with self.session.errors(f"reading the base branch {base}"):
            sha = repo.get_git_ref(f"heads/{base}").object.sha
        with self.session.errors(f"creating branch {branch}"):
            try:
                repo.create_git_ref(f"refs/heads/{branch}", sha)
            except GithubException as exc:
                if exc.status != 422:  # 422: it exists already (a lost answer, then a retry)
                    raise
        return True

    def ensure_file(self, branch: str, path: str, content: str, message: str) -> str:
        """Make `path` on `branch` hold `content` by a new commit; 'created', 'updated' or
        'unchanged'."""
        repo = self.session.repo
        with self.session.errors(f"reading {path} on {branch}"):
            try:
                current = repo.get_contents(path, ref=branch)
            except GithubException as exc:
                if not _not_found(exc):
                    raise
                current = None
        if isinstance(current, list):
            raise SetopsError(f"github: {path} on {branch} is a directory, not the handover file")
        if current is None:
            with self.session.errors(f"creating {path} on {branch}"):
                repo.create_file(path, message, content, branch=branch)
            return "created"
        if same_text(current.decoded_content.decode("utf-8", "replace"), content):
            return "unchanged"
        with self.session.errors(f"updating {path} on {branch}"):
            repo.update_file(path, message, content, current.sha, branch=branch)
        return "updated"

    def open_pull(self, branch: str, title: str, body: str) -> Pull:
        """Open the pull request from `branch`; when the answer is lost, find it first."""
        repo, base = self.session.repo, self.policy.base_branch

        def create() -> Pull:
            return _pull(repo.create_pull(base=base, head=branch, title=title, body=body))

        with self.session.errors(f"opening the pull request from {branch}"):
            return create_once(create, lambda: self.find_pull(branch))

    def ensure_reviewers(self, pull: Pull, logins: Iterable[str]) -> tuple[str, ...]:
        """Request review from whichever of `logins` is not asked yet (not the author)."""
        wanted = tuple(
            dict.fromkeys(
                login for login in logins if login not in pull.reviewers and login != pull.author
            )
        )
        if wanted:
            with self.session.errors(f"requesting review on #{pull.number}"):
                pull.raw.create_review_request(reviewers=list(wanted))
        return wanted

    def ensure_label(self, pull: Pull, label: str) -> bool:
        if label in pull.labels:
            return False
        with self.session.errors(f"labelling #{pull.number}"):
            pull.raw.add_to_labels(label)
        return True

    def update_body(self, pull: Pull, body: str) -> bool:
        """Edit the body when its text would change; True when it was edited."""
        if same_text(pull.body, body):
            return False
        with self.session.errors(f"updating the description of #{pull.number}"):
            pull.raw.edit(body=body)
        return True
