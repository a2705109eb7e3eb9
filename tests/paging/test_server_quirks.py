"""Each paging service answering in ways the happy path does not: rules in another order,
rate limits said oddly, answers that are not the API's (HTML, no list, a redirect to
another server), credentials and URLs pasted with a little too much, objects someone
deleted between setops' read and its write. Each converges, or stops with one clean line
that names the object and never the key or token."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.base import Fault
from tests.paging.conftest import Run, applied, settled
from tests.paging.edits import swap_pair
from tests.paging.meddling import Meddling
from tests.paging.services import Service, seeded
from tests.paging.test_resilience import CANARY, ESCALATION_LOOKUP, no_canary

HTML = b"<html><head><title>Sign in</title></head><body><h1>Sign in</h1></body></html>"


# JSM's quirks are met with pages of two, so that each list is followed across pages.
OPTIONS: dict[str, dict[str, Any]] = {"opsgenie": {}, "jsm-ops": {"max_page_size": 2}}


@pytest.fixture
def server(service: Service, repo: Path) -> Iterator[Any]:
    """The service's fake, which lets a test act just before it handles a request."""
    with seeded(service, service.fake(Meddling, **OPTIONS[service.name]), repo) as fake:
        yield fake


# ---- the same meaning in another form plans nothing ------------------------------------------


def test_escalation_rules_listed_in_another_order_plan_nothing(
    service: Service, run: Run, server: Any
) -> None:
    applied(run)
    with server.lock:
        for escalation in service.escalation_objects(server):
            escalation.rules.reverse()
    settled(run)


# ---- rate limits said in other words ------------------------------------------------------


@pytest.mark.parametrize(("retry_after", "waited"), [("0.5", 0.45), ("soon", 0), ("-1", 0)])
def test_a_429_whose_retry_after_is_no_whole_number_is_still_retried(
    service: Service, run: Run, server: Any, retry_after: str, waited: float
) -> None:
    headers = {"Retry-After": retry_after}
    server.faults.add(Fault(status=429, method="GET", path=service.schedules_path, headers=headers))
    result = run("plan")
    assert result.code == 0, result.err
    lists = [
        r for r in server.log if r.method == "GET" and re.search(service.schedules_path, r.path)
    ]
    first, second = lists[:2]
    assert (first.status, second.status) == (429, 200)
    assert second.received_at - first.received_at >= waited


def test_a_gateway_timeout_on_a_create_is_looked_up_then_sent_again(
    service: Service, run: Run, server: Any
) -> None:
    server.faults.add(Fault(status=504, method="POST", path=service.escalations_path))
    applied(run)
    escalations = [w for w in service.written(server) if w[1] == "escalation"]
    assert escalations == [("POST", "escalation", None)] * 2
    lookup = ESCALATION_LOOKUP[service.name]
    if lookup:
        assert server.count("GET", lookup) == 1
    settled(run)


# ---- answers that are not the API's ----------------------------------------------------------


def test_an_answer_that_is_not_json_is_a_clean_error(
    service: Service, run: Run, server: Any
) -> None:
    headers = {"Content-Type": "text/html"}
    path = service.first_read_path
    server.faults.add(Fault(status=200, method="GET", path=path, body=HTML, headers=headers))
    result = run("plan")
    assert result.code == 1, result.err
    said = f"{service.name}: {service.first_read} failed (HTTP 200): the answer is not JSON"
    assert said in result.err
    assert "Sign in" in result.err and "<h1>" not in result.err


# An answer of 200 without the list the API documents: OpsGenie's `data`, JSM's `values`.
NO_LIST = {"opsgenie": ({"took": 0.1}, "data"), "jsm-ops": ({"links": {}}, "values")}


def test_a_list_without_its_items_is_an_error_not_an_empty_account(
    service: Service, run: Run, server: Any
) -> None:
    applied(run)
    server.clear_log()
    body, field = NO_LIST[service.name]
    server.faults.add(
        Fault(status=200, method="GET", path=service.schedules_path, body=body, times=None)
    )
    result = run("apply")
    assert result.code == 1
    said = f"{service.name}: list schedules failed (HTTP 200): the answer has no {field}"
    assert said in result.err
    assert server.mutating_requests() == [], "an answer without items is no empty account"


