"""`setops plan` / `apply` against the fake OpsGenie: create, no-op, swaps, on-call equality,
foreign objects, the safety rail, pre-flight, and running without a key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import Result
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import ONLY, SCHEDULES, Run, at, check_fake, seed
from tests.opsgenie.edits import (
    SWAP_TOMORROW,
    add_override,
    cut_cycles_from,
    drop_overrides,
    keep_overrides,
    swap_pair,
)
from tests.opsgenie.oncall import every, mismatches

NOW = at("2026-12-01T12:00:00+01:00")


def applied(genie: Run, *args: str) -> Result:
    result = genie("apply", *ONLY, *args)
    assert result.code == 0, result.err
    return result


def writes(og: FakeOpsGenie) -> list[str]:
    return [f"{r.method} {r.path}" for r in og.mutating_requests()]


# ---- fresh create, no-op, on-call equality ------------------------------------------------


def test_fresh_apply_creates_everything_then_plans_nothing(genie: Run, og: FakeOpsGenie) -> None:
    result = applied(genie)
    assert "opsgenie: 76 created, 0 updated, 0 deleted" in result.out
    # Three schedules with their rotations inline, four overrides, one escalation.
    assert Counter(r.method for r in og.mutating_requests()) == {"POST": 8}
    assert set(og.schedules_by_name()) == set(SCHEDULES)
    assert len(og.rotations("SET Primary")) == 30 and len(og.rotations("SET Lead")) == 8
    assert {o["alias"] for o in og.overrides("SET Primary")} == {
        "setops-swap-jonas-kai-2026-12-16",
        "setops-cover-ana-new-year",
    }
    names = [r["name"] for s in SCHEDULES for r in og.rotations(s)]
    assert len(names) == len(set(names))
    assert "setops: 2026-12-07 emea primary" in names

    before = og.snapshot()
    og.clear_log()
    again = genie("plan", *ONLY, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "0 to create, 0 to update, 0 to delete" in again.out
    applied(genie)
    assert og.mutating_requests() == []
    assert og.snapshot() == before


def test_on_call_equals_setops_who_across_the_window(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    window = every(NOW, NOW + dt.timedelta(weeks=12), dt.timedelta(minutes=90))
    assert list(mismatches(og, org_repo, window)) == []


def test_on_call_equals_setops_who_through_daylight_saving_changes(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    """March 2027: New York moves its clocks on the 14th, Berlin on the 28th, so for two
    weeks the amer shift's hours sit an hour earlier on the Berlin schedule."""
    now = "2027-03-01T12:00:00+01:00"
    result = genie("apply", *ONLY, SETOPS_NOW=now)
    assert result.code == 0, result.err
    split = [r for r in og.rotations("SET Primary") if "#" in r["name"]]
    assert {r["name"] for r in split} >= {"setops: 2027-03-08 amer primary #2"}
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T12:00:00+02:00"), dt.timedelta(minutes=30)
    )
    assert list(mismatches(og, org_repo, weeks)) == []
    # OpsGenie's own HTTP answer agrees with the oracle on both sides of each change.
    for when in (
        "2027-03-13T19:30:00-05:00",
        "2027-03-15T08:30:00-04:00",
        "2027-03-15T19:30:00-04:00",
        "2027-03-29T19:30:00-04:00",
    ):
        schedule_id = og.schedules_by_name()["SET Primary"]["id"]
        response = requests.get(
            og.url(f"/v2/schedules/{schedule_id}/on-calls"),
            params={"date": when, "flat": "true"},
            headers={"Authorization": f"GenieKey {og.api_key}"},
            timeout=5,
        )
        got = sorted(response.json()["data"]["onCallRecipients"])
        assert got == sorted(og.on_call("SET Primary", at(when)))
        assert got, f"nobody on call at {when}"
    again = genie("plan", *ONLY, "--detailed-exitcode", SETOPS_NOW=now)
    assert again.code == 0, again.out


def test_per_role_and_shift_schedules_live_in_their_shift_zones(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    path = org_repo / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("schedules: per-role", "schedules: per-role-and-shift"))
    result = genie("apply", *ONLY, SETOPS_NOW="2027-03-01T12:00:00+01:00")
    assert result.code == 0, result.err
    schedules = og.schedules_by_name()
    assert schedules["SET Primary amer"]["timezone"] == "America/New_York"
    assert schedules["SET Backup emea"]["timezone"] == "Europe/Berlin"
    assert not any("#" in r["name"] for r in og.rotations("SET Primary amer"))
    escalation = og.escalation("SET escalation")
    assert escalation is not None
    primary = [r["recipient"]["name"] for r in escalation["rules"] if r["delay"]["timeAmount"] == 0]
    assert primary == ["SET Primary emea", "SET Primary amer"]
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T00:00:00+02:00"), dt.timedelta(minutes=60)
    )
    assert list(mismatches(og, org_repo, weeks, "per-role-and-shift")) == []


