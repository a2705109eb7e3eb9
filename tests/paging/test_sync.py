"""`setops plan` / `apply` against each paging service: a fresh apply, no-op, on-call
equality with `setops who` (across daylight saving), swaps, overrides, foreign objects,
hand edits put back, the safety rail, and planning without credentials."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.paging.conftest import Run, applied, settled
from tests.paging.edits import (
    SWAP_TOMORROW,
    add_override,
    cut_cycles_from,
    drop_overrides,
    keep_overrides,
    swap_pair,
)
from tests.paging.oncall import every
from tests.paging.services import SCHEDULES, Service, at

NOW = at("2026-12-01T12:00:00+01:00")
EMEA_PRIMARY = "setops: 2026-12-07 emea primary"
DST_NOW = "2027-03-01T12:00:00+01:00"

# ---- fresh create, no-op, on-call equality ------------------------------------------------


def test_fresh_apply_creates_everything_then_plans_nothing(
    service: Service, run: Run, server: Any
) -> None:
    result = applied(run)
    assert f"{service.name}: 76 created, 0 updated, 0 deleted" in result.out
    # Three schedules with their rotations inline, four overrides, one escalation.
    assert Counter(method for method, _, _ in service.written(server)) == {"POST": 8}
    assert service.created(server) == {"schedule": 3, "override": 4, "escalation": 1}
    assert set(server.schedules_by_name()) == set(SCHEDULES)
    assert len(service.rotation_names(server, "SET Primary")) == 30
    assert len(service.rotation_names(server, "SET Lead")) == 8
    names = [n for s in SCHEDULES for n in service.rotation_names(server, s)]
    assert len(names) == len(set(names))
    assert EMEA_PRIMARY in names
    assert server.schedules_by_name()["SET Primary"]["timezone"] == "Europe/Berlin"

    before = server.snapshot()
    server.clear_log()
    again = run("plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "0 to create, 0 to update, 0 to delete" in again.out
    applied(run)
    assert server.mutating_requests() == []
    assert server.snapshot() == before


def test_on_call_equals_setops_who_across_the_window(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    window = every(NOW, NOW + dt.timedelta(weeks=12), dt.timedelta(minutes=90))
    assert list(service.mismatches(server, repo, window)) == []


def test_on_call_equals_setops_who_through_daylight_saving_changes(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    """March 2027: New York moves its clocks on the 14th, Berlin on the 28th, so for two
    weeks the amer shift's hours sit an hour earlier on the Berlin schedule."""
    applied(run, SETOPS_NOW=DST_NOW)
    split = [n for n in service.rotation_names(server, "SET Primary") if "#" in n]
    assert set(split) >= {"setops: 2027-03-08 amer primary #2"}
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T12:00:00+02:00"), dt.timedelta(minutes=30)
    )
    assert list(service.mismatches(server, repo, weeks)) == []
    # The service's own HTTP answer agrees with the oracle on both sides of each change.
    for when in (
        "2027-03-13T19:30:00-05:00",
        "2027-03-15T08:30:00-04:00",
        "2027-03-15T19:30:00-04:00",
        "2027-03-29T19:30:00-04:00",
    ):
        got = service.on_call_over_http(server, "SET Primary", when)
        assert got == sorted(server.on_call("SET Primary", at(when)))
        assert got, f"nobody on call at {when}"
    settled(run, SETOPS_NOW=DST_NOW)


# How many list requests a plan reads the five schedules of per-role-and-shift in: OpsGenie
# gives them in one answer, the JSM fake three to a page.
SCHEDULE_PAGES = {"opsgenie": [None], "jsm-ops": [None, ["3"]]}


def test_per_role_and_shift_schedules_live_in_their_shift_zones(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    path = repo / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("schedules: per-role", "schedules: per-role-and-shift"))
    applied(run, SETOPS_NOW=DST_NOW)
    schedules = server.schedules_by_name()
    assert schedules["SET Primary amer"]["timezone"] == "America/New_York"
    assert schedules["SET Backup emea"]["timezone"] == "Europe/Berlin"
    assert not any("#" in n for n in service.rotation_names(server, "SET Primary amer"))
    primary = [name for delay, name in service.escalation_rules(server) if delay == 0]
    assert primary == ["SET Primary emea", "SET Primary amer"]
    server.clear_log()
    settled(run, SETOPS_NOW=DST_NOW)
    lists = [r for r in server.log if r.method == "GET" and r.path.endswith("/schedules")]
    assert [r.query.get("offset") for r in lists] == SCHEDULE_PAGES[service.name]
    weeks = every(
        at("2027-03-08T00:00:00+01:00"), at("2027-04-05T00:00:00+02:00"), dt.timedelta(minutes=60)
    )
    assert list(service.mismatches(server, repo, weeks, "per-role-and-shift")) == []


