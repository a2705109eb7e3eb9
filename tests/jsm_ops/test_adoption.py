"""Adopting a migrated account: what setops made in OpsGenie, carried into JSM Operations by
Atlassian's migration (same names, account ids as participants), plans nothing and gets
no write; later changes are made in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.fakes.jsm_ops import FakeJsmOps
from tests.fakes.opsgenie import FakeOpsGenie
from tests.jsm_ops.conftest import (
    ONLY,
    Run,
    accounts,
    at,
    check_fake,
    clock,
    jsm_env,
    mismatches,
    seed,
    switch_to_jsm,
    writes,
)
from tests.jsm_ops.migrate import migrate
from tests.opsgenie.conftest import seed as seed_opsgenie
from tests.paging.edits import drop_overrides, swap_pair
from tests.paging.oncall import every

NOW = at("2026-12-01T12:00:00+01:00")


@pytest.fixture(params=[True, False], ids=["aliases-kept", "aliases-renewed"])
def migrated(request: pytest.FixtureRequest, cli: Run, org_repo: Path) -> Iterator[FakeJsmOps]:
    """JSM after the migration of an OpsGenie site that `setops apply` kept in step."""
    with FakeOpsGenie(spec_checker=None) as opsgenie, FakeJsmOps(now=clock()) as jsm:
        seed_opsgenie(opsgenie, org_repo)
        env = {"OPSGENIE_API_KEY": opsgenie.api_key, "OPSGENIE_API_URL": opsgenie.base_url}
        done = cli("apply", "--only", "opsgenie", "--root", str(org_repo), env=env)
        assert done.code == 0, done.err
        seed(jsm, org_repo)
        migrate(opsgenie, jsm, accounts(org_repo), keep_aliases=request.param)
        switch_to_jsm(org_repo)
        yield jsm
        check_fake(jsm)


def run(cli: Run, jsm: FakeJsmOps, root: Path, *args: str) -> Result:
    return cli(*args, *ONLY, "--root", str(root), env=jsm_env(jsm))


def test_a_migrated_account_plans_nothing_and_apply_writes_nothing(
    cli: Run, migrated: FakeJsmOps, org_repo: Path
) -> None:
    before = migrated.snapshot()
    plan = run(cli, migrated, org_repo, "plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "jsm-ops: 0 to create, 0 to update, 0 to delete" in plan.out
    assert "foreign" not in plan.out
    applied = run(cli, migrated, org_repo, "apply")
    assert applied.code == 0, applied.err
    assert migrated.mutating_requests() == []
    assert migrated.snapshot() == before  # same ids: nothing was deleted and made again
    window = every(NOW, at("2027-02-22T12:00:00+01:00"), at("2026-12-01T13:30:00+01:00") - NOW)
    assert list(mismatches(migrated, org_repo, window)) == []


def test_after_adoption_a_swap_updates_only_its_rotations(
    cli: Run, migrated: FakeJsmOps, org_repo: Path
) -> None:
    swap_pair(org_repo, "2027-01-11", "emea")
    result = run(cli, migrated, org_repo, "apply")
    assert result.code == 0, result.err
    assert writes(migrated) == ["PATCH /v1/schedules/{scheduleId}/rotations/{id}"] * 4
    assert run(cli, migrated, org_repo, "plan", "--detailed-exitcode").code == 0


def test_after_adoption_a_removed_override_is_deleted_if_its_alias_was_kept(
    cli: Run, migrated: FakeJsmOps, org_repo: Path
) -> None:
    """With the OpsGenie alias kept, setops knows the override as its own; with a renewed
    alias it cannot tell it from one made by hand, so it reports it instead."""
    drop_overrides(org_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    kept = any(o["alias"].startswith("setops-") for o in migrated.overrides("SET Backup"))
    plan = run(cli, migrated, org_repo, "plan")
    if kept:
        assert "- override 'SET Backup / setops-swap-kai-jonas-2026-12-16'" in plan.out
        result = run(cli, migrated, org_repo, "apply")
        assert result.code == 0, result.err
        assert writes(migrated) == ["DELETE /v1/schedules/{scheduleId}/overrides/{alias}"] * 2
        assert migrated.overrides("SET Backup") == []
        assert run(cli, migrated, org_repo, "plan", "--detailed-exitcode").code == 0
    else:
        assert "0 to delete" in plan.out
        assert "foreign: override" in plan.out and "puts jonas.brandt@example.com" in plan.out
        assert run(cli, migrated, org_repo, "apply").code == 0
        assert migrated.mutating_requests() == []
