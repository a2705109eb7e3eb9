"""A handover killed outright (SIGKILL, as when a runner dies) at a point where a write
has landed but its answer not yet arrived, then run again: no second pull request,
comment, review request, post or assignment, and the rest done; a third run sends nothing.

The handover runs as a real process against the fakes; the fake holds back its answer to
the chosen request (the server has acted), the test kills the process, then lets go.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.base import FakeServer, Request, Response
from tests.handover.conftest import HANDOVER_RUN, World
from tests.handover.test_faults import assert_nothing_twice, handled
from tests.handover.test_handover import assert_handed_over, handover

Cli = Callable[..., Any]
ROOT = Path(__file__).resolve().parents[2]


class KillPoint:
    """Holds back the answer to the `nth` request matching `method` and `path` (the fake
    has already acted on it) until `release`; `reached` is set when it is held."""

    def __init__(self, fake: FakeServer, method: str, path: str, nth: int = 1) -> None:
        self.fake, self.method, self.path, self.nth = fake, method, re.compile(path), nth
        self.seen = 0
        self.reached, self.released = threading.Event(), threading.Event()
        self.original = fake.after_request

    def __call__(self, request: Request, response: Response) -> Response:
        response = self.original(request, response)
        if request.method == self.method and self.path.search(request.path):
            self.seen += 1
            if self.seen == self.nth:
                self.reached.set()
                self.released.wait(10)
        return response


def killed_at(world: World, point: KillPoint) -> None:
    """Run `setops handover` in a process and SIGKILL it once `point` is held."""
    env = {
        **os.environ,
        **world.env,
        "PYTHONPATH": str(ROOT),
        "SETOPS_HTTP_RETRIES": "0",
        "SETOPS_GITHUB_THROTTLE": "0",
    }
    command = [sys.executable, "-m", "setops", "handover", "--root", str(world.repo)]
    kill_at(point, [*command, "--at", HANDOVER_RUN], env, "the handover")


def kill_at(point: KillPoint, command: list[str], env: dict[str, str], what: str) -> None:
    """Run `command` as a process and SIGKILL it once `point` holds an answer back."""
    point.fake.after_request = point  # type: ignore[method-assign]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert point.reached.wait(30), f"{what} never reached the kill point"
        process.send_signal(signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        point.fake.after_request = point.original  # type: ignore[method-assign]
        point.released.set()
        if process.poll() is None:
            process.kill()


POINTS = {
    "branch created": ("github", "POST", r"/git/refs$", 1),
    "pull request opened": ("github", "POST", r"/pulls$", 1),
    "review requested": ("github", "POST", r"/requested_reviewers$", 1),
    "first ticket handed over": ("jira", "PUT", r"/issue/SET-\d+$", 1),
    "second ticket handed over": ("jira", "PUT", r"/issue/SET-\d+$", 2),
    "header set": ("mattermost", "PUT", r"/patch$", 1),
    "announcement posted": ("mattermost", "POST", r"/api/v4/posts$", 1),
    "completion recorded": ("github", "PATCH", r"/pulls/1$", 2),
}


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize("where", list(POINTS))
def test_a_killed_handover_is_finished_by_a_rerun_without_repeats(
    cli: Cli, world: World, where: str
) -> None:
    service, method, path, nth = POINTS[where]
    point = KillPoint(getattr(world, service), method, path, nth)
    killed_at(world, point)
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0, again.err
    assert_handed_over(world)
    assert_nothing_twice(world)
    assert len(handled(world.github, "POST", r"/requested_reviewers$")) == 1
    world.clear_logs()
    third = handover(cli, world, "--at", HANDOVER_RUN)
    assert third.code == 0 and "No handover due" in third.out
    world.assert_no_writes()
