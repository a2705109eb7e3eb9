"""Jira, through the `jira` package: search SET tickets, read comments, assign, comment, rank.

Cloud (JIRA_EMAIL + JIRA_API_TOKEN, basic auth) speaks REST v3: the current search endpoint
`/rest/api/3/search/jql` paged by `nextPageToken`, comments in ADF, users by `accountId`.
Server/DC (JIRA_TOKEN, bearer) speaks REST v2: `/rest/api/2/search` paged by `startAt`,
plain-text comments, users by `name`.

The package's own helpers are bypassed where they would do something else than asked:
`assign_issue` looks the user up by a fuzzy search first (and may pick the wrong person),
`search_issues` and `rank` fetch the whole field list first. So the calls go through the
client's authenticated session to the documented endpoints. Its retry loop is switched off
in favour of setops' `SafeRetry` (timeouts, 429/5xx with backoff, POST only on 429), and
`JIRAError`, whose text carries the request's headers, never leaves this module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import requests
from jira import JIRA
from jira.exceptions import JIRAError
from requests.adapters import HTTPAdapter

from setops.errors import SetopsError
from setops.handover.tickets import Comment, Ticket
from setops.targets.http import (
    UncertainWrite,
    VendorError,
    connection_error,
    create_once,
    retry_policy,
    timeout,
)

T = TypeVar("T")
PAGE_SIZE = 100  # the most Jira returns per search page with fields
KEYS_PAGE_SIZE = 1000  # key-only searches: Cloud allows 5000, Server/DC 1000 by default
RANK_BATCH = 50  # the most issues one rank call moves
TICKET_FIELDS = ("summary", "status", "priority", "assignee", "created", "comment")


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
        url=env["JIRA_URL"].rstrip("/"),
        cloud=cloud,
        email=env.get("JIRA_EMAIL", "") if cloud else "",
        api_token=env.get("JIRA_API_TOKEN", "") if cloud else "",
        bearer="" if cloud else env.get("JIRA_TOKEN", ""),
    )


def _text(node: Any) -> str:
    """The plain text of an ADF document (Cloud) or of a plain string (Server/DC)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        parts = [_text(child) for child in node.get("content") or []]
        sep = "\n" if node.get("type") in ("doc", "bulletList", "orderedList") else ""
        return sep.join(parts)
    return ""


def adf(paragraphs: Sequence[Sequence[tuple[str, str | None]]]) -> dict[str, Any]:
    """An ADF document: paragraphs of (text, link-or-None) runs."""
    content = []
    for runs in paragraphs:
        nodes: list[dict[str, Any]] = []
        for text, link in runs:
            node: dict[str, Any] = {"type": "text", "text": text}
            if link:
                node["marks"] = [{"type": "link", "attrs": {"href": link}}]
            nodes.append(node)
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


