"""`setops load`: weeks, hours on each person's clock, overrides, pro-rata fair shares."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from setops.config.load import load_config
from setops.config.models import zone
from setops.planning.load import LoadReport, compute_load
from setops.schedule import local_instant
from tests.planning.org import START, CycleRow, Member, Org, first_cycle, standard

BERLIN = zone("Europe/Berlin")


def _report(root: Path, start: dt.date, weeks: int) -> LoadReport:
    config = load_config(root)
    begin = local_instant(start, dt.time(), BERLIN)
    return compute_load(config, begin, begin + dt.timedelta(weeks=weeks))


def _by_id(report: LoadReport) -> dict[str, Any]:
    return {p.person: p for p in report.people}


def test_one_cycle_counts_a_primary_and_a_backup_week_each(tmp_path: Path) -> None:
    root = Org(standard(), [first_cycle()]).write(tmp_path)
    people = _by_id(_report(root, START, 3))
    assert (people["eu0"].primary_weeks, people["eu0"].backup_weeks) == (1.0, 1.0)
    assert people["lead0"].lead_cycles == 1.0
    # 14 days of 12-hour shifts; the emea shift is daytime in Berlin, weekends apart.
    assert people["eu0"].on_call_hours == 14 * 12
    assert people["eu0"].weekend_hours == 4 * 12
    assert people["eu0"].night_hours == 0
    assert people["eu2"].load_weeks == 0


def test_night_hours_are_on_the_holders_own_clock(tmp_path: Path) -> None:
    # The amer shift (08:00-20:00 New York) held from Tokyo is 22:00-10:00 there.
    people = standard()
    people[people.index(Member("am0", "team0", "America/New_York"))] = Member(
        "am0", "team0", "Asia/Tokyo"
    )
    root = Org(people, [first_cycle()]).write(tmp_path)
    am0 = _by_id(_report(root, START, 3))["am0"]
    assert am0.on_call_hours == 14 * 12
    assert am0.night_hours == 14 * 8  # 22:00-06:00 Tokyo each day
    assert am0.weekend_hours == 4 * 4  # daytime hours of the Saturday and Sunday local days


def test_fair_share_is_pro_rata_to_days_on_the_roster(tmp_path: Path) -> None:
    people = standard()
    joiner = Member("eu3", "team1", since=START + dt.timedelta(days=14))
    people[people.index(Member("eu3", "team1"))] = joiner
    root = Org(people, [first_cycle()], time_off=[("eu2", START, START + dt.timedelta(6))])
    report = _report(root.write(tmp_path), START, 4)
    by = _by_id(report)
    assert by["eu3"].available_days == 14
    assert by["eu2"].available_days == 21
    total = sum(p.load_weeks for p in report.people if p.pool == "engineer")
    assert (
        abs(sum(p.fair_share_weeks for p in report.people if p.pool == "engineer") - total) < 1e-9
    )
    assert by["eu3"].fair_share_weeks < by["eu2"].fair_share_weeks < by["eu0"].fair_share_weeks
    assert report.balance_weeks == max(
        abs(p.deviation_weeks) for p in report.people if p.pool == "engineer"
    )


def test_overrides_taken_and_given(tmp_path: Path) -> None:
    root = Org(standard(), [first_cycle()]).write(tmp_path)
    (root / "rotations" / "overrides.yaml").write_text(
        "overrides:\n"
        "  - id: swap\n    role: primary\n    shift: emea\n    person: eu2\n"
        "    start: '2026-12-01T09:00:00+01:00'\n    end: '2026-12-02T09:00:00+01:00'\n"
    )
    by = _by_id(_report(root, START, 3))
    assert (by["eu2"].overrides_taken, by["eu2"].overrides_given) == (1, 0)
    assert (by["eu0"].overrides_taken, by["eu0"].overrides_given) == (0, 1)
    assert abs(by["eu2"].primary_weeks - 1 / 7) < 1e-9


def test_a_week_across_dst_counts_as_one_week(tmp_path: Path) -> None:
    spring = dt.date(2027, 3, 22)  # Europe moves its clocks on 2027-03-28
    cycle = CycleRow(spring, "lead0", ("eu0", "eu1"), ("am0", "am1"))
    root = Org(standard(), [cycle]).write(tmp_path)
    eu0 = _by_id(_report(root, spring, 3))["eu0"]
    assert (eu0.primary_weeks, eu0.backup_weeks) == (1.0, 1.0)


def test_load_command_json_contract(cli: Callable[..., Any], org_repo: Path) -> None:
    result = cli("load", "--root", str(org_repo), "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"window", "balance_weeks", "lead_balance_weeks", "people", "teams"}
    assert {p["id"] for p in data["people"]} >= {"ana", "hana"}
    assert data["window"]["start"] == "2026-06-02T00:00:00+02:00"
    for fmt in ("text", "markdown"):
        shown = cli("load", "--root", str(org_repo), "--format", fmt, "--weeks", "4")
        assert shown.code == 0 and "balance" in shown.out
