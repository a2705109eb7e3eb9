"""The one sticky pull-request comment and the one drift issue, kept through PyGithub.

Both are found again by a hidden marker (``<!-- setops:<marker> -->``) in their body, so
a re-run edits what an earlier run wrote instead of adding a second one, and sends no
write at all when the text is already right.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.Repository import Repository
from urllib3.util.retry import Retry

from setops.errors import SetopsError

DEFAULT_API_URL = "https://api.github.com"

# GitHub refuses comment and issue bodies longer than this (characters).
MAX_BODY_CHARS = 65536
TRUNCATED_NOTE = "\n\n…(truncated: the full text is in the job summary of the run)\n"

DRIFT_LABEL = "setops-drift"
DRIFT_MARKER = "drift"

_MARKER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

CommentAction = Literal["created", "updated", "unchanged"]
DriftAction = Literal["opened", "updated", "unchanged", "closed", "none"]

T = TypeVar("T")


@dataclass(frozen=True)
class GitHubAccess:
    """Where and as whom to talk to GitHub: from the environment Actions sets up."""

    api_url: str
    token: str
    repository: str

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, default_repository: str | None = None
    ) -> GitHubAccess:
        """Read GITHUB_API_URL (default api.github.com), GITHUB_TOKEN, GITHUB_REPOSITORY
        (else `default_repository`, e.g. the one named in policies/).

        Empty values count as missing: Actions expands an unset secret to "".
        """
        env = os.environ if env is None else env
        repository = env.get("GITHUB_REPOSITORY") or default_repository or ""
        missing = [
            name
            for name, value in (
                ("GITHUB_TOKEN", env.get("GITHUB_TOKEN")),
                ("GITHUB_REPOSITORY", repository),
            )
            if not value
        ]
        if missing:
            raise SetopsError(f"{' and '.join(missing)} must be set to talk to GitHub")
        if repository.count("/") != 1 or not all(repository.split("/")):
            raise SetopsError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        return cls(api_url=api_url, token=env["GITHUB_TOKEN"], repository=repository)


@dataclass(frozen=True)
class GitHubSession:
    """A repository handle plus what is needed to report its errors cleanly."""

    repo: Repository
    settings: GitHubAccess

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn PyGithub and transport errors while `doing` into one SetopsError line."""
        with translate_errors(doing, self.settings):
            yield


def connect(
    settings: GitHubAccess,
    *,
    throttle: bool = True,
    retries: int = 3,
    retry: Retry | None = None,
) -> GitHubSession:
    """A lazy handle on the repository: no request is sent until one is needed.

    Only reads are retried (with backoff, and on GitHub's rate-limit answers): a create
    whose answer was lost must not be sent twice, or it would make a second comment.
    `retry` replaces that policy with the caller's own. `throttle` keeps GitHub's advice
    of spacing writes out; tests turn it off.
    """
    retry = retry or GithubRetry(
        total=retries, backoff_factor=0.5, allowed_methods=frozenset({"GET", "HEAD"})
    )
    client = Github(
        auth=Auth.Token(settings.token),
        base_url=settings.api_url,
        per_page=100,
        timeout=30,
        retry=retry,
        seconds_between_requests=0.25 if throttle else None,
        seconds_between_writes=1.0 if throttle else None,
        lazy=True,
    )
    return GitHubSession(client.get_repo(settings.repository), settings)


@contextmanager
def translate_errors(doing: str, settings: GitHubAccess) -> Iterator[None]:
    """Raise SetopsError naming what failed and GitHub's reason, never the token."""
    try:
        yield
    except GithubException as exc:
        message = f"GitHub refused {doing}: {exc.status} {refusal_reason(exc)}"
        if exc.status == 401:
            message += " (check GITHUB_TOKEN: it may have expired)"
        raise SetopsError(redact(message, settings.token)) from None
    except requests.RequestException as exc:
        message = f"cannot reach GitHub at {settings.api_url} while {doing}: {type(exc).__name__}"
        raise SetopsError(redact(message, settings.token)) from None
    except SetopsError as exc:
        if type(exc) is not SetopsError:  # already says what failed
            raise
        raise SetopsError(f"GitHub: {doing}: {exc}") from None  # e.g. a too-long Retry-After
    except (TypeError, AttributeError, KeyError) as exc:
        # PyGithub reads an answer that is not JSON (a web page: GITHUB_API_URL names the
        # web server, not its API) as {"data": "<html>…"} and then trips over it.
        message = (
            f"GitHub's answer while {doing} is not what the GitHub API sends "
            f"({type(exc).__name__}): is GITHUB_API_URL ({settings.api_url}) the API's "
            "address (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise)? "
            "If it is, this is a bug in setops: please report it"
        )
        raise SetopsError(redact(message, settings.token)) from None


