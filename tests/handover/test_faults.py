"""Faults during a handover: 429 with Retry-After, 5xx, connections dropped before or after
the server acted, in each service. Whatever fails, re-runs converge on the one right end
state: every ticket moved and commented once, one pull request, one announcement."""

from __future__ import annotations

import collections
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.fakes.base import FakeServer, Fault
from tests.handover.conftest import HANDOVER_RUN, SET_CHANNEL, TEAM, World, assert_documented
from tests.handover.test_handover import (
    MOVED,
    announcements,
    assert_handed_over,
    handover,
    marker_comments,
)

Cli = Callable[..., Any]

# The requests of a handover, per service: every write and the reads that decide them.
REQUESTS = {
    "jira": [
        ("GET", r"/search"),
        ("PUT", r"/issue/SET-\d+$"),  # the one write per ticket: assignee and comment
        ("GET", r"/board/42/issue$"),
        ("PUT", r"/issue/rank$"),
    ],
    "github": [
        ("GET", r"/pulls$"),
        ("POST", r"/git/refs$"),
        ("PUT", r"/contents/"),
        ("POST", r"/pulls$"),
        ("POST", r"/requested_reviewers$"),
        ("PATCH", r"/pulls/\d+$"),
        ("POST", r"/labels$"),
    ],
    "mattermost": [
        ("GET", r"/channels/name/"),
        ("PUT", r"/patch$"),
        ("POST", r"/channels/\w+/members$"),
        ("GET", r"/channels/\w+/posts$"),
        ("POST", r"/posts$"),
    ],
}
KINDS = ("429", "503", "drop_before", "drop_after")


def faults(service: str, kind: str) -> list[Fault]:
    """One fault of `kind` for each request of `service` in a handover; the first 429
    asks for a 1 s wait (to be honoured), the others for none."""
    made = []
    for n, (method, path) in enumerate(REQUESTS[service]):
        if kind in ("drop_before", "drop_after"):
            made.append(Fault(kind=kind, method=method, path=path))  # type: ignore[arg-type]
        else:
            wait = {"Retry-After": "1" if n == 0 else "0"} if kind == "429" else {}
            made.append(Fault(method=method, path=path, status=int(kind), headers=wait))
    return made


def inject(world: World, service: str, kind: str) -> list[Fault]:
    fake: FakeServer = getattr(world, service)
    made = faults(service, kind)
    for fault in made:
        fake.faults.add(fault)
    return made


def until_done(cli: Cli, world: World, tries: int = 6) -> list[Any]:
    """Run the handover until it succeeds; every failed run names its step."""
    results = []
    for _ in range(tries):
        result = handover(cli, world, "--at", HANDOVER_RUN)
        results.append(result)
        if result.code == 0:
            return results
        assert re.search(r"step '[a-z]+: [^']+' failed", result.err), result.err
        assert "run `setops handover` again" in result.err
    raise AssertionError(f"no convergence in {tries} runs:\n{results[-1].err}")


def handled(fake: FakeServer, method: str, path: str) -> list[str]:
    """The paths of the requests that reached the handler (and so changed state)."""
    found = re.compile(path)
    return [
        r.path
        for r in fake.mutating_requests(handled_only=True)
        if r.method == method and found.search(r.path)
    ]


def jira_writes(world: World) -> dict[str, list[dict[str, Any]]]:
    """Per ticket, what each handled write that changed it asked for: the comments it added
    and the assignee it set (the edit carries both; the fallback sends them apart)."""
    found: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in world.jira.mutating_requests(handled_only=True):
        if (r.status or 0) >= 400:  # a refused one changed nothing
            continue
        parts = r.path.split("/")
        if r.method == "PUT" and re.search(r"/issue/SET-\d+$", r.path):
            edit: dict[str, Any] = {
                "comment": len((r.json.get("update") or {}).get("comment") or [])
            }
            if "assignee" in (r.json.get("fields") or {}):
                edit["assignee"] = str(r.json["fields"]["assignee"])
            found[parts[-1]].append(edit)
        elif r.method == "POST" and r.path.endswith("/comment"):
            found[parts[-2]].append({"comment": 1})
        elif r.method == "PUT" and r.path.endswith("/assignee"):
            found[parts[-2]].append({"comment": 0, "assignee": str(r.json)})
    return found


