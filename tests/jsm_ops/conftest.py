"""Fixtures for the tests about JSM Operations alone: a seeded fake JSM and a CLI bound to it,
on the fixture organisation switched to JSM by its one line (what both paging services
share is in tests/paging)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.jsm_ops import FakeJsmOps
from tests.paging.services import (
    SCHEDULES,
    JsmOps,
    accounts,
    at,
    clock,
    seeded,
    switch_to_jsm,
)

__all__ = ["SCHEDULES", "accounts", "at", "clock", "switch_to_jsm"]

JSM = JsmOps()
ONLY = JSM.only
seed = JSM.seed
check_fake = JSM.check
jsm_env = JSM.env
writes = JSM.writes
rotation_names = JSM.rotation_names
mismatches = JSM.mismatches
Run = Callable[..., Result]


@pytest.fixture
def jsm_repo(org_repo: Path) -> Path:
    switch_to_jsm(org_repo)
    return org_repo


@pytest.fixture
def jsm(jsm_repo: Path) -> Iterator[FakeJsmOps]:
    with seeded(JSM, FakeJsmOps(now=clock()), jsm_repo) as fake:
        yield fake


@pytest.fixture
def ops(cli: Run, jsm: FakeJsmOps, jsm_repo: Path) -> Run:
    """`setops ARGS --root <fixture organisation on JSM>` against the fake, with fast
    retries; SETOPS_NOW=… moves the fake's clock too."""

    def invoke(*args: str, root: Path | None = None, **extra: str) -> Result:
        if "SETOPS_NOW" in extra:
            JSM.set_now(jsm, extra["SETOPS_NOW"])
        return cli(*args, "--root", str(root or jsm_repo), env=jsm_env(jsm, **extra))

    return invoke


def applied(ops: Run, *args: str, **extra: str) -> Result:
    result = ops("apply", *ONLY, *args, **extra)
    assert result.code == 0, result.err
    return result


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
