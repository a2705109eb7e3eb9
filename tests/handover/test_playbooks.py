"""The handover's Playbooks steps against the test Playbooks server: the cycle run's items
ticked (never one a person touched), one status update, incident runs that missed their
update listed, and the incoming team brought into the outgoing team's incident runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.fakes.base import Fault
from tests.fakes.playbooks import FakePlaybooks, plugin_of
from tests.handover.conftest import HANDOVER_RUN, RUN_AT, World
from tests.handover.test_handover import Cli, announcements, handover

HOUR = 3_600_000
NOW = int(RUN_AT.timestamp() * 1000)
OUTGOING = ["elif.demir", "femi.adeyemi", "gus.halvorsen", "ines.carvalho", "ivo.markovic"]
INCOMING = ["jonas.brandt", "kai.nakamura", "lena.kowalski", "omar.haddad", "mira.okafor"]


def setup_runs(cli: Cli, world: World) -> dict[str, str]:
    """The cycle run (started by setops) and five incident runs."""
    plugin = plugin_of(world.mattermost)
    world.mattermost.seed_user("support.sam")
    env = {**world.env, "SETOPS_NOW": HANDOVER_RUN}
    assert cli("apply", "--only", "playbooks", "--root", str(world.repo), env=env).code == 0
    incident = next(p.id for p in plugin.playbooks.values() if p.title == "Support incident")

    def run(name: str, hours_ago: int, posts: list[int], people: list[str]) -> str:
        return plugin.seed_run(
            incident,
            name,
            owner="support.sam",
            participants=people,
            created=NOW - hours_ago * HOUR,
            status_posts=[NOW - h * HOUR for h in posts],
        )

    runs = {
        "fresh": run("L1: community server down", 50, [49, 2], ["femi.adeyemi"]),
        "stale": run("L2: slow search for a customer", 60, [30], ["gus.halvorsen"]),
        "none": run("L1 login loop", 72, [], []),
        "reset": run("L2: exports time out", 80, [40], ["ivo.markovic"]),
        "elsewhere": run("L2: nobody from SET", 5, [1], []),
    }
    plugin.reset_reminder(runs["reset"], NOW - HOUR)  # snoozed: no update for all that
    return runs


def cycle_run(plugin: FakePlaybooks) -> Any:
    cycle = next(p.id for p in plugin.playbooks.values() if p.title == "SET cycle")
    (run,) = plugin.runs_of(cycle)
    return run


def states(run: Any) -> dict[str, str]:
    return {i.title: i.state for c in run.checklists for i in c.items}


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_the_handover_ticks_updates_lists_and_joins(cli: Cli, world: World) -> None:
    plugin = plugin_of(world.mattermost)
    runs = setup_runs(cli, world)
    touched = cycle_run(plugin).checklists[2].items[1]
    touched.state_modified = NOW - HOUR  # a person ticked it and un-ticked it again
    world.clear_logs()
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert dry.code == 0, dry.err
    world.assert_no_writes()
    for name in ("L2: slow search", "L1 login loop", "L2: exports time out"):
        assert name in dry.out
    assert "L1: community server down: owner" not in dry.out  # fresh: not listed
    assert "no update since it started 3 d 0 h ago" in dry.out

    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 0, result.err
    run = cycle_run(plugin)
    assert states(run) == {
        "Review every ongoing issue and give it an owner": "",
        "Watch the escalation sources": "",
        "Incoming team in the incident channels and runs": "closed",
        "SET tickets reassigned to the incoming team": "",  # the person's
        "Knowledge transferred": "",
    }
    (update,) = run.status_posts
    (pull,) = world.github.pulls()
    assert update.message.startswith("**SET handover 2026-12-14**")
    assert pull["html_url"] in update.message and update.author == "setops-bot"

    for key in ("fresh", "stale", "reset"):  # an outgoing member takes part
        assert set(INCOMING) <= set(plugin.participants(runs[key])), key
    for key in ("none", "elsewhere"):
        assert not set(INCOMING) & set(plugin.participants(runs[key])), key
    body = pull["body"]
    for text in ("L2: slow search", "L1 login loop", "L2: exports time out"):
        assert text in body and text in announcements(world)[0]["message"]
    assert "community server down: owner" not in body

    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0 and "No handover due" in again.out
    world.assert_no_writes()


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize("path", [r"/status$", r"/query$", r"/state$"])
@pytest.mark.parametrize("kind", ["drop_after", "status"])
def test_a_lost_or_failed_playbooks_write_is_not_repeated(
    cli: Cli, world: World, path: str, kind: str
) -> None:
    plugin = plugin_of(world.mattermost)
    runs = setup_runs(cli, world)
    fault = world.mattermost.faults.add(Fault(kind, method=None, path=path, status=503))  # type: ignore[arg-type]
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert fault.fired == 1
    if first.code != 0:
        again = handover(cli, world, "--at", HANDOVER_RUN)
        assert again.code == 0, again.err
    assert len(cycle_run(plugin).status_posts) == 1
    added: dict[str, int] = {}
    for request in world.mattermost.mutating_requests(handled_only=True):
        body = request.json if isinstance(request.json, dict) else {}
        if "addRunParticipants" in str(body.get("query")):
            key = body["variables"]["runID"]
            for user in body["variables"]["userIDs"]:
                added[f"{key}/{user}"] = added.get(f"{key}/{user}", 0) + 1
    assert added and all(n == 1 for n in added.values()), added
    assert set(INCOMING) <= set(plugin.participants(runs["stale"]))
    assert states(cycle_run(plugin))["Incoming team in the incident channels and runs"] == "closed"


def test_the_dates_are_what_the_tests_assume() -> None:
    assert RUN_AT.astimezone(dt.UTC).isoformat() == "2026-12-11T14:00:00+00:00"
