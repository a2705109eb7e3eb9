"""A stateful fake of the GitHub REST API, for the real PyGithub client to talk to.

It behaves like api.github.com where setops relies on it: ``Authorization: token X`` or
``Bearer X``; errors as ``{"message", "documentation_url", "status"}``; lists paginated
with ``per_page`` (default 30, at most 100), ``page`` and an RFC 8288 ``Link`` header;
issues and pull requests sharing one number sequence, as on GitHub.

Resources so far (one handler method each, grouped per resource, so pulls, git refs and
contents can be added the same way):

* repository:      GET  /repos/{owner}/{repo}
* issues:          GET/POST /repos/{owner}/{repo}/issues,
                   GET/PATCH /repos/{owner}/{repo}/issues/{number}
* issue comments:  GET/POST /repos/{owner}/{repo}/issues/{number}/comments,
                   GET/PATCH/DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}
* pull requests:   GET/POST /repos/{owner}/{repo}/pulls (``head=owner:branch``, ``state``),
                   GET/PATCH /repos/{owner}/{repo}/pulls/{number},
                   POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers
* labels:          POST /repos/{owner}/{repo}/issues/{number}/labels
* git refs:        POST /repos/{owner}/{repo}/git/refs, GET .../git/ref/{ref},
                   PATCH/DELETE .../git/refs/{ref}; GET .../branches/{branch}
* contents:        GET/PUT /repos/{owner}/{repo}/contents/{path}

Git is modelled as commits (a full file tree each, parents) and refs, so fast-forward
checks, blob shas and "No commits between" behave as on GitHub. Facts the pull, ref and
contents handlers rely on (docs.github.com, and what clients measured against it):

* ``GET /pulls?head=`` filters only in the ``owner:branch`` form; a bare branch name is
  silently ignored (every pull request comes back).
* Creating a pull request: 422 "Validation Failed" with ``errors`` for a missing or
  unknown head/base, "A pull request already exists for owner:branch." and "No commits
  between base and head"; reviewers must be collaborators (422 "Reviews may only be
  requested from collaborators. ...") and not the author.
* Refs: "Reference already exists" / "Object does not exist" / "Update is not a fast
  forward" (without ``force``) are 422; a missing ref is 404 on GET.
* Contents: base64 wrapped at 60 columns; updating an existing file needs its blob
  ``sha`` (422 "Invalid request.\n\n\"sha\" wasn't supplied."), a stale one is 409
  "<path> does not match <sha>", creating ignores ``sha``, an unknown branch is 404.

Like every fake here it imports nothing from ``setops``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import itertools
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tests.fakes.base import (
    FakeServer,
    HTTPError,
    Request,
    Response,
    Route,
    SpecChecker,
    compile_template,
)

DOCS_URL: Final = "https://docs.github.com/rest"
DEFAULT_TOKEN: Final = "ghs_fake0123456789abcdefFAKEtoken"
BOT_USER: Final = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
# The commit identity GitHub uses for the Actions bot.
BOT_AUTHOR: Final = {
    "name": "github-actions[bot]",
    "email": "41898282+github-actions[bot]@users.noreply.github.com",
}

ISSUE_STATES: Final = frozenset({"open", "closed"})
STATE_REASONS: Final = frozenset({"completed", "not_planned", "reopened", "duplicate"})


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RepoState:
    """One repository's issues, pull requests and comments."""

    owner: str
    name: str
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)  # also PRs' issue side
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "heads/main" -> commit sha
    collaborators: set[str] = field(default_factory=set)  # logins that may review
    default_branch: str = "main"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Commit:
    """A commit with its whole tree (path -> bytes), as the contents API sees it."""

    sha: str
    tree: Mapping[str, bytes]
    parents: tuple[str, ...]
    message: str
    author: Mapping[str, str]  # name, email, date


