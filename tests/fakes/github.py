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
* pull requests:   GET  /repos/{owner}/{repo}/pulls/{number}  (seed with add_pull_request)

Like every fake here it imports nothing from ``setops``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tests.fakes.base import FakeServer, HTTPError, Request, Response, SpecChecker

DOCS_URL: Final = "https://docs.github.com/rest"
DEFAULT_TOKEN: Final = "ghs_fake0123456789abcdefFAKEtoken"
BOT_USER: Final = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}

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

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


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
    ) -> None:
        super().__init__(spec_checker=spec_checker)
        self.tokens: dict[str, dict[str, Any]] = (
            dict(tokens) if tokens is not None else {DEFAULT_TOKEN: dict(BOT_USER)}
        )
        self.repos: dict[str, RepoState] = {}
        self._ids = itertools.count(1000)
        self.add_repo(repository)
        self._register_repository_routes()
        # Comment routes first: /issues/comments/{id} must not be read as /issues/{number}.
        self._register_comment_routes()
        self._register_issue_routes()
        self._register_pull_routes()

    # ---- seeding and inspection (for tests) --------------------------------

    def add_repo(self, full_name: str) -> RepoState:
        owner, name = full_name.split("/")
        state = RepoState(owner, name)
        self.repos[full_name.lower()] = state
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
            issue = self._new_issue(repo, title, None, [], user or {"login": "ana", "id": 7})
            base_api = self._repo_api_url(repo)
            issue["pull_request"] = {
                "url": f"{base_api}/pulls/{issue['number']}",
                "html_url": issue["html_url"].replace("/issues/", "/pull/"),
            }
            pull = {
                "id": next(self._ids),
                "number": issue["number"],
                "title": title,
                "state": "open",
                "url": f"{base_api}/pulls/{issue['number']}",
                "html_url": issue["pull_request"]["html_url"],
                "user": issue["user"],
                "head": {
                    "sha": head_sha,
                    "ref": head_ref,
                    "repo": {"full_name": head_repo or repo.full_name},
                },
                "base": {"sha": "0" * 40, "ref": base_ref, "repo": {"full_name": repo.full_name}},
            }
            repo.pulls[issue["number"]] = pull
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

    # ---- pull requests (read-only so far) ----------------------------------

    def _register_pull_routes(self) -> None:
        self.route("GET", "/repos/{owner}/{repo}/pulls/{number}", self.get_pull)

    def get_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        pull = repo.pulls.get(self._number(request, "number"))
        if pull is None:
            raise HTTPError(404, "Not Found")
        return Response(200, json=self._public(pull))