class JiraClient:
    """The Jira calls setops makes. Every failure is a VendorError naming the object."""

    def __init__(self, auth: JiraAuth) -> None:
        self.auth = auth
        self.requests = 0
        options: dict[str, Any] = {"rest_api_version": "3" if auth.cloud else "2"}
        options["check_update"] = False
        self._jira = JIRA(
            server=auth.url,
            options=options,
            basic_auth=(auth.email, auth.api_token) if auth.cloud else None,
            token_auth=auth.bearer or None,
            get_server_info=False,
            max_retries=0,  # SafeRetry below retries instead, the same way as every target
            timeout=timeout(),
            logging=False,
        )
        session = self._jira._session
        adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=4)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.hooks["response"].append(self._count)

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.requests += 1

    @property
    def cloud(self) -> bool:
        return self.auth.cloud

    def browse_url(self, key: str) -> str:
        return f"{self.auth.url}/browse/{key}"

    def user_field(self) -> str:
        """How a user is named in a request: accountId on Cloud, name on Server/DC."""
        return "accountId" if self.cloud else "name"

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except JIRAError as exc:
            raise self._vendor_error(what, exc) from None
        except requests.JSONDecodeError:  # a web page: a login page, a proxy, a wrong URL
            message = f"the answer is not JSON: is JIRA_URL ({self.auth.url}) Jira's address?"
            raise VendorError("jira", what, None, message) from None
        except requests.RequestException as exc:
            raise connection_error("jira", what, exc) from None
        except SetopsError as exc:
            if type(exc) is not SetopsError:  # already one of the target errors
                raise
            raise SetopsError(f"jira: {what}: {exc}") from None  # e.g. a too-long Retry-After

    def _message(self, exc: JIRAError) -> str:
        message = _jira_message(exc)
        for secret in self.auth.secrets:
            message = message.replace(secret, "***")
        return message

    def _vendor_error(self, what: str, exc: JIRAError) -> VendorError:
        message = self._message(exc)
        if exc.status_code == 401:
            names = "JIRA_EMAIL and JIRA_API_TOKEN" if self.cloud else "JIRA_TOKEN"
            message += f" (check {names}: the token may have expired or been revoked)"
        return VendorError("jira", what, exc.status_code, message)

    def _url(self, path: str) -> str:
        return str(self._jira._get_url(path))

    def _agile_url(self, path: str) -> str:
        return str(self._jira._get_url(path, base=self._jira.AGILE_BASE_URL))

    def _get(self, url: str, params: Mapping[str, Any]) -> dict[str, Any]:
        response = self._jira._session.get(url, params=dict(params))
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {}

    def _send(self, method: str, url: str, body: Any) -> requests.Response:
        response: requests.Response = self._jira._session.request(
            method, url, data=json.dumps(body)
        )
        return response

    # ---- reads --------------------------------------------------------------------

    def search(
        self, jql: str, fields: Sequence[str] = TICKET_FIELDS, page: int = PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every issue matching `jql`, page by page (the current endpoint of each deployment)."""
        if self.cloud:
            yield from self._search_cloud(jql, fields, page)
        else:
            yield from self._search_server(jql, fields, page)

    def _search_cloud(self, jql: str, fields: Sequence[str], size: int) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": list(fields)}
            if token:
                params["nextPageToken"] = token
            page = self._call(
                f"search {jql!r}", partial(self._get, self._url("search/jql"), params)
            )
            yield from page.get("issues") or []
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                return

    def _search_server(
        self, jql: str, fields: Sequence[str], size: int
    ) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            params = {"jql": jql, "startAt": start, "maxResults": size, "fields": list(fields)}
            page = self._call(f"search {jql!r}", partial(self._get, self._url("search"), params))
            issues = page.get("issues") or []
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return

    def ids(self, jql: str) -> set[str]:
        """The ids of the issues matching `jql` (a light search: ids only, big pages)."""
        return {str(i["id"]) for i in self.search(jql, fields=("id",), page=KEYS_PAGE_SIZE)}

    def comments(self, key: str) -> list[dict[str, Any]]:
        """Every comment on issue `key`, oldest first."""
        found: list[dict[str, Any]] = []
        while True:
            params = {"startAt": len(found), "maxResults": PAGE_SIZE, "orderBy": "created"}
            page = self._call(
                f"read the comments of {key}",
                partial(self._get, self._url(f"issue/{key}/comment"), params),
            )
            batch = page.get("comments") or []
            found += batch
            if not batch or len(found) >= int(page.get("total", 0)):
                return found

    def board_issues(self, board: int, jql: str) -> list[str]:
        """The keys of board `board`'s issues matching `jql`, in the board's rank order."""
        keys: list[str] = []
        while True:
            params = {"jql": jql, "startAt": len(keys), "maxResults": RANK_BATCH}
            page = self._call(
                f"read board {board} for {jql!r}",
                partial(self._get, self._agile_url(f"board/{board}/issue"), params),
            )
            batch = [str(issue["key"]) for issue in page.get("issues") or []]
            keys += batch
            if not batch or len(keys) >= int(page.get("total", 0)):
                return keys

    def assignable(self, project: str, user: str) -> bool | None:
        """Whether `user` may be assigned issues of `project`, by the exact account id
        (Cloud) or user name (Server/DC) among the assignable users; None when Jira would
        not say (the search itself refused), so that only a clear no stops a handover."""
        if self.cloud:
            params: dict[str, Any] = {"project": project, "accountId": user}
        else:  # Server/DC matches `username` as a prefix: look for the exact name
            params = {"project": project, "username": user, "maxResults": KEYS_PAGE_SIZE}
        url = self._url("user/assignable/search")
        try:
            response = self._call(
                f"look up {user} among the assignable users of {project}",
                lambda: self._jira._session.get(url, params=params),
            )
            found = response.json()
        except (SetopsError, ValueError):
            return None
        if not isinstance(found, list):
            return None
        field = self.user_field()
        return any(isinstance(u, dict) and u.get(field) == user for u in found)

    # ---- writes -------------------------------------------------------------------

    def assign(self, key: str, user: str) -> None:
        """Assign `key` to `user` (an account id on Cloud, a user name on Server/DC)."""
        body = {self.user_field(): user}
        self._call(
            f"assign {key} to {user}",
            lambda: self._send("PUT", self._url(f"issue/{key}/assignee"), body),
        )

    def add_comment(
        self,
        key: str,
        paragraphs: Sequence[Sequence[tuple[str, str | None]]],
        once: str | None = None,
    ) -> None:
        """Add one comment to `key`: ADF on Cloud, plain text with bare links on Server/DC.

        With `once` (a marker the comment holds), a lost answer (a dropped connection, a
        5xx) is followed by a read of the ticket's comments for the marker before the
        comment is tried again, so it is never made twice.
        """
        if self.cloud:
            body: Any = adf(paragraphs)
        else:
            body = "\n\n".join(
                "".join(f"[{t}|{link}]" if link else t for t, link in runs) for runs in paragraphs
            )
        what = f"comment on {key}"

        def send() -> bool:
            try:
                self._send("POST", self._url(f"issue/{key}/comment"), {"body": body})
            except JIRAError as exc:
                if once is None or (exc.status_code or 0) < 500:
                    raise
                raise UncertainWrite(
                    f"jira: {what}", exc.status_code or 500, self._message(exc)
                ) from None
            return True

        def find() -> bool | None:
            assert once is not None
            return True if any(once in _text(c.get("body")) for c in self.comments(key)) else None

        self._call(what, (lambda: create_once(send, find)) if once else send)

    def rank(
        self, issues: Sequence[str], *, before: str | None = None, after: str | None = None
    ) -> None:
        """Rank `issues` (at most 50) together, just before `before` or just after `after`."""
        body: dict[str, Any] = {"issues": list(issues)}
        if before:
            body["rankBeforeIssue"] = before
        else:
            body["rankAfterIssue"] = after
        what = f"rank {', '.join(issues)} {'before ' + before if before else f'after {after}'}"
        response = self._call(what, lambda: self._send("PUT", self._agile_url("issue/rank"), body))
        if response.status_code == 207:  # some issues were not ranked: each entry says why
            failed = [e for e in _entries(response) if int(e.get("status", 200)) >= 300]
            if failed:
                reasons = "; ".join(
                    f"{e.get('issueKey') or e.get('issueId')}: "
                    + ", ".join(e.get("errors") or ["refused"])
                    for e in failed
                )
                raise VendorError("jira", what, 207, reasons)


def _entries(response: requests.Response) -> list[dict[str, Any]]:
    try:
        data = response.json()
    except ValueError:
        return []
    entries = data.get("entries") if isinstance(data, dict) else None
    return [e for e in entries or [] if isinstance(e, dict)]


def _jira_message(exc: JIRAError) -> str:
    """The vendor's errorMessages/errors of a JIRAError, never its text (it holds headers)."""
    response = exc.response
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            parts = [str(m) for m in body.get("errorMessages") or []]
            errors = body.get("errors")
            if isinstance(errors, dict):
                parts += [f"{k}: {v}" for k, v in errors.items()]
            if body.get("message"):
                parts.append(str(body["message"]))
            if parts:
                return "; ".join(parts)[:500]
        reason = getattr(response, "reason", "") or ""
        if reason:
            return str(reason)
    return "no message from Jira"


def _instant(text: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _user(value: Any, cloud: bool) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    ident = value.get("accountId") if cloud else value.get("name")
    return (str(ident) if ident else None), value.get("displayName")


def _comment(raw: dict[str, Any]) -> Comment:
    return Comment(_instant(raw.get("created")), _text(raw.get("body")))


def read_tickets(client: JiraClient, jql: str) -> list[Ticket]:
    """The tickets matching `jql` with all their comments (fetched apart only when the
    search returned just some of them)."""
    tickets = []
    for issue in client.search(jql):
        fields = issue.get("fields") or {}
        key = str(issue["key"])
        block = fields.get("comment") or {}
        raw_comments = list(block.get("comments") or [])
        if int(block.get("total", len(raw_comments))) > len(raw_comments):
            raw_comments = client.comments(key)
        assignee, assignee_name = _user(fields.get("assignee"), client.cloud)
        tickets.append(
            Ticket(
                key=key,
                summary=str(fields.get("summary") or ""),
                status=str((fields.get("status") or {}).get("name") or "?"),
                priority=(fields.get("priority") or {}).get("name"),
                assignee=assignee,
                assignee_name=assignee_name,
                created=_instant(fields.get("created") or "1970-01-01T00:00:00+00:00"),
                comments=tuple(_comment(c) for c in raw_comments),
                url=client.browse_url(key),
                id=str(issue.get("id") or ""),
            )
        )
    return tickets
