"""A credential of nothing but white space is as good as none: plan shows the desired state."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import ORG, Result


def test_whitespace_only_key_counts_as_missing(cli: Callable[..., Result]) -> None:
    result = cli("plan", "--root", str(ORG), env={"OPSGENIE_API_KEY": "   "})
    assert result.code == 0, result.err
    assert "OpsGenie is not configured: set OPSGENIE_API_KEY" in result.out
    assert "to create" in result.out
