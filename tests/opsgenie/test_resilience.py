"""An OpsGenie error about an object setops cannot make: one clean line that names it and
quotes OpsGenie, never the key. Retries, lost answers, crashes and the errors both paging
services share are in tests/paging/test_resilience.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.opsgenie.conftest import OPSGENIE, Run
from tests.paging.test_resilience import CANARY, no_canary


@pytest.fixture
def canary(org_repo: Path, cli: Run) -> Iterator[Any]:
    fakes: list[Any] = []

    def run(*args: str, team: bool = True) -> Result:
        fake = OPSGENIE.fake(secret=CANARY)
        fakes.append(fake)
        fake.start()
        OPSGENIE.seed(fake, org_repo)
        if not team:
            fake.teams.clear()
        env = OPSGENIE.env(fake)
        return cli(*args, *OPSGENIE.only, "--root", str(org_repo), env=env)

    yield run
    for fake in fakes:
        fake.stop()
        OPSGENIE.check(fake)


def test_a_vendor_error_names_the_object_and_quotes_opsgenie(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("apply", team=False)
    no_canary(result, tmp_path, caplog)
    assert "opsgenie: create schedule SET Lead failed (HTTP 422)" in result.err
    assert "does not exist" in result.err
    assert "0 of 76 changes were made before this" in result.err
