"""`setops comment` and `setops drift-issue`: what the workflows post back to GitHub.

Both read GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL from the environment, as
Actions provides them, and take their text from a file the workflow wrote, so no event
text is ever pasted into a shell script.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TextIO

import click

from setops.errors import SetopsError
from setops.github_comments import (
    DRIFT_LABEL,
    GitHubAccess,
    connect,
    pull_head_sha,
    sync_drift_issue,
    upsert_sticky_comment,
)

_SHA = re.compile(r"[0-9a-f]{40}")

TARGET_NAMES = {
    "opsgenie": "OpsGenie",
    "jsm-ops": "JSM Operations",
    "mattermost": "Mattermost",
    "jira": "Jira",
    "github": "GitHub",
}


def _read_body(source: TextIO) -> str:
    text = source.read()
    if not text.strip():
        raise SetopsError(f"{source.name}: the body is empty; nothing to post")
    return text


@click.command("comment")
@click.option(
    "--pr",
    "number",
    type=click.IntRange(min=1),
    required=True,
    metavar="N",
    help="The pull request (or issue) number to comment on.",
)
@click.option(
    "--marker",
    required=True,
    metavar="NAME",
    help="Names the sticky comment; the same marker edits the same comment.",
)
@click.option(
    "--body-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    metavar="FILE",
    help="The Markdown to post; '-' reads standard input.",
)
@click.option(
    "--head-sha",
    default=None,
    metavar="SHA",
    help="Post only while the pull request's head is this commit; a newer push will post its own.",
)
def command_comment(number: int, marker: str, body_file: TextIO, head_sha: str | None) -> int:
    """Create or edit the one comment on PR N that carries MARKER, never a second.

    Nothing is written when the comment already says the body. GITHUB_TOKEN,
    GITHUB_REPOSITORY and GITHUB_API_URL come from the environment.
    """
    body = _read_body(body_file)
    if head_sha is not None and not _SHA.fullmatch(head_sha):
        raise SetopsError(f"--head-sha must be a full 40-hex commit id, not {head_sha!r}")
    session = connect(GitHubAccess.from_env())
    if head_sha is not None:
        with session.errors(f"reading pull request #{number}"):
            current = pull_head_sha(session.repo, number)
        if current != head_sha:
            click.echo(
                f"skipped: #{number} has moved on to {current[:12]}; "
                "the run for that commit comments instead"
            )
            return 0
    with session.errors(f"commenting on #{number}"):
        action, comment_id = upsert_sticky_comment(session.repo, number, marker, body)
    click.echo(f"{action}: comment {comment_id} on #{number}")
    return 0


_TARGET_SUMMARY = re.compile(
    r"^#+\s*(?P<target>[\w-]+):\s*(?P<create>\d+) to create, (?P<update>\d+) to update, "
    r"(?P<delete>\d+) to delete",
    re.MULTILINE,
)


def drift_title(plan_markdown: str) -> str:
    """An issue title naming the targets that drifted, with their number of changes.

    Reads the per-target headings of `setops plan --format markdown`; when it finds none,
    it names the targets any heading mentions.
    """
    drifted = []
    for found in _TARGET_SUMMARY.finditer(plan_markdown):
        count = sum(int(found[k]) for k in ("create", "update", "delete"))
        if count:
            name = TARGET_NAMES.get(found["target"].lower(), found["target"])
            drifted.append(f"{name} ({count} change{'s' if count != 1 else ''})")
    if not drifted:
        headings = " ".join(line for line in plan_markdown.splitlines() if line.startswith("#"))
        drifted = [
            name
            for key, name in TARGET_NAMES.items()
            if re.search(rf"\b{re.escape(key)}\b", headings, re.IGNORECASE)
        ]
    return f"Drift: {', '.join(drifted) if drifted else 'targets'} out of step with main"


def run_url(env: Mapping[str, str]) -> str | None:
    """The web address of the current Actions run, when running in one."""
    parts = [env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}"


def drift_body(plan_markdown: str, url: str | None) -> str:
    found_by = f"The [drift check]({url})" if url else "The drift check"
    return (
        f"{found_by} found the targets out of step with main: "
        "`setops apply` would make these changes.\n\n"
        f"{plan_markdown.rstrip()}\n\n"
        "The hourly apply workflow repairs this on its next run; if a change was made by "
        "hand on purpose, put it into rotations/ or policies/ instead. This issue closes "
        "itself when a later check finds no drift.\n"
    )


@click.command("drift-issue")
@click.option(
    "--plan-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    metavar="FILE",
    help="The Markdown of `setops plan`; '-' reads standard input.",
)
@click.option(
    "--exit-code",
    "exit_code",
    type=int,
    required=True,
    metavar="N",
    help="The exit code of `setops plan --detailed-exitcode`: 0 in step, 2 drift.",
)
@click.option("--title", default=None, help="The issue title (default: named after the drift).")
@click.option(
    "--label",
    default=DRIFT_LABEL,
    show_default=True,
    help="The label that, with a hidden marker, finds the issue again.",
)
def command_drift_issue(plan_file: TextIO, exit_code: int, title: str | None, label: str) -> int:
    """Open or update the one drift issue (exit code 2), or close it (exit code 0).

    Any other exit code means the plan itself failed: the issue is left as it is and the
    command fails, so a broken check is not mistaken for the end of a drift.
    """
    if exit_code not in (0, 2):
        raise SetopsError(
            f"setops plan failed (exit {exit_code}); the drift issue is left as it is"
        )
    plan = plan_file.read()
    url = run_url(os.environ)
    session = connect(GitHubAccess.from_env())
    closing = f"No drift found by {f'[this run]({url})' if url else 'the drift check'}; closing."
    with session.errors("updating the drift issue"):
        action, number = sync_drift_issue(
            session.repo,
            title or drift_title(plan),
            drift_body(plan, url),
            drifted=exit_code == 2,
            label=label,
            closing_note=closing,
        )
    click.echo(f"{action}: drift issue #{number}" if number is not None else "no drift, no issue")
    return 0
