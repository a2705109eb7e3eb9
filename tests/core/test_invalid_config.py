"""Every failure class has a fixture named after it; the exact message and place are asserted.

A fixture directory in tests/fixtures/invalid/ holds only the files that differ from
tests/fixtures/base/, plus expected.txt: every line `setops validate` must print.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Result, copy_config

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_invalid_config_is_refused_at_its_place(
    case: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    repo = copy_config(FIXTURES / "base", tmp_path / "repo")
    copy_config(FIXTURES / "invalid" / case, repo)
    result = cli("validate", "--root", str(repo))
    expected = (FIXTURES / "invalid" / case / "expected.txt").read_text().splitlines()
    printed = result.err.splitlines()
    assert result.code == 1
    assert "Traceback" not in result.err
    for line in expected:
        assert line in printed, f"{case}: missing line {line!r} in:\n{result.err}"
    assert printed[-1].endswith("the configuration is invalid.")


def test_every_failure_class_of_the_issue_has_a_fixture() -> None:
    required = {
        "unknown_key",
        "wrong_type",
        "duplicate_key",
        "yaml_syntax_error",
        "tab_indentation",
        "alias_bomb",
        "non_utf8",
        "empty_file",
        "unknown_person",
        "unknown_team",
        "duplicate_person_id",
        "invalid_timezone",
        "cycle_gap",
        "cycle_overlap",
        "cycle_off_boundary",
        "double_booked",
        "lead_cannot_lead",
        "time_off_uncovered",
        "override_end_before_start",
        "override_outside_cycles",
        "override_same_person",
        "escalation_not_increasing",
        "escalation_unknown_role",
        "priority_duplicate_rank",
        "shift_time_not_half_hour",
        "shift_change_not_half_hour",
        "override_time_not_half_hour",
        "codeowners_missing_coverage",
        "credential_key",
        "credential_value",
    }
    assert required <= set(CASES)
