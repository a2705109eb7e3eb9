"""`setops plan` / `apply` against the fake JSM Operations: fresh apply, no-op, swaps,
on-call equality with `setops who`, overrides JSM names itself, foreign objects, paging,
and choosing the target."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import Result
from tests.fakes.jsm_ops import FakeJsmOps
from tests.jsm_ops.conftest import (
    ONLY,
    SCHEDULES,
    Run,
    applied,
    at,
    check_fake,
    jsm_env,
    names_of,
    override_view,
    rotation_names,
    seed,
    switch_to_jsm,
    writes,
)
from tests.jsm_ops.oncall import mismatches
from tests.opsgenie.edits import SWAP_TOMORROW, add_override, drop_overrides, swap_pair
from tests.opsgenie.oncall import every

NOW = at("2026-12-01T12:00:00+01:00")
EMEA_PRIMARY = "setops: 2026-12-07 emea primary"


def call(fake: FakeJsmOps, method: str, path: str, body: object = None) -> requests.Response:
    """A request as someone in the JSM UI (or another tool) would make it."""
    return requests.request(method, fake.api_url(path), json=body, auth=fake.auth, timeout=5)


# ---- fresh create, no-op, on-call equality ------------------------------------------------


def test_fresh_apply_creates_everything_then_plans_nothing(ops: Run, jsm: FakeJsmOps) -> None:
    result = applied(ops)
    assert "jsm-ops: 76 created, 0 updated, 0 deleted" in result.out
    # Three schedules with their rotations inline, four overrides, one team escalation.
    assert Counter(writes(jsm)) == {
        "POST /v1/schedules": 3,
        "POST /v1/schedules/{scheduleId}/overrides": 4,
        "POST /v1/teams/{teamId}/escalations": 1,
    }
    assert set(jsm.schedules_by_name()) == set(SCHEDULES)
    assert len(rotation_names(jsm, "SET Primary")) == 30
    assert len(rotation_names(jsm, "SET Lead")) == 8
    assert EMEA_PRIMARY in rotation_names(jsm, "SET Primary")
    schedule = jsm.schedules_by_name()["SET Primary"]
    assert schedule["timezone"] == "Europe/Berlin" and schedule["teamId"] in jsm.teams
    overrides = override_view(jsm, "SET Primary")
    assert [o["rotations"] for o in overrides] == [
        ["setops: 2026-12-14 emea primary"],
        ["setops: 2026-12-28 emea primary"],
    ]
    kai = next(p["jira"] for p in _people(jsm) if p["name"].startswith("Kai"))
    assert overrides[0]["responder"] == {"type": "user", "id": kai}

    before = jsm.snapshot()
    jsm.clear_log()
    again = ops("plan", *ONLY, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "0 to create, 0 to update, 0 to delete" in again.out
    applied(ops)
    assert jsm.mutating_requests() == []
    assert jsm.snapshot() == before


def _people(fake: FakeJsmOps) -> list[dict[str, str]]:
    return [{"jira": u.account_id, "name": u.name} for u in fake.users.values()]


def test_on_call_equals_setops_who_across_the_window(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    applied(ops)
    window = every(NOW, NOW + dt.timedelta(weeks=12), dt.timedelta(minutes=90))
    assert list(mismatches(jsm, jsm_repo, window)) == []


def test_on_call_answer_over_http_agrees_through_daylight_saving_changes(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    """March 2027: New York moves its clocks on the 14th, Berlin on the 28th."""
    now = "2027-03-01T12:00:00+01:00"
    applied(ops, SETOPS_NOW=now)
    assert "setops: 2027-03-08 amer primary #2" in rotation_names(jsm, "SET Primary")
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T12:00:00+02:00"), dt.timedelta(minutes=30)
    )
    assert list(mismatches(jsm, jsm_repo, weeks)) == []
    schedule = jsm.schedules_by_name()["SET Primary"]["id"]
    for when in ("2027-03-13T19:30:00-05:00", "2027-03-15T08:30:00-04:00"):
        response = requests.get(
            jsm.api_url(f"/v1/schedules/{schedule}/on-calls"),
            params={"date": when, "flat": "true"},
            auth=jsm.auth,
            timeout=5,
        )
        got = sorted(response.json()["onCallUsers"])
        assert got and got == sorted(jsm.on_call("SET Primary", at(when)))
    assert ops("plan", *ONLY, "--detailed-exitcode", SETOPS_NOW=now).code == 0


def test_per_role_and_shift_schedules_page_through_the_lists(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    """Five schedules do not fit one page of the fake (3): the list is followed."""
    path = jsm_repo / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("schedules: per-role", "schedules: per-role-and-shift"))
    applied(ops, SETOPS_NOW="2027-03-01T12:00:00+01:00")
    schedules = jsm.schedules_by_name()
    assert schedules["SET Primary amer"]["timezone"] == "America/New_York"
    jsm.clear_log()
    plan = ops("plan", *ONLY, "--detailed-exitcode", SETOPS_NOW="2027-03-01T12:00:00+01:00")
    assert plan.code == 0, plan.out
    pages = [r for r in jsm.log if r.path.endswith("/v1/schedules")]
    assert [r.query.get("offset") for r in pages] == [None, ["3"]]
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T00:00:00+02:00"), dt.timedelta(minutes=60)
    )
    assert list(mismatches(jsm, jsm_repo, weeks, "per-role-and-shift")) == []


def test_the_escalation_belongs_to_the_team_and_pages_primary_then_backup_then_lead(
    ops: Run, jsm: FakeJsmOps
) -> None:
    applied(ops)
    (team,) = jsm.teams
    (escalation,) = jsm.escalations(team)
    ids = {s["id"]: n for n, s in jsm.schedules_by_name().items()}
    rules = [(r["delay"], ids[r["recipient"]["id"]]) for r in escalation["rules"]]
    assert rules == [(0, "SET Primary"), (10, "SET Backup"), (20, "SET Lead")]
    assert {r["recipient"]["type"] for r in escalation["rules"]} == {"schedule"}
    assert escalation["repeat"]["count"] == 2 and escalation["repeat"]["waitInterval"] == 30


# ---- changes: exactly the objects that differ -------------------------------------------


def test_a_swap_in_a_cycle_updates_exactly_its_four_rotations(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    applied(ops)
    swap_pair(jsm_repo, "2027-01-11", "emea")
    plan = ops("plan", *ONLY, "--format", "json", "--detailed-exitcode")
    assert plan.code == 2
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {(c["action"], c["name"]) for c in changes} == {
        ("update", f"SET {role} / setops: {day} emea {role.lower()}")
        for role in ("Primary", "Backup")
        for day in ("2027-01-11", "2027-01-18")
    }
    assert all(set(c["fields"]) == {"participant"} for c in changes)
    jsm.clear_log()
    applied(ops)
    assert writes(jsm) == ["PATCH /v1/schedules/{scheduleId}/rotations/{id}"] * 4
    assert list(mismatches(jsm, jsm_repo, [at("2027-01-12T10:00:00+01:00")])) == []


def test_a_swap_for_tomorrow_creates_two_overrides(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    applied(ops)
    add_override(jsm_repo, SWAP_TOMORROW)
    jsm.clear_log()
    result = applied(ops)
    assert "needs --force" not in result.out
    assert writes(jsm) == ["POST /v1/schedules/{scheduleId}/overrides"] * 2
    tomorrow = at("2026-12-02T10:00:00+01:00")
    assert list(mismatches(jsm, jsm_repo, [tomorrow])) == []
    assert ops("plan", *ONLY, "--detailed-exitcode").code == 0


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


def test_removing_overrides_deletes_them_last(ops: Run, jsm: FakeJsmOps, jsm_repo: Path) -> None:
    applied(ops)
    drop_overrides(jsm_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    add_override(jsm_repo, SWAP_TOMORROW)
    swap_pair(jsm_repo, "2027-01-25", "amer")
    jsm.clear_log()
    applied(ops)
    methods = [w.split(" ")[0] for w in writes(jsm)]
    assert methods == ["PATCH"] * 4 + ["POST"] * 2 + ["DELETE"] * 2
    assert ops("plan", *ONLY, "--detailed-exitcode").code == 0


def test_ended_overrides_are_not_made_again_as_the_window_moves(ops: Run, jsm: FakeJsmOps) -> None:
    """JSM lists only ongoing and future overrides; setops does not re-create ended ones."""
    applied(ops)
    later = "2027-01-20T12:00:00+01:00"  # every bundled override has ended
    plan = ops("plan", *ONLY, "--format", "json", SETOPS_NOW=later)
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {(c["kind"], c["action"]) for c in changes} == {("rotation", "create")}
    applied(ops, SETOPS_NOW=later)
    assert ops("plan", *ONLY, "--detailed-exitcode", SETOPS_NOW=later).code == 0


# ---- foreign objects ------------------------------------------------------------------------


def test_a_hand_made_override_on_a_setops_rotation_is_foreign(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    """The 3 a.m. fix made in the UI, on one of setops' rotations: reported, left alone."""
    applied(ops)
    rotation = next(i for i, n in names_of(jsm, "SET Primary").items() if n == EMEA_PRIMARY)
    omar = next(u.account_id for u in jsm.users.values() if u.name.startswith("Omar"))
    schedule = jsm.schedules_by_name()["SET Primary"]["id"]
    made = call(
        jsm,
        "POST",
        f"/v1/schedules/{schedule}/overrides",
        {
            "responder": {"type": "user", "id": omar},
            "startDate": "2026-12-08T02:00:00Z",
            "endDate": "2026-12-08T08:00:00Z",
            "rotationIds": [rotation],
        },
    )
    assert made.status_code == 201, made.text
    alias = made.json()["alias"]
    jsm.clear_log()
    plan = ops("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 2, "the drift check must see a hand-made override"
    assert f"foreign: override '{alias}' in SET Primary puts omar.haddad@example.com" in plan.out
    assert "setops import" not in plan.out  # JSM's API has no timeline to import from
    applied(ops)
    assert jsm.mutating_requests() == []
    pruned = applied(ops, "--prune")
    assert "not setops' (--prune)" in pruned.out
    assert writes(jsm) == ["DELETE /v1/schedules/{scheduleId}/overrides/{alias}"]


def test_a_foreign_rotation_keeps_paging_and_is_named(ops: Run, jsm: FakeJsmOps) -> None:
    applied(ops)
    schedule = jsm.schedules_by_name()["SET Backup"]["id"]
    ana = next(u.account_id for u in jsm.users.values() if u.name.startswith("Ana"))
    made = call(
        jsm,
        "POST",
        f"/v1/schedules/{schedule}/rotations",
        {
            "name": "Old weekly",
            "type": "weekly",
            "startDate": "2026-11-02T08:00:00Z",
            "participants": [{"type": "user", "id": ana}],
        },
    )
    assert made.status_code == 201, made.text
    plan = ops("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 2
    assert "rotation 'Old weekly' in SET Backup (ana.figueira@example.com" in plan.out


def test_a_hand_edit_is_put_back_and_setops_mark_is_left_alone(ops: Run, jsm: FakeJsmOps) -> None:
    applied(ops)
    schedule = jsm.schedules_by_name()["SET Lead"]
    rotation = next(r for r in schedule["rotations"] if r["name"] == "setops: 2026-11-30 lead")
    hana = next(u.account_id for u in jsm.users.values() if u.name.startswith("Hana"))
    call(
        jsm,
        "PATCH",
        f"/v1/schedules/{schedule['id']}/rotations/{rotation['id']}",
        {"participants": [{"type": "user", "id": hana}]},
    )
    call(jsm, "PATCH", f"/v1/schedules/{schedule['id']}", {"timezone": "Europe/London"})
    plan = ops("plan", *ONLY)
    assert 'participant: "hana.lindqvist@example.com" -> "ivo.markovic@example.com"' in plan.out
    assert 'timezone: "Europe/London" -> "Europe/Berlin"' in plan.out
    assert "marks" not in plan.out
    jsm.clear_log()
    applied(ops)
    assert sorted(writes(jsm)) == [
        "PATCH /v1/schedules/{id}",
        "PATCH /v1/schedules/{scheduleId}/rotations/{id}",
    ]


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


def test_without_credentials_plan_shows_what_it_would_create(cli: Run, jsm_repo: Path) -> None:
    root = ("--root", str(jsm_repo))
    plain = cli("plan", *root)
    assert plain.code == 0
    assert "jsm-ops: 76 to create" in plain.out
    assert "JSM_OPS_EMAIL, JSM_OPS_API_TOKEN, JSM_OPS_CLOUD_ID" in plain.err
    assert cli("plan", *ONLY, *root).code == 1
    refused = cli("apply", *ONLY, *root)
    assert refused.code == 1 and "JSM_OPS_API_TOKEN" in refused.err


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
