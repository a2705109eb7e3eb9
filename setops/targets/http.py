"""The shared HTTP session of every target: timeouts, bounded retries, clean errors.

Retries use urllib3's `Retry` (exponential backoff with jitter, `Retry-After` honoured). A
request that may have been carried out is never repeated blindly: POST is retried only on
429 (the server says it did nothing); after a lost POST response the target re-reads the
object by its stable name before trying again (`create_once`).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
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

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is not None and value > MAX_RETRY_AFTER:
            raise SetopsError(
                f"the server asked to wait {value:.0f} s before retrying (Retry-After); "
                f"giving up, as setops waits at most {MAX_RETRY_AFTER:.0f} s"
            )
        return value


def retry_policy() -> SafeRetry:
    total = int(os.environ.get("SETOPS_HTTP_RETRIES", "5"))
    return SafeRetry(
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
    """A requests session whose every call has a timeout and goes through SafeRetry."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=4)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
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
    when the lost request did take effect, so a create is never duplicated.
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
            found = find_existing()
            if found is not None:
                return found
            if attempt == tries:
                raise
            _pause(attempt)
    raise AssertionError("unreachable")


def _pause(attempt: int) -> None:
    """Back off before trying a create again, as the retry policy would (with jitter)."""
    policy = retry_policy()
    delay = min(policy.backoff_max, policy.backoff_factor * 2 ** (attempt - 1))
    time.sleep(delay * (0.5 + random.random() / 2))


def vendor_message(response: requests.Response) -> str:
    """The vendor's own error text from a response body, without echoing request headers."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else response.reason or "no message"
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
            return "; ".join(parts)[:500]
    return str(body)[:300]


def connection_error(target: str, what: str, exc: requests.RequestException) -> VendorError:
    """Translate a requests failure into a VendorError that names no credential."""
    kind = type(exc).__name__
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, BaseException):  # urllib3 gave up: say why (a timeout, a refusal)
        kind = f"{kind}: {type(reason).__name__}"
    return VendorError(target, what, None, f"no answer from the server ({kind}) after retries")
