"""The shared HTTP session of every target: timeouts, bounded retries, clean errors.

Retries use urllib3's `Retry` (exponential backoff with jitter, `Retry-After` honoured). A
request that may have been carried out is never repeated blindly: POST is retried only on
429 (the server says it did nothing); after a lost POST response the target re-reads the
object by its stable name before trying again (`create_once`).
"""

from __future__ import annotations

import html
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from setops import __version__
from setops.errors import SetopsError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
MAX_RETRY_AFTER = 120.0  # seconds: a longer wait asked by a server is a failure, not a hang


class VendorError(SetopsError):
    """A service refused or failed a call. Names the object and the vendor's own message."""

    def __init__(self, target: str, what: str, status: int | None, message: str) -> None:
        self.target, self.what, self.status, self.vendor_message = target, what, status, message
        code = f" (HTTP {status})" if status else ""
        super().__init__(f"{target}: {what} failed{code}: {message}")


class UncertainWrite(SetopsError):
    """A write answered with a server error: it may or may not have been carried out.

    Raised by a target's client for a non-idempotent request (POST) that got a 5xx, so that
    `create_once` looks before it tries again, exactly as after a lost answer.
    """

    def __init__(self, what: str, status: int, message: str) -> None:
        self.what, self.status = what, status
        super().__init__(f"{what} failed (HTTP {status}): {message}")


class SafeRetry(Retry):
    """Retry that repeats a POST only on 429 and refuses waits longer than MAX_RETRY_AFTER."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST" and status_code != 429:
            return False
        return super().is_retry(
            "GET" if method.upper() == "POST" else method, status_code, has_retry_after
        )

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds (whole or not) or an HTTP date; a value that is neither says nothing,
        and the backoff applies (urllib3 would stop the request with InvalidHeader)."""
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
        try:
            return float(super().parse_retry_after(retry_after))
        except InvalidHeader:
            return 0.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is not None and value > MAX_RETRY_AFTER:
            raise SetopsError(
                f"the server asked to wait {value:.0f} s before retrying (Retry-After); "
                f"giving up, as setops waits at most {MAX_RETRY_AFTER:.0f} s"
            )
        return value


