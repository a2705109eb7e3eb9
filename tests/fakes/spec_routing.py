"""A spec checker for fakes whose vendor publishes several descriptions, or whose clients
call documented endpoints that the stored subset leaves out.

:class:`RoutedSpecChecker` picks the description by path prefix and checks the request
with an ordinary :class:`~tests.fakes.base.SpecChecker`. A request that no stored
description documents (method + path) is not flagged as a violation -- the vendor
documents it elsewhere, the subset just does not carry it -- but recorded in
:attr:`RoutedSpecChecker.unchecked`, so a test can still see what went unchecked.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .base import Request, Response, SpecChecker, compile_template

Rewrite = Callable[[Request], Request]


@functools.cache
def documented_operations(spec_file: Path) -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """(path pattern, methods) for every path of an OpenAPI description."""
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    return tuple(
        (compile_template(template), frozenset(m.upper() for m in item if m != "parameters"))
        for template, item in spec.get("paths", {}).items()
    )


class RoutedSpecChecker(SpecChecker):
    """Checks each request against the description registered for its path prefix.

    ``routes`` is a sequence of (path prefix, spec file); the first matching prefix wins.
    ``rewrite`` may map a request onto the path its description uses (e.g. Jira's
    ``/rest/api/latest`` onto ``/rest/api/2``). It wraps ordinary checkers, so the base
    initialiser (one file) is deliberately not called.
    """

    def __init__(
        self, routes: Sequence[tuple[str, Path]], *, rewrite: Rewrite | None = None
    ) -> None:
        self._routes = [(prefix, SpecChecker.for_file(path), path) for prefix, path in routes]
        self._rewrite = rewrite or (lambda request: request)
        self.unchecked: list[str] = []
        self._unchecked_lock = threading.Lock()

    def _checker_for(self, request: Request) -> SpecChecker | None:
        path = request.raw_route_path
        for prefix, checker, spec_file in self._routes:
            if path.startswith(prefix):
                for pattern, methods in documented_operations(spec_file):
                    if request.method in methods and pattern.fullmatch(path):
                        return checker
                return None
        return None

    def check(self, request: Request) -> list[str]:
        target = self._rewrite(request)
        checker = self._checker_for(target)
        if checker is None:
            with self._unchecked_lock:
                self.unchecked.append(f"{request.method} {request.path}")
            return []
        return checker.check(target)

    def check_response(self, request: Request, response: Response) -> list[str]:
        target = self._rewrite(request)
        checker = self._checker_for(target)
        method = getattr(checker, "check_response", None)
        return list(method(target, response)) if method is not None else []