def test_an_html_error_page_is_quoted_as_text(service: Service, run: Run, server: Any) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"
    server.faults.add(
        Fault(
            status=502,
            method="GET",
            path=service.first_read_path,
            body=page,
            headers={"Content-Type": "text/html"},
            times=None,
        )
    )
    result = run("plan")
    assert result.code == 1
    assert f"{service.first_read} failed (HTTP 502): 502 Bad Gateway nginx" in result.err


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_elsewhere_is_not_followed(
    service: Service, run: Run, server: Any, status: int
) -> None:
    with service.fake(spec_checker=None) as elsewhere:
        location = {"Location": service.url(elsewhere, service.first_read_url_path)}
        server.faults.add(
            Fault(
                status=status,
                method="GET",
                path=service.first_read_path,
                headers=location,
                body=b"",
            )
        )
        result = run("plan")
        assert elsewhere.log == [], "setops must not follow a redirect to another server"
    assert result.code == 1
    said = f"{service.first_read} failed (HTTP {status}): the server redirects to"
    assert said in result.err
    assert service.url_variable in result.err


# ---- the key and the URL as people paste them --------------------------------------------

# A vendor error that echoes the secret where setops cuts a quoted message.
ECHO = {
    "opsgenie": {"message": "x" * 470 + f" Authorization: GenieKey {CANARY}"},
    "jsm-ops": {"errors": [{"title": "y" * 480 + f" token {CANARY}", "code": "BAD_REQUEST"}]},
}


def test_a_secret_echoed_where_the_message_is_cut_shows_no_part_of_it(
    service: Service, cli: Run, repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with service.fake(secret=CANARY) as fake:
        service.seed(fake, repo)
        path = service.first_read_path
        fake.faults.add(
            Fault(status=400, method="GET", path=path, body=ECHO[service.name], times=None)
        )
        result = cli("plan", *service.only, "--root", str(repo), env=service.env(fake))
    no_canary(result, tmp_path, caplog)
    assert "canar" not in result.err, "a cut message must not show the start of the secret"


@pytest.mark.parametrize("pad", ["{}\n", " {} "])
def test_credentials_pasted_with_whitespace_work(
    service: Service, run: Run, server: Any, pad: str
) -> None:
    result = run("plan", **service.credentials(server, pad))
    assert result.code == 0, result.err


# What a URL may end in: a slash, or the API version the paths carry.
SUFFIXES = {"opsgenie": ["/", "/v2", "/v2/"], "jsm-ops": ["/", "/v1", "/v1/"]}
# A host without its scheme, and the example the refusal gives.
WITHOUT_SCHEME = {
    "opsgenie": ("api.eu.opsgenie.com", "https://api.eu.opsgenie.com"),
    "jsm-ops": ("api.atlassian.com", "https://api.atlassian.com"),
}


def test_the_api_url_may_end_in_a_slash_or_the_api_version(
    service: Service, run: Run, server: Any
) -> None:
    for suffix in SUFFIXES[service.name]:
        result = run("plan", **{service.url_variable: server.base_url + suffix})
        assert result.code == 0, f"{suffix}: {result.err}"


def test_an_api_url_without_a_scheme_is_refused_by_name(
    service: Service, run: Run, server: Any
) -> None:
    host, example = WITHOUT_SCHEME[service.name]
    result = run("plan", **{service.url_variable: host})
    assert result.code == 1
    assert f"{service.url_variable} must be an http(s) URL such as {example}" in result.err
    assert server.log == []


# ---- someone in the UI between setops' read and its write ----------------------------------


def test_a_rotation_deleted_before_its_update_is_made_again(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    swap_pair(repo, "2027-01-11", "emea")
    server.before("PATCH", r"/rotations/", service.forget_rotation)
    applied(run)
    settled(run)
    names = service.rotation_names(server, "SET Primary")
    assert names.count("setops: 2027-01-11 emea primary") == 1


def test_an_escalation_deleted_before_its_update_is_made_again(
    service: Service, run: Run, server: Any, repo: Path
) -> None:
    applied(run)
    path = repo / "policies" / "escalation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("after_minutes: 10", "after_minutes: 15"),
        encoding="utf-8",
    )
    escalations = service.escalations_path.replace("$", "/")
    server.before("PATCH", escalations, lambda fake, _: service.forget_escalations(fake))
    applied(run)
    settled(run)
    assert len(service.escalation_objects(server)) == 1
