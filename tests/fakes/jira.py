"""A stateful fake of Jira (Cloud, or Server/Data Center) for the real ``jira`` client and
plain ``requests``: issues, JQL search, assignment, comments, users, board issues and rank.

Written from Atlassian's REST descriptions (../shared/api-specs, README section C), their
changelog and what clients report, independently of setops. Vendor facts it relies on:

* Auth: Cloud takes Basic ``email:api_token``; Server/DC takes ``Authorization: Bearer
  <personal access token>``. Bad or missing credentials: 401 with Jira's error body
  ``{"errorMessages": [...], "errors": {}}`` (``/serverInfo`` alone answers anonymously).
* On construction the jira library reads ``/rest/api/2/serverInfo`` (``deploymentType``
  "Cloud" or "Server" -- a single Data Center node also says "Server"; ``versionNumbers``)
  and later ``/rest/api/2/field`` (to find the Rank field before ``rank()``, and to
  translate field names in searches).
* Cloud: ``/rest/api/{2,3}/search`` answer **410 Gone** (CHANGE-2046); the enhanced search
  ``/rest/api/{2,3,latest}/search/jql`` pages with ``nextPageToken``/``isLast`` (no
  ``total``), returns only issue ids unless ``fields`` asks for more, refuses unbounded
  JQL, defaults ``maxResults`` to 50 and caps it at 100 with fields (5000 for id/key only).
  Server/DC: ``/rest/api/2/search`` pages with ``startAt``/``maxResults``/``total``
  (default 50, capped at 1000, ``jira.search.views.default.max``).
* v3 bodies are ADF documents, v2/latest bodies are plain strings; a v3 comment whose body
  is not ADF is 400 ``{"errors": {"comment": "Comment body is not valid!"}}``.
* Assign: Cloud wants ``{"accountId"}`` (a ``name`` is refused in "GDPR strict mode");
  Server wants ``{"name"}`` (anything else: "expected Object containing a 'name'
  property"). ``null`` unassigns, ``"-1"`` picks the project's default assignee, an
  unknown user is 400, success is 204.
* Agile: board issues come in rank order unless the JQL orders them; ``PUT
  /rest/agile/1.0/issue/rank`` moves up to 50 issues before/after another (204, or 207
  with per-issue entries when some fail). Ranking, assigning and commenting update
  ``updated``. Ranks are LexoRank-like strings; moving one issue changes only its rank.

* Edit issue (``PUT /rest/api/{2,3}/issue/{key}``): ``fields`` set values, ``update``
  applies verbs (``{"comment": [{"add": {"body": ...}}]}``), all or nothing, 204. A field
  not on the project's edit screen is refused with 400 ``{"errorMessages": [], "errors":
  {"assignee": "Field 'assignee' cannot be set. It is not on the appropriate screen, or
  unknown."}}`` (the setting ``edit_screen`` says which fields are on it).
* Cloud's enhanced search is eventually consistent (JRACLOUD-96208: the new search runs on
  an index that lags behind writes); ``reconcileIssues`` (at most 50 ids, "should be
  consistent with each paginated request") makes the named issues read-after-write
  consistent. With the setting ``search_lag`` (seconds) ``/search/jql`` answers from the
  issues as they were before any write of the last ``search_lag`` seconds, except the
  reconciled ones. Reading an issue (``GET /issue/{key}``, its comments) is consistent.
  Server/DC's search does not lag.

Facts not pinned down by the sources (kept simple, listed in the test report): the exact
wording of some 400s (the reconcile limit's among them), the default order of a search
without ORDER BY (newest key first), the board-issue page cap (50).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json as jsonlib
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from . import jql
from .base import FakeServer, HTTPError, Request, Response, SpecChecker, find_api_specs
from .jira_model import (
    STATUS_CATEGORIES,
    SYSTEM_FIELDS,
    Board,
    Comment,
    Issue,
    IssueType,
    JiraUser,
    Json,
    Priority,
    Project,
    Status,
    Views,
    adf_to_text,
    field_definitions,
    format_time,
    is_adf_document,
    now_utc,
    rank_between,
    rank_display,
    select_fields,
    text_to_adf,
)
from .spec_routing import RoutedSpecChecker

Deployment = Literal["cloud", "server"]

DEFAULT_EMAIL: Final = "setops-bot@example.com"
DEFAULT_API_TOKEN: Final = "fake-jira-api-token-0000"
DEFAULT_PAT: Final = "fake-jira-personal-access-token-0000"

SEARCH_REMOVED: Final = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
ISSUE_NOT_FOUND: Final = "Issue does not exist or you do not have permission to see it."
GDPR_STRICT: Final = (
    "'accountId' must be the only user identifying query parameter in GDPR strict mode."
)
NOT_AUTHENTICATED: Final = {
    "cloud": "Client must be authenticated to access this resource.",
    "server": "You are not authenticated. Authentication required to perform this operation.",
}
UNBOUNDED_JQL: Final = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
DATE_FORMATS_TEXT: Final = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
    "'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
)

DEFAULT_STATUSES: Final = (
    ("10000", "Backlog", "new"),
    ("10001", "To Do", "new"),
    ("3", "In Progress", "indeterminate"),
    ("10002", "In Review", "indeterminate"),
    ("10003", "Done", "done"),
)
DEFAULT_PRIORITIES: Final = (  # highest first, as Jira lists them
    ("1", "Highest"),
    ("2", "High"),
    ("3", "Medium"),
    ("4", "Low"),
    ("5", "Lowest"),
)
DEFAULT_ISSUE_TYPES: Final = (
    ("10004", "Bug", False),
    ("10001", "Task", False),
    ("10002", "Story", False),
    ("10000", "Epic", False),
    ("10003", "Sub-task", True),
)

SEARCH_DEFAULT: Final = 50
CLOUD_SEARCH_MAX: Final = 100  # with fields
CLOUD_SEARCH_MAX_IDS: Final = 5000  # "It returns max 5000 issues" for id/key only
SERVER_SEARCH_MAX: Final = 1000
AGILE_MAX: Final = 50
ENHANCED_SEARCH_COMMENTS: Final = 20  # search/jql returns at most 20 comments per issue
USER_SEARCH_MAX: Final = 1000
RANK_BATCH_MAX: Final = 50
RECONCILE_MAX: Final = 50
OFF_SCREEN: Final = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
EDITABLE_FIELDS: Final = frozenset({"assignee", "comment", "summary", "labels", "priority"})
UNSUPPORTED_JQL_FIELDS: Final = frozenset(
    {"sprint", "fixversion", "component", "epic link", "parent", "text", "watcher", "duedate"}
)

SPEC_FILES: Final = (
    ("/rest/api/3/", "jira-platform-v3.openapi.json"),
    ("/rest/api/2/", "jira-platform-v2.openapi.json"),
    ("/rest/agile/1.0/", "jira-software-agile-v1.openapi.json"),
)


# ==========================================================================
# Spec checking: three descriptions, chosen by path prefix
# ==========================================================================


def _as_v2(request: Request) -> Request:
    """``/rest/api/latest`` is v2; check it against the v2 description."""
    if not request.raw_path.startswith("/rest/api/latest/"):
        return request
    return replace(
        request,
        path=request.path.replace("/rest/api/latest/", "/rest/api/2/", 1),
        raw_path=request.raw_path.replace("/rest/api/latest/", "/rest/api/2/", 1),
    )


class JiraSpecChecker(RoutedSpecChecker):
    """Checks each request against the Jira description covering its path prefix.

    Requests no description documents (``/serverInfo``, ``/field``, ``/myself``, ``/user``,
    v2 ``/search/jql`` -- absent from the 2024 v2 copy) are recorded in ``unchecked``,
    not flagged. Server/DC requests are checked against the Cloud v2 description (no
    Server one is stored), so e.g. ``validateQuery=True`` shows up as a violation there.
    """

    def __init__(self, specs_dir: Path) -> None:
        super().__init__([(p, specs_dir / name) for p, name in SPEC_FILES], rewrite=_as_v2)


SpecCheckerOption = SpecChecker | None | Literal["auto"]


def _pick_spec_checker(option: SpecCheckerOption) -> SpecChecker | None:
    if option != "auto":
        return option
    specs = find_api_specs()
    if specs is None or not all((specs / name).is_file() for _, name in SPEC_FILES):
        return None
    return JiraSpecChecker(specs)


# ==========================================================================
# JQL dates
# ==========================================================================

_PERIOD_RE = re.compile(r"([+-]?\d+)\s*([wdhm])")
_ABSOLUTE_FORMATS: Final = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_PERIOD_UNITS: Final = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_period(text: str) -> timedelta | None:
    """``-24h``, ``-1w 2d``, ``30m`` -> timedelta; None when ``text`` is no period."""
    stripped = text.strip()
    parts = _PERIOD_RE.findall(stripped)
    if not parts or _PERIOD_RE.sub("", stripped).strip():
        return None
    sign = -1 if stripped.startswith("-") else 1
    total = timedelta()
    for amount, unit in parts:
        total += timedelta(**{_PERIOD_UNITS[unit]: abs(int(amount))})
    return sign * total


def parse_jql_date(value: jql.Value, field_name: str, now: datetime) -> datetime:
    """A JQL date operand: a period relative to now, an absolute date (UTC) or a function."""
    if value.function is not None:
        return _date_function(value, now)
    period = parse_period(value.text)
    if period is not None:
        return now + period
    for fmt in _ABSOLUTE_FORMATS:
        try:
            return datetime.strptime(value.text, fmt).replace(tzinfo=now.tzinfo)
        except ValueError:
            continue
    raise jql.JqlError(
        f"Date value '{value.text}' for field '{field_name}' is invalid. {DATE_FORMATS_TEXT}"
    )


def _date_function(value: jql.Value, now: datetime) -> datetime:
    offset = parse_period(value.args[0]) if value.args else timedelta()
    if offset is None:
        raise jql.JqlError(f"Invalid argument for the JQL function '{value.text}'.")
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    functions = {
        "now": now,
        "startofday": start_of_day,
        "endofday": start_of_day + timedelta(days=1) - timedelta(milliseconds=1),
    }
    if value.function not in functions:
        raise jql.JqlError(f"Unable to find JQL function '{value.text}()'.")
    return functions[value.function] + offset


def _value_missing(text: str, field_name: str) -> jql.JqlError:
    return jql.JqlError(f"The value '{text}' does not exist for the field '{field_name}'.")


# ==========================================================================
# The fake server
# ==========================================================================


class FakeJira(FakeServer):
    """Stateful fake Jira. Seed users and issues, point the client at ``base_url``, then
    read state back with :meth:`issue`, :meth:`comments` and :meth:`rank_order`.

    ``deployment`` is ``"cloud"`` (Basic ``email``/``api_token``, accountIds, v2+v3,
    enhanced search) or ``"server"`` (Bearer ``pat``, usernames, v2 only, startAt search).
    ``clock`` supplies "now" for ``updated`` and relative JQL dates (default: real time).
    The authenticated user (:attr:`bot`) exists from the start.
    """

    def __init__(
        self,
        deployment: Deployment = "cloud",
        *,
        email: str = DEFAULT_EMAIL,
        api_token: str = DEFAULT_API_TOKEN,
        pat: str = DEFAULT_PAT,
        clock: Callable[[], datetime] = now_utc,
        rank_field_id: int = 10019,
        server_version: tuple[int, int, int] = (9, 12, 0),
        spec_checker: SpecCheckerOption = "auto",
        latency: float = 0.0,
        check_responses: bool = False,
        search_lag: float | None = None,
        edit_screen: Iterable[str] | None = None,
    ) -> None:
        if deployment not in ("cloud", "server"):
            raise ValueError(f"deployment must be 'cloud' or 'server', not {deployment!r}")
        super().__init__(
            spec_checker=_pick_spec_checker(spec_checker),
            latency=latency,
            check_responses=check_responses,
        )
        self.deployment: Deployment = deployment
        self.email, self.api_token, self.pat = email, api_token, pat
        self.clock = clock
        self.rank_field = f"customfield_{rank_field_id}"
        self.server_version = server_version
        self.users: list[JiraUser] = []
        self.statuses = [Status(i, n, c) for i, n, c in DEFAULT_STATUSES]
        self.priorities = [Priority(i, n) for i, n in DEFAULT_PRIORITIES]
        self.issue_types = [IssueType(i, n, s) for i, n, s in DEFAULT_ISSUE_TYPES]
        self.projects: dict[str, Project] = {}
        self.issues: dict[str, Issue] = {}
        self.boards: dict[int, Board] = {}
        self._next_id = 10000
        # Cloud search lag: the issues as the search index last saw them, and when each
        # was last written through the API (not yet indexed).
        self.search_lag = search_lag if deployment == "cloud" else None
        self._indexed: dict[str, Issue] = {}
        self._written: dict[str, float] = {}
        # The fields on every project's edit screen (None: all that the fake can edit).
        self.edit_screen = frozenset(EDITABLE_FIELDS if edit_screen is None else edit_screen)
        self.bot = self.seed_user("setops bot", email=email, name="setops-bot")
        self._register_routes()

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"

    @property
    def unchecked_requests(self) -> list[str]:
        """Requests that no Jira description documents (so they were not spec-checked)."""
        checker = self.spec_checker
        return list(checker.unchecked) if isinstance(checker, RoutedSpecChecker) else []

    def _register_routes(self) -> None:
        api = "/rest/api/{version}"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", api + "/serverInfo", self._server_info),
            ("GET", api + "/myself", self._myself),
            ("GET", api + "/field", self._fields),
            ("GET", api + "/issue/{issueIdOrKey}", self._get_issue),
            ("PUT", api + "/issue/{issueIdOrKey}", self._edit_issue),
            ("PUT", api + "/issue/{issueIdOrKey}/assignee", self._assign),
            ("GET", api + "/issue/{issueIdOrKey}/comment", self._list_comments),
            ("POST", api + "/issue/{issueIdOrKey}/comment", self._add_comment),
            ("GET", api + "/user", self._get_user),
            ("GET", api + "/user/search", self._find_users),
            ("GET", api + "/user/assignable/search", self._find_assignable_users),
            ("GET", api + "/search", self._search),
            ("POST", api + "/search", self._search),
            ("GET", "/rest/agile/1.0/board/{boardId}/issue", self._board_issues),
            ("PUT", "/rest/agile/1.0/issue/rank", self._rank_issues),
        ]
        if self.cloud:  # Server/DC has no enhanced search
            routes += [
                ("GET", api + "/search/jql", self._search_jql),
                ("POST", api + "/search/jql", self._search_jql),
            ]
        for method, template, handler in routes:
            self.route(method, template, handler)

    # ---- seeding (no HTTP, for tests) ------------------------------------------

    def seed_user(
        self,
        display_name: str,
        *,
        name: str | None = None,
        account_id: str | None = None,
        email: str | None = None,
        assignable: bool = True,
        active: bool = True,
    ) -> JiraUser:
        """Add a user. ``name`` (the Server username) defaults to a slug of the display
        name; ``account_id`` to a stable Cloud-style id derived from it."""
        with self.lock:
            username = name or re.sub(r"[^a-z0-9]+", ".", display_name.lower()).strip(".")
            user = JiraUser(
                account_id=account_id or f"712020:{uuid.uuid5(uuid.NAMESPACE_URL, username)}",
                name=username,
                key=f"JIRAUSER{10000 + len(self.users)}",
                display_name=display_name,
                email=email or f"{username}@example.com",
                active=active,
                assignable=assignable,
            )
            self.users.append(user)
            return user

    def seed_project(self, key: str, name: str | None = None) -> Project:
        with self.lock:
            if key not in self.projects:
                project_id = str(10000 + len(self.projects))
                self.projects[key] = Project(project_id, key, name or key)
            return self.projects[key]

    def seed_status(self, name: str, category: str, status_id: str | None = None) -> Status:
        """Add a workflow status; ``category`` is "new", "indeterminate" or "done"."""
        with self.lock:
            status = Status(status_id or str(20000 + len(self.statuses)), name, category)
            self.statuses.append(status)
            return status

    def seed_board(self, board_id: int = 1, jql_filter: str = "", name: str = "SET board") -> Board:
        """A board whose saved filter is ``jql_filter`` (default: every seeded project,
        ordered by rank)."""
        with self.lock:
            board = Board(board_id, name, jql_filter or "ORDER BY Rank ASC")
            self.boards[board_id] = board
            return board

    def seed_issue(
        self,
        key: str,
        summary: str = "",
        *,
        status: str = "To Do",
        priority: str = "Medium",
        labels: Iterable[str] = (),
        issuetype: str = "Task",
        assignee: JiraUser | str | None = None,
        reporter: JiraUser | str | None = None,
        updated: datetime | None = None,
        created: datetime | None = None,
        description: str = "",
    ) -> Json:
        """Add an issue at the bottom of the global rank; returns :meth:`issue`'s view."""
        with self.lock:
            project = self.seed_project(key.rsplit("-", 1)[0])
            now = self.clock()
            last = max((i.rank for i in self.issues.values()), default=None)
            issue = Issue(
                id=self._new_id(),
                key=key,
                project=project,
                summary=summary or key,
                status=self._status(status),
                priority=self._priority(priority),
                issuetype=self._issue_type(issuetype),
                labels=list(labels),
                assignee=self._seed_user_ref(assignee),
                reporter=self._seed_user_ref(reporter) or self.bot,
                created=created or updated or now,
                updated=updated or now,
                rank=rank_between(last, None),
                description=description,
            )
            self.issues[key] = issue
            self._index(issue)
            return self.issue(key)

    def seed_comment(
        self,
        key: str,
        body: str,
        *,
        author: JiraUser | None = None,
        created: datetime | None = None,
    ) -> str:
        """Add a plain-text comment; returns its id. Does not touch ``updated``."""
        with self.lock:
            issue = self.issues[key]
            when = created or self.clock()
            comment = Comment(
                str(self._new_id()), author or self.bot, body, text_to_adf(body), when, when
            )
            issue.comments.append(comment)
            self._index(issue)
            return comment.id

    # ---- inspection ----------------------------------------------------------------

    def issue(self, key: str) -> Json:
        """A flat view of one issue: assignee as the deployment's identifier (accountId
        on Cloud, username on Server), ``updated`` as an aware datetime."""
        with self.lock:
            issue = self.issues[key]
            return {
                "key": issue.key,
                "id": str(issue.id),
                "summary": issue.summary,
                "status": issue.status.name,
                "statusCategory": issue.status.category,
                "priority": issue.priority.name,
                "labels": list(issue.labels),
                "issuetype": issue.issuetype.name,
                "assignee": self._identifier(issue.assignee),
                "updated": issue.updated,
                "rank": rank_display(issue.rank),
                "comments": len(issue.comments),
            }

    def comments(self, key: str) -> list[Json]:
        """Comments oldest first: ``body`` (plain text), ``adf``, author identifier, times."""
        with self.lock:
            return [
                {
                    "id": c.id,
                    "body": c.text,
                    "adf": c.adf,
                    "author": self._identifier(c.author),
                    "created": c.created,
                    "updated": c.updated,
                }
                for c in self.issues[key].comments
            ]

    def rank_order(self, project: str | None = None) -> list[str]:
        """Issue keys in global rank order (top first), optionally one project's only."""
        with self.lock:
            ranked = sorted(self.issues.values(), key=lambda i: i.rank)
            return [i.key for i in ranked if project is None or i.project.key == project]

    # ---- hooks -----------------------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        return {
            "errorMessages": [message] if message else [],
            "errors": dict(extra.get("errors", {})),
        }

    def before_request(self, request: Request) -> Response | None:
        user = self._authenticate(request)
        anonymous_ok = request.method == "GET" and request.path.endswith("/serverInfo")
        if user is None and not (anonymous_ok and request.header("Authorization") is None):
            response = self.error_response(401, NOT_AUTHENTICATED[self.deployment], request)
            response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            return response
        request.context["user"] = user
        if request.method in ("POST", "PUT") and request.body:
            if not request.content_type.startswith("application/json"):
                return Response(415, json=self.error_body(415, "Unsupported Media Type", request))
            if request.json_error is not None:
                message = f"Unexpected character in the JSON request body: {request.json_error}"
                return self.error_response(400, message, request)
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        user = request.context.get("user")
        response.headers.setdefault("X-AREQUESTID", uuid.uuid4().hex[:12])
        if self.cloud:
            response.headers.setdefault("X-AACCOUNTID", user.account_id if user else "")
        else:
            response.headers.setdefault("X-AUSERNAME", user.name if user else "anonymous")
        return response

    def _authenticate(self, request: Request) -> JiraUser | None:
        header = request.header("Authorization") or ""
        scheme, _, credentials = header.partition(" ")
        if self.cloud and scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return None
            return self.bot if decoded == f"{self.email}:{self.api_token}" else None
        if not self.cloud and scheme.lower() == "bearer" and credentials.strip() == self.pat:
            return self.bot
        return None

    # ---- lookups -----------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _version(self, request: Request) -> str:
        version = request.path_params["version"]
        allowed = ("2", "3", "latest") if self.cloud else ("2", "latest")
        if version not in allowed:
            raise HTTPError(404, f"No REST resource at {request.path}")
        return version

    def _views(self, request: Request, version: str | None = None) -> Views:
        return Views(self.base_url, self.cloud, version or self._version(request), self.rank_field)

    def _identifier(self, user: JiraUser | None) -> str | None:
        if user is None:
            return None
        return user.account_id if self.cloud else user.name

    def _status(self, name: str) -> Status:
        for status in self.statuses:
            if name.lower() in (status.name.lower(), status.id):
                return status
        raise KeyError(f"no status {name!r}; seed_status() it first")

    def _priority(self, name: str) -> Priority:
        for priority in self.priorities:
            if name.lower() in (priority.name.lower(), priority.id):
                return priority
        raise KeyError(f"no priority {name!r}")

    def _issue_type(self, name: str) -> IssueType:
        for issue_type in self.issue_types:
            if name.lower() in (issue_type.name.lower(), issue_type.id):
                return issue_type
        raise KeyError(f"no issue type {name!r}")

    def _seed_user_ref(self, ref: JiraUser | str | None) -> JiraUser | None:
        if ref is None or isinstance(ref, JiraUser):
            return ref
        for user in self.users:
            if ref in (user.account_id, user.name, user.key, user.email, user.display_name):
                return user
        raise KeyError(f"no user {ref!r}; seed_user() it first")

    def _user_by_id(self, identifier: str) -> JiraUser | None:
        """The user a request names: accountId on Cloud, username (or key) on Server."""
        for user in self.users:
            if self.cloud and user.account_id == identifier:
                return user
            if not self.cloud and identifier in (user.name, user.key):
                return user
        return None

    def _find_issue(self, id_or_key: str) -> Issue:
        for issue in self.issues.values():
            if id_or_key in (issue.key, str(issue.id)) or id_or_key.upper() == issue.key:
                return issue
        raise HTTPError(404, ISSUE_NOT_FOUND)

    def _touch(self, issue: Issue) -> None:
        issue.updated = self.clock()
        self._written[issue.key] = time.monotonic()

    # ---- the search index (Cloud's lags behind writes) ------------------------------

    def _index(self, issue: Issue) -> None:
        """Let the search see `issue` as it is now."""
        snapshot = copy.copy(issue)
        snapshot.labels, snapshot.comments = list(issue.labels), list(issue.comments)
        self._indexed[issue.key] = snapshot
        self._written.pop(issue.key, None)

    def catch_up(self) -> None:
        """The search index catches up with every write (as it does after the lag)."""
        with self.lock:
            for issue in self.issues.values():
                self._index(issue)

    def _searchable(self, reconcile: frozenset[str]) -> list[Issue]:
        """The issues a search sees: as they are now, but on a lagging Cloud those written
        in the last `search_lag` seconds as they were before (unless reconciled)."""
        if not self.search_lag:
            return list(self.issues.values())
        now, seen = time.monotonic(), []
        for key, issue in self.issues.items():
            written = self._written.get(key)
            if written is None or str(issue.id) in reconcile or now - written >= self.search_lag:
                self._index(issue)
                seen.append(issue)
            elif key in self._indexed:
                seen.append(self._indexed[key])
        return seen

    # ---- server info, myself, fields ---------------------------------------------

    def _server_info(self, request: Request) -> Response:
        self._version(request)
        now = self.clock()
        if self.cloud:
            version, numbers, build = "1001.0.0-SNAPSHOT", [1001, 0, 0], 100289
            deployment = "Cloud"
        else:
            numbers = list(self.server_version)
            version, build = ".".join(map(str, numbers)), numbers[0] * 100000 + numbers[1] * 1000
            deployment = "Server"
        return Response(
            200,
            json={
                "baseUrl": self.base_url,
                "displayUrl": self.base_url,
                "version": version,
                "versionNumbers": numbers,
                "deploymentType": deployment,
                "buildNumber": build,
                "buildDate": "2025-01-01T00:00:00.000+0000",
                "serverTime": format_time(now),
                "scmInfo": "0" * 40,
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "Etc/UTC",
            },
        )

    def _myself(self, request: Request) -> Response:
        return Response(200, json=self._views(request).user(request.context["user"]))

    def _fields(self, request: Request) -> Response:
        self._version(request)
        return Response(200, json=field_definitions(self.rank_field))

    # ---- issues --------------------------------------------------------------------

    @property
    def _field_ids(self) -> list[str]:
        return [*SYSTEM_FIELDS, self.rank_field]

    def _get_issue(self, request: Request) -> Response:
        views = self._views(request)
        issue = self._find_issue(request.path_params["issueIdOrKey"])
        fields = select_fields(request.query.get("fields", []), "*all", self._field_ids)
        return Response(200, json=views.issue(issue, fields))

    def _assign(self, request: Request) -> Response:
        self._version(request)
        issue = self._find_issue(request.path_params["issueIdOrKey"])
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            raise HTTPError(400, "The request body must be a user object.")
        issue.assignee = self._assignee_from(body, issue)
        self._touch(issue)
        return Response(204)

    def _assignee_from(self, body: Json, issue: Issue) -> JiraUser | None:
        if self.cloud:
            if "name" in body or "key" in body:
                raise HTTPError(400, GDPR_STRICT)
            if "accountId" not in body:
                raise HTTPError(400, "", errors={"accountId": "accountId must be provided"})
            wanted = body["accountId"]
        else:
            if "name" not in body and "key" not in body:
                raise HTTPError(
                    400, "", errors={"assignee": "expected Object containing a 'name' property"}
                )
            wanted = body.get("name", body.get("key"))
        if wanted is None:
            return None
        if wanted == "-1":
            return issue.project.default_assignee
        user = self._user_by_id(str(wanted))
        if user is None:
            raise HTTPError(400, "", errors={"assignee": f"User '{wanted}' does not exist."})
        if not (user.assignable and user.active):
            raise HTTPError(
                400,
                "",
                errors={"assignee": f"User '{user.display_name}' cannot be assigned issues."},
            )
        return user

    # ---- edit issue ----------------------------------------------------------------

    def _edit_issue(self, request: Request) -> Response:
        """``PUT /issue/{key}``: ``fields`` and ``update`` verbs, validated first, then
        applied all together (Jira's edit is all or nothing)."""
        views = self._views(request)
        issue = self._find_issue(request.path_params["issueIdOrKey"])
        body = request.json if isinstance(request.json, dict) else None
        if body is None or not (body.get("fields") or body.get("update")):
            raise HTTPError(400, "No fields or update operations were specified.")
        fields, update = body.get("fields") or {}, body.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise HTTPError(400, "Can not deserialize the request body.")
        errors: dict[str, str] = {}
        changes: list[Callable[[], None]] = []
        for name in (*fields, *update):
            if name not in self.edit_screen:
                errors[name] = OFF_SCREEN.format(name)
        if "assignee" in fields and "assignee" not in errors:
            self._edit_assignee(issue, fields["assignee"], errors, changes)
        if "comment" in update and "comment" not in errors:
            self._edit_comments(request, issue, update["comment"], views.v3, errors, changes)
        unknown = (set(fields) | set(update)) - {"assignee", "comment"} - set(errors)
        for name in sorted(unknown):  # on the screen, but this fake does not edit it
            errors[name] = f"The fake Jira does not edit the field '{name}'."
        if errors:
            raise HTTPError(400, "", errors=errors)
        for change in changes:
            change()
        self._touch(issue)
        return Response(204)

    def _edit_assignee(
        self, issue: Issue, value: object, errors: dict[str, str], changes: list[Callable[[], None]]
    ) -> None:
        if value is not None and not isinstance(value, dict):
            errors["assignee"] = "expected Object"
            return
        try:
            user = self._assignee_from(value or {self._user_key(): None}, issue)
        except HTTPError as refused:
            reasons = refused.extra.get("errors") or {}
            errors["assignee"] = str(reasons.get("assignee") or refused.message)
            return

        def assign() -> None:
            issue.assignee = user

        changes.append(assign)

    def _user_key(self) -> str:
        return "accountId" if self.cloud else "name"

    def _edit_comments(
        self,
        request: Request,
        issue: Issue,
        operations: object,
        v3: bool,
        errors: dict[str, str],
        changes: list[Callable[[], None]],
    ) -> None:
        if not isinstance(operations, list) or not all(
            isinstance(op, dict) and set(op) == {"add"} and isinstance(op["add"], dict)
            for op in operations
        ):
            errors["comment"] = "Only the 'add' operation is supported for comments here."
            return
        bodies = []
        for operation in operations:
            try:
                bodies.append(_comment_body(operation["add"].get("body"), v3=v3))
            except HTTPError as refused:
                errors["comment"] = str((refused.extra.get("errors") or {}).get("comment"))
                return

        def add() -> None:
            for text, adf in bodies:
                now = self.clock()
                comment = Comment(str(self._new_id()), request.context["user"], text, adf, now, now)
                issue.comments.append(comment)

        changes.append(add)

    # ---- comments ------------------------------------------------------------------

    def _list_comments(self, request: Request) -> Response:
        views = self._views(request)
        issue = self._find_issue(request.path_params["issueIdOrKey"])
        default_max = 100 if views.v3 else 5000
        start = _int_arg(request, "startAt", 0)
        limit = min(max(_int_arg(request, "maxResults", default_max), 0), default_max)
        ordered = list(issue.comments)
        order = request.arg("orderBy") or "created"
        if order not in ("created", "+created", "-created"):
            raise HTTPError(400, f"Invalid orderBy value '{order}'.")
        if order == "-created":
            ordered.reverse()
        page = ordered[start : start + limit]
        return Response(200, json=views.comment_page(issue, page, start, limit, len(ordered)))

    def _add_comment(self, request: Request) -> Response:
        views = self._views(request)
        issue = self._find_issue(request.path_params["issueIdOrKey"])
        body = request.json.get("body") if isinstance(request.json, dict) else None
        text, adf = _comment_body(body, v3=views.v3)
        now = self.clock()
        comment = Comment(str(self._new_id()), request.context["user"], text, adf, now, now)
        issue.comments.append(comment)
        self._touch(issue)
        return Response(201, json=views.comment(issue, comment))

    # ---- users ---------------------------------------------------------------------

    def _get_user(self, request: Request) -> Response:
        views = self._views(request)
        if self.cloud:
            if request.arg("username") is not None or request.arg("key") is not None:
                raise HTTPError(400, GDPR_STRICT)
            wanted = request.arg("accountId")
            if not wanted:
                raise HTTPError(400, "The 'accountId' query parameter needs to be provided")
            missing = "Specified user does not exist or you do not have required permissions"
        else:
            wanted = request.arg("username") or request.arg("key")
            if not wanted:
                raise HTTPError(
                    404, "Either the 'username' or the 'key' query parameters need to be provided"
                )
            missing = f"The user named '{wanted}' does not exist"
        user = self._user_by_id(wanted)
        if user is None:
            raise HTTPError(404, missing)
        return Response(200, json=views.user(user))

    def _user_query(self, request: Request) -> str | None:
        """The search term: ``query`` (Cloud, which refuses ``username``) or ``username``."""
        if self.cloud:
            if request.arg("username") is not None:
                raise HTTPError(400, GDPR_STRICT)
            if request.arg("query") is not None and request.arg("accountId") is not None:
                raise HTTPError(
                    400, "Only one of the 'query' and 'accountId' parameters can be provided."
                )
            return request.arg("query")
        return request.arg("username")

    def _user_matches(self, user: JiraUser, term: str | None, account_id: str | None) -> bool:
        if account_id is not None:
            return user.account_id == account_id
        if term is None:
            return True
        # Documented: the prefix of displayName (its words) and emailAddress. Cloud also
        # finds an exact accountId (the jira library's assign_issue relies on it); Server
        # also matches the username.
        if self.cloud and term == user.account_id:
            return True
        term = term.lower()
        candidates = [*user.display_name.lower().split(), user.email.lower()]
        if not self.cloud:
            candidates.append(user.name.lower())
        return any(c.startswith(term) for c in candidates)

    def _user_page(self, request: Request, users: Sequence[JiraUser]) -> Response:
        views = self._views(request)
        start = _int_arg(request, "startAt", 0)
        limit = min(_int_arg(request, "maxResults", 50), USER_SEARCH_MAX)
        return Response(200, json=[views.user(u) for u in users[start : start + limit]])

    def _find_users(self, request: Request) -> Response:
        self._version(request)
        term = self._user_query(request)
        account_id = request.arg("accountId") if self.cloud else None
        if term is None and account_id is None and request.arg("property") is None:
            name = "'accountId', 'query' or 'property'" if self.cloud else "'username'"
            raise HTTPError(400, f"One of {name} query parameters must be provided.")
        include_inactive = (request.arg("includeInactive") or "false").lower() == "true"
        found = [
            u
            for u in self.users
            if self._user_matches(u, term, account_id) and (u.active or include_inactive)
        ]
        return self._user_page(request, found)

    def _find_assignable_users(self, request: Request) -> Response:
        self._version(request)
        term = self._user_query(request)
        account_id = request.arg("accountId") if self.cloud else None
        issue_ref = request.arg("issueKey") or request.arg("issueId")
        project_ref = request.arg("project")
        if issue_ref is None and project_ref is None:
            raise HTTPError(
                400,
                "One of the following query parameters must be provided: "
                "issueKey, issueId, project.",
            )
        if issue_ref is not None:
            self._find_issue(issue_ref)
        elif project_ref not in {p.key for p in self.projects.values()} | {
            p.id for p in self.projects.values()
        }:
            raise HTTPError(404, f"No project could be found with key '{project_ref}'.")
        found = [
            u
            for u in self.users
            if u.assignable and u.active and self._user_matches(u, term, account_id)
        ]
        return self._user_page(request, found)

    # ---- JQL -----------------------------------------------------------------------

    def _evaluator(self, request: Request) -> jql.Evaluator:
        return jql.Evaluator(
            JqlFields(self, request.context["user"], self.clock()).specs(),
            unsupported=UNSUPPORTED_JQL_FIELDS,
        )

    def _run_jql(
        self,
        request: Request,
        query_text: str,
        *,
        default_rank: bool = False,
        board: Board | None = None,
        issues: list[Issue] | None = None,
    ) -> list[Issue]:
        """Issues matching ``query_text`` (and the board filter), in the query's order,
        among ``issues`` (default: all, as they are now)."""
        pool = list(self.issues.values()) if issues is None else issues
        try:
            query = jql.parse(query_text)
            evaluator = self._evaluator(request)
            predicate = evaluator.compile(query)
            order = list(query.order_by)
            if board is not None:
                board_query = jql.parse(board.jql)
                board_predicate = evaluator.compile(board_query)
                order = order or list(board_query.order_by)
                found = [i for i in pool if board_predicate(i) and predicate(i)]
            else:
                found = [i for i in pool if predicate(i)]
            if not order:
                order = [jql.SortKey("rank" if default_rank else "key", not default_rank, 0)]
            return evaluator.sort(found, order)
        except jql.JqlError as err:
            raise HTTPError(400, str(err)) from None

    # ---- search ----------------------------------------------------------------------

    def _search(self, request: Request) -> Response:
        """``/search``: gone on Cloud; startAt paging on Server/DC."""
        views = self._views(request)
        if self.cloud:
            raise HTTPError(410, SEARCH_REMOVED)
        params = _search_params(request)
        found = self._run_jql(request, str(params.get("jql") or ""))
        start = max(_int_value(params.get("startAt"), 0), 0)
        limit = min(max(_int_value(params.get("maxResults"), SEARCH_DEFAULT), 0), SERVER_SEARCH_MAX)
        fields = select_fields(_as_list(params.get("fields")), "*navigable", self._field_ids)
        body: Json = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(found),
            "issues": [views.issue(i, fields) for i in found[start : start + limit]],
        }
        self._add_names(body, params, fields)
        return Response(200, json=body)

    def _search_jql(self, request: Request) -> Response:
        """Cloud's enhanced search: bounded JQL, ids by default, ``nextPageToken`` paging."""
        views = self._views(request)
        params = _search_params(request)
        query_text = str(params.get("jql") or "")
        try:
            bounded = jql.parse(query_text).bounded
        except jql.JqlError as err:
            raise HTTPError(400, str(err)) from None
        if not bounded:
            raise HTTPError(400, UNBOUNDED_JQL)
        reconcile = _reconcile_ids(request, params)
        found = self._run_jql(request, query_text, issues=self._searchable(reconcile))
        fields = select_fields(_as_list(params.get("fields")), "id", self._field_ids)
        cap = CLOUD_SEARCH_MAX if set(fields) - {"id", "key"} else CLOUD_SEARCH_MAX_IDS
        limit = min(max(_int_value(params.get("maxResults"), SEARCH_DEFAULT), 1), cap)
        start = _decode_page_token(params.get("nextPageToken"), query_text)
        page = found[start : start + limit]
        body: Json = {
            "issues": [
                _id_only(views.issue(i, fields, comment_limit=ENHANCED_SEARCH_COMMENTS), fields)
                for i in page
            ],
            "isLast": start + limit >= len(found),
        }
        if not body["isLast"]:
            body["nextPageToken"] = _encode_page_token(start + limit, query_text)
        self._add_names(body, params, fields)
        return Response(200, json=body)

    def _add_names(self, body: Json, params: Json, fields: Sequence[str]) -> None:
        expand = params.get("expand") or ""
        expand_text = ",".join(expand) if isinstance(expand, list) else str(expand)
        if "names" in expand_text.split(","):
            names = {d["id"]: d["name"] for d in field_definitions(self.rank_field)}
            body["names"] = {f: names[f] for f in fields if f in names}

    # ---- agile: board issues and rank --------------------------------------------------

    def _board_issues(self, request: Request) -> Response:
        board_ref = request.path_params["boardId"]
        board = self.boards.get(int(board_ref)) if board_ref.isdigit() else None
        if board is None:
            raise HTTPError(
                404,
                "The requested board cannot be viewed because it either does "
                "not exist or you do not have permission to view it.",
            )
        found = self._run_jql(request, request.arg("jql") or "", default_rank=True, board=board)
        start = max(_int_arg(request, "startAt", 0), 0)
        limit = min(max(_int_arg(request, "maxResults", AGILE_MAX), 0), AGILE_MAX)
        views = self._views(request, "3" if self.cloud else "2")
        fields = select_fields(request.query.get("fields", []), "*navigable", self._field_ids)
        agile = f"{self.base_url}/rest/agile/1.0/issue"
        return Response(
            200,
            json={
                "expand": "schema,names",
                "startAt": start,
                "maxResults": limit,
                "total": len(found),
                "issues": [
                    views.issue(i, fields, self_url=f"{agile}/{i.id}")
                    for i in found[start : start + limit]
                ],
            },
        )

    def _rank_issues(self, request: Request) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        keys = body.get("issues")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise HTTPError(400, "The 'issues' list must contain at least one issue.")
        if len(keys) > RANK_BATCH_MAX:
            raise HTTPError(400, f"At most {RANK_BATCH_MAX} issues may be ranked at once.")
        field_id = body.get("rankCustomFieldId")
        if field_id is not None and f"customfield_{field_id}" != self.rank_field:
            raise HTTPError(400, f"The custom field with id {field_id} is not a rank field.")
        anchor, before = self._rank_anchor(body)
        entries, moving = self._rank_entries(keys, anchor)
        _place(moving, anchor, before, sorted(self.issues.values(), key=lambda i: i.rank))
        for issue in moving:
            self._touch(issue)
        if all(entry["status"] == 200 for entry in entries):
            return Response(204)
        return Response(207, json={"entries": entries})

    def _rank_anchor(self, body: Json) -> tuple[Issue, bool]:
        before, after = body.get("rankBeforeIssue"), body.get("rankAfterIssue")
        if (before is None) == (after is None):
            raise HTTPError(
                400, "Exactly one of 'rankBeforeIssue' and 'rankAfterIssue' must be given."
            )
        reference = str(before if before is not None else after)
        try:
            return self._find_issue(reference), before is not None
        except HTTPError:
            raise HTTPError(400, ISSUE_NOT_FOUND) from None

    def _rank_entries(self, keys: Sequence[str], anchor: Issue) -> tuple[list[Json], list[Issue]]:
        entries: list[Json] = []
        moving: list[Issue] = []
        for key in keys:
            try:
                issue = self._find_issue(key)
            except HTTPError:
                entries.append({"issueKey": key, "status": 404, "errors": [ISSUE_NOT_FOUND]})
                continue
            entry: Json = {"issueId": issue.id, "issueKey": issue.key, "status": 200}
            if issue is anchor:
                entry.update(status=400, errors=["An issue cannot be ranked relative to itself."])
            elif issue not in moving:
                moving.append(issue)
            entries.append(entry)
        return entries, moving


