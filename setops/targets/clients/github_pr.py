"""The handover pull request on GitHub, through PyGithub.

One branch `handover/<date>` holding `handovers/<date>.md`, one pull request from it. Every
call is find-or-create: the branch is created only when missing and never force-pushed
(the file changes by a new commit), the pull request is looked up by its branch before one
is opened, reviewers and the label are added only when missing, and the body is edited
only when its text would change. A create whose answer is lost (a dropped connection, a
5xx) is looked for before it is tried again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from github import GithubException, GithubRetry
from github.PullRequest import PullRequest

from setops.config.models import GitHubSettings as GitHubPolicy
from setops.errors import SetopsError
from setops.github_comments import (
    GitHubAccess,
    GitHubSession,
    connect,
    redact,
    refusal_reason,
    same_text,
)
from setops.targets.http import (
    IDEMPOTENT,
    RETRY_STATUSES,
    SafeRetry,
    UncertainWrite,
    create_once,
    retry_policy,
)

T = TypeVar("T")


class GitHubRetry(SafeRetry, GithubRetry):
    """setops' retry rules (429 and 5xx with backoff, a POST only on 429, Retry-After
    honoured up to a bound) over PyGithub's, which also waits out GitHub's rate-limit 403s."""


def github_retry() -> GitHubRetry:
    """The retry of every handover call to GitHub, tuned by the SETOPS_HTTP_* variables."""
    policy = retry_policy()
    return GitHubRetry(
        total=policy.total,
        connect=policy.connect,
        read=policy.read,
        status=policy.status,
        other=0,
        allowed_methods=IDEMPOTENT,
        status_forcelist=sorted(RETRY_STATUSES),
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        backoff_jitter=policy.backoff_jitter,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def missing_github_credentials(env: Mapping[str, str]) -> tuple[str, ...]:
    return () if env.get("GITHUB_TOKEN") else ("GITHUB_TOKEN",)


def github_settings(env: Mapping[str, str], policy: GitHubPolicy) -> GitHubAccess:
    """GITHUB_TOKEN, GITHUB_API_URL, and GITHUB_REPOSITORY (else the one in policies/)."""
    if not env.get("GITHUB_TOKEN"):
        raise SetopsError("github: set GITHUB_TOKEN")
    return GitHubAccess.from_env(env, default_repository=policy.repository)


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
    open: bool = True
    merged: bool = False

    @property
    def declined(self) -> bool:
        """Closed by a person without being merged: the handover was called off."""
        return not self.open and not self.merged


def _pull(pr: PullRequest) -> Pull:
    return Pull(
        number=pr.number,
        url=pr.html_url,
        body=pr.body or "",
        author=pr.user.login if pr.user else "",
        reviewers=frozenset(u.login for u in pr.requested_reviewers),
        labels=frozenset(label.name for label in pr.labels),
        raw=pr,
        open=pr.state == "open",
        # merged_at is in the list's answer; `merged` is not and would cost a request.
        merged=pr.merged_at is not None,
    )


class Refused(SetopsError):
    """GitHub refused something the handover can do without (a review request, a label)."""


# A refusal that is about the request itself, not a failure to try again: a reviewer who
# is no collaborator or is the author (422), a token that may not create the label (403).
_REFUSALS = frozenset({403, 404, 422})


def _not_found(exc: GithubException) -> bool:
    return exc.status == 404


class HandoverRepo:
    """The repository the handover pull requests live in."""

    def __init__(self, settings: GitHubAccess, policy: GitHubPolicy, throttle: bool = True):
        self.session: GitHubSession = connect(settings, throttle=throttle, retry=github_retry())
        self.policy = policy
        self.owner = settings.repository.split("/")[0]

    def _uncertain(self, what: str, call: Callable[[], T]) -> T:
        """`call`, a create: a 5xx answer may hide a create that happened, so it is an
        UncertainWrite, after which `create_once` looks before it tries again."""
        try:
            return call()
        except GithubException as exc:
            if exc.status < 500:
                raise
            message = redact(str(exc.message or "server error"), self.session.settings.token)
            raise UncertainWrite(f"github: {what}", exc.status, message) from None

    def _reason(self, exc: GithubException) -> str:
        return redact(refusal_reason(exc), self.session.settings.token)

    def _ref_sha(self, branch: str) -> str | None:
        """The commit `branch` points at, or None when there is no such branch."""
        with self.session.errors(f"reading branch {branch}"):
            try:
                # The client is lazy: reading .object is what sends the GET.
                return str(self.session.repo.get_git_ref(f"heads/{branch}").object.sha)
            except GithubException as exc:
                if not _not_found(exc):
                    raise
        return None

    def find_pull(self, branch: str) -> Pull | None:
        """The pull request from `branch`, or None: the open one, else the newest."""
        with self.session.errors(f"looking up the pull request of {branch}"):
            pulls = self.session.repo.get_pulls(state="all", head=f"{self.owner}:{branch}")
            found = [_pull(pr) for pr in pulls if pr.head.ref == branch]
        return next((p for p in found if p.open), found[0] if found else None)

    def ensure_branch(self, branch: str) -> bool:
        """Create `branch` from the base branch when missing; True when it was created."""
        if self._ref_sha(branch) is not None:
            return False
        base = self.policy.base_branch
        sha = self._ref_sha(base)
        if sha is None:
            raise SetopsError(f"github: the base branch {base} does not exist")
        what = f"creating branch {branch}"
        repo = self.session.repo

        def create() -> bool:
            try:
                self._uncertain(what, lambda: repo.create_git_ref(f"refs/heads/{branch}", sha))
            except GithubException as exc:  # 422: it exists already (made by a run alongside)
                if exc.status != 422 or self._ref_sha(branch) is None:
                    raise
            return True

        with self.session.errors(what):
            create_once(create, lambda: True if self._ref_sha(branch) else None)
        return True

    def _read_file(self, branch: str, path: str) -> tuple[str, str] | None:
        """The blob sha and text of `path` on `branch`, or None when there is no such file."""
        with self.session.errors(f"reading {path} on {branch}"):
            try:
                current = self.session.repo.get_contents(path, ref=branch)
            except GithubException as exc:
                if not _not_found(exc):
                    raise
                return None
        if isinstance(current, list):
            raise SetopsError(f"github: {path} on {branch} is a directory, not the handover file")
        return current.sha, current.decoded_content.decode("utf-8", "replace")

    def ensure_file(self, branch: str, path: str, content: str, message: str) -> str:
        """Make `path` on `branch` hold `content` by a new commit; 'created', 'updated' or
        'unchanged'.

        A write whose answer was lost is retried (a PUT), and GitHub refuses the retry when
        the first one landed (422: no `sha` for a file that now exists; 409: a stale `sha`):
        then the file is read again, and holding `content` means it was written.
        """
        repo = self.session.repo
        current = self._read_file(branch, path)
        if current is not None and same_text(current[1], content):
            return "unchanged"
        action = "created" if current is None else "updated"
        with self.session.errors(f"writing {path} on {branch}"):
            try:
                if current is None:
                    repo.create_file(path, message, content, branch=branch)
                else:
                    repo.update_file(path, message, content, current[0], branch=branch)
            except GithubException as exc:
                again = self._read_file(branch, path) if exc.status in (409, 422) else None
                if again is None or not same_text(again[1], content):
                    raise
        return action

    def open_pull(self, branch: str, title: str, body: str) -> Pull:
        """Open the pull request from `branch`; when the answer is lost, find it first."""
        repo, base = self.session.repo, self.policy.base_branch
        what = f"opening the pull request from {branch}"

        def create() -> Pull:
            call = partial(repo.create_pull, base=base, head=branch, title=title, body=body)
            return _pull(self._uncertain(what, call))

        with self.session.errors(what):
            return create_once(create, lambda: self.find_pull(branch))

    def ensure_reviewers(
        self, pull: Pull, logins: Iterable[str], asked: Iterable[str] = ()
    ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Request review from whichever of `logins` is neither requested now nor `asked`
        before (a reviewer who has reviewed is no longer requested), nor the author.

        Returns whom review was requested from, and (login, GitHub's reason) for each one
        GitHub refused (not a collaborator): a reviewer is no reason to stop a handover.
        GitHub refuses the whole request for one such login, so then each is asked alone.
        """
        done = {*pull.reviewers, *asked, pull.author}
        wanted = tuple(dict.fromkeys(login for login in logins if login not in done))
        if not wanted:
            return (), ()
        with self.session.errors(f"requesting review on #{pull.number}"):
            try:
                pull.raw.create_review_request(reviewers=list(wanted))
                return wanted, ()
            except GithubException as exc:
                if exc.status != 422:
                    raise
                if len(wanted) == 1:
                    return (), ((wanted[0], self._reason(exc)),)
            requested: list[str] = []
            refused: list[tuple[str, str]] = []
            for login in wanted:
                try:
                    pull.raw.create_review_request(reviewers=[login])
                except GithubException as exc:
                    if exc.status != 422:
                        raise
                    refused.append((login, self._reason(exc)))
                else:
                    requested.append(login)
        return tuple(requested), tuple(refused)

    def ensure_label(self, pull: Pull, label: str) -> bool:
        """Add `label` when missing; True when added. Refused when GitHub will not add it
        (a token that may not create a label the repository lacks)."""
        if label in pull.labels:
            return False
        with self.session.errors(f"labelling #{pull.number}"):
            try:
                pull.raw.add_to_labels(label)
            except GithubException as exc:
                if exc.status not in _REFUSALS:
                    raise
                raise Refused(
                    f"could not label #{pull.number} {label}: {self._reason(exc)}"
                ) from None
        return True

    def update_body(self, pull: Pull, body: str) -> bool:
        """Edit the body when its text would change; True when it was edited."""
        if same_text(pull.body, body):
            return False
        with self.session.errors(f"updating the description of #{pull.number}"):
            pull.raw.edit(body=body)
        return True
