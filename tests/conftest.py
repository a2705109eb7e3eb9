"""Shared fixtures: temp copies of config repositories, an in-process CLI runner, guards."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from setops.cli import run

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The organisation the tests plan, apply and hand over: a copy of the repository's own
# configuration as it was, so an edit of rotations/ or policies/ breaks no test (the live
# configuration is checked by `setops validate` and tests/core/test_bundled_config.py).
ORG = FIXTURES / "org"
# A fixed "now" for tests: the week the fixture organisation's schedule is in full swing.
NOW = "2026-12-01T12:00:00+01:00"
CONFIG_PARTS = ("rotations", "policies", "CODEOWNERS")


def copy_config(source: Path, target: Path) -> Path:
    """Copy the config parts (rotations/, policies/, CODEOWNERS) of `source` over `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for part in CONFIG_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, target / part)
    return target


@pytest.fixture
def org_repo(tmp_path: Path) -> Path:
    """A temp copy of the fixture organisation in tests/fixtures/org."""
    return copy_config(ORG, tmp_path / "repo")


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    """A temp copy of the small test organisation in tests/fixtures/base."""
    return copy_config(FIXTURES / "base", tmp_path / "repo")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    """Run `setops ARGS` in-process with `now` pinned; returns exit code, stdout, stderr."""
    monkeypatch.setenv("SETOPS_NOW", NOW)
    monkeypatch.setenv("SETOPS_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that tries to open a connection beyond this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise AssertionError(f"test tried to reach {host}: tests must stay on 127.0.0.1")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