def test_escalation_pages_primary_then_backup_then_lead(
    service: Service, run: Run, server: Any
) -> None:
    applied(run)
    escalation = service.escalation(server)
    rules = escalation["rules"]
    assert service.escalation_rules(server) == [
        (0, "SET Primary"),
        (10, "SET Backup"),
        (20, "SET Lead"),
    ]
    assert {r["condition"] for r in rules} == {"if-not-acked"}
    assert {r["recipient"]["type"] for r in rules} == {"schedule"}
    assert escalation["repeat"]["count"] == 2 and escalation["repeat"]["waitInterval"] == 30
    assert service.escalation_team(server) == "SET"


# ---- changes: exactly the objects that differ -------------------------------------------


def test_a_swap_in_a_cycle_updates_exactly_its_four_rotations(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    swap_pair(repo, "2027-01-11", "emea")
    plan = run("plan", "--format", "json", "--detailed-exitcode")
    assert plan.code == 2
    changes = json.loads(plan.out)["targets"][0]["changes"]
    assert {(c["action"], c["name"]) for c in changes} == {
        ("update", f"SET {role} / setops: {day} emea {role.lower()}")
        for role in ("Primary", "Backup")
        for day in ("2027-01-11", "2027-01-18")
    }
    assert all(set(c["fields"]) == {"participant"} for c in changes)
    server.clear_log()
    applied(run)
    assert sorted(service.written(server)) == [
        ("PATCH", "rotation", "SET Backup"),
        ("PATCH", "rotation", "SET Backup"),
        ("PATCH", "rotation", "SET Primary"),
        ("PATCH", "rotation", "SET Primary"),
    ]
    assert list(service.mismatches(server, repo, [at("2027-01-12T10:00:00+01:00")])) == []


def test_a_swap_for_tomorrow_creates_two_overrides_without_force(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    add_override(repo, SWAP_TOMORROW)
    server.clear_log()
    result = applied(run)
    assert "needs --force" not in result.out
    assert service.written(server) == [
        ("POST", "override", "SET Primary"),
        ("POST", "override", "SET Backup"),
    ]
    tomorrow = at("2026-12-02T10:00:00+01:00")
    femi = service.person(repo, "femi.adeyemi@example.com")
    assert server.on_call("SET Primary", tomorrow) == [femi]
    assert list(service.mismatches(server, repo, [tomorrow])) == []
    settled(run)


# The removed overrides' deletes, as each service's paths read (JSM names overrides itself).
DELETES = {
    "opsgenie": [
        "DELETE /v2/schedules/SET Backup/overrides/setops-swap-kai-jonas-2026-12-16",
        "DELETE /v2/schedules/SET Primary/overrides/setops-swap-jonas-kai-2026-12-16",
    ],
    "jsm-ops": ["DELETE /v1/schedules/{scheduleId}/overrides/{alias}"] * 2,
}


def test_removed_overrides_are_deleted_last(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    drop_overrides(repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    add_override(repo, SWAP_TOMORROW)
    swap_pair(repo, "2027-01-25", "amer")
    server.clear_log()
    applied(run)
    writes = service.writes(server)
    assert [w.split(" ")[0] for w in writes] == ["PATCH"] * 4 + ["POST"] * 2 + ["DELETE"] * 2
    assert sorted(w for w in writes if w.startswith("DELETE")) == DELETES[service.name]
    assert sorted(service.written(server))[:2] == [
        ("DELETE", "override", "SET Backup"),
        ("DELETE", "override", "SET Primary"),
    ]
    settled(run)


# ---- the safety rail ------------------------------------------------------------------------


def test_lost_coverage_needs_force(service: Service, run: Run, server: Any, repo: Path) -> None:
    applied(run)
    cut_cycles_from(repo, "2027-02-08")
    server.clear_log()
    refused = run("apply")
    assert refused.code == 1
    assert "safety rail" in refused.err and "lost coverage" in refused.err
    assert "SET Lead would have nobody on call at 2027-02-08 09:00 CET" in refused.err
    assert "more than 30%" not in refused.err
    assert server.mutating_requests() == []
    forced = run("apply", "--force")
    assert forced.code == 0, forced.err
    assert {r.method for r in server.mutating_requests()} == {"DELETE"}


def test_deleting_most_owned_objects_needs_force(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    cut_cycles_from(repo, "2026-12-28")
    keep_overrides(repo, 2)
    server.clear_log()
    plan = run("plan")
    assert "needs --force: it deletes 43 of the 72 objects setops manages there (60%" in plan.out
    refused = run("apply")
    assert refused.code == 1 and "Check it, then run again with --force" in refused.err
    assert server.mutating_requests() == []


# ---- foreign objects ------------------------------------------------------------------------

# What a plan suggests for a hand-made override: OpsGenie has a timeline to import it from;
# the JSM Operations API has none.
IMPORT_HINT = {"opsgenie": "setops import opsgenie", "jsm-ops": None}
PRUNED = {
    "opsgenie": "DELETE /v2/schedules/SET Primary/overrides/{alias}",
    "jsm-ops": "DELETE /v1/schedules/{{scheduleId}}/overrides/{{alias}}",
}


def test_a_hand_made_override_is_reported_as_drift_and_left_alone(
    service: Service, run: Run, server: Any
) -> None:
    """The 3 a.m. fix made in the UI on a setops rotation: reported, left alone, pruned."""
    applied(run)
    alias = service.make_override(server, "SET Primary", EMEA_PRIMARY, "Omar")
    server.clear_log()
    plan = run("plan", "--detailed-exitcode")
    assert plan.code == 2, "the drift check must see a hand-made override"
    assert f"foreign: override '{alias}' in SET Primary puts omar.haddad@example.com" in plan.out
    hint = IMPORT_HINT[service.name]
    assert (hint in plan.out) if hint else ("setops import" not in plan.out)
    markdown = run("plan", "--format", "markdown")
    assert f"> **foreign**: override '{alias}'" in markdown.out
    applied(run)
    assert server.mutating_requests() == []
    assert alias in [o["alias"] for o in server.overrides("SET Primary")]
    pruned = applied(run, "--prune")
    assert "not setops' (--prune)" in pruned.out
    assert service.writes(server) == [PRUNED[service.name].format(alias=alias)]


def test_a_foreign_rotation_keeps_paging_and_is_named(
    service: Service, run: Run, server: Any
) -> None:
    applied(run)
    made = service.call(
        server,
        "POST",
        service.schedule_path(server, "SET Backup") + "/rotations",
        {
            "name": "Old weekly",
            "type": "weekly",
            "startDate": "2026-11-02T08:00:00Z",
            "participants": [service.participant(server, "Ana")],
        },
    )
    assert made.status_code == 201, made.text
    plan = run("plan", "--detailed-exitcode")
    assert plan.code == 2
    assert "rotation 'Old weekly' in SET Backup (ana.figueira@example.com" in plan.out
    assert "keep paging beside setops' own until they are removed" in plan.out


def test_a_hand_edit_is_put_back(service: Service, run: Run, server: Any) -> None:
    """A lead swapped and the schedule's zone changed in the UI: both are put back, and
    nothing else is written (JSM: setops' mark on the schedule is left alone)."""
    applied(run)
    rotation = next(
        r for r in server.rotations("SET Lead") if r["name"] == "setops: 2026-11-30 lead"
    )
    path = service.schedule_path(server, "SET Lead")
    hana = service.participant(server, "Hana")
    edit = service.call(
        server, "PATCH", f"{path}/rotations/{rotation['id']}", {"participants": [hana]}
    )
    assert edit.ok, edit.text
    assert service.call(server, "PATCH", path, {"timezone": "Europe/London"}).ok
    server.clear_log()
    plan = run("plan")
    assert 'participant: "hana.lindqvist@example.com" -> "ivo.markovic@example.com"' in plan.out
    assert 'timezone: "Europe/London" -> "Europe/Berlin"' in plan.out
    assert "marks" not in plan.out
    applied(run)
    assert sorted(service.written(server)) == [
        ("PATCH", "rotation", "SET Lead"),
        ("PATCH", "schedule", "SET Lead"),
    ]
    patched = [r.path for r in server.mutating_requests() if "/rotations/" in r.path]
    assert [path.rsplit("/", 1)[1] for path in patched] == [rotation["id"]]


# ---- planning without credentials, and the plan's forms ----------------------------------

MISSING = {
    "opsgenie": "OPSGENIE_API_KEY",
    "jsm-ops": "JSM_OPS_EMAIL, JSM_OPS_API_TOKEN, JSM_OPS_CLOUD_ID",
}


def test_without_credentials_plan_shows_what_it_would_create(
    service: Service, cli: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPSGENIE_API_KEY", "JSM_OPS_EMAIL", "JSM_OPS_API_TOKEN", "JSM_OPS_CLOUD_ID"):
        monkeypatch.delenv(name, raising=False)
    root = ("--root", str(repo))
    plain = cli("plan", *root)
    assert plain.code == 0
    assert f"{service.name}: 76 to create" in plain.out and MISSING[service.name] in plain.err
    assert f"+ rotation 'SET Primary / {EMEA_PRIMARY}'" in plain.out
    assert cli("plan", *service.only, *root).code == 1
    assert cli("plan", "--detailed-exitcode", *root).code == 1
    refused = cli("apply", *service.only, *root)
    assert refused.code == 1 and service.secret_variable in refused.err


def test_plan_renders_typed_changes_as_json_and_markdown(service: Service, run: Run) -> None:
    data = json.loads(run("plan", "--format", "json").out)
    target = data["targets"][0]
    assert target["target"] == service.name and target["configured"] is True
    rotation = next(c for c in target["changes"] if c["name"].endswith(EMEA_PRIMARY))
    assert rotation["action"] == "create" and rotation["kind"] == "rotation"
    assert rotation["fields"]["hours"]["after"] == "daily 08:00-20:00 Europe/Berlin"
    assert rotation["fields"]["start"]["after"] == "2026-12-07T09:00:00+01:00"
    markdown = run("plan", "--format", "markdown").out
    assert f"| + create | rotation | `SET Primary / {EMEA_PRIMARY}` |" in markdown