def test_escalation_pages_primary_then_backup_then_lead(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    escalation = og.escalation("SET escalation")
    assert escalation is not None
    rules = [(r["delay"]["timeAmount"], r["recipient"]["name"]) for r in escalation["rules"]]
    assert rules == [(0, "SET Primary"), (10, "SET Backup"), (20, "SET Lead")]
    assert {r["condition"] for r in escalation["rules"]} == {"if-not-acked"}
    assert escalation["repeat"]["count"] == 2 and escalation["repeat"]["waitInterval"] == 30
    assert escalation["ownerTeam"]["name"] == "SET"


# ---- changes: exactly the objects that differ -------------------------------------------


def test_a_swap_in_a_cycle_updates_exactly_its_four_rotations(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    og.clear_log()
    swap_pair(org_repo, "2027-01-11", "emea")
    plan = genie("plan", *ONLY, "--format", "json", "--detailed-exitcode")
    assert plan.code == 2
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {(c["action"], c["name"]) for c in changes} == {
        ("update", f"SET {role} / setops: {day} emea {role.lower()}")
        for role in ("Primary", "Backup")
        for day in ("2027-01-11", "2027-01-18")
    }
    assert all(set(c["fields"]) == {"participant"} for c in changes)
    og.clear_log()
    applied(genie)
    assert sorted(w.split(" ")[0] for w in writes(og)) == ["PATCH"] * 4
    assert list(mismatches(og, org_repo, [at("2027-01-12T10:00:00+01:00")])) == []


def test_a_swap_for_tomorrow_creates_two_overrides_without_force(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    add_override(org_repo, SWAP_TOMORROW)
    og.clear_log()
    result = applied(genie)
    assert "needs --force" not in result.out
    assert writes(og) == [
        "POST /v2/schedules/SET Primary/overrides",
        "POST /v2/schedules/SET Backup/overrides",
    ]
    tomorrow = at("2026-12-02T10:00:00+01:00")
    assert og.on_call("SET Primary", tomorrow) == ["femi.adeyemi@example.com"]
    assert list(mismatches(og, org_repo, [tomorrow])) == []


def test_removing_an_override_deletes_it_last(genie: Run, og: FakeOpsGenie, org_repo: Path) -> None:
    applied(genie)
    drop_overrides(org_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    og.clear_log()
    applied(genie)
    assert sorted(writes(og)) == [
        "DELETE /v2/schedules/SET Backup/overrides/setops-swap-kai-jonas-2026-12-16",
        "DELETE /v2/schedules/SET Primary/overrides/setops-swap-jonas-kai-2026-12-16",
    ]


# ---- the safety rail ------------------------------------------------------------------------


def test_lost_coverage_needs_force(genie: Run, og: FakeOpsGenie, org_repo: Path) -> None:
    applied(genie)
    cut_cycles_from(org_repo, "2027-02-08")
    og.clear_log()
    refused = genie("apply", *ONLY)
    assert refused.code == 1
    assert "safety rail" in refused.err and "lost coverage" in refused.err
    assert "SET Lead would have nobody on call at 2027-02-08 09:00 CET" in refused.err
    assert "more than 30%" not in refused.err
    assert og.mutating_requests() == []
    forced = genie("apply", *ONLY, "--force")
    assert forced.code == 0, forced.err
    assert {r.method for r in og.mutating_requests()} == {"DELETE"}


def test_deleting_most_owned_objects_needs_force(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    applied(genie)
    cut_cycles_from(org_repo, "2026-12-28")
    keep_overrides(org_repo, 2)
    og.clear_log()
    plan = genie("plan", *ONLY)
    assert "needs --force: it deletes 43 of the 72 objects setops manages there (60%" in plan.out
    refused = genie("apply", *ONLY)
    assert refused.code == 1 and "Check it, then run again with --force" in refused.err
    assert og.mutating_requests() == []


# ---- foreign objects ------------------------------------------------------------------------

THREE_AM = {
    "alias": "3am-fix",
    "user": {"type": "user", "username": "omar.haddad@example.com"},
    "startDate": "2026-12-02T02:00:00Z",
    "endDate": "2026-12-02T08:00:00Z",
}


def test_a_foreign_override_is_reported_as_drift_and_left_alone(
    genie: Run, og: FakeOpsGenie
) -> None:
    applied(genie)
    og.seed_override("SET Primary", THREE_AM)
    og.clear_log()
    plan = genie("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 2, "the drift check must see a hand-made override"
    assert "foreign: override '3am-fix' in SET Primary puts omar.haddad@example.com" in plan.out
    assert "setops import opsgenie" in plan.out
    markdown = genie("plan", *ONLY, "--format", "markdown")
    assert "> **foreign**: override '3am-fix'" in markdown.out
    applied(genie)
    assert og.mutating_requests() == []
    assert [o["alias"] for o in og.overrides("SET Primary") if o["alias"] == "3am-fix"]
    pruned = applied(genie, "--prune")
    assert "not setops' (--prune)" in pruned.out
    assert writes(og) == ["DELETE /v2/schedules/SET Primary/overrides/3am-fix"]


def test_a_foreign_rotation_keeps_paging_and_is_named(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    schedule = og.schedules_by_name()["SET Backup"]["id"]
    response = requests.post(
        og.url(f"/v2/schedules/{schedule}/rotations"),
        json={
            "name": "Old weekly",
            "type": "weekly",
            "startDate": "2026-11-02T08:00:00Z",
            "participants": [{"type": "user", "username": "ana.figueira@example.com"}],
        },
        headers={"Authorization": f"GenieKey {og.api_key}"},
        timeout=5,
    )
    assert response.status_code == 201
    plan = genie("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 2
    assert "rotation 'Old weekly' in SET Backup" in plan.out
    assert "keep paging beside setops' own until they are removed" in plan.out


# ---- pre-flight and credentials --------------------------------------------------------------


def test_preflight_names_people_missing_in_opsgenie_and_sends_nothing(
    cli: Run, org_repo: Path
) -> None:
    with FakeOpsGenie() as og:
        seed(og, org_repo, skip=("kai", "omar"))
        env = {"OPSGENIE_API_KEY": og.api_key, "OPSGENIE_API_URL": og.base_url}
        result = cli("apply", *ONLY, "--root", str(org_repo), env=env)
        assert result.code == 1
        assert (
            "not OpsGenie users: kai.nakamura@example.com (kai), omar.haddad@example.com (omar)"
            in result.err
        )
        assert og.mutating_requests() == []
        plan = cli("plan", *ONLY, "--detailed-exitcode", "--root", str(org_repo), env=env)
        assert plan.code == 1 and "cannot apply" in plan.out
        check_fake(og)


def test_without_a_key_plan_shows_what_it_would_create(
    cli: Run, org_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSGENIE_API_KEY", raising=False)
    root = ("--root", str(org_repo))
    plain = cli("plan", *root)
    assert plain.code == 0
    assert "opsgenie: 76 to create" in plain.out and "OPSGENIE_API_KEY" in plain.err
    assert "+ rotation 'SET Primary / setops: 2026-12-07 emea primary'" in plain.out
    assert cli("plan", *ONLY, *root).code == 1
    assert cli("plan", "--detailed-exitcode", *root).code == 1
    refused = cli("apply", *ONLY, *root)
    assert refused.code == 1 and "OPSGENIE_API_KEY" in refused.err


def test_plan_renders_typed_changes_as_json_and_markdown(genie: Run) -> None:
    data = json.loads(genie("plan", *ONLY, "--format", "json").out)
    target = data["targets"][0]
    assert target["target"] == "opsgenie" and target["configured"] is True
    rotation = next(c for c in target["changes"] if c["name"].endswith("2026-12-07 emea primary"))
    assert rotation["action"] == "create" and rotation["kind"] == "rotation"
    assert rotation["fields"]["hours"]["after"] == "daily 08:00-20:00 Europe/Berlin"
    assert rotation["fields"]["start"]["after"] == "2026-12-07T09:00:00+01:00"
    markdown = genie("plan", *ONLY, "--format", "markdown").out
    assert "| + create | rotation | `SET Primary / setops: 2026-12-07 emea primary` |" in markdown


def test_a_changed_schedule_zone_is_put_back(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    schedule = og.schedules_by_name()["SET Lead"]["id"]
    requests.patch(
        og.url(f"/v2/schedules/{schedule}"),
        json={"timezone": "Europe/London"},
        headers={"Authorization": f"GenieKey {og.api_key}"},
        timeout=5,
    )
    og.clear_log()
    plan = genie("plan", *ONLY)
    assert 'timezone: "Europe/London" -> "Europe/Berlin"' in plan.out
    applied(genie)
    assert writes(og) == ["PATCH /v2/schedules/SET Lead"]


def test_a_copy_of_an_owned_rotation_is_removed(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    with og.lock:  # the API refuses a taken name; a copy can still appear (an old bug, a UI)
        schedule = next(s for s in og.schedules.values() if s.name == "SET Lead")
        copy = dataclasses.replace(schedule.rotations[1], id="copy-of-lead")
        schedule.rotations.append(copy)
    og.clear_log()
    applied(genie)
    assert writes(og) == ["DELETE /v2/schedules/SET Lead/rotations/copy-of-lead"]
    assert genie("plan", *ONLY, "--detailed-exitcode").code == 0


def test_rotations_past_the_retention_are_left_alone(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    before = {r["name"] for r in og.rotations("SET Primary")}
    later = "2027-01-20T12:00:00+01:00"  # the window now starts on 2026-12-23
    plan = genie("plan", *ONLY, "--format", "json", SETOPS_NOW=later)
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {c["action"] for c in changes} == {"create"}  # only the weeks that came in reach
    og.clear_log()
    result = genie("apply", *ONLY, SETOPS_NOW=later)
    assert result.code == 0, result.err
    assert {r.method for r in og.mutating_requests()} == {"POST"}
    assert before <= {r["name"] for r in og.rotations("SET Primary")}
    assert "setops: 2026-11-16 emea primary" in before
