"""JsonApi: a JSON REST API called through the shared session, with one policy for every
service: no redirects followed, no credentials sent to another server, answers checked for
their shape, and failures as VendorErrors that quote the vendor with the secrets blanked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from setops.errors import SetopsError
from setops.targets.http.messages import VendorError, connection_error, redact, vendor_message
from setops.targets.http.session import Session, is_lost_response
from setops.targets.http.write_once import UncertainWrite


def base_url(variable: str, value: str | None, default: str, example: str) -> str:
    """An API base URL from the environment: unset or empty means `default`; surrounding
    whitespace and trailing slashes are dropped; anything but http(s) is refused by name."""
    url = (value or "").strip() or default
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise SetopsError(f"{variable} must be an http(s) URL such as {example}, not {url!r}")
    return url.rstrip("/")


def _host(url: str) -> str:
    """host[:port] of a URL, without any user or password in it."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), str(parts.hostname), parts.port or default


class JsonApi:
    """A JSON REST API the paging targets call: a request count, clean errors, and the
    credentials kept to the one server they are meant for.

    A redirect is not followed and a link to another server is not fetched (either would
    carry the request, and a session's credentials, somewhere else): both stop with an
    error that names the variable to correct. An answer that is not JSON is an error, not
    an empty list. A failure is a VendorError quoting the vendor with the secrets blanked;
    a POST whose answer was lost is re-raised as the requests error, and one answered with
    a 5xx as UncertainWrite, for `create_once` to look before it tries again.
    """

    def __init__(
        self, target: str, base: str, variable: str, secrets: Iterable[str], session: Session
    ) -> None:
        self.target = target
        self.base = base.rstrip("/")
        self.variable = variable  # the setting that names the server, for messages
        self.secrets = tuple(s for s in secrets if s)
        self.session = session
        self.requests = 0
        self._counting = threading.Lock()  # the Jira handover sends from eight threads

    def url(self, path: str, what: str) -> str:
        """The URL of a path under the base, or of a link the API gave on its own server."""
        if not path.startswith(("http://", "https://")):
            return self.base + path
        if _origin(path) != _origin(self.base):
            raise VendorError(
                self.target,
                what,
                None,
                f"the answer links to {_host(path)}, not to {_host(self.base)} ({self.variable});"
                " setops sends its credentials to no other server",
            )
        return path

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
        """The answer to one request, or None for a 404 that `missing_ok` allows.

        A POST, or any request sent through a `once` session, is a write that must not
        happen twice: a lost answer is re-raised as the requests error and a 5xx is
        UncertainWrite, for the caller (create_once) to look before it tries again.
        """
        url = self.url(path, what)
        with self._counting:
            self.requests += 1
        once = method == "POST" or (session is not None and session.once)
        try:
            response: requests.Response = (session or self.session).request(
                method, url, params=params, json=body, allow_redirects=False
            )
        except requests.RequestException as exc:
            if once and is_lost_response(exc):
                raise  # the caller (create_once) looks the object up before trying again
            raise connection_error(self.target, what, exc) from None
        if response.is_redirect or 300 <= response.status_code < 400:
            raise self._redirected(what, response)
        if response.status_code == 404 and missing_ok:
            return None
        if not response.ok:
            if once and response.status_code >= 500:
                message = redact(self.message(response), self.secrets)
                raise UncertainWrite(f"{self.target}: {what}", response.status_code, message)
            raise self.error(method, what, response)
        return response

    def message(self, response: requests.Response) -> str:
        """The vendor's error text; a target may read its own error shapes first."""
        return vendor_message(response, self.secrets)

    def error(self, method: str, what: str, response: requests.Response) -> SetopsError:
        message = redact(self.message(response), self.secrets)
        if method == "POST" and response.status_code >= 500:
            return UncertainWrite(f"{self.target}: {what}", response.status_code, message)
        return VendorError(self.target, what, response.status_code, message)

    def json(self, response: requests.Response | None, what: str) -> Any:
        """The answer's JSON (None when it has no body)."""
        if response is None or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type") or "no content type"
            text = vendor_message(response, self.secrets)[:120]
            raise VendorError(
                self.target,
                what,
                response.status_code,
                f"the answer is not JSON ({kind}): {text}; is {self.variable} the API's address?",
            ) from None

    def shape(self, value: Any, kind: type, what: str, status: int, field: str) -> Any:
        """`value` when it is a `kind`; else the answer is not the API's, and saying so beats
        reading it as empty (which would plan to make everything again)."""
        if not isinstance(value, kind):
            raise VendorError(
                self.target,
                what,
                status,
                f"the answer has no {field} ({kind.__name__}), so it is not the one the API "
                f"documents; is {self.variable} the API's address?",
            )
        return value

    def _redirected(self, what: str, response: requests.Response) -> VendorError:
        location = response.headers.get("Location") or "elsewhere"
        shown = urlsplit(location)
        where = f"{shown.scheme}://{_host(location)}{shown.path}" if shown.netloc else location
        return VendorError(
            self.target,
            what,
            response.status_code,
            f"the server redirects to {redact(where, self.secrets)}; setops does not follow "
            f"redirects, so that credentials go nowhere else: set {self.variable} to the "
            "API's own address",
        )
