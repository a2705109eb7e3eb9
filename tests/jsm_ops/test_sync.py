"""`setops plan` / `apply` against the fake JSM Operations, where JSM differs: ids for names,
overrides it names itself (found again by setops' mark), overrides it stops listing once
they end, and choosing JSM over OpsGenie. What both paging services must do is in
tests/paging/test_sync.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.fakes.jsm_ops import FakeJsmOps
from tests.jsm_ops.conftest import (
    ONLY,
    Run,
    applied,
    at,
    check_fake,
    jsm_env,
    mismatches,
    override_view,
    seed,
    switch_to_jsm,
    writes,
)

# ---- JSM names things by id ------------------------------------------------------------------


def test_a_fresh_apply_names_people_by_account_and_overrides_by_rotation(
    ops: Run, jsm: FakeJsmOps
) -> None:
    """JSM names everything by id: the schedule's team, the override's rotations, people."""
    applied(ops)
    schedule = jsm.schedules_by_name()["SET Primary"]
    assert schedule["timezone"] == "Europe/Berlin" and schedule["teamId"] in jsm.teams
    overrides = override_view(jsm, "SET Primary")
    assert [o["rotations"] for o in overrides] == [
        ["setops: 2026-12-14 emea primary"],
        ["setops: 2026-12-28 emea primary"],
    ]
    kai = next(p["jira"] for p in _people(jsm) if p["name"].startswith("Kai"))
    assert overrides[0]["responder"] == {"type": "user", "id": kai}


def _people(fake: FakeJsmOps) -> list[dict[str, str]]:
    return [{"jira": u.account_id, "name": u.name} for u in fake.users.values()]


def test_an_edited_override_is_updated_in_place(ops: Run, jsm: FakeJsmOps, jsm_repo: Path) -> None:
    """JSM names overrides itself; setops' mark lets it find its own again after an edit."""
    applied(ops)
    (before,) = [o for o in jsm.overrides("SET Backup")]
    path = jsm_repo / "rotations" / "overrides.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    person: jonas\n    start: '2026-12-16", "    person: ben\n    start: '2026-12-16"
        )
    )
    plan = ops("plan", *ONLY)
    assert "~ override 'SET Backup / setops-swap-kai-jonas-2026-12-16'" in plan.out
    assert 'user: "jonas.brandt@example.com" -> "ben.achterberg@example.com"' in plan.out
    jsm.clear_log()
    applied(ops)
    assert writes(jsm) == ["PUT /v1/schedules/{scheduleId}/overrides/{alias}"]
    (after,) = jsm.overrides("SET Backup")
    assert after["alias"] == before["alias"]
    assert list(mismatches(jsm, jsm_repo, [at("2026-12-16T10:00:00+01:00")])) == []


def test_ended_overrides_are_not_made_again_as_the_window_moves(ops: Run, jsm: FakeJsmOps) -> None:
    """JSM lists only ongoing and future overrides; setops does not re-create ended ones."""
    applied(ops)
    later = "2027-01-20T12:00:00+01:00"  # every bundled override has ended
    plan = ops("plan", *ONLY, "--format", "json", SETOPS_NOW=later)
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {(c["kind"], c["action"]) for c in changes} == {("rotation", "create")}
    applied(ops, SETOPS_NOW=later)
    assert ops("plan", *ONLY, "--detailed-exitcode", SETOPS_NOW=later).code == 0


# ---- choosing the target, credentials, and the same plan as OpsGenie ----------------------


def test_the_switch_is_one_line_and_opsgenie_is_no_longer_planned(
    cli: Run, org_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSGENIE_API_KEY", raising=False)
    root = ("--root", str(org_repo))
    with FakeJsmOps() as fake:
        seed(fake, org_repo)
        env = jsm_env(fake)
        before = json.loads(cli("plan", "--format", "json", *root, env=env).out)
        assert "opsgenie" in [t["target"] for t in before["targets"]]
        assert "jsm-ops" not in [t["target"] for t in before["targets"]]
        assert fake.log == []
        switch_to_jsm(org_repo)
        after = json.loads(cli("plan", "--format", "json", *root, env=env).out)
        names = [t["target"] for t in after["targets"]]
        assert "jsm-ops" in names and "opsgenie" not in names
        check_fake(fake)


def test_only_plans_jsm_before_the_switch_once_its_credentials_are_set(
    cli: Run, org_repo: Path
) -> None:
    """Still on OpsGenie in policies/, a team can check JSM with `plan --only jsm-ops`."""
    root = ("--root", str(org_repo))
    no_credentials = cli("plan", *ONLY, *root)
    assert no_credentials.code == 1
    assert (
        "--only: jsm-ops is not enabled in policies/integrations.yaml (paging.target is "
        "opsgenie); to plan against it before the switch, set JSM_OPS_EMAIL, "
        "JSM_OPS_API_TOKEN, JSM_OPS_CLOUD_ID" in no_credentials.err
    )
    partly = cli("plan", *ONLY, *root, env={"JSM_OPS_EMAIL": "a@example.com"})
    assert partly.code == 1
    assert "set JSM_OPS_API_TOKEN, JSM_OPS_CLOUD_ID" in partly.err
    with FakeJsmOps() as fake:
        seed(fake, org_repo)
        plan = cli("plan", *ONLY, *root, env=jsm_env(fake))
        assert plan.code == 0, plan.err
        assert "jsm-ops: 76 to create" in plan.out and "opsgenie" not in plan.out
        check_fake(fake)


def test_a_plan_renders_as_it_does_for_opsgenie(cli: Run, jsm_repo: Path) -> None:
    """Same objects, same names, people by the same names: only the target differs."""
    root = ("--root", str(jsm_repo))
    jsm_plan = _changes(cli("plan", "--format", "json", *root), "jsm-ops")
    path = jsm_repo / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("target: jsm-ops", "target: opsgenie"))
    opsgenie_plan = _changes(cli("plan", "--format", "json", *root), "opsgenie")
    assert len(jsm_plan) == 76 and jsm_plan == opsgenie_plan
    text_plan = cli("plan", *root).out
    assert "+ rotation 'SET Primary / setops: 2026-12-07 emea primary'" in text_plan


def _changes(result: Result, name: str) -> list[dict[str, object]]:
    data = json.loads(result.out)
    target = next(t for t in data["targets"] if t["target"] == name)
    return [{k: v for k, v in c.items() if k != "target"} for c in target["changes"]]


def test_a_missing_team_is_named(cli: Run, jsm_repo: Path) -> None:
    with FakeJsmOps() as fake:
        seed(fake, jsm_repo)
        fake.teams.clear()
        fake.seed_team("Platform")
        result = cli("plan", *ONLY, "--root", str(jsm_repo), env=jsm_env(fake))
        assert result.code == 1
        assert "jsm-ops: no team 'SET' in JSM Operations (teams there: Platform)" in result.err
        assert "paging.owner_team" in result.err
        check_fake(fake)
