"""Jira, on setops' shared HTTP layer: search, read and hand over SET tickets, rank a board.

Cloud (JIRA_EMAIL + JIRA_API_TOKEN, basic auth) speaks REST v3: the enhanced search
`/rest/api/3/search/jql` paged by `nextPageToken`, comments in ADF, users by `accountId`.
Server/DC (JIRA_TOKEN, bearer) speaks REST v2: `/rest/api/2/search` paged by `startAt`,
plain-text comments, users by `name`.

Why not the `jira` package. It was used through its private `_session` and `_get_url`,
because its public helpers do something else than asked: `assign_issue` looks the user up
by a fuzzy search first (and may pick the wrong person), `search_issues` and `rank` read
the whole field list first, the enhanced search has no `reconcileIssues`, its session
follows redirects and retries by its own rules, and its `JIRAError` text carries the
request's headers (the credentials). What setops needs is a dozen documented endpoints, so
they go through `JsonApi`, the layer every JSON service of setops shares: one policy for
timeouts, retries, Retry-After, redirects (refused), answer shapes and secret scrubbing.
The `jira` package stays in the tests, where the real client checks that the test Jira
answers it as Jira does.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests

from setops.errors import SetopsError
from setops.targets.http import JsonApi, Session, VendorError

T = TypeVar("T")
U = TypeVar("U")
Json = dict[str, Any]

IN_FLIGHT = 8  # requests to Jira at once, at most: the handover's writes run this wide
PAGE_SIZE = 100  # the most Jira returns per search page with fields
KEYS_PAGE_SIZE = 1000  # id-only searches: Cloud allows 5000, Server/DC 1000 by default
RANK_BATCH = 50  # the most issues one rank call moves
RECONCILE_MAX = 50  # the most issue ids one search may ask to be read-after-write consistent
TICKET_FIELDS = ("summary", "status", "priority", "assignee", "created", "comment")
OFF_SCREEN = "cannot be set"  # Jira: "Field 'assignee' cannot be set. It is not on the ..."


@dataclass(frozen=True)
class JiraAuth:
    """Where Jira is and how to authenticate; `cloud` follows from which credentials are set."""

    url: str
    cloud: bool
    email: str = ""
    api_token: str = ""
    bearer: str = ""

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.api_token, self.bearer) if s)

    def header(self) -> dict[str, str]:
        if self.cloud:
            pair = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}", "Accept": "application/json"}
        return {"Authorization": f"Bearer {self.bearer}", "Accept": "application/json"}


def missing_jira_credentials(env: Mapping[str, str]) -> tuple[str, ...]:
    """The variables to set before Jira can be reached (empty when complete)."""
    missing = [] if env.get("JIRA_URL") else ["JIRA_URL"]
    if not (env.get("JIRA_EMAIL") and env.get("JIRA_API_TOKEN")) and not env.get("JIRA_TOKEN"):
        half = [n for n in ("JIRA_EMAIL", "JIRA_API_TOKEN") if env.get(n)]
        if half:
            other = "JIRA_API_TOKEN" if half == ["JIRA_EMAIL"] else "JIRA_EMAIL"
            missing.append(f"{other} (with {half[0]}, for Jira Cloud)")
        else:
            missing.append("JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_TOKEN (Server/DC)")
    return tuple(missing)


def jira_auth(env: Mapping[str, str]) -> JiraAuth:
    """The Jira credentials from the environment; SetopsError naming what is missing."""
    missing = missing_jira_credentials(env)
    if missing:
        raise SetopsError(f"jira: set {' and '.join(missing)}")
    cloud = bool(env.get("JIRA_EMAIL") and env.get("JIRA_API_TOKEN"))
    if cloud and env.get("JIRA_TOKEN"):
        raise SetopsError(
            "jira: both JIRA_API_TOKEN (Cloud) and JIRA_TOKEN (Server/DC) are set; "
            "set only the one of your Jira"
        )
    return JiraAuth(
        url=env["JIRA_URL"].strip().rstrip("/"),
        cloud=cloud,
        email=env.get("JIRA_EMAIL", "").strip() if cloud else "",
        api_token=env.get("JIRA_API_TOKEN", "").strip() if cloud else "",
        bearer="" if cloud else env.get("JIRA_TOKEN", "").strip(),
    )


class JiraRefusal(VendorError):
    """Jira refused a request (4xx); `fields` holds its per-field reasons (`errors`)."""

    def __init__(self, what: str, status: int, message: str, fields: Mapping[str, str]) -> None:
        super().__init__("jira", what, status, message)
        self.fields = dict(fields)

    @property
    def off_screen(self) -> tuple[str, ...]:
        """The fields Jira would not set because they are not on the edit screen."""
        return tuple(
            name
            for name, reason in self.fields.items()
            if name in ("assignee", "comment") and OFF_SCREEN in reason
        )


class JiraClient(JsonApi):
    """The Jira calls setops makes. Every failure is a VendorError naming the object and
    quoting Jira; at most IN_FLIGHT requests are under way at once, from any thread."""

    def __init__(self, auth: JiraAuth) -> None:
        headers = auth.header()
        super().__init__(
            "jira", auth.url, "JIRA_URL", auth.secrets, Session(headers, pool=IN_FLIGHT)
        )
        self.auth = auth
        self.rest = "/rest/api/3" if auth.cloud else "/rest/api/2"
        self.once = Session(headers, pool=IN_FLIGHT, once=True)  # writes that must not repeat
        self._slots = threading.BoundedSemaphore(IN_FLIGHT)
        self._lock = threading.Lock()
        # Set once Jira refuses an edit for a field off the edit screen: every later ticket
        # of the run is moved by the comment and assignee endpoints instead.
        self.separate_writes = False
        self.fallback: str | None = None  # why, said once in the handover's output
        self.way_known = False  # whether one edit went through, or the fallback is on
        self.first_write = threading.Lock()

    def fall_back(self, key: str, refusal: JiraRefusal) -> None:
        """Remember, for the rest of the run, that edits cannot carry the move."""
        with self._lock:
            if self.separate_writes:
                return
            self.separate_writes = self.way_known = True
            fields = " and ".join(refusal.off_screen)
            self.fallback = (
                f"Jira would not set {fields} by editing {key} ({refusal.vendor_message}): "
                "each ticket is moved with a comment and then an assignment instead (add the "
                "Assignee field to the project's edit screen for one write per ticket)"
            )

    @property
    def cloud(self) -> bool:
        return self.auth.cloud

    def browse_url(self, key: str) -> str:
        return f"{self.auth.url}/browse/{key}"

    def user_field(self) -> str:
        """How a user is named in a request: accountId on Cloud, name on Server/DC."""
        return "accountId" if self.cloud else "name"

    def user_value(self, user: str) -> Json:
        return {self.user_field(): user}

    # ---- the shared layer, bounded and counted -------------------------------------

    def send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing_ok: bool = False,
        session: Session | None = None,
    ) -> requests.Response | None:
        with self._slots:
            try:
                return super().send(
                    method,
                    path,
                    what,
                    params=params,
                    body=body,
                    missing_ok=missing_ok,
                    session=session,
                )
            except SetopsError as exc:
                if type(exc) is not SetopsError:  # already names the call
                    raise
                raise SetopsError(f"jira: {what}: {exc}") from None  # e.g. a long Retry-After

    def error(self, method: str, what: str, response: requests.Response) -> SetopsError:
        error = super().error(method, what, response)
        if not isinstance(error, VendorError):
            return error
        message = error.vendor_message
        if response.status_code == 401:
            names = "JIRA_EMAIL and JIRA_API_TOKEN" if self.cloud else "JIRA_TOKEN"
            message += f" (check {names}: the token may have expired or been revoked)"
        fields = _field_errors(response) if response.status_code < 500 else {}
        return JiraRefusal(what, response.status_code, message, fields)

    def get(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        response = self.send("GET", path, what, params=params)
        return self.json(response, what)

    def get_object(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Json:
        value = self.get(path, what, params)
        shaped: Json = self.shape(value, dict, what, 200, "JSON object")
        return shaped

    def each(self, work: Callable[[T], U], items: Iterable[T]) -> list[U]:
        """`work` over `items`, IN_FLIGHT at a time; the results in the order of `items`."""
        todo = list(items)
        if len(todo) <= 1:
            return [work(item) for item in todo]
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            return list(pool.map(work, todo))

    # ---- reads --------------------------------------------------------------------

    def search(
        self,
        jql: str,
        fields: Sequence[str] = TICKET_FIELDS,
        page: int = PAGE_SIZE,
        reconcile: Sequence[str] = (),
    ) -> Iterator[Json]:
        """Every issue matching `jql`, page by page (the current endpoint of each deployment).

        On Cloud the search lags behind writes; the issues whose ids are in `reconcile`
        (at most 50) are read as they are now. Server/DC has no lag (and no such option).
        """
        if self.cloud:
            yield from self._search_cloud(jql, fields, page, reconcile)
        else:
            yield from self._search_server(jql, fields, page)

    def _search_cloud(
        self, jql: str, fields: Sequence[str], size: int, reconcile: Sequence[str]
    ) -> Iterator[Json]:
        if len(reconcile) > RECONCILE_MAX:
            raise ValueError(f"Jira reconciles at most {RECONCILE_MAX} issues per search")
        token: str | None = None
        while True:
            query: list[tuple[str, str]] = [
                ("jql", jql),
                ("maxResults", str(size)),
                ("fields", ",".join(fields)),
                *(("reconcileIssues", issue_id) for issue_id in reconcile),
            ]
            if token:
                query.append(("nextPageToken", token))
            path = f"{self.rest}/search/jql?{urlencode(query)}"
            page = self.get_object(path, f"search {jql!r}")
            yield from _issues(page)
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                return

    def _search_server(self, jql: str, fields: Sequence[str], size: int) -> Iterator[Json]:
        start = 0
        while True:
            params = {
                "jql": jql,
                "startAt": str(start),
                "maxResults": str(size),
                "fields": ",".join(fields),
            }
            page = self.get_object(f"{self.rest}/search", f"search {jql!r}", params)
            issues = _issues(page)
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return

    def ids(self, jql: str) -> list[str]:
        """The ids of the issues matching `jql`, in the search's order (ids only, big pages)."""
        found = self.search(jql, fields=("id",), page=KEYS_PAGE_SIZE)
        return list(dict.fromkeys(str(i["id"]) for i in found))

    def issue(self, key: str, fields: Sequence[str] = TICKET_FIELDS) -> Json | None:
        """Issue `key` as it is now (reading an issue is consistent; a search may lag);
        None when it is gone."""
        what = f"read {key}"
        params = {"fields": ",".join(fields)}
        response = self.send(
            "GET", f"{self.rest}/issue/{key}", what, params=params, missing_ok=True
        )
        if response is None:
            return None
        value = self.shape(self.json(response, what), dict, what, response.status_code, "issue")
        issue: Json = value
        return issue

    def comments(self, key: str) -> list[Json]:
        """Every comment on issue `key`, oldest first."""
        found: list[Json] = []
        while True:
            params = {
                "startAt": str(len(found)),
                "maxResults": str(PAGE_SIZE),
                "orderBy": "created",
            }
            page = self.get_object(
                f"{self.rest}/issue/{key}/comment", f"read the comments of {key}", params
            )
            batch = [c for c in page.get("comments") or [] if isinstance(c, dict)]
            found += batch
            if not batch or len(found) >= int(page.get("total", 0)):
                return found

    def board_issues(self, board: int, jql: str) -> list[str]:
        """The keys of board `board`'s issues matching `jql`, in the board's rank order.

        The first page gives the total and the page size Jira keeps to; the other pages
        are read side by side."""

        def page(start: int) -> Json:
            params = {"jql": jql, "startAt": str(start), "maxResults": str(RANK_BATCH)}
            return self.get_object(
                f"/rest/agile/1.0/board/{board}/issue", f"read board {board} for {jql!r}", params
            )

        first = page(0)
        keys = [str(issue["key"]) for issue in _issues(first)]
        size, total = len(keys), int(first.get("total", 0))
        if size:
            for later in self.each(page, range(size, total, size)):
                keys += [str(issue["key"]) for issue in _issues(later)]
        return list(dict.fromkeys(keys))  # an issue ranked between two reads shows once

    def assignable(self, project: str, user: str) -> bool | None:
        """Whether `user` may be assigned issues of `project`, by the exact account id
        (Cloud) or user name (Server/DC) among the assignable users; None when Jira would
        not say (the search itself refused), so that only a clear no stops a handover."""
        if self.cloud:
            params = {"project": project, "accountId": user}
        else:  # Server/DC matches `username` as a prefix: look for the exact name
            params = {"project": project, "username": user, "maxResults": str(KEYS_PAGE_SIZE)}
        what = f"look up {user} among the assignable users of {project}"
        try:
            found = self.get(f"{self.rest}/user/assignable/search", what, params)
        except SetopsError:
            return None
        if not isinstance(found, list):
            return None
        field = self.user_field()
        return any(isinstance(u, dict) and u.get(field) == user for u in found)

    # ---- writes -------------------------------------------------------------------

    def assign(self, key: str, user: str) -> None:
        """Assign `key` to `user` (an account id on Cloud, a user name on Server/DC)."""
        path = f"{self.rest}/issue/{key}/assignee"
        self.send("PUT", path, f"assign {key} to {user}", body=self.user_value(user))

    def comment(self, key: str, body: Any) -> None:
        """Add one comment (ADF on Cloud, text on Server/DC): a POST, never sent twice
        blindly (see JsonApi.send)."""
        self.send(
            "POST", f"{self.rest}/issue/{key}/comment", f"comment on {key}", body={"body": body}
        )

    def edit(self, key: str, what: str, fields: Json, update: Json) -> None:
        """One edit-issue request: `fields` set, `update` verbs applied, all or nothing.
        Sent through the once-session: it adds a comment, so it is never repeated blindly."""
        body = {"fields": fields, "update": update}
        self.send("PUT", f"{self.rest}/issue/{key}", what, body=body, session=self.once)

    def rank(
        self, issues: Sequence[str], *, before: str | None = None, after: str | None = None
    ) -> None:
        """Rank `issues` (at most 50) together, just before `before` or just after `after`."""
        body: Json = {"issues": list(issues)}
        if before:
            body["rankBeforeIssue"] = before
        else:
            body["rankAfterIssue"] = after
        what = f"rank {', '.join(issues)} {'before ' + before if before else f'after {after}'}"
        response = self.send("PUT", "/rest/agile/1.0/issue/rank", what, body=body)
        if response is not None and response.status_code == 207:
            failed = [e for e in _entries(response) if int(e.get("status", 200)) >= 300]
            if failed:
                reasons = "; ".join(
                    f"{e.get('issueKey') or e.get('issueId')}: "
                    + ", ".join(e.get("errors") or ["refused"])
                    for e in failed
                )
                raise VendorError("jira", what, 207, reasons)


def _issues(page: Json) -> list[Json]:
    return [i for i in page.get("issues") or [] if isinstance(i, dict)]


def _entries(response: requests.Response) -> list[Json]:
    try:
        data = response.json()
    except ValueError:
        return []
    entries = data.get("entries") if isinstance(data, dict) else None
    return [e for e in entries or [] if isinstance(e, dict)]


def _field_errors(response: requests.Response) -> dict[str, str]:
    """Jira's per-field reasons of a refusal: `{"errors": {"assignee": "..."}}`."""
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {str(k): str(v) for k, v in errors.items()}