def refusal_reason(exc: GithubException) -> str:
    """GitHub's own words for a refusal: its message and each error's."""
    data = exc.data
    if isinstance(data, Mapping):
        text = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = "; ".join(
                str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors
            )
            text = f"{text} ({details})" if text else details
        if text:
            return text
    return exc.message or "no reason given"


def redact(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` masked (a server may echo what it got)."""
    return text.replace(secret, "***") if secret else text


def marker_tag(marker: str) -> str:
    """The hidden HTML comment that identifies setops' own comment or issue."""
    if not _MARKER_NAME.fullmatch(marker):
        raise SetopsError(f"marker {marker!r} must be letters, digits, '.', '_' or '-'")
    return f"<!-- setops:{marker} -->"


def with_marker(marker: str, body: str) -> str:
    """The body as posted: the marker on the first line, cut to GitHub's size limit.

    A body that already starts with the marker (`setops diff --format markdown` writes
    it) keeps just that one.
    """
    tag = marker_tag(marker)
    body = body.strip()
    if body.startswith(tag):
        body = body[len(tag) :].lstrip()
    text = f"{tag}\n{body}\n"
    if len(text) > MAX_BODY_CHARS:
        text = text[: MAX_BODY_CHARS - len(TRUNCATED_NOTE)] + TRUNCATED_NOTE
    return text


def same_text(current: str | None, wanted: str) -> bool:
    """Whether a body GitHub returns already says `wanted` (it may change line endings)."""
    return (current or "").replace("\r\n", "\n").rstrip() == wanted.replace("\r\n", "\n").rstrip()


def first_marked(items: Iterable[T], tag: str, body_of: Callable[[T], str | None]) -> T | None:
    """The first item whose body holds the marker; walks a paginated list lazily."""
    for item in items:
        if tag in (body_of(item) or ""):
            return item
    return None


def _comment_body(comment: IssueComment) -> str | None:
    return comment.body


def upsert_sticky_comment(
    repo: Repository, number: int, marker: str, body: str
) -> tuple[CommentAction, int]:
    """Create, edit or leave alone the one comment on issue/PR `number` holding `marker`.

    Every page of comments is searched; the comment is edited only when its text differs,
    and a new one is created only when none holds the marker, so there is never a second.
    Returns what was done and the comment's id. PyGithub errors propagate (see
    :func:`translate_errors`).
    """
    tag = marker_tag(marker)
    text = with_marker(marker, body)
    issue = repo.get_issue(number)
    existing = first_marked(issue.get_comments(), tag, _comment_body)
    if existing is None:
        created = issue.create_comment(text)
        return "created", created.id
    if same_text(existing.body, text):
        return "unchanged", existing.id
    existing.edit(text)
    return "updated", existing.id


def pull_head_sha(repo: Repository, number: int) -> str:
    """The commit the pull request's head points at now."""
    return repo.get_pull(number).head.sha


def find_drift_issue(repo: Repository, label: str = DRIFT_LABEL) -> Issue | None:
    """The open issue (not a pull request) carrying the drift label and marker."""
    tag = marker_tag(DRIFT_MARKER)
    marked = (i for i in repo.get_issues(state="open", labels=[label]) if tag in (i.body or ""))
    # The list leaves `pull_request` out for plain issues, so reading it costs PyGithub a
    # request per issue: ask only of the marked ones.
    return next((i for i in marked if i.pull_request is None), None)


def sync_drift_issue(
    repo: Repository,
    title: str,
    body: str,
    drifted: bool,
    *,
    label: str = DRIFT_LABEL,
    closing_note: str = "No drift found any more; closing.",
) -> tuple[DriftAction, int | None]:
    """Keep one open drift issue while there is drift, and close it when there is none.

    With `drifted`, open the issue (labelled `label`, marked) or bring its title and body
    up to date, writing nothing when they already match. Without, close the open one with
    `closing_note`, or do nothing when there is none. Returns the action and issue number.
    """
    current = find_drift_issue(repo, label)
    if not drifted:
        if current is None:
            return "none", None
        current.create_comment(closing_note)
        current.edit(state="closed", state_reason="completed")
        return "closed", current.number
    text = with_marker(DRIFT_MARKER, body)
    if current is None:
        opened = repo.create_issue(title=title, body=text, labels=[label])
        return "opened", opened.number
    if current.title == title and same_text(current.body, text):
        return "unchanged", current.number
    current.edit(title=title, body=text)
    return "updated", current.number
