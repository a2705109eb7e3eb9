"""`setops diff`: golden Markdown for a swap, a new cycle and an override, in a real git repo."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from setops.render.moves import NOTHING
from tests.conftest import Result

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("SETOPS_UPDATE_GOLDEN") == "1"


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return done.stdout.decode()


@pytest.fixture
def repo(org_repo: Path) -> Path:
    git(org_repo, "init", "-q", "-b", "main")
    git(org_repo, "add", ".")
    git(org_repo, "commit", "-q", "-m", "base")
    return org_repo


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text)
    assert text == golden.read_text(), f"differs from {golden}; SETOPS_UPDATE_GOLDEN=1 rewrites"


def test_swap(repo: Path, cli: Callable[..., Result]) -> None:
    edit(
        repo / "rotations/set.yaml",
        "emea: {primary: elif, backup: femi}\n      amer: {primary: gus, backup: ines}\n"
        "  - start: 2027-01-25",
        "emea: {primary: femi, backup: elif}\n      amer: {primary: gus, backup: ines}\n"
        "  - start: 2027-01-25",
    )
    result = cli("diff", "--root", str(repo), "--base", "HEAD", "--format", "markdown")
    assert result.code == 0, result.err
    check_golden("diff_swap.md", result.out)


def test_new_cycle(repo: Path, cli: Callable[..., Result]) -> None:
    with (repo / "rotations/set.yaml").open("a") as f:
        f.write(
            "  - start: 2027-06-28\n    lead: hana\n    shifts:\n"
            "      emea: {primary: elif, backup: femi}\n"
            "      amer: {primary: gus, backup: ines}\n"
        )
    result = cli("diff", "--root", str(repo), "--base", "HEAD", "--format", "markdown")
    assert result.code == 0, result.err
    check_golden("diff_new_cycle.md", result.out)


def test_override(repo: Path, cli: Callable[..., Result]) -> None:
    with (repo / "rotations/overrides.yaml").open("a") as f:
        f.write(
            "  - id: ben-covers-femi\n    role: backup\n    shift: emea\n    person: ben\n"
            "    start: '2026-12-02T09:00:00+01:00'\n    end: '2026-12-03T12:30:00+01:00'\n"
        )
    result = cli("diff", "--root", str(repo), "--base", "HEAD", "--format", "markdown")
    assert result.code == 0, result.err
    check_golden("diff_override.md", result.out)
    text = cli("diff", "--root", str(repo), "--base", "HEAD").out
    assert "backup emea" in text and "Femi Adeyemi (femi) → Ben Achterberg (ben)" in text


def test_no_change_and_new_warning(repo: Path, cli: Callable[..., Result]) -> None:
    same = cli("diff", "--root", str(repo), "--base", "HEAD")
    assert same.out.strip() == NOTHING
    late = cli(
        "diff",
        "--root",
        str(repo),
        "--base",
        "HEAD",
        "--format",
        "markdown",
        env={"SETOPS_NOW": "2027-06-20T12:00:00+02:00"},
    )
    # The warning already held at the base, so it is not new.
    assert "New validation warnings" not in late.out


def test_bad_revision_is_a_clean_error(repo: Path, cli: Callable[..., Result]) -> None:
    result = cli("diff", "--root", str(repo), "--base", "no-such-branch")
    assert result.code == 1
    assert result.err.startswith("setops: error: --base: 'no-such-branch' is not a revision")


def test_diff_agrees_with_who(repo: Path, cli: Callable[..., Result]) -> None:
    """Each move's 'was' is who held the slot at the base, its 'now' who holds it after."""
    from setops.config.load import load_config, load_config_files, read_files_at_revision
    from setops.moves import moves
    from setops.schedule import compute_schedule

    edit(repo / "rotations/set.yaml", "lead: ivo", "lead: tomas")
    with (repo / "rotations/overrides.yaml").open("a") as f:
        f.write(
            "  - id: ben-covers-femi\n    role: backup\n    shift: emea\n    person: ben\n"
            "    start: '2026-12-02T09:00:00+01:00'\n    end: '2026-12-03T12:30:00+01:00'\n"
        )
    before = compute_schedule(load_config_files(read_files_at_revision(repo, "HEAD")))
    after = compute_schedule(load_config(repo))
    found = moves(before, after)
    assert found
    for move in found:
        for instant in (move.start, move.end - (move.end - move.start) / 2):
            old = before.holder(move.role, move.shift, instant)
            new = after.holder(move.role, move.shift, instant)
            assert (old.person if old else None, new.person if new else None) == (
                move.before,
                move.after,
            )
