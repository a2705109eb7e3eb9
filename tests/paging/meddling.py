"""A fake that lets a test act on its own state just before it handles a matching request:
what someone in the vendor's UI does between setops' read and its write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.fakes.base import FakeServer, Request, Response

Action = Callable[[Any, Request], None]


class Meddling(FakeServer):
    """Mix in before a fake: `before(method, path, action)` runs `action(fake, request)`
    once, for the first request that matches, before the fake handles it."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self.meddles: list[tuple[str, str, Action]] = []

    def before(self, method: str, path: str, action: Action) -> None:
        self.meddles.append((method, path, action))

    def before_request(self, request: Request) -> Response | None:
        answer = super().before_request(request)
        if answer is None:
            for rule in list(self.meddles):
                method, path, action = rule
                if request.method == method and re.search(path, request.path):
                    self.meddles.remove(rule)
                    action(self, request)
                    break
        return answer