def _place(moving: list[Issue], anchor: Issue, before: bool, ordered: list[Issue]) -> None:
    """Give ``moving`` consecutive ranks just before/after ``anchor``; only their ranks
    change, like LexoRank."""
    remaining = [i for i in ordered if i not in moving]
    index = remaining.index(anchor)
    if before:
        low = remaining[index - 1].rank if index > 0 else None
        high: str | None = anchor.rank
    else:
        low = anchor.rank
        high = remaining[index + 1].rank if index + 1 < len(remaining) else None
    for issue in moving:
        issue.rank = rank_between(low, high)
        low = issue.rank


# ==========================================================================
# JQL field meanings for this fake's model
# ==========================================================================


class JqlFields:
    """The JQL fields the fake understands, resolved for one request (its user, its now)."""

    def __init__(self, fake: FakeJira, user: JiraUser | None, now: datetime) -> None:
        self.fake, self.user, self.now = fake, user, now
        self._by_id: dict[str, Issue] | None = None

    def specs(self) -> dict[str, jql.FieldSpec]:
        fake = self.fake
        level = {p.id: len(fake.priorities) - n for n, p in enumerate(fake.priorities)}
        specs = [
            self._named(
                "project", lambda i: [i.project.key], self._project, lambda i: i.project.key
            ),
            self._named("status", lambda i: [i.status.id], self._status, lambda i: i.status.name),
            self._named("statusCategory", lambda i: [i.status.category], self._category, None),
            jql.FieldSpec(
                "priority",
                lambda i: [level[i.priority.id]],
                lambda v: level[self._priority(v)],
                jql.ORDERED,
                lambda i: level[i.priority.id],
            ),
            jql.FieldSpec(
                "labels",
                lambda i: [label.lower() for label in i.labels],
                lambda v: _literal(v, "labels").lower(),
                jql.EQUALITY,
            ),
            self._named(
                "issuetype",
                lambda i: [i.issuetype.id],
                self._issue_type,
                lambda i: i.issuetype.name,
            ),
            self._user_field("assignee", lambda i: i.assignee),
            self._user_field("reporter", lambda i: i.reporter),
            self._date_field("updated", lambda i: i.updated),
            self._date_field("created", lambda i: i.created),
            jql.FieldSpec(
                "key",
                lambda i: [(i.project.key, i.number)],
                self._key,
                jql.ORDERED,
                lambda i: (i.project.key, i.number),
            ),
            jql.FieldSpec(
                "summary",
                lambda i: [i.summary],
                lambda v: _literal(v, "summary"),
                jql.TEXT,
                lambda i: i.summary.lower(),
                _text_contains,
            ),
            jql.FieldSpec("resolution", _resolution, self._resolution, jql.EQUALITY),
            jql.FieldSpec("rank", lambda i: [], lambda v: v.text, frozenset(), lambda i: i.rank),
        ]
        by_name = {spec.name.lower(): spec for spec in specs}
        by_name["type"] = by_name["issuetype"]
        by_name["issuekey"] = by_name["id"] = by_name["key"]
        by_name[f"cf[{fake.rank_field.rsplit('_', 1)[1]}]"] = by_name["rank"]
        return by_name

    @staticmethod
    def _named(
        name: str, get: jql.Getter, resolve: jql.Resolver, sort: Callable[[Issue], Any] | None
    ) -> jql.FieldSpec:
        return jql.FieldSpec(name, get, resolve, jql.EQUALITY, sort)

    def _user_field(self, name: str, get: Callable[[Issue], JiraUser | None]) -> jql.FieldSpec:
        return jql.FieldSpec(
            name,
            lambda i: [u.key] if (u := get(i)) is not None else [],
            lambda v: self._user(v, name),
            jql.EQUALITY,
            lambda i: u.display_name.lower() if (u := get(i)) is not None else None,
        )

    def _date_field(self, name: str, get: Callable[[Issue], datetime]) -> jql.FieldSpec:
        return jql.FieldSpec(
            name, lambda i: [get(i)], lambda v: parse_jql_date(v, name, self.now), jql.ORDERED, get
        )

    def _project(self, value: jql.Value) -> str:
        text = _literal(value, "project")
        for project in self.fake.projects.values():
            if text.lower() in (project.key.lower(), project.name.lower()) or text == project.id:
                return project.key
        raise _value_missing(text, "project")

    def _status(self, value: jql.Value) -> str:
        text = _literal(value, "status")
        for status in self.fake.statuses:
            if text.lower() == status.name.lower() or text == status.id:
                return status.id
        raise _value_missing(text, "status")

    def _category(self, value: jql.Value) -> str:
        text = _literal(value, "statusCategory").lower()
        for key, (category_id, name, _colour) in STATUS_CATEGORIES.items():
            if text in (key, name.lower(), str(category_id)):
                return key
        raise _value_missing(value.text, "statusCategory")

    def _priority(self, value: jql.Value) -> str:
        text = _literal(value, "priority")
        for priority in self.fake.priorities:
            if text.lower() == priority.name.lower() or text == priority.id:
                return priority.id
        raise _value_missing(text, "priority")

    def _issue_type(self, value: jql.Value) -> str:
        text = _literal(value, "issuetype")
        for issue_type in self.fake.issue_types:
            if text.lower() == issue_type.name.lower() or text == issue_type.id:
                return issue_type.id
        raise _value_missing(text, "issuetype")

    def _user(self, value: jql.Value, field_name: str) -> str:
        if value.function == "currentuser":
            if self.user is None:
                raise jql.JqlError("The function 'currentUser' requires a logged-in user.")
            return self.user.key
        if value.function is not None:
            raise jql.JqlError(f"Unable to find JQL function '{value.text}()'.")
        for user in self.fake.users:
            # Cloud JQL takes accountIds only; Server takes username, key or e-mail.
            names = (user.account_id,) if self.fake.cloud else (user.name, user.key, user.email)
            if value.text in names:
                return user.key
        raise _value_missing(value.text, field_name)

    def _key(self, value: jql.Value) -> tuple[str, int]:
        text = _literal(value, "key").upper()
        if text.isdigit():  # the key clause takes issue ids too ("id in (10001, 10002)")
            if self._by_id is None:
                self._by_id = {str(i.id): i for i in self.fake.issues.values()}
            issue = self._by_id.get(text)
            if issue is None:
                raise jql.JqlError(
                    f"An issue with key '{value.text}' does not exist for field 'id'."
                )
            return issue.project.key, issue.number
        project, _, number = text.rpartition("-")
        if not project or not number.isdigit():
            raise jql.JqlError(f"The issue key '{value.text}' for field 'key' is invalid.")
        return project, int(number)

    def _resolution(self, value: jql.Value) -> str:
        text = _literal(value, "resolution").lower()
        if text == "unresolved":
            return jql.EMPTY
        if text != "done":
            raise _value_missing(value.text, "resolution")
        return "done"


