"""The organisation's own configuration (rotations/, policies/) is the example a new user
sees: it must be valid and plan. This is its smoke test; every other test works on the
fixture organisation in tests/fixtures/org, so editing the live files breaks none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from setops.checks import validate_config
from setops.config.load import load_config
from tests.conftest import REPO, Result


def test_bundled_config_validates_without_errors_or_warnings(cli: Callable[..., Result]) -> None:
    result = cli("validate", "--root", str(REPO))
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.startswith("ok: ")


def test_bundled_config_plans_without_credentials(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPSGENIE_API_KEY", "JSM_OPS_API_TOKEN", "MATTERMOST_TOKEN", "JIRA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = cli("plan", "--root", str(REPO))
    assert result.code == 0, result.err
    assert "to create" in result.out


def test_bundled_config_has_the_organisation_the_issue_asks_for() -> None:
    config = load_config(REPO)
    assert len(config.people) >= 12
    assert len({p.team for p in config.people}) >= 4
    assert len(config.cycles) >= 13
    assert min(c.start for c in config.cycles) <= dt.date(2026, 11, 30)
    assert any(p.can_lead for p in config.people)
    assert len(config.overrides) >= 2 and len(config.time_off) >= 1
    assert {level.id for level in config.levels} == {"L1", "L2", "L3", "L4"}
    assert [item.when for item in config.checklist].count("handover") == 3


def test_runs_out_soon_is_a_warning_not_an_error(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    # The small organisation's last cycle ends 2027-01-11 09:00 CET.
    result = cli(
        "validate", "--root", str(small_repo), env={"SETOPS_NOW": "2026-12-20T12:00:00+01:00"}
    )
    assert result.code == 0
    assert (
        "rotations/set.yaml:32:12: warning: the schedule runs out in 21 days "
        "(the last cycle ends 2027-01-11 09:00 CET); add cycles"
    ) in result.err


def test_every_problem_is_collected_before_failing(small_repo: Path) -> None:
    text = (small_repo / "rotations/set.yaml").read_text()
    text = text.replace("lead: lou", "lead: nobody").replace("primary: amy", "primary: amie")
    (small_repo / "rotations/set.yaml").write_text(text)
    problems = validate_config(load_config(small_repo), dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    messages = [str(p) for p in problems]
    assert (
        "rotations/set.yaml:28:11: unknown person 'nobody'; add them to rotations/roster.yaml"
        in messages
    )
    assert (
        "rotations/set.yaml:36:23: unknown person 'amie'; add them to rotations/roster.yaml"
        in messages
    )


def test_github_actions_annotations(small_repo: Path, cli: Callable[..., Result]) -> None:
    text = (small_repo / "rotations/set.yaml").read_text().replace("lead: lou", "lead: nobody")
    (small_repo / "rotations/set.yaml").write_text(text)
    result = cli("validate", "--root", str(small_repo), env={"GITHUB_ACTIONS": "true"})
    assert result.code == 1
    assert (
        "::error file=rotations/set.yaml,line=28,col=11::unknown person 'nobody'; "
        "add them to rotations/roster.yaml"
    ) in result.out.splitlines()


def test_missing_file_and_missing_root(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "rotations").mkdir()
    result = cli("validate", "--root", str(tmp_path))
    assert result.code == 1
    assert "rotations/roster.yaml:1:1: file not found; setops needs it" in result.err
    gone = cli("validate", "--root", str(tmp_path / "nope"))
    assert gone.code == 1
    assert "Traceback" not in gone.err
