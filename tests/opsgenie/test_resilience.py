"""Retries, lost answers, crashes and API errors: apply converges, nothing is duplicated,
and an error is one clean line that never shows the API key."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, REPO, Result
from tests.fakes.base import Fault, Request, Response
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import FAST_RETRIES, ONLY, SCHEDULES, Run, check_fake, seed
from tests.opsgenie.edits import swap_pair

CANARY = "canary-key-7f3e9b1d-never-print-me"


def normalised(fake: FakeOpsGenie) -> dict[str, Any]:
    """The fake's state without server-made ids: what a clean apply must also produce."""
    snapshot = fake.snapshot()

    def who(item: dict[str, Any]) -> str:
        return str(item.get("username") or item.get("name") or item["type"])

    out: dict[str, Any] = {}
    for name, schedule in snapshot["schedules"].items():
        rotations = sorted(
            (
                r["name"],
                r["startDate"],
                r.get("endDate"),
                tuple(who(p) for p in r["participants"]),
                repr(r.get("timeRestriction")),
            )
            for r in schedule["rotations"]
        )
        overrides = sorted(
            (
                o["alias"],
                who(o["user"]),
                o["startDate"],
                o["endDate"],
                tuple(sorted(r["name"] for r in o["rotations"])),
            )
            for o in snapshot["overrides"][name]
        )
        out[name] = (schedule["timezone"], schedule["ownerTeam"]["name"], rotations, overrides)
    for name, escalation in snapshot["escalations"].items():
        rules = [(r["delay"]["timeAmount"], r["recipient"]["name"]) for r in escalation["rules"]]
        out[f"escalation {name}"] = (rules, escalation.get("repeat"))
    return out


@pytest.fixture
def reference(org_repo: Path, cli: Run) -> dict[str, Any]:
    """The state a clean, fault-free apply of the bundled config leaves."""
    with FakeOpsGenie(spec_checker=None) as clean:
        seed(clean, org_repo)
        env = {"OPSGENIE_API_KEY": clean.api_key, "OPSGENIE_API_URL": clean.base_url}
        assert cli("apply", *ONLY, "--root", str(org_repo), env=env).code == 0
        return normalised(clean)


