"""Retries, lost answers, crashes and API errors against JSM Operations: apply converges,
nothing is duplicated (overrides JSM names itself included), and an error is one clean
line that never shows the API token."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, REPO, Result
from tests.fakes.base import Fault, Request, Response
from tests.fakes.jsm_ops import READ_SCOPE, WRITE_SCOPE, FakeJsmOps
from tests.jsm_ops.conftest import (
    ONLY,
    SCHEDULES,
    Run,
    check_fake,
    clock,
    jsm_env,
    seed,
    writes,
)
from tests.opsgenie.edits import drop_overrides, swap_pair

CANARY = "canary-token-5d1e8a2c-never-print-me"
SCHEDULES_PATH = r"/v1/schedules$"
OVERRIDES_PATH = r"/overrides$"
ESCALATIONS_PATH = r"/escalations$"


def normalised(fake: FakeJsmOps) -> dict[str, Any]:
    """The fake's state by names, without server-made ids and aliases."""
    snapshot = fake.snapshot()
    teams = {t.id: t.name for t in fake.teams.values()}
    ids = {s["id"]: n for n, s in snapshot["schedules"].items()}
    out: dict[str, Any] = {}
    for name, schedule in snapshot["schedules"].items():
        names = {r["id"]: r["name"] for r in schedule["rotations"]}
        rotations = sorted(
            (
                r["name"],
                r["startDate"],
                r.get("endDate"),
                tuple(p.get("id", p["type"]) for p in r["participants"]),
                repr(r.get("timeRestriction")),
            )
            for r in schedule["rotations"]
        )
        overrides = sorted(
            (
                o["responder"].get("id"),
                o["startDate"],
                o["endDate"],
                tuple(sorted(names[i] for i in o.get("rotationIds") or [])),
            )
            for o in snapshot["overrides"][name]
        )
        out[name] = (schedule["timezone"], teams[schedule["teamId"]], rotations, overrides)
    for team, escalations in snapshot["escalations"].items():
        for name, escalation in escalations.items():
            rules = [(r["delay"], ids[r["recipient"]["id"]]) for r in escalation["rules"]]
            out[f"escalation {team}/{name}"] = (rules, escalation["repeat"])
    return out


def clean_apply(cli: Run, root: Path, *, schedules_exist: bool = False) -> dict[str, Any]:
    """The state a fault-free apply of the configuration at `root` leaves."""
    with FakeJsmOps(now=clock(), spec_checker=None) as clean:
        seed(clean, root)
        if schedules_exist:
            seed_schedules(clean)
        assert cli("apply", *ONLY, "--root", str(root), env=jsm_env(clean)).code == 0
        return normalised(clean)


def seed_schedules(fake: FakeJsmOps) -> None:
    """The three schedules without rotations: then every rotation is its own request."""
    (team,) = fake.teams
    for name in SCHEDULES:
        fake.seed_schedule({"name": name, "timezone": "Europe/Berlin", "teamId": team})


@pytest.fixture
def reference(jsm_repo: Path, cli: Run) -> dict[str, Any]:
    return clean_apply(cli, jsm_repo)


