"""OpsGenie answering in ways the happy path does not: rules in another order, answers that
are not OpsGenie's (HTML, no `data`, a redirect elsewhere), keys and URLs pasted with a
little too much, objects someone deleted or made by hand between setops' read and its write.
Each converges, or stops with one clean line that names the object and never the key."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.base import Fault, Request, Response
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import FAST_RETRIES, ONLY, Run, check_fake, seed
from tests.opsgenie.edits import swap_pair
from tests.opsgenie.meddling import Meddling
from tests.opsgenie.test_resilience import CANARY, no_canary

HTML = b"<html><head><title>Sign in</title></head><body><h1>Sign in</h1></body></html>"
ESCALATION = "SET escalation"


class MeddlingOpsGenie(Meddling, FakeOpsGenie):
    pass


@pytest.fixture
def fake(org_repo: Path) -> Iterator[MeddlingOpsGenie]:
    with MeddlingOpsGenie() as server:
        seed(server, org_repo)
        yield server
        check_fake(server)


@pytest.fixture
def og_cli(cli: Run, fake: MeddlingOpsGenie, org_repo: Path) -> Run:
    env = {"OPSGENIE_API_KEY": fake.api_key, "OPSGENIE_API_URL": fake.base_url, **FAST_RETRIES}

    def invoke(*args: str, **extra: str) -> Result:
        return cli(*args, *ONLY, "--root", str(org_repo), env={**env, **extra})

    return invoke


def applied(run: Run) -> None:
    result = run("apply")
    assert result.code == 0, result.err


def settled(run: Run) -> None:
    plan = run("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def writes(server: FakeOpsGenie) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.mutating_requests()]


# ---- the same meaning in another form plans nothing ------------------------------------------


def test_escalation_rules_listed_in_another_order_plan_nothing(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    applied(og_cli)
    with fake.lock:
        for escalation in fake.escalations.values():
            escalation.rules.reverse()
    settled(og_cli)


# ---- rate limits said in other words ------------------------------------------------------


@pytest.mark.parametrize(("retry_after", "waited"), [("0.5", 0.45), ("soon", 0), ("-1", 0)])
def test_a_429_whose_retry_after_is_no_whole_number_is_still_retried(
    og_cli: Run, fake: MeddlingOpsGenie, retry_after: str, waited: float
) -> None:
    headers = {"Retry-After": retry_after}
    fake.faults.add(Fault(status=429, method="GET", path=r"^/v2/schedules$", headers=headers))
    result = og_cli("plan")
    assert result.code == 0, result.err
    first, second = [r for r in fake.log if r.path == "/v2/schedules"][:2]
    assert (first.status, second.status) == (429, 200)
    assert second.received_at - first.received_at >= waited


def test_a_gateway_timeout_on_a_create_is_looked_up_then_sent_again(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    fake.faults.add(Fault(status=504, method="POST", path=r"^/v2/escalations$"))
    result = og_cli("apply")
    assert result.code == 0, result.err
    assert [w for w in writes(fake) if "escalations" in w] == ["POST /v2/escalations"] * 2
    assert fake.count("GET", "/v2/escalations/SET escalation") == 1
    settled(og_cli)


# ---- answers that are not OpsGenie's ---------------------------------------------------------


def test_an_answer_that_is_not_json_is_a_clean_error(og_cli: Run, fake: MeddlingOpsGenie) -> None:
    headers = {"Content-Type": "text/html"}
    fake.faults.add(
        Fault(status=200, method="GET", path=r"^/v2/schedules$", body=HTML, headers=headers)
    )
    result = og_cli("plan")
    assert result.code == 1, result.err
    assert "opsgenie: list schedules failed (HTTP 200): the answer is not JSON" in result.err
    assert "Sign in" in result.err and "<h1>" not in result.err


def test_a_list_without_data_is_an_error_not_an_empty_account(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    applied(og_cli)
    fake.clear_log()
    fake.faults.add(
        Fault(status=200, method="GET", path=r"^/v2/schedules$", body={"took": 0.1}, times=None)
    )
    result = og_cli("apply")
    assert result.code == 1
    assert "opsgenie: list schedules failed (HTTP 200): the answer has no data" in result.err
    assert writes(fake) == [], "an answer without data must not look like an empty account"


def test_an_html_error_page_is_quoted_as_text(og_cli: Run, fake: MeddlingOpsGenie) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"
    fake.faults.add(
        Fault(
            status=502,
            method="GET",
            path=r"^/v2/schedules$",
            body=page,
            headers={"Content-Type": "text/html"},
            times=None,
        )
    )
    result = og_cli("plan")
    assert result.code == 1
    assert "list schedules failed (HTTP 502): 502 Bad Gateway nginx" in result.err


def test_a_redirect_elsewhere_is_not_followed(og_cli: Run, fake: MeddlingOpsGenie) -> None:
    with FakeOpsGenie(spec_checker=None) as elsewhere:
        location = {"Location": elsewhere.base_url + "/v2/schedules?expand=rotation"}
        fake.faults.add(
            Fault(status=307, method="GET", path=r"^/v2/schedules$", headers=location, body=b"")
        )
        result = og_cli("plan")
        assert elsewhere.log == [], "setops must not follow a redirect to another server"
    assert result.code == 1
    assert "list schedules failed (HTTP 307): the server redirects to" in result.err
    assert "OPSGENIE_API_URL" in result.err


# ---- the key and the URL as people paste them --------------------------------------------


def test_a_key_echoed_where_the_message_is_cut_shows_no_part_of_it(
    cli: Run, org_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpsGenie(api_key=CANARY) as server:
        seed(server, org_repo)
        # The key straddles the length at which a quoted message is cut.
        echo = {"message": "x" * 470 + f" Authorization: GenieKey {CANARY}"}
        server.faults.add(
            Fault(status=400, method="GET", path=r"^/v2/schedules$", body=echo, times=None)
        )
        env = {"OPSGENIE_API_KEY": CANARY, "OPSGENIE_API_URL": server.base_url, **FAST_RETRIES}
        result = cli("plan", *ONLY, "--root", str(org_repo), env=env)
    no_canary(result, tmp_path, caplog)
    assert "canar" not in result.err, "a cut message must not show the start of the key"


@pytest.mark.parametrize("pasted", ["{key}\n", " {key} "])
def test_a_key_pasted_with_whitespace_works(
    og_cli: Run, fake: MeddlingOpsGenie, pasted: str
) -> None:
    result = og_cli("plan", OPSGENIE_API_KEY=pasted.format(key=fake.api_key))
    assert result.code == 0, result.err


@pytest.mark.parametrize("suffix", ["/", "/v2", "/v2/"])
def test_the_api_url_may_end_in_a_slash_or_the_api_version(
    og_cli: Run, fake: MeddlingOpsGenie, suffix: str
) -> None:
    result = og_cli("plan", OPSGENIE_API_URL=fake.base_url + suffix)
    assert result.code == 0, result.err


def test_an_api_url_without_a_scheme_is_refused_by_name(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    result = og_cli("plan", OPSGENIE_API_URL="api.eu.opsgenie.com")
    assert result.code == 1
    assert "OPSGENIE_API_URL" in result.err and "https://api.eu.opsgenie.com" in result.err
    assert fake.log == []


# ---- someone in the UI between setops' read and its write ----------------------------------


def delete_rotation(server: MeddlingOpsGenie, request: Request) -> None:
    """Delete the rotation `PATCH /v2/schedules/{name}/rotations/{id}` names."""
    _, _, _, name, _, rotation_id = request.path.split("/")
    schedule = server._schedule_by("name", name)
    schedule.rotations = [r for r in schedule.rotations if r.id != rotation_id]


def test_a_rotation_deleted_before_its_update_is_made_again(
    og_cli: Run, fake: MeddlingOpsGenie, org_repo: Path
) -> None:
    applied(og_cli)
    swap_pair(org_repo, "2027-01-11", "emea")
    fake.before("PATCH", r"/rotations/", delete_rotation)
    result = og_cli("apply")
    assert result.code == 0, result.err
    settled(og_cli)
    names = [r["name"] for r in fake.rotations("SET Primary")]
    assert names.count("setops: 2027-01-11 emea primary") == 1


def test_an_override_deleted_before_its_update_is_made_again(
    og_cli: Run, fake: MeddlingOpsGenie, org_repo: Path
) -> None:
    applied(og_cli)
    path = org_repo / "rotations" / "overrides.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("start: '2027-01-04T09:00:00+01:00'", "start: '2027-01-03T09:00:00+01:00'"),
        encoding="utf-8",
    )

    def deleted(server: MeddlingOpsGenie, request: Request) -> None:
        del server._schedule_by("name", "SET Lead").overrides["setops-cover-tomas-conference"]

    fake.before("PUT", r"/overrides/setops-cover-tomas-conference$", deleted)
    result = og_cli("apply")
    assert result.code == 0, result.err
    settled(og_cli)


def test_an_escalation_deleted_before_its_update_is_made_again(
    og_cli: Run, fake: MeddlingOpsGenie, org_repo: Path
) -> None:
    applied(og_cli)
    path = org_repo / "policies" / "escalation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("after_minutes: 10", "after_minutes: 15"),
        encoding="utf-8",
    )
    fake.before("PATCH", r"^/v2/escalations/", lambda server, _: server.escalations.clear())
    result = og_cli("apply")
    assert result.code == 0, result.err
    settled(og_cli)
    assert fake.escalation(ESCALATION) is not None


def test_an_escalation_made_by_hand_meanwhile_is_adopted_not_a_failure(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    def made_by_hand(server: MeddlingOpsGenie, _: Request) -> None:
        rule = {
            "delay": {"timeAmount": 5},
            "recipient": {"type": "team", "name": "SET"},
        }
        server.seed_escalation({"name": ESCALATION, "rules": [rule]})

    fake.before("POST", r"^/v2/escalations$", made_by_hand)
    result = og_cli("apply")
    assert result.code == 0, result.err
    settled(og_cli)
    assert len(fake.escalations) == 1


def test_a_schedule_made_by_hand_meanwhile_is_adopted_with_its_rotations(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    def made_by_hand(server: MeddlingOpsGenie, request: Request) -> None:
        if request.json and request.json.get("name") == "SET Lead":
            server.seed_schedule({"name": "SET Lead", "timezone": "UTC"})
        else:
            server.before("POST", r"^/v2/schedules$", made_by_hand)

    fake.before("POST", r"^/v2/schedules$", made_by_hand)
    result = og_cli("apply")
    assert result.code == 0, result.err
    settled(og_cli)
    assert len(fake.rotations("SET Lead")) == 8


def test_a_name_taken_where_setops_cannot_see_is_a_clean_error(
    og_cli: Run, fake: MeddlingOpsGenie
) -> None:
    taken = {"message": "Escalation with [name] [SET escalation] already exists.", "took": 0.1}
    fake.faults.add(
        Fault(status=409, method="POST", path=r"^/v2/escalations$", body=taken, times=None)
    )
    result = og_cli("apply")
    assert result.code == 1
    assert (
        "opsgenie: create escalation SET escalation failed (HTTP 409): Escalation with [name] "
        "[SET escalation] already exists." in result.err
    )
    assert [w for w in writes(fake) if "escalations" in w] == ["POST /v2/escalations"]


# ---- objects in a form OpsGenie does not document -------------------------------------------


class Reshaping(MeddlingOpsGenie):
    """Hands every answer to `reshape` before it goes out."""

    reshape: Callable[[Request, Any], None] | None = None

    def after_request(self, request: Request, response: Response) -> Response:
        response = super().after_request(request, response)
        if self.reshape is not None and isinstance(response.json, dict):
            self.reshape(request, response.json)
        return response


def first_rotation(change: Callable[[dict[str, Any]], None]) -> Callable[[Request, Any], None]:
    def reshape(request: Request, body: Any) -> None:
        if request.method == "GET" and request.path == "/v2/schedules":
            change(body["data"][0]["rotations"][0])

    return reshape


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda r: r.pop("startDate"), "no 'startDate'"),
        (lambda r: r.update(startDate="next monday"), "'next monday'"),
        (lambda r: r.update(participants=["ana"]), "AttributeError"),
        (
            lambda r: r.update(
                timeRestriction={
                    "type": "weekday-and-time-of-day",
                    "restrictions": [{"startDay": "someday"}],
                }
            ),
            "'someday'",
        ),
    ],
)
def test_an_object_in_an_undocumented_form_is_a_clean_error(
    cli: Run, org_repo: Path, change: Any, detail: str
) -> None:
    with Reshaping() as server:
        seed(server, org_repo)
        env = {"OPSGENIE_API_KEY": server.api_key, "OPSGENIE_API_URL": server.base_url}
        root = ("--root", str(org_repo))
        assert cli("apply", *ONLY, *root, env=env).code == 0
        server.reshape = first_rotation(change)
        result = cli("plan", *ONLY, *root, env=env)
    assert result.code == 1, result.err
    assert "opsgenie: read the schedules failed: an answer is not in the form OpsGenie " in (
        result.err
    )
    assert detail in result.err


def test_instants_without_an_offset_are_utc_wherever_setops_runs(
    cli: Run, org_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        with Reshaping() as server:
            seed(server, org_repo)
            env = {"OPSGENIE_API_KEY": server.api_key, "OPSGENIE_API_URL": server.base_url}
            root = ("--root", str(org_repo))
            assert cli("apply", *ONLY, *root, env=env).code == 0

            def naive(rotation: dict[str, Any]) -> None:
                rotation["startDate"] = rotation["startDate"].removesuffix("Z")

            server.reshape = first_rotation(naive)
            result = cli("plan", *ONLY, "--detailed-exitcode", *root, env=env)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert result.code == 0, result.out + result.err
