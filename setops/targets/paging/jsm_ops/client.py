"""The HTTP client of the JSM Operations target: Basic auth, offset/size paging, clean errors.

`https://api.atlassian.com/jsm/ops/api/{cloudId}/v1/…`, authenticated with an Atlassian
account's e-mail and API token (HTTP Basic). Lists come a page at a time as
`{"values": [...], "links": {"next": "/v1/…?offset=…"}}`, `next` relative to the API base
and present only while more follow; a page may hold fewer items than asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from setops.targets.http import JsonApi, Session, base_url, redact, vendor_message

DEFAULT_URL = "https://api.atlassian.com"
API_ROOT = "/jsm/ops/api/"
TARGET = "jsm-ops"
SCOPES_HINT = (
    "check JSM_OPS_EMAIL and JSM_OPS_API_TOKEN; a scoped API token needs "
    "read:ops-config:jira-service-management, write:ops-config:jira-service-management "
    "and delete:ops-config:jira-service-management"
)


def api_base(url: str | None, cloud_id: str) -> str:
    """The API base for a cloud: JSM_OPS_API_URL is the host (default api.atlassian.com),
    or a whole base that already ends in /jsm/ops/api/<cloudId> (a pasted `/v1` dropped)."""
    root = base_url("JSM_OPS_API_URL", url, DEFAULT_URL, DEFAULT_URL)
    if root.endswith("/v1"):
        root = root[: -len("/v1")]
    if API_ROOT in urlsplit(root).path + "/":
        return root
    return f"{root}{API_ROOT}{cloud_id.strip()}"


def jsm_message(response: requests.Response, secrets: Iterable[str] = ()) -> str:
    """JSM's own error text: `{"errors": [{"title", "code"}]}`, or the gateway's
    `{"code": 401, "message": …}`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        titles = [
            f"{e.get('title')} ({e.get('code')})" if e.get("code") else str(e.get("title"))
            for e in body["errors"]
            if isinstance(e, dict) and e.get("title")
        ]
        if titles:
            return redact("; ".join(titles), secrets)[:500]
    return vendor_message(response, secrets)


class JsmOpsClient(JsonApi):
    """The JSM Operations calls setops makes. Every failure is a VendorError naming the
    object and quoting JSM's message; the token never appears in one."""

    def __init__(self, base: str, email: str, token: str) -> None:
        email, token = email.strip(), token.strip()  # secrets pasted with their newline
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        session = Session()
        session.auth = (email, token)
        super().__init__(TARGET, base, "JSM_OPS_API_URL", (token, basic), session)

    def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing_ok: bool = False,
    ) -> Any:
        response = self.send(method, path, what, params=params, body=body, missing_ok=missing_ok)
        return self.json(response, what)

    def listing(self, path: str, what: str, field: str) -> list[dict[str, Any]]:
        """The `field` list of a GET answer, which must be there (an answer without it is
        not JSM's, and reading it as empty would plan to make everything again)."""
        response = self.send("GET", path, what)
        assert response is not None
        answer = self.shape(self.json(response, what), dict, what, response.status_code, field)
        return list(self.shape(answer.get(field), list, what, response.status_code, field))

    def pages(
        self, path: str, what: str, *, size: int, params: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list, following links.next page by page (on JSM's own server)."""
        query: Mapping[str, str] | None = {**(params or {}), "size": str(size)}
        link: str | None = path
        while link:
            response = self.send("GET", link, what, params=query)
            assert response is not None
            status = response.status_code
            page = self.shape(self.json(response, what), dict, what, status, "values")
            yield from self.shape(page.get("values"), list, what, status, "values")
            link = (page.get("links") or {}).get("next") or None
            query = None  # the link carries the query on

    def message(self, response: requests.Response) -> str:
        message = jsm_message(response, self.secrets)
        if response.status_code in (401, 403):
            message = f"{message}; {SCOPES_HINT}"
        return message
