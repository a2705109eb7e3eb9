"""The HTTP client of the JSM Operations target: Basic auth, offset/size paging, clean errors.

`https://api.atlassian.com/jsm/ops/api/{cloudId}/v1/…`, authenticated with an Atlassian
account's e-mail and API token (HTTP Basic). Lists come a page at a time as
`{"values": [...], "links": {"next": "/v1/…?offset=…"}}`, `next` relative to the API base
and present only while more follow; a page may hold fewer items than asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from setops.targets.http import (
    Session,
    UncertainWrite,
    VendorError,
    connection_error,
    is_lost_response,
    vendor_message,
)

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
    or a whole base that already ends in /jsm/ops/api/<cloudId>."""
    root = (url or DEFAULT_URL).rstrip("/")
    if API_ROOT in urlsplit(root).path + "/":
        return root
    return f"{root}{API_ROOT}{cloud_id}"


def jsm_message(response: requests.Response) -> str:
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
            return "; ".join(titles)[:500]
    return vendor_message(response)


class JsmOpsClient:
    """The JSM Operations calls setops makes. Every failure is a VendorError naming the
    object and quoting JSM's message; the token never appears in one."""

    def __init__(self, base: str, email: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.secrets = (token, base64.b64encode(f"{email}:{token}".encode()).decode())
        self.session = Session()
        self.session.auth = (email, token)
        self.requests = 0

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
        url = path if path.startswith(("http://", "https://")) else self.base + path
        self.requests += 1
        try:
            response = self.session.request(method, url, params=params, json=body)
        except requests.RequestException as exc:
            if method == "POST" and is_lost_response(exc):
                raise  # the caller (create_once) looks the object up before trying again
            raise connection_error(TARGET, what, exc) from None
        if response.status_code == 404 and missing_ok:
            return None
        if not response.ok:
            raise self._error(method, what, response)
        return response.json() if response.content else None

    def pages(
        self, path: str, what: str, *, size: int, params: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list, following links.next page by page."""
        query: Mapping[str, str] | None = {**(params or {}), "size": str(size)}
        link: str | None = path
        while link:
            page = self.call("GET", link, what, params=query) or {}
            yield from page.get("values") or []
            link = (page.get("links") or {}).get("next")
            query = None  # the link carries the query on

    def _error(self, method: str, what: str, response: requests.Response) -> Exception:
        message = jsm_message(response)
        for secret in self.secrets:
            message = message.replace(secret, "***")
        if response.status_code in (401, 403):
            message = f"{message}; {SCOPES_HINT}"
        if method == "POST" and response.status_code >= 500:
            return UncertainWrite(f"{TARGET}: {what}", response.status_code, message)
        return VendorError(TARGET, what, response.status_code, message)