def assert_nothing_twice(world: World) -> None:
    writes = jira_writes(world)
    comments = {key: sum(w["comment"] for w in writes[key]) for key in writes}
    assert comments == {key: 1 for key in MOVED}, f"a comment was made twice: {comments}"
    for key in MOVED:
        assert len(marker_comments(world, key)) == 1
        targets = {w["assignee"] for w in writes[key] if "assignee" in w}
        assert len(targets) == 1, f"{key} was assigned to more than one person: {targets}"
    assert len(handled(world.github, "POST", r"/pulls$")) == 1, "a second pull request"
    assert len(handled(world.github, "POST", r"/git/refs$")) == 1
    assert len(handled(world.mattermost, "POST", r"/api/v4/posts$")) == 1, "a second post"
    assert len(world.github.pulls()) == 1 and len(announcements(world)) == 1


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("service", list(REQUESTS))
def test_a_faulty_service_converges_without_duplicates(
    cli: Cli, world: World, service: str, kind: str
) -> None:
    injected = inject(world, service, kind)
    started = time.monotonic()
    runs = until_done(cli, world)
    assert all(f.fired == 1 for f in injected), [(f.method, f.path) for f in injected]
    if kind == "429":  # the service said to wait and did nothing: retried, no run fails
        assert len(runs) == 1, runs[0].err
        assert time.monotonic() - started >= 1.0  # the Retry-After was honoured
    assert_handed_over(world)
    assert_nothing_twice(world)
    assert_documented(*world.fakes)
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN)
    assert again.code == 0 and "No handover due" in again.out
    world.assert_no_writes()


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_every_service_faulty_at_once_still_converges(cli: Cli, world: World) -> None:
    for service, kind in zip(REQUESTS, ("drop_after", "503", "drop_before"), strict=True):
        inject(world, service, kind)
    until_done(cli, world, tries=10)
    assert_handed_over(world)
    assert_nothing_twice(world)


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_lost_announcement_is_found_again_not_posted_twice(cli: Cli, world: World) -> None:
    # The post lands but its answer is lost, and the look for it fails too: the run stops.
    world.mattermost.faults.add(Fault(kind="drop_after", method="POST", path=r"/posts$"))
    look = Fault(method="GET", path=r"/posts$", status=403, skip=1)  # after the read phase's
    world.mattermost.faults.add(look)
    first = handover(cli, world, "--at", HANDOVER_RUN)
    assert first.code == 1 and "step 'mattermost: announcement' failed" in first.err
    assert look.fired == 1 and len(announcements(world)) == 1
    # The re-run reads the channel's newest posts and finds it by its props.
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert "announcement: already posted" in second.out
    assert len(announcements(world)) == 1
    assert '"announced": true, "complete": true' in world.github.pulls()[0]["body"]


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_the_announcement_is_found_past_the_first_page_of_posts(cli: Cli, world: World) -> None:
    # The handover stops before recording the post; 250 posts follow it in the channel.
    world.github.faults.add(Fault(method="PATCH", path=r"/pulls/\d+$", status=422, skip=1))
    assert handover(cli, world, "--at", HANDOVER_RUN).code == 1
    channel = world.mattermost.channel(TEAM, SET_CHANNEL)["id"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {world.env['MATTERMOST_TOKEN']}"
    for n in range(250):  # through the API: the fake seeds no posts
        body = {"channel_id": channel, "message": f"chatter {n}"}
        assert session.post(world.mattermost.url("/api/v4/posts"), json=body).ok
    world.mattermost.clear_log()
    second = handover(cli, world, "--at", HANDOVER_RUN)
    assert second.code == 0, second.err
    assert len([p for p in announcements(world) if p["props"]]) == 1
    pages = [r.arg("page") for r in world.mattermost.log if r.path.endswith("/posts")]
    assert pages == ["0", "1"]


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize(
    ("service", "method", "path", "named"),
    [
        ("jira", "PUT", r"/issue/SET-\d+$", "jira: hand SET-"),
        ("github", "POST", r"/pulls$", "GitHub: opening the pull request"),
        ("mattermost", "POST", r"/posts$", "mattermost: post the handover announcement"),
    ],
)
def test_a_retry_after_longer_than_setops_waits_names_the_call(
    cli: Cli, world: World, service: str, method: str, path: str, named: str
) -> None:
    wait = Fault(method=method, path=path, status=429, headers={"Retry-After": "600"})
    getattr(world, service).faults.add(wait)
    started = time.monotonic()
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 1 and time.monotonic() - started < 30  # no ten-minute hang
    assert f"{named}" in result.err and "asked to wait 600 s" in result.err, result.err
    assert until_done(cli, world)[-1].code == 0
    assert_nothing_twice(world)


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
@pytest.mark.parametrize(
    ("service", "path", "variable"),
    [
        ("jira", r"/search", "JIRA_URL"),
        ("github", r"/pulls$", "GITHUB_API_URL"),
        ("mattermost", r"/channels/name/", "MATTERMOST_URL"),
    ],
)
def test_a_web_page_instead_of_the_api_is_a_clean_error_naming_the_url(
    cli: Cli, world: World, service: str, path: str, variable: str
) -> None:
    # What a wrong address gets: a login page, or the web app's page, with 200 OK.
    page = Fault(
        method="GET",
        path=path,
        status=200,
        headers={"Content-Type": "text/html"},
        body=b"<html><body>Log in</body></html>",
        times=None,
    )
    getattr(world, service).faults.add(page)
    result = handover(cli, world, "--at", HANDOVER_RUN)
    assert result.code == 1, result.err  # not 3: no internal error
    assert variable in result.err and "internal error" not in result.err
    world.assert_no_writes()