class WriteOnceRetry(SafeRetry):
    """The policy of a write that must not happen twice, whatever its method (a PUT that
    adds a comment): retried as a POST is, on 429 alone, never after a lost answer."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        return super().is_retry("POST", status_code, has_retry_after)

    def _is_method_retryable(self, method: str) -> bool:
        # Asked for read errors with the real method (never retried), and by is_retry
        # above with GET for a 429 (retried).
        return method.upper() == "GET"


def retry_policy(kind: type[SafeRetry] = SafeRetry) -> SafeRetry:
    total = int(os.environ.get("SETOPS_HTTP_RETRIES", "5"))
    return kind(
        total=total,
        connect=total,
        read=total,
        status=total,
        other=0,
        allowed_methods=IDEMPOTENT,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=float(os.environ.get("SETOPS_HTTP_BACKOFF", "0.5")),
        backoff_max=30.0,
        backoff_jitter=0.25,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def timeout() -> tuple[float, float]:
    """(connect, read) seconds; SETOPS_HTTP_TIMEOUT sets the read timeout."""
    return (5.0, float(os.environ.get("SETOPS_HTTP_TIMEOUT", "30")))


class Session(requests.Session):
    """A requests session whose every call has a timeout and goes through SafeRetry.

    `pool` connections are kept per server (as many as requests run at once); a `once`
    session is for writes that must not happen twice (WriteOnceRetry).
    """

    def __init__(
        self, headers: Mapping[str, str] | None = None, *, pool: int = 4, once: bool = False
    ) -> None:
        super().__init__()
        policy = retry_policy(WriteOnceRetry if once else SafeRetry)
        adapter = HTTPAdapter(max_retries=policy, pool_maxsize=pool)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.once = once
        self.headers["User-Agent"] = f"setops/{__version__}"
        self.headers.update(headers or {})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", timeout())
        return super().request(method, url, *args, **kwargs)


def is_lost_response(exc: BaseException) -> bool:
    """True for errors after which the server may or may not have carried out the request."""
    return isinstance(exc, requests.ConnectionError | requests.Timeout) and not isinstance(
        exc, requests.ConnectTimeout
    )


def create_once(
    create: Callable[[], T], find_existing: Callable[[], T | None], tries: int = 3
) -> T:
    """Run a non-idempotent `create`; when its answer is lost, look before trying again.

    `find_existing` re-reads the object by its stable identity (name or alias) and returns it
    when the lost request did take effect, so a create is never duplicated. A server that
    did not answer within the read timeout may still be making the object: it is looked
    for until the read timeout has passed once more, and not sent again in this run (a
    re-run looks first).
    """
    for attempt in range(1, tries + 1):
        try:
            return create()
        except (requests.ConnectionError, requests.Timeout, UncertainWrite) as exc:
            lost = isinstance(exc, UncertainWrite) or is_lost_response(exc)
            if not lost and attempt < tries:
                _pause(attempt)
                continue
            log.warning(
                "the answer to a create was lost (%s); re-reading first", type(exc).__name__
            )
            working = still_working(exc)
            found = _await(find_existing) if working else find_existing()
            if found is not None:
                return found
            if attempt == tries or working:
                raise
            _pause(attempt)
    raise AssertionError("unreachable")


def still_working(exc: BaseException) -> bool:
    """True when the server had the whole request and may yet carry it out: it did not
    answer within the read timeout. (A 5xx, 504 included, is an answer: the object is
    looked for at once, and the create sent again when it is not there.)"""
    return isinstance(exc, requests.ReadTimeout)


def _await(find_existing: Callable[[], T | None]) -> T | None:
    """Look for an object a slow server may still be making, for one more read timeout."""
    deadline = time.monotonic() + timeout()[1]
    wait = max(0.2, retry_policy().backoff_factor)
    while True:
        found = find_existing()
        left = deadline - time.monotonic()
        if found is not None or left <= 0:
            return found
        time.sleep(min(wait, left))
        wait *= 2


def _pause(attempt: int) -> None:
    """Back off before trying a create again, as the retry policy would (with jitter)."""
    policy = retry_policy()
    delay = min(policy.backoff_max, policy.backoff_factor * 2 ** (attempt - 1))
    time.sleep(delay * (0.5 + random.random() / 2))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every (non-empty) secret in it blanked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def vendor_message(response: requests.Response, secrets: Iterable[str] = ()) -> str:
    """The vendor's own error text from a response body, without echoing request headers.

    The secrets are blanked before the text is cut to length, so a credential the server
    echoes where the cut falls cannot show even in part. An HTML page (a proxy's, a
    gateway's) is quoted as its text.
    """
    text, limit = _vendor_text(response)
    return redact(text, secrets)[:limit]


def _vendor_text(response: requests.Response) -> tuple[str, int]:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        if _is_html(response, text):
            text = html_text(text)
        return (text if text else response.reason or "no message"), 300
    if isinstance(body, dict):
        parts = [
            str(body[k])
            for k in ("message", "errorMessage", "error", "detailed_error")
            if body.get(k)
        ]
        for key in ("errorMessages",):
            parts += [str(m) for m in body.get(key) or []]
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        elif isinstance(errors, list):
            parts += [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
        if parts:
            return "; ".join(parts), 500
    return str(body), 300


def _is_html(response: requests.Response, text: str) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    return "html" in kind or text[:15].lower().startswith(("<!doctype html", "<html"))


_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def html_text(page: str) -> str:
    """What a reader sees of an HTML page: its text, tags and scripts left out."""
    text = _TAGS.sub(" ", _SCRIPTS.sub(" ", page))
    return " ".join(html.unescape(text).split())


def connection_error(target: str, what: str, exc: requests.RequestException) -> VendorError:
    """Translate a requests failure into a VendorError that names no credential."""
    kind = type(exc).__name__
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, BaseException):  # urllib3 gave up: say why (a timeout, a refusal)
        kind = f"{kind}: {type(reason).__name__}"
    return VendorError(target, what, None, f"no answer from the server ({kind}) after retries")


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
