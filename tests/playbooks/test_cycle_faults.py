"""The cycle run under faults: a 429, a 5xx, an answer dropped before or after the server
acted, and a process killed while an answer is held back; then a re-run. One run per
cycle, nobody added twice, and a third run sends nothing."""

from __future__ import annotations

import collections
import os
import sys
from pathlib import Path

import pytest

from tests.fakes.base import Fault
from tests.fakes.playbooks import FINISHED, IN_PROGRESS
from tests.handover.test_kill import KillPoint, kill_at
from tests.playbooks.conftest import TOKEN, Cli, World, apply

ROOT = Path(__file__).resolve().parents[2]
NEXT_CYCLE = "2026-12-14T09:30:00+01:00"
# (scenario, method, path): every write a cycle change or a lead override makes.
POINTS = {
    "run started": ("next", "POST", r"/runs$"),
    "participants added": ("next", "POST", r"/query$"),
    "old run finished": ("next", "PUT", r"/finish$"),
    "owner changed": ("override", "POST", r"/owner$"),
    "summary set": ("override", "POST", r"/query$"),
}
FAULTS = {
    "429": Fault("status", status=429, headers={"Retry-After": "0"}),
    "503": Fault("status", status=503),
    "dropped before": Fault("drop_before"),
    "dropped after": Fault("drop_after"),
}


def prepare(cli: Cli, world: World, scenario: str) -> None:
    """The state before the faulted apply, and its clock."""
    if scenario == "next":
        assert apply(cli, world).code == 0
        world.clock.now = NEXT_CYCLE
    else:
        world.clock.now = "2026-12-29T10:00:00+01:00"
        assert apply(cli, world).code == 0
        world.clock.now = "2027-01-05T10:00:00+01:00"  # hana stands in for tomas
    world.mm.clear_log()


def added(world: World) -> collections.Counter[str]:
    """How often each user was in an addRunParticipants the server carried out."""
    counts: collections.Counter[str] = collections.Counter()
    for request in world.mm.mutating_requests(handled_only=True):
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.endswith("/query") and "addRunParticipants" in str(body.get("query")):
            counts.update(body["variables"]["userIDs"])
    return counts


def assert_converged(world: World, scenario: str) -> None:
    runs = world.cycle_runs()
    if scenario == "next":
        assert [r.current_status for r in runs] == [FINISHED, IN_PROGRESS]
        assert runs[1].name == "SET 2026-12-14 to 2026-12-27"
        people = ["mira", "jonas", "kai", "lena", "omar"]
    else:
        assert [r.current_status for r in runs] == [IN_PROGRESS]
        assert runs[0].owner_user_id == world.user("hana")
        assert "standing in for" in runs[0].summary
        people = ["hana", "tomas"]
    have = set(runs[-1].participant_ids)
    assert {world.user(p) for p in people} <= have
    assert all(n == 1 for n in added(world).values()), added(world)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("point", list(POINTS))
def test_a_fault_on_each_write_then_a_rerun(cli: Cli, world: World, point: str, fault: str) -> None:
    scenario, method, path = POINTS[point]
    prepare(cli, world, scenario)
    template = FAULTS[fault]
    injected = world.mm.faults.add(
        Fault(
            template.kind,
            method=method,
            path=path,
            status=template.status,
            headers=dict(template.headers),
        )
    )
    first = apply(cli, world)
    assert injected.fired == 1, "the write was never made"
    assert "Traceback" not in first.err and TOKEN not in first.out + first.err
    again = apply(cli, world)
    assert again.code == 0, again.err
    assert_converged(world, scenario)
    world.mm.clear_log()
    assert apply(cli, world).code == 0 and world.writes() == []


def killed_at(world: World, point: KillPoint) -> None:
    env = {
        **os.environ,
        **world.env,
        "PYTHONPATH": str(ROOT),
        "SETOPS_HTTP_RETRIES": "0",
        "SETOPS_LOG_DIR": str(world.repo / ".logs"),
    }
    command = [sys.executable, "-m", "setops", "apply", "--only", "playbooks"]
    kill_at(point, [*command, "--root", str(world.repo)], env, "apply")


@pytest.mark.parametrize("point", list(POINTS))
def test_killed_after_each_write_then_a_rerun(cli: Cli, world: World, point: str) -> None:
    scenario, method, path = POINTS[point]
    prepare(cli, world, scenario)
    killed_at(world, KillPoint(world.mm, method, path))
    again = apply(cli, world)
    assert again.code == 0, again.err
    assert_converged(world, scenario)
    world.mm.clear_log()
    assert apply(cli, world).code == 0 and world.writes() == []