def _resolution(issue: Issue) -> list[str]:
    return ["done"] if issue.status.category == "done" else []


def _literal(value: jql.Value, field_name: str) -> str:
    if value.function is not None:
        raise jql.JqlError(
            f"The field '{field_name}' does not support the function '{value.text}()'."
        )
    return value.text


def _text_contains(summary: str, term: str) -> bool:
    # Jira's "~" is a full-text match; here every word of the term must occur.
    words = re.findall(r"\w+", summary.lower())
    return all(any(w.startswith(t) for w in words) for t in re.findall(r"\w+", term.lower()))


# ==========================================================================
# Request helpers
# ==========================================================================


def _int_value(raw: object, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise HTTPError(400, f"'{raw}' is not a valid number.")
    try:
        return int(str(raw))
    except ValueError:
        raise HTTPError(400, f"'{raw}' is not a valid number.") from None


def _int_arg(request: Request, name: str, default: int) -> int:
    return _int_value(request.arg(name), default)


def _as_list(raw: object) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(item) for item in raw]
    return [str(raw)]


def _search_params(request: Request) -> Json:
    """Search parameters from the query string (GET) or the JSON body (POST)."""
    if request.method == "POST":
        if not isinstance(request.json, dict):
            raise HTTPError(400, "The search request must be a JSON object.")
        return dict(request.json)
    params: Json = {name: values[0] for name, values in request.query.items()}
    params["fields"] = request.query.get("fields", [])
    return params


