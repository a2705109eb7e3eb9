"""JSM Operations answering in ways the happy path does not: rules in another order, answers
that are not JSM's (HTML, no `values`, a page link or a redirect to another server), a token
pasted with its newline, objects someone deleted between setops' read and its write. Each
converges, or stops with one clean line that never shows the token."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.base import Fault, Request, _Outcome
from tests.fakes.jsm_ops import FakeJsmOps
from tests.jsm_ops.conftest import ONLY, Run, check_fake, clock, jsm_env, seed, writes
from tests.jsm_ops.test_resilience import CANARY, no_canary
from tests.opsgenie.edits import swap_pair
from tests.opsgenie.meddling import Meddling

HTML = b"<html><head><title>Log in</title></head><body><h1>Log in to continue</h1></body></html>"


class MeddlingJsm(Meddling, FakeJsmOps):
    pass


@pytest.fixture
def fake(jsm_repo: Path) -> Iterator[MeddlingJsm]:
    with MeddlingJsm(now=clock(), max_page_size=2) as server:
        seed(server, jsm_repo)
        yield server
        check_fake(server)


@pytest.fixture
def jsm_cli(cli: Run, fake: MeddlingJsm, jsm_repo: Path) -> Run:
    def invoke(*args: str, **extra: str) -> Result:
        return cli(*args, *ONLY, "--root", str(jsm_repo), env=jsm_env(fake, **extra))

    return invoke


def applied(run: Run) -> None:
    result = run("apply")
    assert result.code == 0, result.err


def settled(run: Run) -> None:
    plan = run("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def test_escalation_rules_listed_in_another_order_plan_nothing(
    jsm_cli: Run, fake: MeddlingJsm
) -> None:
    applied(jsm_cli)
    with fake.lock:
        for escalation in fake.escalations_by_id.values():
            escalation.rules.reverse()
    settled(jsm_cli)


def test_a_page_without_values_is_an_error_not_an_empty_account(
    jsm_cli: Run, fake: MeddlingJsm
) -> None:
    applied(jsm_cli)
    fake.clear_log()
    fake.faults.add(
        Fault(status=200, method="GET", path=r"/v1/schedules$", body={"links": {}}, times=None)
    )
    result = jsm_cli("apply")
    assert result.code == 1
    assert "jsm-ops: list schedules failed (HTTP 200): the answer has no values" in result.err
    assert writes(fake) == []


def test_an_answer_that_is_not_json_is_a_clean_error(jsm_cli: Run, fake: MeddlingJsm) -> None:
    headers = {"Content-Type": "text/html"}
    fake.faults.add(Fault(status=200, method="GET", path=r"/v1/teams$", body=HTML, headers=headers))
    result = jsm_cli("plan")
    assert result.code == 1, result.err
    assert "jsm-ops: list teams failed (HTTP 200): the answer is not JSON" in result.err
    assert "Log in to continue" in result.err


class LinkingElsewhere(MeddlingJsm):
    """Gives every `links.next` as an absolute URL on another server."""

    elsewhere = ""

    def after_request(self, request: Request, response: object) -> object:
        response = super().after_request(request, response)  # type: ignore[arg-type]
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


def test_a_redirect_elsewhere_is_not_followed(jsm_cli: Run, fake: MeddlingJsm) -> None:
    with FakeJsmOps(spec_checker=None) as elsewhere:
        location = {"Location": elsewhere.api_url("/v1/teams")}
        fake.faults.add(
            Fault(status=302, method="GET", path=r"/v1/teams$", headers=location, body=b"")
        )
        result = jsm_cli("plan")
        assert elsewhere.log == []
    assert result.code == 1
    assert "list teams failed (HTTP 302): the server redirects to" in result.err
    assert "JSM_OPS_API_URL" in result.err


def test_a_token_echoed_where_the_message_is_cut_shows_no_part_of_it(
    cli: Run, jsm_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeJsmOps(api_token=CANARY, now=clock()) as server:
        seed(server, jsm_repo)
        echo = {"errors": [{"title": "y" * 480 + f" token {CANARY}", "code": "BAD_REQUEST"}]}
        server.faults.add(Fault(status=400, method="GET", path=r"/v1/teams$", body=echo))
        result = cli("plan", *ONLY, "--root", str(jsm_repo), env=jsm_env(server))
    no_canary(result, tmp_path, caplog)
    assert "canar" not in result.err


def test_credentials_pasted_with_whitespace_work(jsm_cli: Run, fake: MeddlingJsm) -> None:
    result = jsm_cli(
        "plan",
        JSM_OPS_API_TOKEN=fake.api_token + "\n",
        JSM_OPS_EMAIL=f" {fake.email}",
        JSM_OPS_CLOUD_ID=f"{fake.cloud_id}\n",
    )
    assert result.code == 0, result.err


def test_an_api_url_without_a_scheme_is_refused_by_name(jsm_cli: Run, fake: MeddlingJsm) -> None:
    result = jsm_cli("plan", JSM_OPS_API_URL="api.atlassian.com")
    assert result.code == 1
    assert "JSM_OPS_API_URL must be an http(s) URL" in result.err
    assert fake.log == []


def test_a_rotation_deleted_before_its_update_is_made_again(
    jsm_cli: Run, fake: MeddlingJsm, jsm_repo: Path
) -> None:
    applied(jsm_cli)
    swap_pair(jsm_repo, "2027-01-11", "emea")

    def deleted(server: MeddlingJsm, request: Request) -> None:
        parts = request.path.split("/")
        schedule = server.schedules[parts[-3]]
        schedule.rotations = [r for r in schedule.rotations if r.id != parts[-1]]

    fake.before("PATCH", r"/rotations/", deleted)
    result = jsm_cli("apply")
    assert result.code == 0, result.err
    settled(jsm_cli)


def test_an_escalation_deleted_before_its_update_is_made_again(
    jsm_cli: Run, fake: MeddlingJsm, jsm_repo: Path
) -> None:
    applied(jsm_cli)
    path = jsm_repo / "policies" / "escalation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("after_minutes: 10", "after_minutes: 15"),
        encoding="utf-8",
    )
    fake.before("PATCH", r"/escalations/", lambda server, _: server.escalations_by_id.clear())
    result = jsm_cli("apply")
    assert result.code == 0, result.err
    settled(jsm_cli)
    assert len(fake.escalations_by_id) == 1


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
