"""Which incident runs missed their update: judged by status posts, not by the
`last_status_update_at` the plugin also moves at creation and on a reminder snooze."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from setops.config.load import load_config
from setops.targets.playbooks.incidents import interval, last_update, stale_runs

NOW = dt.datetime(2026, 12, 11, 14, 0, tzinfo=dt.UTC)
H = 3_600_000


def at(hours_ago: float) -> int:
    return int((NOW.timestamp() - hours_ago * 3600) * 1000)


def run(name: str, created: float, posts: list[tuple[float, bool]], **extra: Any) -> dict[str, Any]:
    return {
        "id": name.replace(" ", "")[:26].ljust(26, "x"),
        "name": name,
        "owner_user_id": "owner",
        "current_status": "InProgress",
        "create_at": at(created),
        "last_status_update_at": at(0.5),  # snoozed half an hour ago, in every case
        "status_posts": [
            {"id": "p", "create_at": at(h), "delete_at": at(1) if gone else 0} for h, gone in posts
        ],
        **extra,
    }


def levels(repo: Path) -> Any:
    return load_config(repo).levels


def test_the_level_in_the_name_sets_the_interval(org_repo: Path) -> None:
    lv = levels(org_repo)
    assert interval("L2: exports", lv) == dt.timedelta(hours=24)
    assert interval("incident without a level", lv) == dt.timedelta(hours=24)
    assert interval("L4 is not watched", lv) == dt.timedelta(hours=24)  # the strictest


def test_a_stricter_level_is_the_fallback(org_repo: Path) -> None:
    path = org_repo / "policies" / "priorities.yaml"
    text = path.read_text()
    path.write_text(text.replace("update_every_hours: 24", "update_every_hours: 12", 1))
    lv = levels(org_repo)
    assert interval("L1 x", lv) == dt.timedelta(hours=12)
    assert interval("L2 x", lv) == dt.timedelta(hours=24)
    assert interval("no level", lv) == dt.timedelta(hours=12)


def test_deleted_posts_do_not_count() -> None:
    assert last_update(run("x", 50, [(2, True), (30, False)])) == dt.datetime.fromtimestamp(
        at(30) / 1000, dt.UTC
    )
    assert last_update(run("x", 50, [(2, True)])) is None


def test_stale_runs_by_their_posts(org_repo: Path) -> None:
    runs = [
        run("L1 fresh", 50, [(2, False)]),
        run("L2 stale", 60, [(30, False)]),
        run("L1 none", 72, []),
        run("L1 new, no post yet", 3, []),
        run("L2 only a deleted recent post", 40, [(1, True), (39, False)]),
        run("L2 finished", 60, [(30, False)], current_status="Finished"),
    ]
    found = stale_runs(runs, levels(org_repo), NOW, "https://mm", {"owner": "sam"})
    assert [s.name for s in found] == ["L1 none", "L2 only a deleted recent post", "L2 stale"]
    none = found[0]
    assert none.last_update is None and none.age == dt.timedelta(hours=72)
    assert none.link == f"https://mm/playbooks/runs/{runs[2]['id']}"
    assert none.describe() == (
        f"L1 none: owner @sam, no update since it started 3 d 0 h ago ({none.link})"
    )
