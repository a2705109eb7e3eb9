"""What a failed call says: the vendor's own message, with every secret blanked.

A VendorError names the target, the object and the vendor's words; nothing here ever
echoes a request header or a credential.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import requests

from setops.errors import SetopsError


class VendorError(SetopsError):
    """A service refused or failed a call. Names the object and the vendor's own message."""

    def __init__(self, target: str, what: str, status: int | None, message: str) -> None:
        self.target, self.what, self.status, self.vendor_message = target, what, status, message
        code = f" (HTTP {status})" if status else ""
        super().__init__(f"{target}: {what} failed{code}: {message}")


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
