"""A scoped JSM API token that lacks a scope: one clean line naming the scopes it needs,
never the token. Retries, lost answers, crashes and the errors both paging services share
are in tests/paging/test_resilience.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jsm_ops import READ_SCOPE, WRITE_SCOPE, FakeJsmOps
from tests.jsm_ops.conftest import JSM, ONLY, Run, check_fake, clock, jsm_env, seed
from tests.paging.conftest import repo
from tests.paging.edits import drop_overrides
from tests.paging.services import Service
from tests.paging.test_resilience import CANARY, canary, no_canary

__all__ = ["canary", "repo"]  # fixtures of the shared tests, for JSM alone here


@pytest.fixture
def service() -> Service:
    return JSM


def test_a_token_without_a_needed_scope_names_the_scopes(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = canary("apply", options={"token_scopes": {READ_SCOPE}})
    no_canary(result, tmp_path, caplog)
    assert "create schedule SET Lead failed (HTTP 401): Unauthorized; scope does not match" in (
        result.err
    )
    assert "write:ops-config:jira-service-management" in result.err
    assert "0 of 76 changes were made before this" in result.err


def test_deleting_needs_the_delete_scope(
    cli: Run, jsm_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeJsmOps(api_token=CANARY, token_scopes={READ_SCOPE, WRITE_SCOPE}, now=clock()) as f:
        seed(f, jsm_repo)
        root = ("--root", str(jsm_repo))
        assert cli("apply", *ONLY, *root, env=jsm_env(f)).code == 0
        drop_overrides(jsm_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
        result = cli("apply", *ONLY, *root, env=jsm_env(f))
        no_canary(result, tmp_path, caplog)
        # JSM named it; setops knows it by its mark, not by the YAML id that was removed.
        assert "jsm-ops: delete override '" in result.err and "in SET Primary" in result.err
        assert "delete:ops-config:jira-service-management" in result.err
        check_fake(f)
