"""The retrying session every JSON service is called through: timeouts, bounded retries.

Retries use urllib3's `Retry` (exponential backoff with jitter, `Retry-After` honoured). A
request that may have been carried out is never repeated blindly: POST, and any request on
a `once` session, is retried only on 429 (the server says it did nothing); what to do after
a lost answer to such a write is `write_once`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from setops import __version__
from setops.errors import SetopsError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
MAX_RETRY_AFTER = 120.0  # seconds: a longer wait asked by a server is a failure, not a hang


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
