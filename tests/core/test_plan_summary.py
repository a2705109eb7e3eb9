"""Issue 12 §8: `setops plan` prints a summary per target first, then the changes; the JSON
form is unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

CREDENTIALS = ("OPSGENIE_API_KEY", "MATTERMOST_URL", "MATTERMOST_TOKEN")


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without credentials plan shows the state it would push: no service is asked."""
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)


def plan(cli: Callable[..., Result], repo: Path, *args: str) -> Result:
    result = cli("plan", "--root", str(repo), *args)
    assert result.code == 0, result.err
    return result


def test_plan_prints_a_summary_per_target_before_the_changes(
    org_repo: Path, cli: Callable[..., Result]
) -> None:
    lines = plan(cli, org_repo).out.splitlines()
    assert lines[:4] == [
        "Summary:",
        "  opsgenie    76 to create, 0 to update, 0 to delete  (not configured)",
        "  mattermost  0 to create, 1 to update, 0 to delete  (not configured)",
        "",
    ]
    first_change = next(i for i, line in enumerate(lines) if line.startswith("  + "))
    assert first_change > 4 and lines[4].startswith("opsgenie: 76 to create")


def test_plan_markdown_starts_with_the_summary_table(
    org_repo: Path, cli: Callable[..., Result]
) -> None:
    out = plan(cli, org_repo, "--format", "markdown").out
    head = out.split("\n#### ", 1)[0]
    assert head.endswith(
        "| target | create | update | delete |\n|---|--:|--:|--:|\n"
        "| opsgenie (not configured) | 76 | 0 | 0 |\n"
        "| mattermost (not configured) | 0 | 1 | 0 |\n"
    )


def test_plan_json_is_unchanged_by_the_summary(org_repo: Path, cli: Callable[..., Result]) -> None:
    data = json.loads(plan(cli, org_repo, "--format", "json").out)
    assert set(data) == {"has_changes", "has_drift", "targets"}
    assert [t["target"] for t in data["targets"]] == ["opsgenie", "mattermost"]
    assert "summary" not in json.dumps(data)
