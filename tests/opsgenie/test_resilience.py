"""An OpsGenie error about an object setops cannot make: one clean line that names it and
quotes OpsGenie, never the key. Retries, lost answers, crashes and the errors both paging
services share are in tests/paging/test_resilience.py."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.opsgenie.conftest import OPSGENIE
from tests.paging.conftest import repo
from tests.paging.services import Service
from tests.paging.test_resilience import canary, no_canary

__all__ = ["canary", "repo"]  # fixtures of the shared tests, for OpsGenie alone here


@pytest.fixture
def service() -> Service:
    return OPSGENIE


def test_a_vendor_error_names_the_object_and_quotes_opsgenie(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("apply", meddle=lambda fake: fake.teams.clear())
    no_canary(result, tmp_path, caplog)
    assert "opsgenie: create schedule SET Lead failed (HTTP 422)" in result.err
    assert "does not exist" in result.err
    assert "0 of 76 changes were made before this" in result.err
