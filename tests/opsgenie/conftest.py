"""Fixtures for the OpsGenie target: a seeded fake OpsGenie and a CLI bound to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Result
from tests.fakes.opsgenie import FakeOpsGenie

FAST_RETRIES = {"SETOPS_HTTP_BACKOFF": "0.01", "SETOPS_HTTP_RETRIES": "4"}
ONLY = ("--only", "opsgenie")
SCHEDULES = ("SET Lead", "SET Primary", "SET Backup")


def people(root: Path) -> list[dict[str, Any]]:
    roster = yaml.safe_load((root / "rotations" / "roster.yaml").read_text(encoding="utf-8"))
    return list(roster["people"])


def seed(fake: FakeOpsGenie, root: Path, *, skip: tuple[str, ...] = ()) -> None:
    """The roster's people as OpsGenie users (but `skip`), and the SET team."""
    for person in people(root):
        if person["id"] not in skip:
            fake.seed_user(person["opsgenie"], person["name"])
    fake.seed_team("SET")


def check_fake(fake: FakeOpsGenie) -> None:
    """Every request was one OpsGenie documents, and no handler of the fake crashed."""
    assert fake.handler_errors == [], fake.handler_errors[0]
    if fake.spec_checker is not None:
        fake.assert_no_spec_violations()


@pytest.fixture
def og(org_repo: Path) -> Iterator[FakeOpsGenie]:
    with FakeOpsGenie() as fake:
        seed(fake, org_repo)
        yield fake
        check_fake(fake)


Run = Callable[..., Result]


@pytest.fixture
def genie(cli: Callable[..., Result], og: FakeOpsGenie, org_repo: Path) -> Run:
    """`setops ARGS --root <bundled copy>` against the fake, with fast retries."""
    env = {"OPSGENIE_API_KEY": og.api_key, "OPSGENIE_API_URL": og.base_url, **FAST_RETRIES}

    def invoke(*args: str, root: Path | None = None, **extra: str) -> Result:
        return cli(*args, "--root", str(root or org_repo), env={**env, **extra})

    return invoke


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