def _reconcile_ids(request: Request, params: Json) -> frozenset[str]:
    """``reconcileIssues``: repeated (GET) or a JSON array (POST) of issue ids, at most 50."""
    if request.method == "POST":
        raw = params.get("reconcileIssues") or []
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
    else:
        values = [v for item in request.query.get("reconcileIssues", []) for v in item.split(",")]
    if any(not v.strip().isdigit() for v in values):
        raise HTTPError(400, "reconcileIssues: each value must be an issue id (a number).")
    if len(values) > RECONCILE_MAX:
        raise HTTPError(400, f"reconcileIssues: at most {RECONCILE_MAX} issue ids are allowed.")
    return frozenset(v.strip() for v in values)


def _id_only(issue_json: Json, fields: Sequence[str]) -> Json:
    # search/jql's default (fields=id) returns bare ids.
    if set(fields) <= {"id"}:
        return {"id": issue_json["id"]}
    return issue_json


def _fingerprint(query_text: str) -> str:
    return hashlib.sha1(query_text.encode("utf-8")).hexdigest()[:12]


def _encode_page_token(offset: int, query_text: str) -> str:
    payload = jsonlib.dumps({"o": offset, "q": _fingerprint(query_text)}).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def _decode_page_token(token: object, query_text: str) -> int:
    """The offset an opaque ``nextPageToken`` stands for; it only works with its query."""
    if token is None or token == "":
        return 0
    try:
        text = str(token)
        payload = jsonlib.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if payload["q"] != _fingerprint(query_text):
            raise ValueError("token from another query")
        return int(payload["o"])
    except (ValueError, KeyError, TypeError):
        raise HTTPError(400, f"The provided next page token '{token}' is invalid.") from None


def _comment_body(body: object, *, v3: bool) -> tuple[str, Json]:
    """(text, adf) of a posted comment body; v3 needs ADF, v2 a string."""
    if v3:
        if not is_adf_document(body):
            raise HTTPError(400, "", errors={"comment": "Comment body is not valid!"})
        assert isinstance(body, dict)
        text = adf_to_text(body)
        adf: Json = body
    else:
        if not isinstance(body, str):
            raise HTTPError(400, "", errors={"comment": "Comment body is not valid!"})
        text, adf = body, text_to_adf(body)
    if not text.strip():
        raise HTTPError(400, "", errors={"comment": "Comment body can not be empty!"})
    return text, adf
