"""JSM Operations answering in ways only it does: a page link to another server, an object
in a form JSM does not document, a create that lands after the read timeout, an escalation
disabled by hand. Each converges, or stops with one clean line that never shows the token.
What both paging services share is in tests/paging/test_server_quirks.py."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.base import Fault, Request, Response, _Outcome
from tests.fakes.jsm_ops import FakeJsmOps
from tests.jsm_ops.conftest import JSM, ONLY, Run, check_fake, clock, jsm_env, seed, writes
from tests.paging.conftest import applied, settled
from tests.paging.meddling import Meddling
from tests.paging.services import seeded


class MeddlingJsm(Meddling, FakeJsmOps):
    pass


@pytest.fixture
def fake(jsm_repo: Path) -> Iterator[MeddlingJsm]:
    with seeded(JSM, MeddlingJsm(now=clock(), max_page_size=2), jsm_repo) as server:
        yield server


@pytest.fixture
def jsm_cli(cli: Run, fake: MeddlingJsm, jsm_repo: Path) -> Run:
    def invoke(*args: str, **extra: str) -> Result:
        return cli(*args, *ONLY, "--root", str(jsm_repo), env=jsm_env(fake, **extra))

    return invoke


class LinkingElsewhere(MeddlingJsm):
    """Gives every `links.next` as an absolute URL on another server."""

    elsewhere = ""

    def after_request(self, request: Request, response: Response) -> Response:
        response = super().after_request(request, response)
        body = getattr(response, "json", None)
        if isinstance(body, dict) and (body.get("links") or {}).get("next"):
            body["links"]["next"] = self.elsewhere + body["links"]["next"]
        return response


def test_a_page_link_to_another_server_is_not_followed(cli: Run, jsm_repo: Path) -> None:
    root = ("--root", str(jsm_repo))
    with FakeJsmOps(spec_checker=None) as elsewhere, LinkingElsewhere(max_page_size=1) as server:
        seed(server, jsm_repo)
        assert cli("apply", *ONLY, *root, env=jsm_env(server)).code == 0
        server.elsewhere = elsewhere.api_base
        result = cli("plan", *ONLY, *root, env=jsm_env(server))
        assert elsewhere.log == [], "the credentials went to another server"
    assert result.code == 1
    assert "jsm-ops: list schedules failed: the answer links to" in result.err
    assert elsewhere.base_url.split("//")[1] in result.err
    assert "setops sends its credentials to no other server" in result.err


def test_an_object_in_an_undocumented_form_is_a_clean_error(
    jsm_cli: Run, fake: MeddlingJsm
) -> None:
    applied(jsm_cli)
    teams = {"platformTeams": [{"teamName": "SET"}]}  # a team without its id
    fake.faults.add(Fault(status=200, method="GET", path=r"/v1/teams$", body=teams))
    result = jsm_cli("plan")
    assert result.code == 1, result.err
    assert (
        "jsm-ops: read the schedules failed: an answer is not in the form JSM Operations "
        "documents (KeyError: no 'teamId')" in result.err
    )


class SlowToCommit(MeddlingJsm):
    """Takes `delay` seconds over the first create matching `path` before it makes it: past
    the client's read timeout, so the answer is lost though the write lands (`landed`)."""

    path = r"/overrides$"
    delay = 1.5

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.landed = threading.Event()
        self.slow = True

    def _process(self, request: Request) -> _Outcome:
        slow = request.method == "POST" and re.search(self.path, request.path) and self.slow
        if not slow:
            return super()._process(request)
        self.slow = False
        time.sleep(self.delay)
        try:
            return super()._process(request)
        finally:
            self.landed.set()


def test_a_create_that_lands_after_the_read_timeout_is_not_made_twice(
    cli: Run, jsm_repo: Path
) -> None:
    with SlowToCommit(now=clock()) as server:
        seed(server, jsm_repo)
        env = jsm_env(server, SETOPS_HTTP_TIMEOUT="1")
        result = cli("apply", *ONLY, "--root", str(jsm_repo), env=env)
        assert server.landed.wait(5)
        assert result.code == 0, result.err
        created = Counter(writes(server))["POST /v1/schedules/{scheduleId}/overrides"]
        assert created == 4, "an override whose answer came late was made again"
        plan = cli("plan", *ONLY, "--detailed-exitcode", "--root", str(jsm_repo), env=env)
        assert plan.code == 0, plan.out + plan.err
        check_fake(server)


def test_an_escalation_disabled_by_hand_is_enabled_again(jsm_cli: Run, fake: MeddlingJsm) -> None:
    applied(jsm_cli)
    with fake.lock:
        (escalation,) = fake.escalations_by_id.values()
        escalation.enabled = False  # pages nobody
    plan = jsm_cli("plan", "--detailed-exitcode")
    assert plan.code == 2, plan.out + plan.err
    assert "enabled: false -> true" in plan.out
    applied(jsm_cli)
    assert [e.enabled for e in fake.escalations_by_id.values()] == [True]
    settled(jsm_cli)
