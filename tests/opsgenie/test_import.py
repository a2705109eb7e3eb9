"""`setops import opsgenie`: OpsGenie's rotation into rotations/ YAML, comments kept, so the
YAML pages the same people; then `plan` shows the hand-over to setops' own objects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import ONLY, OPSGENIE, Run, at
from tests.opsgenie.test_sync import NOW, THREE_AM, applied
from tests.paging.edits import cut_cycles_from, keep_overrides
from tests.paging.oncall import every

mismatches = OPSGENIE.mismatches
WINDOW = every(NOW, NOW + dt.timedelta(weeks=12), dt.timedelta(minutes=60))


def disown(fake: FakeOpsGenie) -> None:
    """Rename everything setops made, as if a team had built it by hand before setops."""
    with fake.lock:
        for schedule in fake.schedules.values():
            for rotation in schedule.rotations:
                rotation.name = rotation.name.replace("setops: ", "Hand-made ")
            overrides = {}
            for override in schedule.overrides.values():
                override.alias = override.alias.replace("setops-", "ui-")
                overrides[override.alias] = override
            schedule.overrides = overrides


def test_a_hand_made_override_is_brought_into_the_yaml(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    fix = {**THREE_AM, "startDate": "2026-12-03T09:00:00Z", "endDate": "2026-12-03T13:00:00Z"}
    og.seed_override("SET Primary", fix)
    assert list(mismatches(og, org_repo, [at("2026-12-03T11:00:00+01:00")]))
    og.clear_log()
    result = genie("import", "opsgenie")
    assert result.code == 0, result.err
    assert "imported from OpsGenie: 0 cycle(s), 1 override(s)" in result.out
    assert og.mutating_requests() == []
    text = (org_repo / "rotations" / "overrides.yaml").read_text(encoding="utf-8")
    assert "# Jonas has a release on Wednesday" in text, "comments must be kept"
    assert "id: opsgenie-primary-emea-20261203t1000" in text
    assert "person: omar" in text and "start: '2026-12-03T10:00:00+01:00'" in text
    assert list(mismatches(og, org_repo, WINDOW)) == []
    plan = genie("plan", *ONLY)
    assert "+ override 'SET Primary / setops-opsgenie-primary-emea-20261203t1000'" in plan.out
    assert "foreign: override '3am-fix'" in plan.out
    applied(genie)
    assert list(mismatches(og, org_repo, WINDOW)) == []
    applied(genie, "--prune")
    assert genie("plan", *ONLY, "--detailed-exitcode").code == 0


def test_a_team_on_opsgenie_adopts_setops_without_retyping(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    disown(og)  # OpsGenie now pages the bundled rotation from objects setops did not make
    cut_cycles_from(org_repo, "2026-12-14")
    keep_overrides(org_repo, 0)
    set_yaml = org_repo / "rotations" / "set.yaml"
    result = genie("import", "opsgenie")
    assert result.code == 0, result.err
    assert "imported from OpsGenie: 6 cycle(s)" in result.out
    assert "keep paging until they are removed" in result.out
    text = set_yaml.read_text(encoding="utf-8")
    assert "# The SET rotation. A cycle lasts two weeks." in text
    assert "  - start: 2027-02-22\n    lead: tomas\n" in text
    assert "emea: {primary: jonas, backup: kai}" in text
    # Right after the import the YAML pages exactly whom OpsGenie pages.
    assert list(mismatches(og, org_repo, WINDOW)) == []
    og.clear_log()
    plan = genie("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 2
    assert "+ rotation 'SET Primary / setops: 2026-12-14 emea primary'" in plan.out
    assert "rotation(s) in these schedules are not setops'; they keep paging" in plan.out
    assert og.mutating_requests() == []
    applied(genie)
    assert list(mismatches(og, org_repo, WINDOW)) == []
    handed_over = applied(genie, "--prune", "--force")
    assert "not setops' (--prune)" in handed_over.out
    assert list(mismatches(og, org_repo, WINDOW)) == []
    assert genie("plan", *ONLY, "--detailed-exitcode").code == 0


def test_import_refuses_people_missing_from_the_roster(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    og.seed_user("stranger@example.com")
    stranger = {**THREE_AM, "alias": "stranger", "startDate": "2026-12-03T09:00:00Z"}
    stranger["user"] = {"type": "user", "username": "stranger@example.com"}
    stranger["endDate"] = "2026-12-03T13:00:00Z"
    og.seed_override("SET Primary", stranger)
    before = (org_repo / "rotations" / "overrides.yaml").read_text(encoding="utf-8")
    result = genie("import", "opsgenie")
    assert result.code == 1
    assert "not in rotations/roster.yaml: stranger@example.com" in result.err
    assert (org_repo / "rotations" / "overrides.yaml").read_text(encoding="utf-8") == before


def test_import_dry_run_writes_nothing(genie: Run, og: FakeOpsGenie, org_repo: Path) -> None:
    applied(genie)
    fix = {**THREE_AM, "startDate": "2026-12-03T09:00:00Z", "endDate": "2026-12-03T13:00:00Z"}
    og.seed_override("SET Primary", fix)
    before = (org_repo / "rotations" / "overrides.yaml").read_text(encoding="utf-8")
    result = genie("import", "opsgenie", "--dry-run")
    assert result.code == 0, result.err
    assert "would become" in result.out and "opsgenie-primary-emea-20261203t1000" in result.out
    assert (org_repo / "rotations" / "overrides.yaml").read_text(encoding="utf-8") == before
