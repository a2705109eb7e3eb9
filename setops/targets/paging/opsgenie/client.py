"""OpsGenie's HTTP client (REST v2): the GenieKey, the `data` envelope, clean errors.

OPSGENIE_API_KEY is the key of an API integration with read and configuration access;
OPSGENIE_API_URL picks the region (https://api.eu.opsgenie.com) or a compatible server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from setops.targets.http import JsonApi, Session, base_url

DEFAULT_URL = "https://api.opsgenie.com"


class OpsGenieClient(JsonApi):
    """The OpsGenie calls setops makes. Every failure is a VendorError naming the object and
    quoting OpsGenie's own message; the key never appears in one."""

    def __init__(self, url: str, key: str) -> None:
        key = key.strip()  # a secret pasted with its newline is still the key
        session = Session({"Authorization": f"GenieKey {key}"})
        super().__init__("opsgenie", url, "OPSGENIE_API_URL", (key,), session)

    def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing_ok: bool = False,
        expect: type | None = None,
    ) -> Any:
        """The answer's `data`; with `expect`, it must be of that type (a list, an object)."""
        response = self.send(method, path, what, params=params, body=body, missing_ok=missing_ok)
        answer = self.json(response, what)
        if response is None or expect is None:
            return answer.get("data") if isinstance(answer, dict) else None
        envelope = self.shape(answer, dict, what, response.status_code, "data")
        return self.shape(envelope.get("data"), expect, what, response.status_code, "data")


def opsgenie_url(value: str | None) -> str:
    """OPSGENIE_API_URL as a base: the region's host (or a compatible server's), where a
    pasted API version (`…/v2`) is dropped, since the paths carry it."""
    url = base_url("OPSGENIE_API_URL", value, DEFAULT_URL, "https://api.eu.opsgenie.com")
    return url[: -len("/v2")] if url.endswith("/v2") else url
