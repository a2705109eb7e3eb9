"""The README is a landing page whose quick start works as written; docs/ links resolve."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import NOW, REPO

README = REPO / "README.md"
DOCS = REPO / "docs"
# Parts of a quick-start line that set up the environment this test already runs in:
# creating and activating a venv and installing setops. Running them would reinstall into
# the test's own venv (or need the network), so they are skipped; the rest runs as written.
SETUP_COMMANDS = ("python3 -m venv ", ". .venv/bin/activate", "pip install ")
# Keys of the environment a new user would not have: credentials and setops' own settings.
USER_ONLY_PREFIXES = ("OPSGENIE_", "JSM_OPS_", "MATTERMOST_", "JIRA_", "GITHUB_", "SETOPS_")
COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", ".ci", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"
)


def section(text: str, title: str) -> str:
    """The body of the `## title` section of a Markdown text."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {title}' section"
    return match.group(1)


def fenced_blocks(text: str) -> list[str]:
    """The shell code blocks of a Markdown text, continuation lines joined."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    return [block.replace("\\\n", " ") for block in blocks]


def commands_of(block: str) -> tuple[list[str], list[str]]:
    """(commands to run, set-up commands skipped) of a block, split on `&&`."""
    run: list[str] = []
    skipped: list[str] = []
    for line in block.splitlines():
        for part in (p.strip() for p in line.split("&&")):
            if part:
                (skipped if part.startswith(SETUP_COMMANDS) else run).append(part)
    return run, skipped


def new_user_env(home: Path) -> dict[str, str]:
    """This process's environment without credentials or setops settings, setops on PATH.

    The clock is the one setting kept: `SETOPS_NOW` is pinned to the tests' "now", so the
    test does not fail the day the bundled schedule runs out (CI's own `setops validate`
    step runs with the real clock and catches that).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(USER_ONLY_PREFIXES)}
    bin_dir = str(Path(sys.executable).parent)  # the venv the tests run in holds `setops`
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env["HOME"] = str(home)
    env["SETOPS_NOW"] = NOW
    env["SETOPS_LOG_DIR"] = str(home / "logs")
    return env


def test_readme_is_a_landing_page_of_at_most_200_lines() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for title in ("Quick start", "Changing the rotation", "Documentation"):
        assert section(text, title).strip()


def test_readme_quick_start_runs_as_written(tmp_path: Path) -> None:
    """The first block of the quick start, in a temp copy of the repository, with the
    environment of a new user; only the venv and `pip install` steps are skipped (see
    SETUP_COMMANDS: this test runs inside the installed venv)."""
    main_job = fenced_blocks(section(README.read_text(encoding="utf-8"), "Quick start"))[0]
    commands, skipped = commands_of(main_job)
    assert skipped == ["python3 -m venv .venv", ". .venv/bin/activate", "pip install -e ."]
    assert commands[0] == "setops validate" and "setops handover --dry-run" in commands
    assert shutil.which("setops", path=str(Path(sys.executable).parent)), "setops not installed"
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=COPY_IGNORED)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", " && ".join(commands)],
        cwd=repo,
        env=new_user_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("ok: ")
    assert "Dry run: nothing was sent." in result.stdout


def test_readme_test_command_is_what_ci_runs() -> None:
    """The second block of the quick start is not run here (it is this test suite); CI runs
    it, so it must be exactly the command `.ci/run` runs."""
    tests_block = fenced_blocks(section(README.read_text(encoding="utf-8"), "Quick start"))[1]
    command = tests_block.strip()
    assert command == "pip install -e '.[test]' && pytest"
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    # CI only adds --quiet, to keep its log short.
    assert command in [line.strip().replace(" --quiet", "") for line in ci_lines]


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file (outside code blocks)."""
    out: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def test_readme_and_docs_links_resolve() -> None:
    """Every relative link of README.md and docs/*.md names a file that exists and, where it
    has one, an anchor of a heading in it: nothing was lost when the README was split."""
    pages = [README, *sorted(DOCS.glob("*.md"))]
    assert len(pages) > 10
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]+))?\)", page.read_text("utf-8")):
            file_part, anchor = target
            if file_part.startswith(("http://", "https://", "mailto:")):
                continue
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists() or (anchor and anchor not in anchors(linked)):
                broken.append(f"{page.relative_to(REPO)}: {file_part}#{anchor}")
    assert broken == []
