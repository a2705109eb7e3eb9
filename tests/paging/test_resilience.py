"""Retries, lost answers, crashes and API errors, against each paging service: apply
converges, nothing is duplicated (overrides JSM names itself included), and an error is
one clean line that names the object and never shows the key or token."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, REPO, Result
from tests.fakes.base import Fault, Request, Response
from tests.paging.conftest import Run, applied, settled
from tests.paging.edits import drop_overrides, swap_pair
from tests.paging.services import SCHEDULES, JsmOps, OpsGenie, Service

CANARY = "canary-secret-7f3e9b1d-never-print-me"


def clean_apply(
    service: Service, cli: Run, root: Path, *, schedules_exist: bool = False
) -> dict[str, Any]:
    """The state a fault-free apply of the configuration at `root` leaves."""
    with service.fake(spec_checker=None) as clean:
        service.seed(clean, root)
        if schedules_exist:
            service.seed_schedules(clean)
        env = service.env(clean)
        assert cli("apply", *service.only, "--root", str(root), env=env).code == 0
        return service.normalised(clean)


@pytest.fixture
def reference(service: Service, cli: Run, repo: Path) -> dict[str, Any]:
    return clean_apply(service, cli, repo)


def converged(service: Service, run: Run, server: Any, reference: dict[str, Any]) -> None:
    settled(run)
    assert service.normalised(server) == reference


# ---- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(
    service: Service, run: Run, server: Any, reference: Any
) -> None:
    service.throttle_schedule_creates(server)
    applied(run)
    creates = [r for r in server.log if r.method == "POST" and r.path.endswith("/schedules")]
    assert [r.status for r in creates[:2]] == [429, 201]
    assert creates[1].received_at - creates[0].received_at >= 0.9, "Retry-After not honoured"
    converged(service, run, server, reference)


# A list read after the schedules': OpsGenie's escalations, JSM's teams (read first).
ANOTHER_LIST = {"opsgenie": r"^/v2/escalations$", "jsm-ops": r"/v1/teams$"}


def test_server_errors_and_dropped_connections_converge(
    service: Service, run: Run, server: Any, reference: Any
) -> None:
    schedules, escalations = service.schedules_path, service.escalations_path
    server.faults.add(Fault(status=503, method="GET", path=schedules, times=2))
    another = ANOTHER_LIST[service.name]
    server.faults.add(Fault(kind="drop_before", method="GET", path=another, times=1))
    server.faults.add(Fault(status=502, method="POST", path=service.overrides_path, times=1))
    server.faults.add(Fault(kind="drop_before", method="POST", path=escalations, times=1))
    server.faults.add(Fault(status=500, method="POST", path=schedules, skip=1, times=1))
    applied(run)
    assert all(f.fired == f.times for f in server.faults)
    converged(service, run, server, reference)


# Where setops looks a lost escalation create up by its name (JSM lists the team's).
ESCALATION_LOOKUP = {"opsgenie": "/v2/escalations/SET escalation", "jsm-ops": None}


def test_a_committed_create_whose_answer_is_lost_is_not_repeated(
    service: Service, run: Run, server: Any, reference: Any
) -> None:
    """A lost override create is found again (JSM: by its content, as JSM gave it an
    alias setops never saw)."""
    server.faults.add(Fault(kind="drop_after", method="POST", path=service.schedules_path, times=2))
    server.faults.add(Fault(kind="drop_after", method="POST", path=service.overrides_path, times=2))
    server.faults.add(
        Fault(kind="drop_after", method="POST", path=service.escalations_path, times=1)
    )
    applied(run)
    assert service.created(server) == {"schedule": 3, "override": 4, "escalation": 1}
    assert sum(len(server.overrides(s)) for s in SCHEDULES) == 4
    lookup = ESCALATION_LOOKUP[service.name]
    if lookup:
        assert server.count("GET", lookup) == 1  # looked it up, found it
    converged(service, run, server, reference)


def test_lost_answers_to_updates_and_deletes_are_retried_safely(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    swap_pair(repo, "2027-01-11", "emea")
    drop_overrides(repo, "swap-jonas-kai-2026-12-16", "swap-kai-jonas-2026-12-16")
    server.faults.add(Fault(kind="drop_after", method="PATCH", path=r"/rotations/", times=2))
    server.faults.add(Fault(status=503, method="PATCH", path=r"/rotations/", times=1))
    server.faults.add(Fault(kind="drop_after", method="DELETE", path=r"/overrides/", times=1))
    applied(run)
    settled(run)


# ---- a crash in the middle of an apply -------------------------------------------------------


class Killing:
    """Mix in before a fake: SIGKILL the client after committing its k-th write, before
    answering it."""

    kill_after = 0
    victim: int | None = None
    writes = 0

    def after_request(self, request: Request, response: Response) -> Response:
        response = super().after_request(request, response)  # type: ignore[misc]
        if request.mutating and request.handled and response.status < 300:
            self.writes += 1
            if self.writes == self.kill_after and self.victim is not None:
                os.kill(self.victim, signal.SIGKILL)
        return response


def run_killed(service: Service, fake: Any, root: Path, tmp_path: Path) -> int:
    env = {
        **os.environ,
        **service.env(fake),
        "SETOPS_NOW": NOW,
        "SETOPS_LOG_DIR": str(tmp_path / "logs"),
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "setops", "apply", *service.only, "--root", str(root)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fake.victim = process.pid
    process.communicate(timeout=60)
    return process.returncode


# Fresh: schedules (with their rotations), then overrides, then the escalation: 8 writes.
# With the schedules there: 68 rotations, then the overrides (JSM: setops' mark on each
# schedule before its first override), then the escalation: 73 writes (JSM 76).
KILLS: list[tuple[Service, int, bool]] = [
    (OpsGenie(), k, e) for k, e in [(1, False), (5, False), (1, True), (37, True), (71, True)]
]
KILLS += [
    (JsmOps(), k, e)
    for k, e in [(1, False), (4, False), (7, False), (1, True), (37, True), (69, True), (72, True)]
]


@pytest.mark.parametrize(
    ("service", "kill_after", "schedules_exist"),
    KILLS,
    ids=[f"{s.name}-{k}-{'existing' if e else 'fresh'}" for s, k, e in KILLS],
)
def test_killed_mid_apply_a_rerun_converges_without_duplicates(
    service: Service,
    kill_after: int,
    schedules_exist: bool,
    repo: Path,
    tmp_path: Path,
    cli: Run,
) -> None:
    reference = clean_apply(service, cli, repo, schedules_exist=schedules_exist)
    with service.fake(Killing) as fake:
        fake.kill_after = kill_after
        service.seed(fake, repo)
        if schedules_exist:  # then every rotation is its own request
            service.seed_schedules(fake)
        assert run_killed(service, fake, repo, tmp_path) == -signal.SIGKILL
        assert fake.writes == kill_after
        root = ("--root", str(repo))
        rerun = cli("apply", *service.only, *root, env=service.env(fake))
        assert rerun.code == 0, rerun.err
        assert service.normalised(fake) == reference
        plan = cli("plan", *service.only, "--detailed-exitcode", *root, env=service.env(fake))
        assert plan.code == 0, plan.out + plan.err
        service.check(fake)


# ---- errors: clean, naming the object, never the key or token --------------------------------


def no_canary(result: Result, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert result.code == 1, result.err
    assert CANARY not in result.out + result.err
    assert all(CANARY not in r.getMessage() for r in caplog.records)
    for path in (tmp_path / "logs").glob("**/*"):
        if path.is_file():
            assert CANARY not in path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def canary(service: Service, repo: Path, cli: Run) -> Iterator[Any]:
    """Run setops against a fresh fake whose key or token is CANARY, with `faults`; the
    fake is made with `options` and changed by `meddle` once seeded."""
    fakes: list[Any] = []

    def run(
        *args: str,
        secret: str = CANARY,
        options: dict[str, Any] | None = None,
        meddle: Callable[[Any], None] | None = None,
        **faults: Fault,
    ) -> Result:
        fake = service.fake(secret=CANARY, **(options or {}))
        fakes.append(fake)
        fake.start()
        service.seed(fake, repo)
        if meddle is not None:
            meddle(fake)
        for fault in faults.values():
            fake.faults.add(fault)
        env = service.env(fake, **{service.secret_variable: secret})
        return cli(*args, *service.only, "--root", str(repo), env=env)

    yield run
    for fake in fakes:
        fake.stop()
        service.check(fake)


WRONG_SECRET = {
    "opsgenie": "opsgenie: list schedules failed (HTTP 401): Could not authenticate",
    "jsm-ops": "jsm-ops: list teams failed (HTTP 401): Unauthorized; check JSM_OPS_EMAIL",
}


def test_a_wrong_key_or_token_is_reported_without_it(
    service: Service, canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = canary("plan", secret=CANARY + "-old")
    no_canary(result, tmp_path, caplog)
    assert WRONG_SECRET[service.name] in result.err


# Each vendor's own shape of a validation error, with the secret echoed in it.
REJECTED = {
    "opsgenie": (
        {"message": f"rejected {CANARY}", "errors": {"rotations": "bad"}, "took": 0.1},
        "opsgenie: create escalation SET escalation failed (HTTP 422): rejected ***; "
        "rotations: bad",
    ),
    "jsm-ops": (
        {"errors": [{"title": f"rejected {CANARY}", "code": "UNPROCESSABLE_ENTITY"}]},
        "jsm-ops: create escalation SET escalation failed (HTTP 422): rejected *** "
        "(UNPROCESSABLE_ENTITY)",
    ),
}


def test_a_validation_error_quotes_the_vendor(
    service: Service, canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body, said = REJECTED[service.name]
    fault = Fault(status=422, method="POST", path=service.escalations_path, body=body)
    result = canary("apply", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert said in result.err
    assert "75 of 76 changes were made before this" in result.err


def test_retries_have_an_end(
    service: Service, canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fault = Fault(status=503, method="GET", path=service.schedules_path, times=None)
    result = canary("plan", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert f"{service.name}: list schedules failed (HTTP 503)" in result.err


def test_a_long_retry_after_is_a_clean_failure(
    service: Service, canary: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Retry-After": "600"}
    path = service.schedules_path
    fault = Fault(status=429, method="GET", path=path, headers=headers, times=None)
    result = canary("plan", fault=fault)
    no_canary(result, tmp_path, caplog)
    assert "asked to wait 600 s" in result.err


def test_an_unreachable_server_is_a_clean_failure(
    service: Service, cli: Run, repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with service.fake(secret=CANARY) as fake:
        env = service.env(fake)
    result = cli("plan", *service.only, "--root", str(repo), env=env)
    no_canary(result, tmp_path, caplog)
    assert f"{service.name}: {service.first_read} failed: no answer from the server" in result.err
