"""Cycle windows in the rotation's zone across a DST change and a year boundary."""

from __future__ import annotations

from tests.fakes.playbooks import FINISHED, IN_PROGRESS
from tests.playbooks.conftest import Cli, World, apply


def test_a_cycle_that_spans_the_spring_change(cli: Cli, world: World) -> None:
    # The cycle of 2027-03-22 starts at 09:00 +01:00 and ends at 09:00 +02:00 (2027-04-05).
    world.clock.now = "2027-03-22T09:01:00+01:00"
    assert apply(cli, world).code == 0
    world.clock.now = "2027-04-05T08:50:00+02:00"  # five minutes before the next window
    result = apply(cli, world)
    assert result.code == 0, result.err
    assert len(world.cycle_runs()) == 1
    world.clock.now = "2027-04-05T09:00:00+02:00"
    assert apply(cli, world).code == 0
    old, new = world.cycle_runs()
    assert (old.current_status, new.current_status) == (FINISHED, IN_PROGRESS)
    assert new.name == "SET 2027-04-05 to 2027-04-18"


def test_the_cycle_over_new_year(cli: Cli, world: World) -> None:
    world.clock.now = "2027-01-01T00:30:00+01:00"
    assert apply(cli, world).code == 0
    (run,) = world.cycle_runs()
    assert run.name == "SET 2026-12-28 to 2027-01-10"
