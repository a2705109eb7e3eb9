"""Chromium for the site tests: the system's own browser, driven by Playwright, on a page that
may not reach anything but its own files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright never downloads a browser here: it drives the one the system has.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOAD_TIMEOUT_MS = 15_000


def chromium_path() -> str:
    """The system's Chromium; a skip on a desktop without one, a failure in CI."""
    wanted = os.environ.get("SETOPS_CHROMIUM")
    found = wanted or next(filter(None, map(shutil.which, CANDIDATES)), None)
    if found and Path(found).exists():
        return found
    message = "no Chromium found (install Debian's chromium, or set SETOPS_CHROMIUM)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@dataclass
class Watch:
    """What the page did: console messages, uncaught errors, requests refused."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


@contextmanager
def browser_page(
    profile: Path, allow: tuple[str, ...] = (), **context: Any
) -> Iterator[tuple[Any, Watch]]:
    """A page in a fresh Chromium with an empty profile; any request that is not for a
    file (or under one of the `allow` prefixes: the local test server) is refused and
    recorded."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    watch = Watch()
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=FLAGS, **context
        )
        try:
            browser.set_default_timeout(LOAD_TIMEOUT_MS)
            page = browser.pages[0] if browser.pages else browser.new_page()

            def route(request_route: Any) -> None:
                url = request_route.request.url
                if url.startswith(("file://", "data:", *allow)):
                    watch.loaded.append(url)
                    request_route.continue_()
                else:
                    watch.refused.append(url)
                    request_route.abort()

            browser.route("**/*", route)
            # Requests the router may not see (file loads) are still listed here.
            page.on("request", lambda r: watch.requested.append(r.url))
            page.on("console", lambda m: watch.console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: watch.errors.append(str(e)))
            yield page, watch
        finally:
            browser.close()
