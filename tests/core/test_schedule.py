"""The schedule across daylight-saving changes and year boundaries; who and schedule agree."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from setops.config.load import load_config
from setops.config.models import Shift
from setops.schedule import compute_schedule, shift_active
from tests.conftest import ORG, Result

UTC = dt.UTC


def move_cycles(repo: Path, first: dt.date) -> Path:
    """Shift the small organisation's three cycles to start on `first` (a Monday)."""
    path = repo / "rotations/set.yaml"
    text = path.read_text()
    for i, old in enumerate(("2026-11-30", "2026-12-14", "2026-12-28")):
        text = text.replace(f"start: {old}", f"start: {first + dt.timedelta(weeks=2 * i)}")
    path.write_text(text)
    (repo / "rotations/overrides.yaml").write_text("overrides: []\n")
    return repo


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_spring_forward_keeps_the_shift_change_at_nine_local(small_repo: Path) -> None:
    # Europe/Berlin moves to summer time on Sunday 2027-03-28.
    schedule = compute_schedule(load_config(move_cycles(small_repo, dt.date(2027, 3, 22))))
    week1, week2 = schedule.timeline("primary", "emea")[:2]
    assert week1.start.astimezone(UTC) == utc(2027, 3, 22, 8)  # 09:00 CET
    assert week2.start.astimezone(UTC) == utc(2027, 3, 29, 7)  # 09:00 CEST
    assert week1.end - week1.start == dt.timedelta(hours=7 * 24 - 1)
    assert week2.start.astimezone(schedule.tz).isoformat() == "2027-03-29T09:00:00+02:00"
    before = schedule.holder("primary", "emea", utc(2027, 3, 29, 6, 59))
    after = schedule.holder("primary", "emea", utc(2027, 3, 29, 7, 0))
    assert before is not None and before.person == "eva"
    assert after is not None and after.person == "eli"


def test_fall_back_keeps_the_shift_change_at_nine_local(small_repo: Path) -> None:
    # Europe/Berlin returns to standard time on Sunday 2027-10-31.
    schedule = compute_schedule(load_config(move_cycles(small_repo, dt.date(2027, 10, 25))))
    week1, week2 = schedule.timeline("backup", "amer")[:2]
    assert week1.start.astimezone(UTC) == utc(2027, 10, 25, 7)  # 09:00 CEST
    assert week2.start.astimezone(UTC) == utc(2027, 11, 1, 8)  # 09:00 CET
    assert week1.end - week1.start == dt.timedelta(hours=7 * 24 + 1)
    lead = schedule.timeline("lead", None)[0]
    assert lead.end.astimezone(schedule.tz).isoformat() == "2027-11-08T09:00:00+01:00"


def test_shift_hours_follow_their_own_zone_across_us_daylight_saving(small_repo: Path) -> None:
    config = load_config(small_repo)
    amer = next(s for s in config.rotation.shifts if s.name == "amer")
    # New York moves to summer time on 2027-03-14, two weeks before Berlin.
    assert not shift_active(amer, utc(2027, 3, 12, 12, 30))  # 07:30 EST
    assert shift_active(amer, utc(2027, 3, 12, 13, 0))  # 08:00 EST
    assert shift_active(amer, utc(2027, 3, 15, 12, 0))  # 08:00 EDT
    assert not shift_active(amer, utc(2027, 3, 15, 11, 59))  # 07:59 EDT


def test_hours_across_midnight_belong_to_the_day_they_began() -> None:
    night = Shift(
        name="night", timezone="Europe/Berlin", start="22:00", end="06:00", days=["friday"]
    )
    assert shift_active(night, dt.datetime(2026, 12, 4, 23, 0, tzinfo=UTC))  # Sat 00:00 CET
    assert shift_active(night, dt.datetime(2026, 12, 4, 21, 0, tzinfo=UTC))  # Fri 22:00 CET
    assert not shift_active(night, dt.datetime(2026, 12, 5, 21, 0, tzinfo=UTC))  # Sat 22:00


def test_year_boundary(small_repo: Path, cli: Callable[..., Result]) -> None:
    before = json.loads(
        cli("who", "--root", str(small_repo), "--at", "2026-12-31T23:59", "--format", "json").out
    )
    after = json.loads(
        cli("who", "--root", str(small_repo), "--at", "2027-01-01T00:00", "--format", "json").out
    )
    assert (
        before["cycle"]
        == after["cycle"]
        == {
            "start": "2026-12-28T09:00:00+01:00",
            "end": "2027-01-11T09:00:00+01:00",
        }
    )

    def holders(who: dict[str, Any]) -> list[tuple[str, str]]:
        return [(s["primary"]["id"], s["backup"]["id"]) for s in who["shifts"]]

    assert holders(before) == holders(after) == [("eli", "emil"), ("amy", "alba")]
    week2 = json.loads(
        cli("who", "--root", str(small_repo), "--at", "2027-01-04T09:00", "--format", "json").out
    )
    assert week2["shifts"][0]["primary"]["id"] == "emil"  # eli's backup is primary in week 2
    assert week2["shifts"][0]["backup"]["id"] == "eli"


def test_an_override_splits_the_slot_it_covers(small_repo: Path) -> None:
    schedule = compute_schedule(load_config(small_repo))
    pieces = [s for s in schedule.timeline("primary", "emea") if s.cycle == dt.date(2026, 12, 14)]
    assert [
        (s.person, s.start.astimezone(schedule.tz).isoformat(), s.override) for s in pieces
    ] == [
        ("emil", "2026-12-14T09:00:00+01:00", None),
        ("eli", "2026-12-15T09:00:00+01:00", "eli-covers-eva"),
        ("emil", "2026-12-16T09:00:00+01:00", None),
        ("eva", "2026-12-21T09:00:00+01:00", None),
    ]


def test_time_without_offset_is_read_in_the_rotation_zone(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    result = cli("who", "--root", str(small_repo), "--at", "2026-12-08T10:00", "--format", "json")
    assert json.loads(result.out)["at"] == "2026-12-08T10:00:00+01:00"
    gap = cli(
        "who",
        "--root",
        str(move_cycles(small_repo, dt.date(2027, 3, 22))),
        "--at",
        "2027-03-28T02:30",
        "--format",
        "json",
    )
    assert json.loads(gap.out)["at"] == "2027-03-28T03:30:00+02:00"  # 02:30 does not exist


@pytest.mark.parametrize("hours", range(0, 24 * 7 * 26, 37))
def test_who_and_schedule_agree(hours: int, cli: Callable[..., Result]) -> None:
    instant = dt.datetime(2026, 11, 16, 8, 0, tzinfo=UTC) + dt.timedelta(hours=hours)
    at = instant.isoformat()
    who = json.loads(cli("who", "--root", str(ORG), "--at", at, "--format", "json").out)
    day = instant.astimezone(dt.timezone(dt.timedelta(hours=1))).date() - dt.timedelta(days=1)
    slots = json.loads(
        cli(
            "schedule", "--root", str(ORG), "--from", str(day), "--weeks", "1", "--format", "json"
        ).out
    )["slots"]
    covering = {
        (s["role"], s["shift"]): s["person"]["id"]
        for s in slots
        if dt.datetime.fromisoformat(s["start"]) <= instant < dt.datetime.fromisoformat(s["end"])
    }
    assert covering[("lead", None)] == who["lead"]["id"]
    for shift in who["shifts"]:
        assert covering[("primary", shift["name"])] == shift["primary"]["id"]
        assert covering[("backup", shift["name"])] == shift["backup"]["id"]