def blob_sha(content: bytes) -> str:
    """Git's blob id: what the contents API calls a file's ``sha``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class FakeGitHub(FakeServer):
    """GitHub's issues, issue comments and (read-only) pull requests, held in memory.

    ``tokens`` maps each accepted token to the user it authenticates (default: one
    token for ``github-actions[bot]``). Repositories are created with
    :meth:`add_repo`; the one named at construction exists from the start.
    """

    def __init__(
        self,
        *,
        repository: str = "example-org/set-config",
        tokens: dict[str, dict[str, Any]] | None = None,
        spec_checker: SpecChecker | None = None,
        collaborators: Iterable[str] = (),
    ) -> None:
        super().__init__(spec_checker=spec_checker)
        self.tokens: dict[str, dict[str, Any]] = (
            dict(tokens) if tokens is not None else {DEFAULT_TOKEN: dict(BOT_USER)}
        )
        self.repos: dict[str, RepoState] = {}
        self._ids = itertools.count(1000)
        self._commit_sequence = itertools.count(1)
        self.add_repo(repository)
        for login in collaborators:
            self.add_collaborator(login, repository=repository)
        self._register_repository_routes()
        # Comment routes first: /issues/comments/{id} must not be read as /issues/{number}.
        self._register_comment_routes()
        self._register_issue_routes()
        self._register_pull_routes()
        self._register_git_routes()
        self._register_contents_routes()

    # ---- seeding and inspection (for tests) --------------------------------

    def add_repo(self, full_name: str) -> RepoState:
        """A repository whose default branch ``main`` holds one empty initial commit."""
        owner, name = full_name.split("/")
        state = RepoState(owner, name)
        self.repos[full_name.lower()] = state
        initial = self._new_commit(state, {}, (), "Initial commit", BOT_AUTHOR)
        state.refs[f"heads/{state.default_branch}"] = initial.sha
        return state

    def repo(self, full_name: str = "example-org/set-config") -> RepoState:
        return self.repos[full_name.lower()]

    def add_issue(
        self,
        title: str,
        body: str | None = None,
        *,
        repository: str = "example-org/set-config",
        labels: Sequence[str] = (),
        state: str = "open",
        user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            repo = self.repo(repository)
            issue = self._new_issue(repo, title, body, list(labels), user or dict(BOT_USER))
            issue["state"] = state
            return issue

    def add_comment(
        self,
        number: int,
        body: str,
        *,
        repository: str = "example-org/set-config",
        user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            repo = self.repo(repository)
            return self._new_comment(repo, self._issue(repo, number), body, user or BOT_USER)

    def add_pull_request(
        self,
        title: str,
        *,
        head_sha: str,
        head_ref: str = "feature",
        base_ref: str = "main",
        head_repo: str | None = None,
        repository: str = "example-org/set-config",
        user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A pull request (its issue side too); returns the pull request's JSON."""
        with self.lock:
            repo = self.repo(repository)
            author = user or {"login": "ana", "id": 7}
            pull = self._new_pull(repo, title, None, head_ref, base_ref, author, head_sha=head_sha)
            if head_repo is not None:
                pull["head"]["repo"]["full_name"] = head_repo
            return pull

    def comments_on(self, number: int, repository: str = "example-org/set-config") -> list[str]:
        """The bodies of the comments on issue/PR `number`, oldest first."""
        with self.lock:
            repo = self.repo(repository)
            found = [c for c in repo.comments.values() if c["_issue"] == number]
            return [c["body"] for c in sorted(found, key=lambda c: c["id"])]

    # ---- vendor behaviour --------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        return {"message": message, "documentation_url": DOCS_URL, "status": str(status), **extra}

    def before_request(self, request: Request) -> Response | None:
        header = request.header("Authorization")
        if header is None:
            return self.error_response(401, "Requires authentication", request)
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or token.strip() not in self.tokens:
            return self.error_response(401, "Bad credentials", request)
        request.context["user"] = self.tokens[token.strip()]
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        response.headers.setdefault("X-GitHub-Request-Id", f"FAKE:{next(self._ids)}")
        return response

    # ---- shared helpers ----------------------------------------------------

    def _repo_state(self, request: Request) -> RepoState:
        key = f"{request.path_params['owner']}/{request.path_params['repo']}".lower()
        repo = self.repos.get(key)
        if repo is None:
            raise HTTPError(404, "Not Found")
        return repo

    def _repo_api_url(self, repo: RepoState) -> str:
        return f"{self.base_url}/repos/{repo.full_name}"

    @staticmethod
    def _number(request: Request, name: str) -> int:
        value = request.path_params[name]
        if not value.isdigit():
            raise HTTPError(404, "Not Found")
        return int(value)

    @staticmethod
    def _json_object(request: Request) -> dict[str, Any]:
        if request.json_error is not None:
            raise HTTPError(400, "Problems parsing JSON")
        if not isinstance(request.json, dict):
            raise HTTPError(400, "Body should be a JSON object")
        return request.json

    @staticmethod
    def _invalid(resource: str, fieldname: str, code: str = "missing_field") -> HTTPError:
        return HTTPError(
            422,
            "Validation Failed",
            errors=[{"resource": resource, "field": fieldname, "code": code}],
        )

    @staticmethod
    def _public(item: dict[str, Any]) -> dict[str, Any]:
        """The JSON GitHub would send: internal keys (leading underscore) left out."""
        return {k: v for k, v in item.items() if not k.startswith("_")}

    def _paginate(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """One page of `items`, with GitHub's ``Link`` header (next, last, first, prev)."""
        try:
            per_page = min(max(int(request.arg("per_page", "30") or 30), 1), 100)
            page = max(int(request.arg("page", "1") or 1), 1)
        except ValueError as exc:
            raise HTTPError(422, "Invalid pagination parameter") from exc
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        if page < last:
            links += [(page + 1, "next"), (last, "last")]
        if page > 1:
            links += [(1, "first"), (page - 1, "prev")]
        headers = {}
        if links:
            headers["Link"] = ", ".join(
                f'<{self._page_url(request, number)}>; rel="{rel}"' for number, rel in links
            )
        return Response(200, json=[self._public(i) for i in chunk], headers=headers)

    def _page_url(self, request: Request, page: int) -> str:
        query = {k: v[0] for k, v in request.query.items()}
        query["page"] = str(page)
        return f"{self.base_url}{request.raw_route_path}?{urllib.parse.urlencode(query)}"

    # ---- repository --------------------------------------------------------

    def _register_repository_routes(self) -> None:
        self.route("GET", "/repos/{owner}/{repo}", self.get_repository)

    def get_repository(self, request: Request) -> Response:
        repo = self._repo_state(request)
        return Response(
            200,
            json={
                "id": 1,
                "name": repo.name,
                "full_name": repo.full_name,
                "owner": {"login": repo.owner, "type": "Organization"},
                "private": True,
                "default_branch": "main",
                "url": self._repo_api_url(repo),
                "html_url": f"https://github.com/{repo.full_name}",
            },
        )

    # ---- issues ------------------------------------------------------------

    def _register_issue_routes(self) -> None:
        self.route("GET", "/repos/{owner}/{repo}/issues", self.list_issues)
        self.route("POST", "/repos/{owner}/{repo}/issues", self.create_issue)
        self.route("GET", "/repos/{owner}/{repo}/issues/{number}", self.get_issue)
        self.route("PATCH", "/repos/{owner}/{repo}/issues/{number}", self.update_issue)

    def _issue(self, repo: RepoState, number: int) -> dict[str, Any]:
        issue = repo.issues.get(number)
        if issue is None:
            raise HTTPError(404, "Not Found")
        return issue

    def _label(self, repo: RepoState, name: str) -> dict[str, Any]:
        # GitHub creates a label that does not exist yet when an issue is given it.
        if name.lower() not in repo.labels:
            repo.labels[name.lower()] = {
                "id": next(self._ids),
                "name": name,
                "color": "ededed",
                "default": False,
                "url": f"{self._repo_api_url(repo)}/labels/{urllib.parse.quote(name)}",
                "description": None,
            }
        return repo.labels[name.lower()]

    def _new_issue(
        self,
        repo: RepoState,
        title: str,
        body: str | None,
        labels: list[str],
        user: dict[str, Any],
    ) -> dict[str, Any]:
        # Issues and pull requests share one number sequence.
        number = max([0, *repo.issues]) + 1
        api = self._repo_api_url(repo)
        now = _now()
        issue = {
            "id": next(self._ids),
            "node_id": f"I_fake{number}",
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "locked": False,
            "labels": [self._label(repo, name) for name in labels],
            "assignees": [],
            "user": dict(user),
            "comments": 0,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "url": f"{api}/issues/{number}",
            "repository_url": api,
            "comments_url": f"{api}/issues/{number}/comments",
            "html_url": f"https://github.com/{repo.full_name}/issues/{number}",
        }
        repo.issues[number] = issue
        return issue

    def list_issues(self, request: Request) -> Response:
        repo = self._repo_state(request)
        state = request.arg("state", "open")
        if state not in ("open", "closed", "all"):
            raise self._invalid("Issue", "state", "invalid")
        wanted = {n.strip().lower() for n in (request.arg("labels") or "").split(",") if n.strip()}
        found = [
            issue
            for issue in repo.issues.values()
            if (state == "all" or issue["state"] == state)
            and wanted <= {label["name"].lower() for label in issue["labels"]}
        ]
        # GitHub's default order: newest first.
        descending = request.arg("direction", "desc") != "asc"
        found.sort(key=lambda issue: issue["number"], reverse=descending)
        return self._paginate(request, found)

    def create_issue(self, request: Request) -> Response:
        repo = self._repo_state(request)
        data = self._json_object(request)
        title = data.get("title")
        if not isinstance(title, str) or not title:
            raise self._invalid("Issue", "title")
        labels = data.get("labels") or []
        names = [label if isinstance(label, str) else label.get("name", "") for label in labels]
        issue = self._new_issue(repo, title, data.get("body"), names, request.context["user"])
        return Response(201, json=self._public(issue))

    def get_issue(self, request: Request) -> Response:
        repo = self._repo_state(request)
        return Response(200, json=self._public(self._issue(repo, self._number(request, "number"))))

    def update_issue(self, request: Request) -> Response:
        repo = self._repo_state(request)
        issue = self._issue(repo, self._number(request, "number"))
        data = self._json_object(request)
        if "state" in data and data["state"] not in ISSUE_STATES:
            raise self._invalid("Issue", "state", "invalid")
        if data.get("state_reason") not in (None, *STATE_REASONS):
            raise self._invalid("Issue", "state_reason", "invalid")
        for key in ("title", "body"):
            if key in data:
                issue[key] = data[key]
        if "labels" in data:
            issue["labels"] = [self._label(repo, name) for name in data["labels"]]
        if "state" in data and data["state"] != issue["state"]:
            issue["state"] = data["state"]
            issue["closed_at"] = _now() if data["state"] == "closed" else None
            issue["state_reason"] = data.get("state_reason") or (
                "completed" if data["state"] == "closed" else "reopened"
            )
        issue["updated_at"] = _now()
        return Response(200, json=self._public(issue))

    # ---- issue comments ----------------------------------------------------

    def _register_comment_routes(self) -> None:
        comment = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
        self.route("GET", comment, self.get_comment)
        self.route("PATCH", comment, self.update_comment)
        self.route("DELETE", comment, self.delete_comment)
        on_issue = "/repos/{owner}/{repo}/issues/{number}/comments"
        self.route("GET", on_issue, self.list_comments)
        self.route("POST", on_issue, self.create_comment)

    def _comment(self, repo: RepoState, request: Request) -> dict[str, Any]:
        comment = repo.comments.get(self._number(request, "comment_id"))
        if comment is None:
            raise HTTPError(404, "Not Found")
        return comment

    def _new_comment(
        self, repo: RepoState, issue: dict[str, Any], body: str, user: dict[str, Any]
    ) -> dict[str, Any]:
        comment_id = next(self._ids)
        now = _now()
        comment = {
            "id": comment_id,
            "node_id": f"IC_fake{comment_id}",
            "url": f"{self._repo_api_url(repo)}/issues/comments/{comment_id}",
            "html_url": f"{issue['html_url']}#issuecomment-{comment_id}",
            "issue_url": issue["url"],
            "body": body,
            "user": dict(user),
            "author_association": "NONE",
            "created_at": now,
            "updated_at": now,
            "_issue": issue["number"],
        }
        repo.comments[comment_id] = comment
        issue["comments"] += 1
        return comment

    def list_comments(self, request: Request) -> Response:
        repo = self._repo_state(request)
        number = self._number(request, "number")
        self._issue(repo, number)
        found = sorted(
            (c for c in repo.comments.values() if c["_issue"] == number), key=lambda c: c["id"]
        )
        return self._paginate(request, found)

    def create_comment(self, request: Request) -> Response:
        repo = self._repo_state(request)
        issue = self._issue(repo, self._number(request, "number"))
        body = self._json_object(request).get("body")
        if not isinstance(body, str) or not body:
            raise self._invalid("IssueComment", "body")
        if len(body) > 65536:
            raise self._invalid("IssueComment", "body", "custom")
        comment = self._new_comment(repo, issue, body, request.context["user"])
        return Response(201, json=self._public(comment))

    def get_comment(self, request: Request) -> Response:
        return Response(200, json=self._public(self._comment(self._repo_state(request), request)))

    def update_comment(self, request: Request) -> Response:
        repo = self._repo_state(request)
        comment = self._comment(repo, request)
        body = self._json_object(request).get("body")
        if not isinstance(body, str) or not body:
            raise self._invalid("IssueComment", "body")
        if comment["user"]["login"] != request.context["user"]["login"]:
            raise HTTPError(403, "Resource not accessible by integration")
        comment["body"] = body
        comment["updated_at"] = _now()
        return Response(200, json=self._public(comment))

    def delete_comment(self, request: Request) -> Response:
        repo = self._repo_state(request)
        comment = self._comment(repo, request)
        del repo.comments[comment["id"]]
        repo.issues[comment["_issue"]]["comments"] -= 1
        return Response(204)

    # ---- seeding and inspection: git, collaborators, pull requests --------------

    def add_collaborator(self, login: str, *, repository: str = "example-org/set-config") -> None:
        """Give ``login`` access to the repository (so reviews may be requested from it)."""
        with self.lock:
            self.repo(repository).collaborators.add(login)

    def add_file(
        self,
        path: str,
        content: str | bytes,
        *,
        branch: str = "main",
        message: str | None = None,
        repository: str = "example-org/set-config",
    ) -> str:
        """Commit one file onto ``branch`` (which must exist); returns the commit sha."""
        with self.lock:
            repo = self.repo(repository)
            data = content.encode("utf-8") if isinstance(content, str) else content
            commit = self._commit_file(repo, branch, path, data, message or f"Add {path}")
            return commit.sha

    def add_branch(
        self, name: str, *, from_ref: str = "main", repository: str = "example-org/set-config"
    ) -> str:
        """Create branch ``name`` at the head of ``from_ref``; returns its sha."""
        with self.lock:
            repo = self.repo(repository)
            sha = self._resolve_ref(repo, from_ref)
            if sha is None:
                raise KeyError(f"no ref {from_ref!r}")
            repo.refs[f"heads/{name}"] = sha
            return sha

    def branch_sha(self, name: str, repository: str = "example-org/set-config") -> str | None:
        with self.lock:
            return self.repo(repository).refs.get(f"heads/{name}")

    def file_text(
        self, path: str, ref: str = "main", repository: str = "example-org/set-config"
    ) -> str | None:
        """The file at ``path`` on ``ref`` (branch or sha), decoded; None when absent."""
        with self.lock:
            repo = self.repo(repository)
            sha = self._resolve_ref(repo, ref)
            data = repo.commits[sha].tree.get(path) if sha else None
            return None if data is None else data.decode("utf-8")

    def commit_messages(self, branch: str, repository: str = "example-org/set-config") -> list[str]:
        """Messages of the commits reachable from ``branch``, newest first (first parents)."""
        with self.lock:
            repo = self.repo(repository)
            messages: list[str] = []
            sha: str | None = repo.refs.get(f"heads/{branch}")
            while sha is not None:
                commit = repo.commits[sha]
                messages.append(commit.message)
                sha = commit.parents[0] if commit.parents else None
            return messages

    def pulls(self, repository: str = "example-org/set-config") -> list[dict[str, Any]]:
        """Every pull request's JSON, as GET /pulls/{number} would answer, oldest first."""
        with self.lock:
            repo = self.repo(repository)
            return [self._public(self._pull_view(repo, n)) for n in sorted(repo.pulls)]

    # ---- git model ---------------------------------------------------------------

    def _new_commit(
        self,
        repo: RepoState,
        tree: Mapping[str, bytes],
        parents: tuple[str, ...],
        message: str,
        author: Mapping[str, str],
    ) -> Commit:
        identity = {"name": author.get("name", ""), "email": author.get("email", "")}
        identity["date"] = author.get("date") or _now()
        listing = "".join(f"{p}\0{blob_sha(tree[p])}\n" for p in sorted(tree))
        payload = f"{listing}|{','.join(parents)}|{message}|{next(self._commit_sequence)}"
        sha = hashlib.sha1(payload.encode("utf-8")).hexdigest()
        commit = Commit(sha, dict(tree), parents, message, identity)
        repo.commits[sha] = commit
        return commit

    def _commit_file(
        self,
        repo: RepoState,
        branch: str,
        path: str,
        data: bytes,
        message: str,
        author: Mapping[str, str] = BOT_AUTHOR,
    ) -> Commit:
        ref = f"heads/{branch}"
        if ref not in repo.refs:
            raise HTTPError(404, f"Branch {branch} not found")
        parent = repo.commits[repo.refs[ref]]
        commit = self._new_commit(repo, {**parent.tree, path: data}, (parent.sha,), message, author)
        repo.refs[ref] = commit.sha
        return commit

    @staticmethod
    def _resolve_ref(repo: RepoState, ref: str) -> str | None:
        """A branch name, ``heads/...``, ``refs/heads/...`` or a commit sha -> commit sha."""
        name = ref.removeprefix("refs/")
        for candidate in (name, f"heads/{name}", f"tags/{name}"):
            if candidate in repo.refs:
                return repo.refs[candidate]
        return ref if ref in repo.commits else None

    @staticmethod
    def _is_ancestor(repo: RepoState, ancestor: str, sha: str) -> bool:
        seen: set[str] = set()
        pending = [sha]
        while pending:
            current = pending.pop()
            if current == ancestor:
                return True
            if current in seen or current not in repo.commits:
                continue
            seen.add(current)
            pending.extend(repo.commits[current].parents)
        return False

    # ---- users ---------------------------------------------------------------------

    def _user_json(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """A simple-user object for ``user`` (a dict with at least ``login``)."""
        login = str(user["login"])
        user_id = user.get("id") or int(hashlib.sha1(login.encode()).hexdigest()[:7], 16)
        api = f"{self.base_url}/users/{urllib.parse.quote(login)}"
        return {
            "login": login,
            "id": user_id,
            "node_id": f"U_fake{user_id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": user.get("type", "User"),
            "site_admin": False,
        }

    # ---- pull requests ---------------------------------------------------------------

    def _register_pull_routes(self) -> None:
        pulls = "/repos/{owner}/{repo}/pulls"
        self.route("GET", pulls, self.list_pulls)
        self.route("POST", pulls, self.create_pull)
        self.route("GET", pulls + "/{number}", self.get_pull)
        self.route("PATCH", pulls + "/{number}", self.update_pull)
        self.route("POST", pulls + "/{number}/requested_reviewers", self.request_reviewers)
        self.route("POST", "/repos/{owner}/{repo}/issues/{number}/labels", self.add_labels)

    def _new_pull(
        self,
        repo: RepoState,
        title: str,
        body: str | None,
        head_ref: str,
        base_ref: str,
        user: dict[str, Any],
        *,
        head_sha: str,
        draft: bool = False,
        maintainer_can_modify: bool = False,
    ) -> dict[str, Any]:
        # The issue side first: pull requests take their number from the issue sequence.
        issue = self._new_issue(repo, title, body, [], user)
        number = issue["number"]
        api = self._repo_api_url(repo)
        html = f"https://github.com/{repo.full_name}/pull/{number}"
        issue["pull_request"] = {"url": f"{api}/pulls/{number}", "html_url": html}
        pull = {
            "id": next(self._ids),
            "node_id": f"PR_fake{number}",
            "number": number,
            "title": title,
            "state": "open",
            "url": f"{api}/pulls/{number}",
            "html_url": html,
            "user": issue["user"],
            "head": self._branch_side(repo, head_ref, head_sha),
            "base": self._branch_side(repo, base_ref, repo.refs.get(f"heads/{base_ref}", "0" * 40)),
            "requested_reviewers": [],
            "requested_teams": [],
            "draft": draft,
            "maintainer_can_modify": maintainer_can_modify,
            "merged": False,
        }
        repo.pulls[number] = pull
        return pull

    def _branch_side(self, repo: RepoState, ref: str, sha: str) -> dict[str, Any]:
        owner = {"login": repo.owner, "type": "Organization"}
        return {
            "label": f"{repo.owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self._user_json(owner),
            "repo": {
                "id": 1,
                "name": repo.name,
                "full_name": repo.full_name,
                "owner": self._user_json(owner),
                "private": True,
                "default_branch": repo.default_branch,
                "url": self._repo_api_url(repo),
                "html_url": f"https://github.com/{repo.full_name}",
            },
        }

    def _pull_view(self, repo: RepoState, number: int) -> dict[str, Any]:
        """The pull request as GitHub shows it now: title, body, labels and state live on
        the issue side; an open pull request's head follows its branch."""
        pull = repo.pulls[number]
        issue = repo.issues[number]
        head_ref = f"heads/{pull['head']['ref']}"
        if pull["state"] == "open" and head_ref in repo.refs:
            pull["head"]["sha"] = repo.refs[head_ref]
        api = self._repo_api_url(repo)
        pull.update(
            title=issue["title"],
            body=issue["body"],
            labels=issue["labels"],
            state=issue["state"],
            locked=issue["locked"],
            created_at=issue["created_at"],
            updated_at=issue["updated_at"],
            closed_at=issue["closed_at"],
            assignee=None,
            assignees=[],
            milestone=None,
            merged_at=None,
            merge_commit_sha=None,
            merged_by=None,
            mergeable=None,
            mergeable_state="unknown",
            auto_merge=None,
            author_association="MEMBER",
            comments=issue["comments"],
            review_comments=0,
            commits=1,
            additions=0,
            deletions=0,
            changed_files=0,
            issue_url=f"{api}/issues/{number}",
            commits_url=f"{api}/pulls/{number}/commits",
            review_comments_url=f"{api}/pulls/{number}/comments",
            review_comment_url=f"{api}/pulls/comments{{/number}}",
            comments_url=f"{api}/issues/{number}/comments",
            statuses_url=f"{api}/statuses/{pull['head']['sha']}",
            diff_url=f"{pull['html_url']}.diff",
            patch_url=f"{pull['html_url']}.patch",
            _links={
                "self": {"href": pull["url"]},
                "html": {"href": pull["html_url"]},
                "issue": {"href": f"{api}/issues/{number}"},
                "comments": {"href": f"{api}/issues/{number}/comments"},
                "review_comments": {"href": f"{api}/pulls/{number}/comments"},
                "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
                "commits": {"href": f"{api}/pulls/{number}/commits"},
                "statuses": {"href": f"{api}/statuses/{pull['head']['sha']}"},
            },
        )
        return pull

    def _pull(self, repo: RepoState, request: Request) -> dict[str, Any]:
        number = self._number(request, "number")
        if number not in repo.pulls:
            raise HTTPError(404, "Not Found")
        return self._pull_view(repo, number)

    @staticmethod
    def _pull_error(message: str) -> HTTPError:
        return HTTPError(
            422,
            "Validation Failed",
            errors=[{"resource": "PullRequest", "code": "custom", "message": message}],
        )

    def _head_branch(self, repo: RepoState, head: str) -> str:
        """``branch`` or ``owner:branch`` of this repository (forks are not modelled)."""
        owner, _, branch = head.rpartition(":")
        if (owner and owner.lower() != repo.owner.lower()) or f"heads/{branch}" not in repo.refs:
            raise self._invalid("PullRequest", "head", "invalid")
        return branch

    def _open_pull_for(self, repo: RepoState, head: str, base: str) -> dict[str, Any] | None:
        for number in repo.pulls:
            pull = self._pull_view(repo, number)
            if pull["state"] == "open" and (pull["head"]["ref"], pull["base"]["ref"]) == (
                head,
                base,
            ):
                return pull
        return None

    def list_pulls(self, request: Request) -> Response:
        repo = self._repo_state(request)
        state = request.arg("state", "open")
        if state not in ("open", "closed", "all"):
            raise self._invalid("PullRequest", "state", "invalid")
        head = request.arg("head") or ""
        # GitHub filters by head only in the owner:branch form; a bare name is ignored.
        head_label = head if ":" in head else None
        base = request.arg("base")
        found = [
            pull
            for pull in (self._pull_view(repo, n) for n in repo.pulls)
            if (state == "all" or pull["state"] == state)
            and (head_label is None or pull["head"]["label"].lower() == head_label.lower())
            and (base is None or pull["base"]["ref"] == base)
        ]
        sort_key = "updated_at" if request.arg("sort") == "updated" else "created_at"
        descending = request.arg("direction", "desc") != "asc"
        found.sort(key=lambda pull: (pull[sort_key], pull["number"]), reverse=descending)
        return self._paginate(request, found)

    def create_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        data = self._json_object(request)
        for name in ("head", "base", "title"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise self._invalid("PullRequest", name)
        head = self._head_branch(repo, data["head"])
        base = data["base"]
        if f"heads/{base}" not in repo.refs:
            raise self._invalid("PullRequest", "base", "invalid")
        if self._open_pull_for(repo, head, base) is not None:
            raise self._pull_error(f"A pull request already exists for {repo.owner}:{head}.")
        head_sha, base_sha = repo.refs[f"heads/{head}"], repo.refs[f"heads/{base}"]
        if self._is_ancestor(repo, head_sha, base_sha):
            raise self._pull_error(f"No commits between {base} and {head}")
        pull = self._new_pull(
            repo,
            data["title"],
            data.get("body"),
            head,
            base,
            request.context["user"],
            head_sha=head_sha,
            draft=bool(data.get("draft", False)),
            maintainer_can_modify=bool(data.get("maintainer_can_modify", False)),
        )
        view = self._public(self._pull_view(repo, pull["number"]))
        return Response(201, json=view, headers={"Location": pull["url"]})

    def get_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        return Response(200, json=self._public(self._pull(repo, request)))

    def update_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        pull = self._pull(repo, request)
        data = self._json_object(request)
        issue = repo.issues[pull["number"]]
        if "state" in data and data["state"] not in ISSUE_STATES:
            raise self._invalid("PullRequest", "state", "invalid")
        if "base" in data:
            if f"heads/{data['base']}" not in repo.refs:
                raise self._invalid("PullRequest", "base", "invalid")
            pull["base"] = self._branch_side(repo, data["base"], repo.refs[f"heads/{data['base']}"])
        if data.get("state") == "open" and issue["state"] == "closed":
            other = self._open_pull_for(repo, pull["head"]["ref"], pull["base"]["ref"])
            if other is not None:
                raise self._pull_error(
                    f"A pull request already exists for {repo.owner}:{pull['head']['ref']}."
                )
        for key in ("title", "body"):
            if key in data:
                issue[key] = data[key]
        if "maintainer_can_modify" in data:
            pull["maintainer_can_modify"] = bool(data["maintainer_can_modify"])
        if "state" in data and data["state"] != issue["state"]:
            issue["state"] = data["state"]
            issue["closed_at"] = _now() if data["state"] == "closed" else None
        issue["updated_at"] = _now()
        return Response(200, json=self._public(self._pull_view(repo, pull["number"])))

    def request_reviewers(self, request: Request) -> Response:
        repo = self._repo_state(request)
        pull = self._pull(repo, request)
        data = self._json_object(request)
        reviewers = data.get("reviewers", [])
        teams = data.get("team_reviewers", [])
        if not isinstance(reviewers, list) or not isinstance(teams, list):
            raise self._invalid("PullRequest", "reviewers", "invalid")
        if pull["user"]["login"] in reviewers:
            raise HTTPError(422, "Review cannot be requested from pull request author.")
        if teams or any(login not in repo.collaborators for login in reviewers):
            # Teams are not modelled: no team is a collaborator here.
            raise HTTPError(
                422,
                "Reviews may only be requested from collaborators. One or more of the users "
                f"or teams you specified is not a collaborator of the {repo.full_name} "
                "repository.",
            )
        requested = {user["login"] for user in pull["requested_reviewers"]}
        for login in reviewers:
            if login not in requested:
                pull["requested_reviewers"].append(self._user_json({"login": login}))
                requested.add(login)
        repo.issues[pull["number"]]["updated_at"] = _now()
        return Response(201, json=self._public(self._pull_view(repo, pull["number"])))

    # ---- labels on issues and pull requests ------------------------------------------

    def add_labels(self, request: Request) -> Response:
        repo = self._repo_state(request)
        issue = self._issue(repo, self._number(request, "number"))
        names = _label_names(request.json)
        if not names:
            raise self._invalid("Label", "labels", "missing_field")
        present = {label["name"].lower() for label in issue["labels"]}
        for name in names:
            if name.lower() not in present:
                issue["labels"].append(self._label(repo, name))
                present.add(name.lower())
        issue["updated_at"] = _now()
        return Response(200, json=list(issue["labels"]))

    # ---- git refs and branches --------------------------------------------------------

    def _route_rest(
        self, method: str, prefix: str, name: str, handler: Callable[[Request], Response]
    ) -> None:
        """A route whose last parameter spans several segments (a ref such as heads/a/b,
        a file path). FakeServer.route() matches one segment per parameter, so the
        pattern is built here."""
        pattern = re.compile(compile_template(prefix).pattern + f"(?P<{name}>.+)")
        self._routes.append(Route(method, f"{prefix}{{{name}}}", pattern, handler))

    def _register_git_routes(self) -> None:
        git = "/repos/{owner}/{repo}/git/"
        self.route("POST", git + "refs", self.create_ref)
        self._route_rest("GET", git + "ref/", "ref", self.get_ref)
        self._route_rest("PATCH", git + "refs/", "ref", self.update_ref)
        self._route_rest("DELETE", git + "refs/", "ref", self.delete_ref)
        self._route_rest("GET", "/repos/{owner}/{repo}/branches/", "branch", self.get_branch)

    def _ref_json(self, repo: RepoState, ref: str) -> dict[str, Any]:
        api = self._repo_api_url(repo)
        sha = repo.refs[ref]
        return {
            "ref": f"refs/{ref}",
            "node_id": f"REF_fake{hashlib.sha1(ref.encode()).hexdigest()[:12]}",
            "url": f"{api}/git/refs/{ref}",
            "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
        }

    def create_ref(self, request: Request) -> Response:
        repo = self._repo_state(request)
        data = self._json_object(request)
        ref, sha = data.get("ref"), data.get("sha")
        if not isinstance(ref, str) or not isinstance(sha, str):
            raise self._invalid("Reference", "ref" if not isinstance(ref, str) else "sha")
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise HTTPError(422, f"{ref} is not a valid ref name.")
        if sha not in repo.commits:
            raise HTTPError(422, "Object does not exist")
        name = ref.removeprefix("refs/")
        if name in repo.refs:
            raise HTTPError(422, "Reference already exists")
        repo.refs[name] = sha
        body = self._ref_json(repo, name)
        return Response(201, json=body, headers={"Location": body["url"]})

    def _existing_ref(self, repo: RepoState, request: Request, status: int) -> str:
        ref = request.path_params["ref"].removeprefix("refs/")
        if ref not in repo.refs:
            raise HTTPError(status, "Not Found" if status == 404 else "Reference does not exist")
        return ref

    def get_ref(self, request: Request) -> Response:
        repo = self._repo_state(request)
        return Response(200, json=self._ref_json(repo, self._existing_ref(repo, request, 404)))

    def update_ref(self, request: Request) -> Response:
        repo = self._repo_state(request)
        ref = self._existing_ref(repo, request, 422)
        data = self._json_object(request)
        sha = data.get("sha")
        if not isinstance(sha, str):
            raise self._invalid("Reference", "sha")
        if sha not in repo.commits:
            raise HTTPError(422, "Object does not exist")
        if not data.get("force") and not self._is_ancestor(repo, repo.refs[ref], sha):
            raise HTTPError(422, "Update is not a fast forward")
        repo.refs[ref] = sha
        return Response(200, json=self._ref_json(repo, ref))

    def delete_ref(self, request: Request) -> Response:
        repo = self._repo_state(request)
        ref = self._existing_ref(repo, request, 422)
        del repo.refs[ref]
        # Deleting a pull request's head branch closes the pull request.
        for number in repo.pulls:
            pull = self._pull_view(repo, number)
            if pull["state"] == "open" and f"heads/{pull['head']['ref']}" == ref:
                repo.issues[number].update(state="closed", closed_at=_now(), updated_at=_now())
        return Response(204)

    def get_branch(self, request: Request) -> Response:
        repo = self._repo_state(request)
        name = request.path_params["branch"]
        sha = repo.refs.get(f"heads/{name}")
        if sha is None:
            raise HTTPError(404, "Branch not found")
        api = self._repo_api_url(repo)
        commit = repo.commits[sha]
        return Response(
            200,
            json={
                "name": name,
                "commit": {
                    "sha": sha,
                    "url": f"{api}/commits/{sha}",
                    "commit": {"message": commit.message, "author": dict(commit.author)},
                },
                "protected": name == repo.default_branch,
                "_links": {"self": f"{api}/branches/{name}"},
            },
        )

    # ---- contents -----------------------------------------------------------------------

    def _register_contents_routes(self) -> None:
        contents = "/repos/{owner}/{repo}/contents/"
        self._route_rest("GET", contents, "path", self.get_contents)
        self._route_rest("PUT", contents, "path", self.put_contents)

    def _content_json(
        self, repo: RepoState, path: str, data: bytes, ref: str, *, with_content: bool
    ) -> dict[str, Any]:
        api = self._repo_api_url(repo)
        sha = blob_sha(data)
        quoted = urllib.parse.quote(path)
        html = f"https://github.com/{repo.full_name}/blob/{ref}/{quoted}"
        body: dict[str, Any] = {
            "type": "file",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(data),
            "url": f"{api}/contents/{quoted}?ref={urllib.parse.quote(ref)}",
            "html_url": html,
            "git_url": f"{api}/git/blobs/{sha}",
            "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{quoted}",
            "_links": {
                "self": f"{api}/contents/{quoted}",
                "git": f"{api}/git/blobs/{sha}",
                "html": html,
            },
        }
        if with_content:
            body["encoding"] = "base64"
            body["content"] = _wrapped_base64(data)
        return body

    def get_contents(self, request: Request) -> Response:
        repo = self._repo_state(request)
        path = request.path_params["path"].strip("/")
        ref = request.arg("ref") or repo.default_branch
        sha = self._resolve_ref(repo, ref)
        if sha is None:
            raise HTTPError(404, f"No commit found for the ref {ref}")
        tree = repo.commits[sha].tree
        if path in tree:
            return Response(
                200, json=self._content_json(repo, path, tree[path], ref, with_content=True)
            )
        listing = self._directory(repo, tree, path, ref)
        if not listing:
            raise HTTPError(404, "Not Found")
        return Response(200, json=listing)

    def _directory(
        self, repo: RepoState, tree: Mapping[str, bytes], path: str, ref: str
    ) -> list[dict[str, Any]]:
        prefix = f"{path}/" if path else ""
        entries: dict[str, dict[str, Any]] = {}
        for file_path, data in sorted(tree.items()):
            if not file_path.startswith(prefix):
                continue
            head, _, rest = file_path[len(prefix) :].partition("/")
            if rest:
                entries.setdefault(head, {"type": "dir", "name": head, "path": prefix + head})
            else:
                entries[head] = self._content_json(repo, file_path, data, ref, with_content=False)
        return list(entries.values())

    def put_contents(self, request: Request) -> Response:
        repo = self._repo_state(request)
        path = request.path_params["path"].strip("/")
        data = self._json_object(request)
        for name in ("message", "content"):
            if not isinstance(data.get(name), str):
                raise HTTPError(422, f'Invalid request.\n\n"{name}" wasn\'t supplied.')
        content = _decode_base64(data["content"])
        branch = data.get("branch") or repo.default_branch
        head = repo.refs.get(f"heads/{branch}")
        if head is None:  # the branch is checked before the sha
            raise HTTPError(404, f"Branch {branch} not found")
        existing = repo.commits[head].tree.get(path)
        if existing is not None:
            if "sha" not in data:
                raise HTTPError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if data["sha"] != blob_sha(existing):
                raise HTTPError(409, f"{path} does not match {data['sha']}")
        author = _commit_identity(data.get("committer") or data.get("author"))
        commit = self._commit_file(repo, branch, path, content, data["message"], author)
        return Response(
            200 if existing is not None else 201,
            json={
                "content": self._content_json(repo, path, content, branch, with_content=False),
                "commit": self._commit_json(repo, commit),
            },
        )

    def _commit_json(self, repo: RepoState, commit: Commit) -> dict[str, Any]:
        api = self._repo_api_url(repo)
        tree_sha = hashlib.sha1(f"tree:{commit.sha}".encode()).hexdigest()
        return {
            "sha": commit.sha,
            "node_id": f"C_fake{commit.sha[:12]}",
            "url": f"{api}/git/commits/{commit.sha}",
            "html_url": f"https://github.com/{repo.full_name}/commit/{commit.sha}",
            "author": dict(commit.author),
            "committer": dict(commit.author),
            "message": commit.message,
            "tree": {"sha": tree_sha, "url": f"{api}/git/trees/{tree_sha}"},
            "parents": [
                {
                    "sha": parent,
                    "url": f"{api}/git/commits/{parent}",
                    "html_url": f"https://github.com/{repo.full_name}/commit/{parent}",
                }
                for parent in commit.parents
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }


def _label_names(body: object) -> list[str]:
    """Names from ``{"labels": [...]}``, a bare list, or lists of ``{"name": ...}``."""
    items = body.get("labels") if isinstance(body, dict) else body
    if not isinstance(items, list):
        return []
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name for name in names if isinstance(name, str) and name]


def _wrapped_base64(data: bytes) -> str:
    # The contents API wraps its base64 at 60 columns, with a trailing newline.
    encoded = base64.b64encode(data).decode("ascii")
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


def _decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPError(422, "content is not valid Base64") from None


def _commit_identity(person: object) -> Mapping[str, str]:
    if person is None:
        return BOT_AUTHOR
    if not isinstance(person, dict) or not person.get("name") or not person.get("email"):
        raise HTTPError(
            422, "Invalid request.\n\nFor 'properties/committer', name and email are required."
        )
    return {k: str(v) for k, v in person.items() if k in ("name", "email", "date")}
