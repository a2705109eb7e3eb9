"""`setops plan` / `apply` against the fake OpsGenie, where OpsGenie differs: the aliases it
keeps, the user look-up of the pre-flight, and objects its API lets a copy of appear or
age out. What both paging services must do is in tests/paging/test_sync.py."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tests.conftest import Result
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import ONLY, Run, at, check_fake, seed

NOW = at("2026-12-01T12:00:00+01:00")


def applied(genie: Run, *args: str) -> Result:
    result = genie("apply", *ONLY, *args)
    assert result.code == 0, result.err
    return result


def writes(og: FakeOpsGenie) -> list[str]:
    return [f"{r.method} {r.path}" for r in og.mutating_requests()]


THREE_AM = {
    "alias": "3am-fix",
    "user": {"type": "user", "username": "omar.haddad@example.com"},
    "startDate": "2026-12-02T02:00:00Z",
    "endDate": "2026-12-02T08:00:00Z",
}


def test_setops_names_the_overrides_it_makes_by_their_yaml_ids(
    genie: Run, og: FakeOpsGenie
) -> None:
    """OpsGenie keeps the alias a client gives; setops' is its prefix and the YAML id."""
    applied(genie)
    assert {o["alias"] for o in og.overrides("SET Primary")} == {
        "setops-swap-jonas-kai-2026-12-16",
        "setops-cover-ana-new-year",
    }


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