def converged(genie: Run, og: FakeOpsGenie, reference: dict[str, Any]) -> None:
    again = genie("plan", *ONLY, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert normalised(og) == reference


# ---- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(genie: Run, og: FakeOpsGenie, reference: Any) -> None:
    og.throttle(method="POST", path=r"^/v2/schedules$", retry_after=1)
    result = genie("apply", *ONLY)
    assert result.code == 0, result.err
    posts = [r for r in og.log if r.method == "POST" and r.path == "/v2/schedules"]
    assert [r.status for r in posts[:2]] == [429, 201]
    assert posts[1].received_at - posts[0].received_at >= 0.9, "Retry-After: 1 not honoured"
    converged(genie, og, reference)


def test_server_errors_and_dropped_connections_converge(
    genie: Run, og: FakeOpsGenie, reference: Any
) -> None:
    og.faults.add(Fault(status=503, method="GET", path=r"^/v2/schedules$", times=2))
    og.faults.add(Fault(kind="drop_before", method="GET", path=r"^/v2/escalations$", times=1))
    og.faults.add(Fault(status=502, method="POST", path=r"/overrides$", times=1))
    og.faults.add(Fault(kind="drop_before", method="POST", path=r"^/v2/escalations$", times=1))
    og.faults.add(Fault(status=500, method="POST", path=r"^/v2/schedules$", skip=1, times=1))
    result = genie("apply", *ONLY)
    assert result.code == 0, result.err
    assert all(f.fired == f.times for f in og.faults)
    converged(genie, og, reference)


def test_a_committed_create_whose_answer_is_lost_is_not_repeated(
    genie: Run, og: FakeOpsGenie, reference: Any
) -> None:
    og.faults.add(Fault(kind="drop_after", method="POST", path=r"^/v2/schedules$", times=2))
    og.faults.add(Fault(kind="drop_after", method="POST", path=r"/overrides$", times=1))
    og.faults.add(Fault(kind="drop_after", method="POST", path=r"^/v2/escalations$", times=1))
    result = genie("apply", *ONLY)
    assert result.code == 0, result.err
    creates = [r.path for r in og.log if r.method == "POST"]
    assert creates.count("/v2/schedules") == 3, "a schedule create was repeated"
    assert creates.count("/v2/escalations") == 1
    assert len(creates) == 8
    assert og.count("GET", "/v2/escalations/SET escalation") == 1  # looked it up, found it
    converged(genie, og, reference)


def test_lost_answers_to_updates_and_deletes_are_retried_safely(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    assert genie("apply", *ONLY).code == 0
    swap_pair(org_repo, "2027-01-11", "emea")
    og.faults.add(Fault(kind="drop_after", method="PATCH", path=r"/rotations/", times=2))
    og.faults.add(Fault(status=503, method="PATCH", path=r"/rotations/", times=1))
    result = genie("apply", *ONLY)
    assert result.code == 0, result.err
    assert genie("plan", *ONLY, "--detailed-exitcode").code == 0


# ---- a crash in the middle of an apply -------------------------------------------------------


class KillingOpsGenie(FakeOpsGenie):
    """Sends SIGKILL to the client after committing its k-th write, before answering it."""

    def __init__(self, kill_after: int) -> None:
        super().__init__()
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


def run_killed(fake: KillingOpsGenie, root: Path, tmp_path: Path) -> int:
    env = {
        **os.environ,
        **FAST_RETRIES,
        "OPSGENIE_API_KEY": fake.api_key,
        "OPSGENIE_API_URL": fake.base_url,
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
    ("kill_after", "schedules_exist"), [(1, False), (5, False), (1, True), (37, True), (71, True)]
)
def test_killed_mid_apply_a_rerun_converges_without_duplicates(
    kill_after: int,
    schedules_exist: bool,
    org_repo: Path,
    tmp_path: Path,
    cli: Run,
) -> None:
    reference_fake = FakeOpsGenie(spec_checker=None)
    with KillingOpsGenie(kill_after) as fake, reference_fake:
        for target in (fake, reference_fake):
            seed(target, org_repo)
            if schedules_exist:  # then every rotation is its own request
                for name in SCHEDULES:
                    target.seed_schedule(
                        {"name": name, "timezone": "Europe/Berlin", "ownerTeam": {"name": "SET"}}
                    )
        assert run_killed(fake, org_repo, tmp_path) == -signal.SIGKILL
        assert fake.writes == kill_after
        env = {"OPSGENIE_API_KEY": fake.api_key, "OPSGENIE_API_URL": fake.base_url}
        root = ("--root", str(org_repo))
        rerun = cli("apply", *ONLY, *root, env=env)
        assert rerun.code == 0, rerun.err
        env_ref = {
            "OPSGENIE_API_KEY": reference_fake.api_key,
            "OPSGENIE_API_URL": reference_fake.base_url,
        }
        assert cli("apply", *ONLY, *root, env=env_ref).code == 0
        assert normalised(fake) == normalised(reference_fake)
        assert cli("plan", *ONLY, "--detailed-exitcode", *root, env=env).code == 0
        check_fake(fake)


# ---- errors: clean, naming the object, never the key -----------------------------------------


def no_canary(result: Result, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert result.code == 1, result.err
    assert CANARY not in result.out + result.err
    assert all(CANARY not in r.getMessage() for r in caplog.records)
    for path in (tmp_path / "logs").glob("**/*"):
        if path.is_file():
            assert CANARY not in path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def canary(org_repo: Path, cli: Run) -> Any:
    fakes: list[FakeOpsGenie] = []

    def run(*args: str, team: bool = True, key: str = CANARY, **faults: Fault) -> Result:
        fake = FakeOpsGenie(api_key=CANARY)
        fakes.append(fake)
        fake.start()
        seed(fake, org_repo)
        if not team:
            fake.teams.clear()
        for fault in faults.values():
            fake.faults.add(fault)
        env = {"OPSGENIE_API_KEY": key, "OPSGENIE_API_URL": fake.base_url, **FAST_RETRIES}
        return cli(*args, *ONLY, "--root", str(org_repo), env=env)

    yield run
    for fake in fakes:
        fake.stop()
        check_fake(fake)


def test_a_vendor_error_names_the_object_and_quotes_opsgenie(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("apply", team=False)
    no_canary(result, tmp_path, caplog)
    assert "opsgenie: create schedule SET Lead failed (HTTP 422)" in result.err
    assert "does not exist" in result.err
    assert "0 of 76 changes were made before this" in result.err


def test_a_wrong_key_is_reported_without_the_key(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("plan", key=CANARY + "-old")
    no_canary(result, tmp_path, caplog)
    assert "opsgenie: list schedules failed (HTTP 401): Could not authenticate" in result.err


def test_a_validation_error_quotes_the_errors_map(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"message": f"rejected {CANARY}", "errors": {"rotations": "bad"}, "took": 0.1}
    fault = Fault(status=422, method="POST", path=r"^/v2/escalations$", body=body)
    result = canary("apply", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert (
        "create escalation SET escalation failed (HTTP 422): rejected ***; rotations: bad"
        in result.err
    )


def test_retries_have_an_end(canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fault = Fault(status=503, method="GET", path=r"^/v2/schedules$", times=None)
    result = canary("plan", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert "list schedules failed (HTTP 503)" in result.err


def test_a_long_retry_after_is_a_clean_failure(
    canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Retry-After": "600"}
    fault = Fault(status=429, method="GET", path=r"^/v2/schedules$", headers=headers, times=None)
    result = canary("plan", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert "asked to wait 600 s" in result.err


def test_an_unreachable_server_is_a_clean_failure(
    cli: Run, org_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpsGenie() as fake:
        url = fake.base_url
    env = {"OPSGENIE_API_KEY": CANARY, "OPSGENIE_API_URL": url, **FAST_RETRIES}
    result = cli("plan", *ONLY, "--root", str(org_repo), env=env)
    no_canary(result, tmp_path, caplog)
    assert "opsgenie: list schedules failed: no answer from the server" in result.err
