"""Stand-ins until the shared fakes cover them: GitHub pulls/refs/contents/labels/reviewers
and a small Mattermost (channels, header patch, users, members, posts).

Kept apart from tests/fakes/ (owned by the fakes' author) and written from the vendors'
docs (../shared/api-specs, README sections B and D). When tests/fakes/mattermost.py and the
extended tests/fakes/github.py land, the handover tests should move to them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from typing import Any

from tests.fakes.base import (
    FakeServer,
    HTTPError,
    Request,
    Response,
    Route,
    SpecChecker,
    find_api_specs,
)
from tests.fakes.github import FakeGitHub


def _checker(name: str) -> SpecChecker | None:
    specs = find_api_specs()
    return SpecChecker.for_file(specs / name) if specs else None


class HandoverGitHub(FakeGitHub):
    """FakeGitHub plus what the handover pull request needs."""

    def __init__(self, *, tokens: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(tokens=tokens, spec_checker=None)
        self.refs: dict[str, str] = {"heads/main": "a" * 40}
        self.files: dict[tuple[str, str], str] = {}  # (branch, path) -> text
        self.commits: list[tuple[str, str]] = []  # (branch, path) per commit
        self.force_pushes = 0
        self.ref_reads = 0
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        extra = [
            ("GET", repo + r"/pulls", self.list_pulls),
            ("POST", repo + r"/pulls", self.create_pull),
            ("PATCH", repo + r"/pulls/(?P<number>\d+)", self.update_pull),
            ("POST", repo + r"/pulls/(?P<number>\d+)/requested_reviewers", self.request_reviewers),
            ("POST", repo + r"/issues/(?P<number>\d+)/labels", self.add_labels),
            ("GET", repo + r"/git/ref/(?P<ref>.+)", self.get_ref),
            ("POST", repo + r"/git/refs", self.create_ref),
            ("PATCH", repo + r"/git/refs/(?P<ref>.+)", self.update_ref),
            ("GET", repo + r"/contents/(?P<path>.+)", self.get_contents),
            ("PUT", repo + r"/contents/(?P<path>.+)", self.put_contents),
        ]
        self._routes[:0] = [Route(m, p, re.compile(p), h) for m, p, h in extra]

    # ---- pulls -----------------------------------------------------------------

    def _full_pull(self, request: Request, pull: dict[str, Any]) -> dict[str, Any]:
        repo = self._repo_state(request)
        issue = repo.issues[pull["number"]]
        return {
            **pull,
            "issue_url": pull["url"].replace("/pulls/", "/issues/"),
            "body": issue.get("body"),
            "labels": issue.get("labels", []),
        }

    def list_pulls(self, request: Request) -> Response:
        repo = self._repo_state(request)
        state, head = request.arg("state", "open"), request.arg("head")
        found = []
        for pull in repo.pulls.values():
            if state != "all" and pull["state"] != state:
                continue
            if head and f"{repo.owner}:{pull['head']['ref']}" != head:
                continue
            found.append(self._full_pull(request, pull))
        return self._paginate(request, found)

    def create_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        body = self._json_object(request)
        head, base = str(body.get("head", "")), str(body.get("base", ""))
        if f"heads/{head}" not in self.refs:
            raise HTTPError(422, "Validation Failed", errors=[{"field": "head", "code": "invalid"}])
        if any(p["head"]["ref"] == head and p["state"] == "open" for p in repo.pulls.values()):
            raise HTTPError(422, f"A pull request already exists for {repo.owner}:{head}.")
        pull = self.add_pull_request(
            str(body.get("title", "")),
            head_sha=self.refs[f"heads/{head}"],
            head_ref=head,
            base_ref=base,
            user=request.context["user"],
        )
        pull["requested_reviewers"] = []
        repo.issues[pull["number"]]["body"] = body.get("body")
        return Response(201, json=self._full_pull(request, pull))

    def update_pull(self, request: Request) -> Response:
        repo = self._repo_state(request)
        number = int(request.path_params["number"])
        body = self._json_object(request)
        if "body" in body:
            repo.issues[number]["body"] = body["body"]
        return Response(200, json=self._full_pull(request, repo.pulls[number]))

    def request_reviewers(self, request: Request) -> Response:
        repo = self._repo_state(request)
        pull = repo.pulls[int(request.path_params["number"])]
        for login in self._json_object(request).get("reviewers", []):
            if login not in [u["login"] for u in pull["requested_reviewers"]]:
                pull["requested_reviewers"].append({"login": login, "id": 1, "type": "User"})
        return Response(201, json=self._full_pull(request, pull))

    def add_labels(self, request: Request) -> Response:
        repo = self._repo_state(request)
        issue = repo.issues[int(request.path_params["number"])]
        data = request.json
        names = data.get("labels", []) if isinstance(data, dict) else data
        for name in names:
            if name not in [label["name"] for label in issue["labels"]]:
                issue["labels"].append(self._label(repo, name))
        return Response(200, json=issue["labels"])

    def pull_bodies(self) -> list[str]:
        repo = self.repo()
        return [repo.issues[n].get("body") or "" for n in sorted(repo.pulls)]

    # ---- git refs and contents ---------------------------------------------------

    def get_ref(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        self.ref_reads += 1
        if ref not in self.refs:
            raise HTTPError(404, "Not Found")
        return Response(200, json=self._ref(request, ref))

    def _ref(self, request: Request, ref: str) -> dict[str, Any]:
        return {"ref": f"refs/{ref}", "object": {"sha": self.refs[ref], "type": "commit"}}

    def create_ref(self, request: Request) -> Response:
        body = self._json_object(request)
        ref = str(body.get("ref", "")).removeprefix("refs/")
        if ref in self.refs:
            raise HTTPError(422, "Reference already exists")
        self.refs[ref] = str(body.get("sha"))
        return Response(201, json=self._ref(request, ref))

    def update_ref(self, request: Request) -> Response:
        body = self._json_object(request)
        if body.get("force"):
            self.force_pushes += 1
        self.refs[request.path_params["ref"]] = str(body.get("sha"))
        return Response(200, json=self._ref(request, request.path_params["ref"]))

    def _content(self, path: str, text: str) -> dict[str, Any]:
        sha = hashlib.sha1(text.encode()).hexdigest()
        return {
            "type": "file",
            "encoding": "base64",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(text),
            "content": base64.b64encode(text.encode()).decode(),
        }

    def get_contents(self, request: Request) -> Response:
        branch = request.arg("ref") or "main"
        path = request.path_params["path"]
        if (branch, path) not in self.files:
            raise HTTPError(404, "Not Found")
        return Response(200, json=self._content(path, self.files[(branch, path)]))

    def put_contents(self, request: Request) -> Response:
        body = self._json_object(request)
        branch, path = str(body.get("branch") or "main"), request.path_params["path"]
        if f"heads/{branch}" not in self.refs:
            raise HTTPError(404, f"Branch {branch} not found")
        existing = self.files.get((branch, path))
        if existing is not None and body.get("sha") != self._content(path, existing)["sha"]:
            raise HTTPError(409, f"{path} does not match {body.get('sha')}")
        text = base64.b64decode(str(body.get("content", ""))).decode()
        self.files[(branch, path)] = text
        self.commits.append((branch, path))
        sha = hashlib.sha1(f"{branch}{path}{len(self.commits)}".encode()).hexdigest()
        self.refs[f"heads/{branch}"] = sha
        status = 200 if existing is not None else 201
        return Response(status, json={"content": self._content(path, text), "commit": {"sha": sha}})


class FakeMattermost(FakeServer):
    """A Mattermost with one team, its channels and users, behind a bot's bearer token."""

    def __init__(self, token: str, team: str = "engineering") -> None:
        super().__init__(spec_checker=_checker("mattermost-v4.openapi.json"))
        self.token, self.team = token, team
        self._ids = itertools.count(1)
        self.channels: dict[str, dict[str, Any]] = {}  # by id
        self.users: dict[str, dict[str, Any]] = {}  # by username
        self.members: dict[str, list[str]] = {}  # channel id -> user ids
        self.posts: list[dict[str, Any]] = []
        api = "/api/v4"
        self.route("GET", api + "/teams/name/{team}/channels/name/{channel}", self._channel)
        self.route("PUT", api + "/channels/{channel_id}/patch", self._patch)
        self.route("POST", api + "/users/usernames", self._usernames)
        self.route("GET", api + "/users/username/{username}", self._username)
        self.route("GET", api + "/channels/{channel_id}/members", self._members)
        self.route("POST", api + "/channels/{channel_id}/members", self._add_member)
        self.route("POST", api + "/posts", self._post)
        self.route("GET", api + "/channels/{channel_id}/posts", self._posts)

    def _id(self) -> str:
        return f"{next(self._ids):026d}"

    def add_channel(self, name: str, header: str = "") -> dict[str, Any]:
        channel = {"id": self._id(), "name": name, "display_name": name, "header": header}
        channel.update(team_id="team0000000000000000000000", type="O", purpose="")
        self.channels[channel["id"]] = channel
        self.members[channel["id"]] = []
        return channel

    def add_user(self, username: str) -> dict[str, Any]:
        user = {"id": self._id(), "username": username}
        self.users[username] = user
        return user

    def channel(self, name: str) -> dict[str, Any]:
        return next(c for c in self.channels.values() if c["name"] == name)

    def member_names(self, name: str) -> set[str]:
        ids = set(self.members[self.channel(name)["id"]])
        return {u["username"] for u in self.users.values() if u["id"] in ids}

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        return {"id": "api.fake.error", "message": message, "status_code": status}

    def before_request(self, request: Request) -> Response | None:
        if request.header("Authorization") != f"Bearer {self.token}":
            return self.error_response(401, "Invalid or expired session, please login again.")
        return None

    def _by_id(self, request: Request) -> dict[str, Any]:
        channel = self.channels.get(request.path_params["channel_id"])
        if channel is None:
            raise HTTPError(404, "Unable to find the existing channel.")
        return channel

    def _channel(self, request: Request) -> Response:
        if request.path_params["team"] != self.team:
            raise HTTPError(404, "Unable to find the team.")
        for channel in self.channels.values():
            if channel["name"] == request.path_params["channel"]:
                return Response(200, json=channel)
        raise HTTPError(404, "Unable to find the existing channel.")

    def _patch(self, request: Request) -> Response:
        channel = self._by_id(request)
        header = (request.json or {}).get("header")
        if header is not None:
            if len(header) > 1024:
                raise HTTPError(400, "Invalid header: must be 1024 characters or less.")
            channel["header"] = header
        return Response(200, json=channel)

    def _usernames(self, request: Request) -> Response:
        names = request.json if isinstance(request.json, list) else []
        return Response(200, json=[self.users[n] for n in names if n in self.users])

    def _username(self, request: Request) -> Response:
        user = self.users.get(request.path_params["username"])
        if user is None:
            raise HTTPError(404, "Unable to find the user.")
        return Response(200, json=user)

    def _members(self, request: Request) -> Response:
        channel = self._by_id(request)
        page, per_page = (
            int(request.arg("page", "0") or 0),
            int(request.arg("per_page", "60") or 60),
        )
        ids = self.members[channel["id"]][page * per_page : (page + 1) * per_page]
        return Response(200, json=[{"channel_id": channel["id"], "user_id": i} for i in ids])

    def _add_member(self, request: Request) -> Response:
        channel = self._by_id(request)
        body = request.json or {}
        ids = body.get("user_ids") or [body.get("user_id")]
        for user_id in ids:
            if user_id not in self.members[channel["id"]]:
                self.members[channel["id"]].append(user_id)
        return Response(201, json=[{"channel_id": channel["id"], "user_id": i} for i in ids])

    def _posts(self, request: Request) -> Response:
        channel = self._by_id(request)
        mine = [p for p in self.posts if p["channel_id"] == channel["id"]]
        return Response(
            200, json={"order": [p["id"] for p in mine], "posts": {p["id"]: p for p in mine}}
        )

    def _post(self, request: Request) -> Response:
        body = request.json or {}
        post = {"id": self._id(), "channel_id": body.get("channel_id"), "message": body["message"]}
        post["props"] = body.get("props", {})
        self.posts.append(post)
        return Response(201, json=post)