def converged(ops: Run, fake: FakeJsmOps, reference: dict[str, Any]) -> None:
    again = ops("plan", *ONLY, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert normalised(fake) == reference


def posts(fake: FakeJsmOps) -> Counter[str]:
    return Counter(w for w in writes(fake) if w.startswith("POST"))


# ---- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(ops: Run, jsm: FakeJsmOps, reference: Any) -> None:
    headers = {"Retry-After": "1"}
    jsm.faults.add(Fault(status=429, method="POST", path=SCHEDULES_PATH, headers=headers))
    result = ops("apply", *ONLY)
    assert result.code == 0, result.err
    creates = [r for r in jsm.log if r.method == "POST" and r.path.endswith("/v1/schedules")]
    assert [r.status for r in creates[:2]] == [429, 201]
    assert creates[1].received_at - creates[0].received_at >= 0.9, "Retry-After not honoured"
    converged(ops, jsm, reference)


def test_server_errors_and_dropped_connections_converge(
    ops: Run, jsm: FakeJsmOps, reference: Any
) -> None:
    jsm.faults.add(Fault(status=503, method="GET", path=SCHEDULES_PATH, times=2))
    jsm.faults.add(Fault(kind="drop_before", method="GET", path=r"/v1/teams$", times=1))
    jsm.faults.add(Fault(status=502, method="POST", path=OVERRIDES_PATH, times=1))
    jsm.faults.add(Fault(kind="drop_before", method="POST", path=ESCALATIONS_PATH, times=1))
    jsm.faults.add(Fault(status=500, method="POST", path=SCHEDULES_PATH, skip=1, times=1))
    result = ops("apply", *ONLY)
    assert result.code == 0, result.err
    assert all(f.fired == f.times for f in jsm.faults)
    converged(ops, jsm, reference)


def test_a_committed_create_whose_answer_is_lost_is_not_repeated(
    ops: Run, jsm: FakeJsmOps, reference: Any
) -> None:
    """A lost override create is found again by its content: JSM gave it an alias setops
    never saw."""
    jsm.faults.add(Fault(kind="drop_after", method="POST", path=SCHEDULES_PATH, times=2))
    jsm.faults.add(Fault(kind="drop_after", method="POST", path=OVERRIDES_PATH, times=2))
    jsm.faults.add(Fault(kind="drop_after", method="POST", path=ESCALATIONS_PATH, times=1))
    result = ops("apply", *ONLY)
    assert result.code == 0, result.err
    assert posts(jsm) == {
        "POST /v1/schedules": 3,
        "POST /v1/schedules/{scheduleId}/overrides": 4,
        "POST /v1/teams/{teamId}/escalations": 1,
    }
    assert sum(len(jsm.overrides(s)) for s in SCHEDULES) == 4
    converged(ops, jsm, reference)


def test_lost_answers_to_updates_and_deletes_are_retried_safely(
    ops: Run, jsm: FakeJsmOps, jsm_repo: Path
) -> None:
    assert ops("apply", *ONLY).code == 0
    swap_pair(jsm_repo, "2027-01-11", "emea")
    drop_overrides(jsm_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    jsm.faults.add(Fault(kind="drop_after", method="PATCH", path=r"/rotations/", times=2))
    jsm.faults.add(Fault(status=503, method="PATCH", path=r"/rotations/", times=1))
    jsm.faults.add(Fault(kind="drop_after", method="DELETE", path=r"/overrides/", times=1))
    result = ops("apply", *ONLY)
    assert result.code == 0, result.err
    assert ops("plan", *ONLY, "--detailed-exitcode").code == 0


# ---- a crash in the middle of an apply -------------------------------------------------------


class KillingJsmOps(FakeJsmOps):
    """Sends SIGKILL to the client after committing its k-th write, before answering it."""

    def __init__(self, kill_after: int) -> None:
        super().__init__(now=clock())
        self.kill_after = kill_after
        self.victim: int | None = None
        self.writes = 0

    def after_request(self, request: Request, response: Response) -> Response:
        response = super().after_request(request, response)
        if request.mutating and request.handled and response.status < 300:
            self.writes += 1
            if self.writes == self.kill_after and self.victim is not None:
                os.kill(self.victim, signal.SIGKILL)
        return response


def run_killed(fake: KillingJsmOps, root: Path, tmp_path: Path) -> int:
    env = {
        **os.environ,
        **jsm_env(fake),
        "SETOPS_NOW": NOW,
        "SETOPS_LOG_DIR": str(tmp_path / "logs"),
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "setops", "apply", *ONLY, "--root", str(root)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fake.victim = process.pid
    process.communicate(timeout=60)
    return process.returncode


@pytest.mark.parametrize(
    ("kill_after", "schedules_exist"),
    # Fresh: schedules, then overrides, then the escalation (8 writes). With the schedules
    # there: 68 rotations, then setops' mark and an override per schedule (mark before its
    # first override), then the escalation (76 writes).
    [(1, False), (4, False), (7, False), (1, True), (37, True), (69, True), (72, True)],
)
def test_killed_mid_apply_a_rerun_converges_without_duplicates(
    kill_after: int,
    schedules_exist: bool,
    jsm_repo: Path,
    tmp_path: Path,
    cli: Run,
) -> None:
    reference = clean_apply(cli, jsm_repo, schedules_exist=schedules_exist)
    with KillingJsmOps(kill_after) as fake:
        seed(fake, jsm_repo)
        if schedules_exist:
            seed_schedules(fake)
        assert run_killed(fake, jsm_repo, tmp_path) == -signal.SIGKILL
        assert fake.writes == kill_after
        root = ("--root", str(jsm_repo))
        rerun = cli("apply", *ONLY, *root, env=jsm_env(fake))
        assert rerun.code == 0, rerun.err
        assert normalised(fake) == reference
        assert cli("plan", *ONLY, "--detailed-exitcode", *root, env=jsm_env(fake)).code == 0
        check_fake(fake)


# ---- errors: clean, naming the object, never the token ---------------------------------------


def no_canary(result: Result, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert result.code == 1, result.err
    assert CANARY not in result.out + result.err
    assert all(CANARY not in r.getMessage() for r in caplog.records)
    for path in (tmp_path / "logs").glob("**/*"):
        if path.is_file():
            assert CANARY not in path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def canary(jsm_repo: Path, cli: Run) -> Any:
    fakes: list[FakeJsmOps] = []

    def run(*args: str, token: str = CANARY, scopes: Any = None, **faults: Fault) -> Result:
        fake = FakeJsmOps(api_token=CANARY, token_scopes=scopes, now=clock())
        fakes.append(fake)
        fake.start()
        seed(fake, jsm_repo)
        for fault in faults.values():
            fake.faults.add(fault)
        env = jsm_env(fake, JSM_OPS_API_TOKEN=token)
        return cli(*args, *ONLY, "--root", str(jsm_repo), env=env)

    yield run
    for fake in fakes:
        fake.stop()
        check_fake(fake)


def test_a_wrong_token_is_reported_without_the_token(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("plan", token=CANARY + "-old")
    no_canary(result, tmp_path, caplog)
    assert "jsm-ops: list teams failed (HTTP 401): Unauthorized; check JSM_OPS_EMAIL" in result.err


def test_a_token_without_a_needed_scope_names_the_scopes(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = canary("apply", scopes={READ_SCOPE})
    no_canary(result, tmp_path, caplog)
    assert "create schedule SET Lead failed (HTTP 401): Unauthorized; scope does not match" in (
        result.err
    )
    assert "write:ops-config:jira-service-management" in result.err
    assert "0 of 76 changes were made before this" in result.err


def test_deleting_needs_the_delete_scope(
    cli: Run, jsm_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeJsmOps(api_token=CANARY, token_scopes={READ_SCOPE, WRITE_SCOPE}, now=clock()) as f:
        seed(f, jsm_repo)
        root = ("--root", str(jsm_repo))
        assert cli("apply", *ONLY, *root, env=jsm_env(f)).code == 0
        drop_overrides(jsm_repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
        result = cli("apply", *ONLY, *root, env=jsm_env(f))
        no_canary(result, tmp_path, caplog)
        # JSM named it; setops knows it by its mark, not by the YAML id that was removed.
        assert "jsm-ops: delete override '" in result.err and "in SET Primary" in result.err
        assert "delete:ops-config:jira-service-management" in result.err
        check_fake(f)


def test_a_validation_error_quotes_jsm_errors(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"errors": [{"title": f"rejected {CANARY}", "code": "UNPROCESSABLE_ENTITY"}]}
    fault = Fault(status=422, method="POST", path=ESCALATIONS_PATH, body=body)
    result = canary("apply", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert (
        "jsm-ops: create escalation SET escalation failed (HTTP 422): rejected *** "
        "(UNPROCESSABLE_ENTITY)" in result.err
    )
    assert "75 of 76 changes were made before this" in result.err


def test_retries_have_an_end(canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fault = Fault(status=503, method="GET", path=SCHEDULES_PATH, times=None)
    result = canary("plan", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert "jsm-ops: list schedules failed (HTTP 503)" in result.err


def test_an_unreachable_server_is_a_clean_failure(
    cli: Run, jsm_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeJsmOps(api_token=CANARY) as fake:
        env = jsm_env(fake)
    result = cli("plan", *ONLY, "--root", str(jsm_repo), env=env)
    no_canary(result, tmp_path, caplog)
    assert "jsm-ops: list teams failed: no answer from the server" in result.err
