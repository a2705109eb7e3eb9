"""Fixtures of the shared paging tests: each test runs once per paging service, against
that service's fake, seeded from the fixture organisation (switched to the service)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.paging.services import SERVICES, Service, seeded

Run = Callable[..., Result]


@pytest.fixture(params=SERVICES, ids=lambda service: service.name)
def service(request: pytest.FixtureRequest) -> Service:
    chosen: Service = request.param
    return chosen


@pytest.fixture
def repo(org_repo: Path, service: Service) -> Path:
    """A copy of the fixture organisation, paging through `service`."""
    service.prepare(org_repo)
    return org_repo


@pytest.fixture
def server(service: Service, repo: Path) -> Iterator[Any]:
    """The service's fake, seeded with the roster and the SET team; checked at the end."""
    with seeded(service, service.fake(), repo) as fake:
        yield fake


@pytest.fixture
def run(cli: Run, service: Service, server: Any, repo: Path) -> Run:
    """`setops ARGS --only <service> --root <repo>` against the fake, with fast retries;
    SETOPS_NOW=… moves the fake's clock too (where it has one)."""

    def invoke(*args: str, **extra: str) -> Result:
        if "SETOPS_NOW" in extra:
            service.set_now(server, extra["SETOPS_NOW"])
        env = service.env(server, **extra)
        return cli(*args, *service.only, "--root", str(repo), env=env)

    return invoke


def applied(run: Run, *args: str, **extra: str) -> Result:
    result = run("apply", *args, **extra)
    assert result.code == 0, result.err
    return result


def settled(run: Run, **extra: str) -> None:
    plan = run("plan", "--detailed-exitcode", **extra)
    assert plan.code == 0, plan.out + plan.err
