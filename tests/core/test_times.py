"""Issue 12 §5: every span shows the zone at both ends, and every command shows times in the
rotation's zone (or --tz ZONE), so diff, schedule and who read the same."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from setops.config.models import zone
from setops.render.people import span
from tests.conftest import Result
from tests.core.test_diff import edit, repo

__all__ = ["repo"]

CYCLE = "  - start: 2027-03-22  # to 2027-04-05\n    lead: ivo\n    shifts:\n"
SWAP_ACROSS_DST = (
    CYCLE + "      emea: {primary: ana, backup: ben}\n      amer: {primary: carla, backup: dev}",
    CYCLE + "      emea: {primary: ben, backup: ana}\n      amer: {primary: gus, backup: dev}",
)


def test_span_across_dst_names_the_zone_at_both_ends() -> None:
    berlin = zone("Europe/Berlin")
    start = dt.datetime(2027, 3, 22, 9, tzinfo=berlin)
    end = dt.datetime(2027, 3, 29, 9, tzinfo=berlin)
    assert span(start, end, berlin) == "Mon 2027-03-22 09:00 CET to Mon 2027-03-29 09:00 CEST"


def test_diff_span_across_dst_shows_cet_and_cest(repo: Path, cli: Callable[..., Result]) -> None:
    edit(repo / "rotations/set.yaml", *SWAP_ACROSS_DST)
    result = cli("diff", "--root", str(repo), "--base", "HEAD")
    assert result.code == 0, result.err
    assert (
        "  primary emea   Mon 2027-03-22 09:00 CET to Mon 2027-03-29 09:00 CEST: "
        "Ana Figueira (ana) → Ben Achterberg (ben)"
    ) in result.out.splitlines()


def test_diff_shows_amer_shift_in_rotation_zone_as_schedule_does(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "rotations/set.yaml", *SWAP_ACROSS_DST)
    diff = cli("diff", "--root", str(repo), "--base", "HEAD").out
    (moved,) = [line for line in diff.splitlines() if line.startswith("  primary amer")]
    # The amer week starts at the shift change, Monday 09:00 in Berlin: not 03:00 New York.
    assert "Mon 2027-03-22 09:00 CET to Mon 2027-03-29 09:00 CEST" in moved
    schedule = cli("schedule", "--root", str(repo), "--from", "2027-03-22", "--weeks", "1").out
    (row,) = [line for line in schedule.splitlines() if "primary amer   Gus" in line]
    assert row.startswith("Mon 2027-03-22 09:00 CET  to  Mon 2027-03-29 09:00 CEST")
    who = cli("who", "--root", str(repo), "--at", "2027-03-24T10:00").out
    assert "cycle    Mon 2027-03-22 09:00 CET to Mon 2027-04-05 09:00 CEST" in who


def test_tz_option_shows_every_command_in_another_zone(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "rotations/set.yaml", *SWAP_ACROSS_DST)
    ny = ("--tz", "America/New_York")
    diff = cli("diff", "--root", str(repo), "--base", "HEAD", *ny).out
    assert "  primary amer   Mon 2027-03-22 04:00 EDT to Mon 2027-03-29 03:00 EDT: " in diff
    schedule = cli("schedule", "--root", str(repo), "--from", "2027-03-22", "--weeks", "1", *ny)
    (row,) = [line for line in schedule.out.splitlines() if "primary amer   Gus" in line]
    assert row.startswith("Mon 2027-03-22 04:00 EDT  to  Mon 2027-03-29 03:00 EDT")
    who = cli("who", "--root", str(repo), "--at", "2027-03-24T10:00", "--format", "json", *ny)
    data = json.loads(who.out)
    assert data["at"] == "2027-03-24T05:00:00-04:00"
    assert data["cycle"]["start"] == "2027-03-22T04:00:00-04:00"


def test_unknown_tz_is_a_clean_error(cli: Callable[..., Result], repo: Path) -> None:
    result = cli("who", "--root", str(repo), "--tz", "Europe/Berln")
    assert result.code == 1
    assert result.err.strip() == (
        "setops: error: --tz: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?"
    )
