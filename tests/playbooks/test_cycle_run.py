"""The cycle run through `setops plan`/`apply` against the test Playbooks server: started
once per cycle, owned by the lead of the moment, finished when the next cycle starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.playbooks import FINISHED, IN_PROGRESS
from tests.playbooks.conftest import TOKEN, Cli, World, apply, ms, new_world, plan

CYCLE_PEOPLE = ["ivo", "elif", "femi", "gus", "ines"]  # lead first (rotations/set.yaml)


def usernames(world: World, people: list[str]) -> list[str]:
    return [world.config.person(p).mattermost for p in people]


def test_apply_starts_the_cycle_run(cli: Cli, world: World) -> None:
    result = apply(cli, world)
    assert result.code == 0, result.err
    assert "playbooks: 1 created" in result.out
    [run] = world.cycle_runs()
    assert run.name == "SET 2026-11-30 to 2026-12-13"
    assert run.owner_user_id == world.user("ivo")
    assert run.reporter_user_id == world.mm.bot.id
    assert set(world.plugin.participants(run.id)) == {
        *usernames(world, CYCLE_PEOPLE),
        "setops-bot",
    }
    assert run.summary.startswith("SET cycle 2026-11-30 to 2026-12-13.\nLead: @ivo.markovic")
    assert "https://github.com/example-org/set-config/blob/main/rotations/set.yaml" in run.summary
    assert run.current_status == IN_PROGRESS
    assert TOKEN not in result.out + result.err


def test_a_rerun_sends_nothing(cli: Cli, world: World) -> None:
    assert apply(cli, world).code == 0
    world.mm.clear_log()
    again = apply(cli, world)
    assert again.code == 0, again.err
    assert world.writes() == []
    assert "playbooks: 0 to create, 0 to update, 0 to delete" in again.out
    checked = plan(cli, world, "--detailed-exitcode")
    assert checked.code == 0, checked.out


def test_a_renamed_run_is_still_found(cli: Cli, world: World) -> None:
    assert apply(cli, world).code == 0
    [run] = world.cycle_runs()
    run.name = "SET cycle, renamed by the lead"
    world.mm.clear_log()
    assert apply(cli, world).code == 0
    assert world.writes() == [] and len(world.cycle_runs()) == 1


def test_the_next_cycle_starts_its_run_and_finishes_the_last(cli: Cli, world: World) -> None:
    assert apply(cli, world).code == 0
    world.clock.now = "2026-12-14T09:30:00+01:00"
    shown = plan(cli, world)
    assert "+ cycle run 'SET 2026-12-14 to 2026-12-27'" in shown.out
    assert "~ cycle run 'SET 2026-11-30 to 2026-12-13'  (its cycle is over)" in shown.out
    result = apply(cli, world)
    assert result.code == 0, result.err
    old, new = world.cycle_runs()
    assert old.current_status == FINISHED
    assert new.current_status == IN_PROGRESS and new.name == "SET 2026-12-14 to 2026-12-27"
    world.mm.clear_log()
    assert apply(cli, world).code == 0 and world.writes() == []


def test_a_run_people_started_is_left_alone(cli: Cli, world: World) -> None:
    theirs = world.plugin.seed_run(
        world.cycle, "SET by hand", owner="ivo.markovic", created=ms("2026-11-30T10:00:00+01:00")
    )
    result = apply(cli, world)
    assert result.code == 0
    assert "was started by a person this cycle" in result.out
    assert len(world.cycle_runs()) == 2
    assert world.plugin.runs[theirs].current_status == IN_PROGRESS


def test_a_run_a_person_finished_is_not_started_again(cli: Cli, world: World) -> None:
    assert apply(cli, world).code == 0
    [run] = world.cycle_runs()
    run.current_status = FINISHED
    world.mm.clear_log()
    result = apply(cli, world)
    assert result.code == 0 and "was finished by a person" in result.out
    assert world.writes() == [] and len(world.cycle_runs()) == 1


def test_the_override_lead_owns_the_run_while_it_lasts(cli: Cli, world: World) -> None:
    world.clock.now = "2026-12-29T10:00:00+01:00"  # cycle of 2026-12-28, lead tomas
    assert apply(cli, world).code == 0
    [run] = world.cycle_runs()
    assert run.owner_user_id == world.user("tomas")
    world.clock.now = "2027-01-05T10:00:00+01:00"  # hana covers tomas until 01-09
    shown = plan(cli, world)
    tomas, hana = usernames(world, ["tomas", "hana"])
    assert f'owner: "{tomas}" -> "{hana}"' in shown.out
    assert apply(cli, world).code == 0
    assert run.owner_user_id == world.user("hana")
    assert world.user("hana") in run.participant_ids
    assert "standing in for @tomas" in run.summary
    world.clock.now = "2027-01-09T10:00:00+01:00"
    assert apply(cli, world).code == 0
    assert run.owner_user_id == world.user("tomas")
    assert "standing in" not in run.summary
    assert len(world.cycle_runs()) == 1


@pytest.mark.parametrize("version", ["1.39.0", "2.6.2", "2.7.0", "2.10.0"])
def test_every_supported_version_gets_the_summary(cli: Cli, org_repo: Path, version: str) -> None:
    world = new_world(org_repo, version)
    try:
        assert apply(cli, world).code == 0
        [run] = world.cycle_runs()
        assert run.summary.startswith("SET cycle 2026-11-30")
        world.clock.now = "2026-12-14T09:30:00+01:00"
        assert apply(cli, world).code == 0
        assert [r.current_status for r in world.cycle_runs()] == [FINISHED, IN_PROGRESS]
    finally:
        world.mm.stop()


def test_a_server_without_the_plugin_names_the_setting(cli: Cli, org_repo: Path) -> None:
    world = new_world(org_repo, "2.10.0")
    world.plugin.licensed = False
    try:
        result = apply(cli, world)
    finally:
        world.mm.stop()
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "playbooks: enabled: false" in result.err
    assert "not installed or not enabled" in result.err
    assert TOKEN not in result.err


def test_a_bot_outside_the_playbook_is_told_what_it_needs(cli: Cli, org_repo: Path) -> None:
    world = new_world(org_repo, bot_member=False)
    try:
        result = apply(cli, world)
    finally:
        world.mm.stop()
    assert result.code == 1 and "Traceback" not in result.err
    assert "no playbook 'SET cycle' that the bot can see" in result.err
    assert "policies/integrations.yaml:" in result.err


def test_plan_without_credentials_shows_the_run_it_would_start(cli: Cli, world: World) -> None:
    result = cli("plan", "--root", str(world.repo))
    assert result.code == 0, result.err
    assert "playbooks: 1 to create, 0 to update, 0 to delete (not configured" in result.out
    assert "+ cycle run 'SET 2026-11-30 to 2026-12-13'" in result.out


def test_a_bot_off_the_team_is_told_so(cli: Cli, world: World) -> None:
    world.mm.seed_team_member("engineering", "setops-bot", member=False)
    result = apply(cli, world)
    assert result.code == 1 and "Traceback" not in result.err
    assert "no team 'engineering' the bot is on (HTTP 403): add the bot" in result.err
    assert world.writes() == []
