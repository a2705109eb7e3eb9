"""Fixtures for the JSM Operations target: a seeded fake JSM and a CLI bound to it, on the
bundled configuration switched to JSM by its one line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Result
from tests.fakes.jsm_ops import FakeJsmOps
from tests.opsgenie.conftest import FAST_RETRIES, people

ONLY = ("--only", "jsm-ops")
SCHEDULES = ("SET Lead", "SET Primary", "SET Backup")
# The one spec note a correct client gets: the description says an escalation rule waits
# at least a minute, but the primary is paged at once (README F; the fake accepts 0).
DELAY_ZERO = "0 is less than the minimum of 1"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def switch_to_jsm(root: Path) -> None:
    """The one-line change that moves the bundled configuration from OpsGenie to JSM."""
    path = root / "policies" / "integrations.yaml"
    before = path.read_text(encoding="utf-8")
    after = re.sub(r"(?m)^  target: opsgenie\b", "  target: jsm-ops", before)
    pairs = zip(before.splitlines(), after.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("  target: jsm-ops"), changed
    path.write_text(after, encoding="utf-8")


def accounts(root: Path) -> dict[str, str]:
    """The roster's OpsGenie usernames -> Jira (Atlassian) account ids."""
    return {p["opsgenie"].lower(): p["jira"] for p in people(root)}


def seed(fake: FakeJsmOps, root: Path, *, skip: tuple[str, ...] = ()) -> str:
    """The roster's people as Atlassian accounts (but `skip`) and the SET team; its id."""
    for person in people(root):
        if person["id"] not in skip:
            fake.seed_user(person["jira"], person["name"])
    return fake.seed_team("SET")


def check_fake(fake: FakeJsmOps) -> None:
    """No handler crashed; every request was one JSM documents, but the delay-0 rule."""
    assert fake.handler_errors == [], fake.handler_errors[0]
    other = [v for v in fake.spec_violations if DELAY_ZERO not in v]
    assert other == [], "\n".join(other)
    assert all("/escalations" in v for v in fake.spec_violations)


def clock(text: str = NOW) -> Callable[[], dt.datetime]:
    instant = at(text)
    return lambda: instant


def jsm_env(fake: FakeJsmOps, **extra: str) -> dict[str, str]:
    return {
        "JSM_OPS_EMAIL": fake.email,
        "JSM_OPS_API_TOKEN": fake.api_token,
        "JSM_OPS_CLOUD_ID": fake.cloud_id,
        "JSM_OPS_API_URL": fake.base_url,
        **FAST_RETRIES,
        **extra,
    }


@pytest.fixture
def jsm_repo(org_repo: Path) -> Path:
    switch_to_jsm(org_repo)
    return org_repo


@pytest.fixture
def jsm(jsm_repo: Path) -> Iterator[FakeJsmOps]:
    with FakeJsmOps(now=clock()) as fake:
        seed(fake, jsm_repo)
        yield fake
        check_fake(fake)


Run = Callable[..., Result]


@pytest.fixture
def ops(cli: Callable[..., Result], jsm: FakeJsmOps, jsm_repo: Path) -> Run:
    """`setops ARGS --root <bundled copy on JSM>` against the fake, with fast retries;
    SETOPS_NOW=… moves the fake's clock too."""

    def invoke(*args: str, root: Path | None = None, **extra: str) -> Result:
        if "SETOPS_NOW" in extra:
            jsm.now = clock(extra["SETOPS_NOW"])
        return cli(*args, "--root", str(root or jsm_repo), env=jsm_env(jsm, **extra))

    return invoke


def applied(ops: Run, *args: str, **extra: str) -> Result:
    result = ops("apply", *ONLY, *args, **extra)
    assert result.code == 0, result.err
    return result


def writes(fake: FakeJsmOps) -> list[str]:
    """The writes sent, as "METHOD /v1/<path template>" (ids would not read)."""
    out = []
    for r in fake.mutating_requests():
        path = r.route or r.path
        out.append(f"{r.method} {path[path.index('/v1/') :]}")
    return out


def rotation_names(fake: FakeJsmOps, schedule: str) -> list[str]:
    return [
        r["name"] for r in fake.rotations(schedule) if not r["name"].startswith("setops: marks")
    ]


def names_of(fake: FakeJsmOps, schedule: str) -> dict[str, str]:
    """Rotation id -> name in one schedule."""
    return {r["id"]: r["name"] for r in fake.rotations(schedule)}


def override_view(fake: FakeJsmOps, schedule: str) -> list[dict[str, Any]]:
    """A schedule's overrides with rotation names, marks left out (what a reader sees)."""
    names = names_of(fake, schedule)
    out = []
    for o in fake.overrides(schedule):
        rotations = sorted(names[i] for i in o.get("rotationIds") or [])
        out.append({**o, "rotations": [n for n in rotations if not n.startswith("setops: marks")]})
    return out
