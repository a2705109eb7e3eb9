"""Fixtures of the site tests: the fixture organisation's site, built at a pinned now."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from setops.config.load import Config, load_config
from setops.site import build_site
from tests.conftest import ORG

# A Tuesday morning in its schedule: the emea shift is on, amer is off hours.
PINNED = dt.datetime.fromisoformat("2026-12-08T10:00:00+01:00")


@pytest.fixture(scope="session")
def org_config() -> Config:
    return load_config(ORG)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, org_config: Config) -> Path:
    """The fixture organisation's site, written to a folder as `setops site` writes it."""
    out = tmp_path_factory.mktemp("site")
    for name, content in build_site(org_config, PINNED).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return out
