"""Writes that must happen once: after a lost or 5xx answer to a create, look before sending again.

A request that may have been carried out is never repeated blindly: after a lost POST
answer the target re-reads the object by its stable name before trying again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import requests

from setops.errors import SetopsError
from setops.targets.http.session import is_lost_response, retry_policy, timeout

log = logging.getLogger(__name__)
T = TypeVar("T")


class UncertainWrite(SetopsError):
    """A write answered with a server error: it may or may not have been carried out.

    Raised by a target's client for a non-idempotent request (POST) that got a 5xx, so that
    `create_once` looks before it tries again, exactly as after a lost answer.
    """

    def __init__(self, what: str, status: int, message: str) -> None:
        self.what, self.status = what, status
        super().__init__(f"{what} failed (HTTP {status}): {message}")


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
