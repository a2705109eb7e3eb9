"""Fixtures for the tests about OpsGenie alone: a seeded fake OpsGenie and a CLI bound to it
(what both paging services share is in tests/paging)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.fakes.opsgenie import FakeOpsGenie
from tests.paging.services import FAST_RETRIES, SCHEDULES, OpsGenie, at, seeded

__all__ = ["FAST_RETRIES", "SCHEDULES", "at"]

OPSGENIE = OpsGenie()
ONLY = OPSGENIE.only
seed = OPSGENIE.seed
check_fake = OPSGENIE.check
Run = Callable[..., Result]


@pytest.fixture
def og(org_repo: Path) -> Iterator[FakeOpsGenie]:
    with seeded(OPSGENIE, FakeOpsGenie(), org_repo) as fake:
        yield fake


@pytest.fixture
def genie(cli: Run, og: FakeOpsGenie, org_repo: Path) -> Run:
    """`setops ARGS --root <fixture organisation>` against the fake, with fast retries."""

    def invoke(*args: str, root: Path | None = None, **extra: str) -> Result:
        return cli(*args, "--root", str(root or org_repo), env=OPSGENIE.env(og, **extra))

    return invoke
