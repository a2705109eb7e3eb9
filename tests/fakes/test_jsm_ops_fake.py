"""Tests of the fake JSM Operations API: auth and scopes, error bodies, offset/size paging,
CRUD of schedules, rotations, overrides and team escalations, filled-in defaults, the
on-call oracle (time restriction across DST, rotation-scoped overrides) and the request
checks against the vendor description, including its two unsatisfiable ``oneOf``s.

Plain ``requests`` against the running fake, so what is tested is the HTTP behaviour a JSM
client will meet. Every answer is also checked against the vendor's description
(``check_responses``, against tests/specs); the few answers the fake gives
outside it on purpose (an unknown cloud id, a size out of range where only listSchedules
documents 422, an escalation delay of 0) are named with :func:`expect_off_spec_answers`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fakes.base import HTTPError, Request, Response, SpecChecker, require_api_specs
from tests.fakes.jsm_ops import (
    DEFAULT_TIMEZONE,
    DELETE_SCOPE,
    JSM_SPEC_FILE,
    READ_SCOPE,
    SCOPE_MISMATCH,
    WRITE_SCOPE,
    FakeJsmOps,
    JsmSpecChecker,
    required_scopes,
)

# Atlassian accountIds (24 hex digits, the modern form).
ALICE, BOB, CAROL, DAVE = (
    "5b10ac8d82e05b22cc7d4ef5",
    "5b10a2844c20165700ede21g",
    "557058f58131cb0b67d43c7b",
    "61f3d6e0c7a8b90069a1b2c3",
)
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # the fake's clock in these tests
TIMEOUT = 5


@pytest.fixture
def jsm() -> Iterator[FakeJsmOps]:
    with FakeJsmOps(check_responses=True, now=lambda: NOW) as fake:
        for account_id, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol"), (DAVE, "Dave")):
            fake.seed_user(account_id, name)
        yield fake
        assert fake.response_violations == [], "the fake answered outside the vendor spec"
        assert fake.handler_errors == []


@pytest.fixture
def team(jsm: FakeJsmOps) -> str:
    return jsm.seed_team("SET")


@pytest.fixture
def client(jsm: FakeJsmOps) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = jsm.auth
        yield session


def expect_off_spec_answers(jsm: FakeJsmOps, marker: str, count: int = 1) -> None:
    """The fake answered outside the description on purpose; drop exactly those
    self-check findings (``count`` of them, containing ``marker``) so the fixture's
    check stays strict for everything else."""
    if jsm.spec_checker is None:
        return
    found = [v for v in jsm.response_violations if marker in v]
    assert len(found) == count, jsm.response_violations
    jsm.response_violations[:] = [v for v in jsm.response_violations if marker not in v]


def expect_undocumented(jsm: FakeJsmOps, status: int, count: int = 1) -> None:
    """An answer with a status the operation does not document."""
    expect_off_spec_answers(jsm, f"Unknown response http status: {status}", count)


def user(account_id: str) -> dict[str, str]:
    return {"type": "user", "id": account_id}


def create_schedule(client: requests.Session, jsm: FakeJsmOps, name: str, **fields: Any) -> str:
    response = client.post(
        jsm.api_url("/v1/schedules"), json={"name": name, **fields}, timeout=TIMEOUT
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_rotation(client: requests.Session, jsm: FakeJsmOps, schedule: str, **body: Any) -> str:
    url = jsm.api_url(f"/v1/schedules/{schedule}/rotations")
    response = client.post(url, json=body, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_override(client: requests.Session, jsm: FakeJsmOps, schedule: str, **body: Any) -> str:
    url = jsm.api_url(f"/v1/schedules/{schedule}/overrides")
    response = client.post(url, json=body, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return str(response.json()["alias"])


def collect(client: requests.Session, jsm: FakeJsmOps, path: str, **params: Any) -> list[Any]:
    """Every item of a list, following ``links.next`` (relative to the API base) as the
    description documents."""
    items: list[Any] = []
    url: str | None = jsm.api_url(path)
    query: dict[str, Any] | None = params
    while url is not None:
        response = client.get(url, params=query, timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["values"])
        following = body["links"].get("next")
        url, query = (jsm.api_url(following), None) if following else (None, None)
    return items


def on_call_http(
    client: requests.Session, jsm: FakeJsmOps, schedule: str, when: str, *, flat: bool = True
) -> Any:
    url = jsm.api_url(f"/v1/schedules/{schedule}/on-calls")
    params = {"date": when, "flat": str(flat).lower()}
    response = client.get(url, params=params, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def weekly(start: str, *participants: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "weekly",
        "startDate": start,
        "participants": [user(p) for p in participants],
        **extra,
    }


OFFICE_HOURS = {
    "type": "time-of-day",
    "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0},
}

# ---- auth, scopes, cloud id, error bodies -------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("setops-bot@example.com", "wrong-token"),
        ("someone@example.com", "fake-atlassian-api-token-0000"),
        "Bearer fake-atlassian-api-token-0000",
        "Basic not-base64!",
    ],
)
def test_bad_or_missing_credentials_are_401_with_the_gateway_body(
    jsm: FakeJsmOps, auth: tuple[str, str] | str | None
) -> None:
    headers = {"Authorization": auth} if isinstance(auth, str) else {}
    response = requests.get(
        jsm.api_url("/v1/schedules"),
        auth=auth if isinstance(auth, tuple) else None,
        headers=headers,
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "Unauthorized"}
    if jsm.spec_checker is not None and not isinstance(auth, tuple) and "Basic" not in str(auth):
        # Without Basic credentials the request is outside the description too.
        assert any("Security not found" in v for v in jsm.spec_violations)


def test_basic_auth_with_email_and_token_is_accepted(jsm: FakeJsmOps) -> None:
    response = requests.get(jsm.api_url("/v1/schedules"), auth=jsm.auth, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"values": [], "links": {}, "_expands": ["rotation"]}


def test_another_cloud_id_is_404(client: requests.Session, jsm: FakeJsmOps) -> None:
    response = client.get(jsm.url("/jsm/ops/api/some-other-cloud/v1/schedules"), timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.json() == {"errors": [{"title": "Cloud not found", "code": "NOT_FOUND"}]}
    expect_undocumented(jsm, 404)  # the gateway's answer, not listSchedules'


def test_scoped_token_lacking_the_delete_scope_cannot_delete() -> None:
    with FakeJsmOps(token_scopes={READ_SCOPE, WRITE_SCOPE}) as jsm, requests.Session() as s:
        s.auth = jsm.auth
        created = s.post(jsm.api_url("/v1/schedules"), json={"name": "SET"}, timeout=TIMEOUT)
        assert created.status_code == 201
        assert s.get(jsm.api_url("/v1/schedules"), timeout=TIMEOUT).status_code == 200
        url = jsm.api_url(f"/v1/schedules/{created.json()['id']}")
        deleted = s.delete(url, timeout=TIMEOUT)
        assert deleted.status_code == 401
        assert deleted.json() == {"code": 401, "message": SCOPE_MISMATCH}
        assert "SET" in jsm.schedules_by_name()


def test_read_only_token_cannot_write() -> None:
    with FakeJsmOps(token_scopes={READ_SCOPE}) as jsm:
        response = requests.post(
            jsm.api_url("/v1/schedules"), json={"name": "SET"}, auth=jsm.auth, timeout=TIMEOUT
        )
        assert response.status_code == 401 and response.json()["message"] == SCOPE_MISMATCH
        assert jsm.schedules_by_name() == {}


def test_required_scopes_are_the_documented_ones() -> None:
    spec = json.loads((require_api_specs() / JSM_SPEC_FILE).read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            (oauth,) = [s["OAuth2"] for s in operation["security"] if "OAuth2" in s]
            assert {"basicAuth": []} in operation["security"], (method, path)
            assert frozenset(oauth) == required_scopes(method), (method, path)
    assert DELETE_SCOPE in required_scopes("DELETE")


def test_unknown_ids_are_404_with_error_list(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    for path in (
        "/v1/schedules/nope",
        "/v1/schedules/nope/rotations",
        "/v1/schedules/nope/overrides/alias",
        "/v1/schedules/nope/on-calls",
        "/v1/teams/nope/escalations",
        f"/v1/teams/{team}/escalations/nope",
    ):
        response = client.get(jsm.api_url(path), timeout=TIMEOUT)
        assert response.status_code == 404, path
        (error,) = response.json()["errors"]
        assert error["code"] == "NOT_FOUND" and "nope" in error["title"]


def test_unreadable_or_missing_body_is_422(client: requests.Session, jsm: FakeJsmOps) -> None:
    url = jsm.api_url("/v1/schedules")
    broken = client.post(
        url, data=b"{broken", headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"
    assert client.post(url, timeout=TIMEOUT).status_code == 422
    assert client.post(url, json=["SET"], timeout=TIMEOUT).status_code == 422


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": ""}, "name"),
        ({"name": "S", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "S", "teamId": "ghosts"}, "ghosts"),
        ({"name": "S", "rotations": []}, "rotations"),
        ({"name": "S", "rotations": [weekly("2026-01-05T09:00:00Z", "ghost")]}, "ghost"),
        (
            {"name": "S", "rotations": [{"type": "monthly", "startDate": "2026-01-05T09:00Z"}]},
            "type",
        ),
        ({"name": "S", "rotations": [{"type": "daily"}]}, "startDate"),
    ],
)
def test_invalid_schedule_payloads_are_422(
    client: requests.Session, jsm: FakeJsmOps, body: dict[str, Any], words: str
) -> None:
    response = client.post(jsm.api_url("/v1/schedules"), json=body, timeout=TIMEOUT)
    assert response.status_code == 422
    assert words in response.json()["errors"][0]["title"]
    assert jsm.schedules_by_name() == {}


def test_duplicate_schedule_and_rotation_names_are_409(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    again = client.post(jsm.api_url("/v1/schedules"), json={"name": "SET"}, timeout=TIMEOUT)
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "CONFLICT"
    add_rotation(client, jsm, schedule, name="primary", **weekly("2026-01-05T09:00:00Z", ALICE))
    url = jsm.api_url(f"/v1/schedules/{schedule}/rotations")
    body = {"name": "primary", **weekly("2026-01-05T09:00:00Z", BOB)}
    assert client.post(url, json=body, timeout=TIMEOUT).status_code == 409


# ---- paging ---------------------------------------------------------------------------


def test_following_links_next_sees_every_schedule(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    names = [f"schedule-{i:02}" for i in range(8)]
    for name in names:
        create_schedule(client, jsm, name)
    jsm.clear_log()
    seen = collect(client, jsm, "/v1/schedules", size=50)  # the documented maximum
    assert [s["name"] for s in seen] == names
    assert jsm.count("GET") == 3  # max_page_size 3: pages of 3, 3, 2


def test_paging_links_and_defaults(client: requests.Session, jsm: FakeJsmOps) -> None:
    for i in range(4):
        create_schedule(client, jsm, f"s{i}")
    first = client.get(jsm.api_url("/v1/schedules"), timeout=TIMEOUT).json()
    assert len(first["values"]) == 3
    # size defaults to 25; the link is relative to the API base, as the spec's example.
    assert first["links"] == {"next": "/v1/schedules?offset=3&size=25"}
    last = client.get(jsm.api_url(first["links"]["next"]), timeout=TIMEOUT).json()
    assert [s["name"] for s in last["values"]] == ["s3"] and last["links"] == {}
    beyond = client.get(jsm.api_url("/v1/schedules"), params={"offset": 10}, timeout=TIMEOUT)
    assert beyond.json()["values"] == [] and beyond.json()["links"] == {}


@pytest.mark.parametrize("params", [{"size": 0}, {"size": 51}, {"offset": -1}, {"size": "x"}])
def test_schedule_page_parameters_out_of_range_are_422(
    client: requests.Session, jsm: FakeJsmOps, params: dict[str, Any]
) -> None:
    response = client.get(jsm.api_url("/v1/schedules"), params=params, timeout=TIMEOUT)
    assert response.status_code == 422
    if jsm.spec_checker is not None:
        assert jsm.spec_violations, "the request checker should flag it too"


def test_escalation_pages_allow_size_100_but_not_101(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    url = jsm.api_url(f"/v1/teams/{team}/escalations")
    assert client.get(url, params={"size": 100}, timeout=TIMEOUT).status_code == 200
    assert client.get(url, params={"size": 101}, timeout=TIMEOUT).status_code == 422
    expect_undocumented(jsm, 422)  # listEscalation documents no 422; see the module doc


def test_next_link_keeps_the_filter_and_expansion(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    for name in ("SET primary", "SET secondary", "set tertiary", "SET quaternary", "Other"):
        schedule = create_schedule(client, jsm, name)
        add_rotation(client, jsm, schedule, **weekly("2026-01-05T09:00:00Z", ALICE))
    seen = collect(client, jsm, "/v1/schedules", query="set*", expand="rotation")
    assert [s["name"] for s in seen] == [
        "SET primary",
        "SET secondary",
        "set tertiary",
        "SET quaternary",
    ]
    assert all(len(s["rotations"]) == 1 for s in seen)
    exact = collect(client, jsm, "/v1/schedules", query="other")
    assert [s["name"] for s in exact] == ["Other"] and "rotations" not in exact[0]


def test_rotation_override_and_escalation_lists_page_too(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    for i in range(5):
        add_rotation(client, jsm, schedule, name=f"r{i}", **weekly("2026-01-05T09:00:00Z", BOB))
        add_override(
            client,
            jsm,
            schedule,
            responder=user(ALICE),
            startDate=f"2026-04-0{i + 1}T00:00:00Z",
            endDate=f"2026-04-0{i + 2}T00:00:00Z",
        )
        jsm.seed_escalation(team, {"name": f"e{i}", "rules": []})
    rotations = collect(client, jsm, f"/v1/schedules/{schedule}/rotations")
    overrides = collect(client, jsm, f"/v1/schedules/{schedule}/overrides", size=2)
    escalations = collect(client, jsm, f"/v1/teams/{team}/escalations")
    assert [r["name"] for r in rotations] == [f"r{i}" for i in range(5)]
    assert len({o["alias"] for o in overrides}) == 5
    assert [e["name"] for e in escalations] == [f"e{i}" for i in range(5)]


# ---- schedules ------------------------------------------------------------------------


def test_schedule_crud_and_filled_in_defaults(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    response = client.post(jsm.api_url("/v1/schedules"), json={"name": "SET"}, timeout=TIMEOUT)
    assert response.status_code == 201  # synchronous: the resource itself, no request id
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "SET",
        "description": "",
        "timezone": DEFAULT_TIMEZONE,  # not UTC: a client that omits the zone is caught
        "enabled": True,
        "rotations": [],
    }
    url = jsm.api_url(f"/v1/schedules/{created['id']}")
    assert client.get(url, timeout=TIMEOUT).json() == created
    patch = {"description": "SET on call", "timezone": "Europe/Berlin", "teamId": team}
    patched = client.patch(url, json=patch, timeout=TIMEOUT)
    assert patched.status_code == 200 and patched.json()["teamId"] == team
    assert jsm.schedules_by_name()["SET"]["timezone"] == "Europe/Berlin"
    back_to_global = client.patch(url, json={"teamId": "", "enabled": False}, timeout=TIMEOUT)
    assert "teamId" not in back_to_global.json() and back_to_global.json()["enabled"] is False
    (listed,) = client.get(jsm.api_url("/v1/schedules"), timeout=TIMEOUT).json()["values"]
    assert "rotations" not in listed  # only with expand=rotation
    deleted = client.delete(url, timeout=TIMEOUT)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(url, timeout=TIMEOUT).status_code == 404


def test_schedule_patch_with_rotations_replaces_them_and_a_bad_patch_changes_nothing(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    schedule = create_schedule(
        client, jsm, "SET", rotations=[weekly("2026-01-05T09:00:00Z", ALICE, name="old")]
    )
    url = jsm.api_url(f"/v1/schedules/{schedule}")
    bad = {"description": "x", "rotations": [weekly("2026-01-05T09:00:00Z", "ghost")]}
    assert client.patch(url, json=bad, timeout=TIMEOUT).status_code == 422
    assert [r["name"] for r in jsm.rotations("SET")] == ["old"]
    assert jsm.schedules_by_name()["SET"]["description"] == ""
    good = {"rotations": [weekly("2026-01-05T09:00:00Z", BOB, name="new")]}
    assert client.patch(url, json=good, timeout=TIMEOUT).status_code == 200
    assert [r["name"] for r in jsm.rotations("SET")] == ["new"]


# ---- rotations ------------------------------------------------------------------------


def test_rotation_crud_and_filled_in_defaults(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET", timezone="UTC")
    response = client.post(
        jsm.api_url(f"/v1/schedules/{schedule}/rotations"),
        json={
            "type": "weekly",
            "startDate": "2026-01-05T09:20:00+01:00",
            "participants": [user(ALICE), {"type": "noone"}, {"type": "noone", "id": "ignored"}],
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 201
    rotation = response.json()
    assert rotation == {
        "id": rotation["id"],
        "name": "Rotation 1",
        "startDate": "2026-01-05T08:30:00Z",  # to UTC, rounded to :00/:30
        "type": "weekly",
        "length": 1,
        "participants": [user(ALICE), {"type": "noone"}, {"type": "noone"}],
    }
    url = jsm.api_url(f"/v1/schedules/{schedule}/rotations/{rotation['id']}")
    assert client.get(url, timeout=TIMEOUT).json() == rotation
    patched = client.patch(
        url,
        json={"name": "primary", "length": 2, "endDate": "2026-06-01T00:10:00Z"},
        timeout=TIMEOUT,
    )
    assert patched.status_code == 200
    assert patched.json()["endDate"] == "2026-06-01T00:00:00Z" and patched.json()["length"] == 2
    assert jsm.rotations("SET")[0]["name"] == "primary"
    assert client.delete(url, timeout=TIMEOUT).status_code == 204
    assert jsm.rotations("SET") == []
    assert client.get(url, timeout=TIMEOUT).status_code == 404


def test_restrictions_are_stored_rounded(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET")
    restriction = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {
                "startDay": "sunday",
                "startHour": 23,
                "startMin": 50,  # rounds to 24:00, i.e. Monday 00:00
                "endDay": "friday",
                "endHour": 17,
                "endMin": 14,
            }
        ],
    }
    add_rotation(
        client, jsm, schedule, **weekly("2026-01-05T09:00:00Z", ALICE, timeRestriction=restriction)
    )
    (stored,) = jsm.rotations("SET")[0]["timeRestriction"]["restrictions"]
    assert stored == {
        "startDay": "monday",
        "startHour": 0,
        "startMin": 0,
        "endDay": "friday",
        "endHour": 17,
        "endMin": 0,
    }


def test_failed_rotation_patch_changes_nothing(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET")
    rotation = add_rotation(client, jsm, schedule, **weekly("2026-01-05T09:00:00Z", ALICE))
    before = jsm.rotations("SET")
    url = jsm.api_url(f"/v1/schedules/{schedule}/rotations/{rotation}")
    for bad in (
        {"length": 3, "participants": [user("ghost")]},
        {"timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 25}}},
        {"endDate": "2025-01-01T00:00:00Z"},
    ):
        assert client.patch(url, json=bad, timeout=TIMEOUT).status_code == 422, bad
    assert jsm.rotations("SET") == before


# ---- overrides ------------------------------------------------------------------------


def test_override_crud_with_server_made_alias(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET")
    response = client.post(
        jsm.api_url(f"/v1/schedules/{schedule}/overrides"),
        json={
            "alias": "mine",  # not in CreateOverrideRequest: ignored
            "responder": user(CAROL),
            "startDate": "2026-04-01T09:10:00+02:00",
            "endDate": "2026-04-02T09:00:00+02:00",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 201
    override = response.json()
    assert override["alias"] != "mine"
    assert override == {
        "alias": override["alias"],
        "responder": user(CAROL),
        "startDate": "2026-04-01T07:00:00Z",
        "endDate": "2026-04-02T07:00:00Z",
    }  # no rotationIds: it applies to every rotation
    url = jsm.api_url(f"/v1/schedules/{schedule}/overrides/{override['alias']}")
    assert client.get(url, timeout=TIMEOUT).json() == override
    replaced = client.put(
        url,
        json={
            "responder": {"type": "noone"},
            "startDate": "2026-04-01T00:00:00Z",
            "endDate": "2026-04-03T00:00:00Z",
        },
        timeout=TIMEOUT,
    )
    assert replaced.status_code == 200 and replaced.json()["responder"] == {"type": "noone"}
    assert jsm.overrides("SET")[0]["endDate"] == "2026-04-03T00:00:00Z"
    assert client.delete(url, timeout=TIMEOUT).status_code == 204
    assert client.get(url, timeout=TIMEOUT).status_code == 404


def test_override_list_shows_only_ongoing_and_future_ones(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    windows = {
        "past": ("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"),
        "ongoing": ("2026-03-20T00:00:00Z", "2026-03-21T00:00:00Z"),
        "future": ("2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z"),
    }
    aliases = {
        label: add_override(
            client, jsm, schedule, responder=user(ALICE), startDate=start, endDate=end
        )
        for label, (start, end) in windows.items()
    }
    listed = collect(client, jsm, f"/v1/schedules/{schedule}/overrides")
    assert [o["alias"] for o in listed] == [aliases["ongoing"], aliases["future"]]
    assert len(jsm.overrides("SET")) == 3  # the past one is kept, just not listed
    url = jsm.api_url(f"/v1/schedules/{schedule}/overrides/{aliases['past']}")
    assert client.get(url, timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"responder": None}, "responder"),
        ({"responder": {"type": "team", "id": "x"}}, "responder"),
        ({"responder": user("ghost")}, "ghost"),
        ({"rotationIds": ["no-such-rotation"]}, "no-such-rotation"),
        ({"endDate": "2026-03-31T00:00:00Z"}, "endDate"),
    ],
)
def test_invalid_overrides_are_422(
    client: requests.Session, jsm: FakeJsmOps, body: dict[str, Any], words: str
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    full = {
        "responder": user(ALICE),
        "startDate": "2026-04-01T00:00:00Z",
        "endDate": "2026-04-02T00:00:00Z",
        **body,
    }
    url = jsm.api_url(f"/v1/schedules/{schedule}/overrides")
    response = client.post(url, json=full, timeout=TIMEOUT)
    assert response.status_code == 422
    assert words in response.json()["errors"][0]["title"]


def test_override_scoped_to_one_rotation(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET", timezone="Europe/Berlin")
    primary = add_rotation(
        client, jsm, schedule, name="primary", **weekly("2026-03-02T08:00:00Z", ALICE)
    )
    secondary = add_rotation(
        client, jsm, schedule, name="secondary", **weekly("2026-03-02T08:00:00Z", BOB)
    )
    window = {"startDate": "2026-04-01T00:00:00Z", "endDate": "2026-04-02T00:00:00Z"}
    add_override(client, jsm, schedule, responder=user(CAROL), rotationIds=[primary], **window)
    inside, outside = "2026-04-01T12:00:00Z", "2026-04-02T12:00:00Z"
    assert on_call_http(client, jsm, schedule, inside) == {"onCallUsers": [CAROL, BOB]}
    assert on_call_http(client, jsm, schedule, outside) == {"onCallUsers": [ALICE, BOB]}
    # A newer override for the other rotation only, to nobody: Bob drops out, Carol stays.
    add_override(
        client, jsm, schedule, responder={"type": "noone"}, rotationIds=[secondary], **window
    )
    assert on_call_http(client, jsm, schedule, inside) == {"onCallUsers": [CAROL]}
    for when in (inside, outside):
        assert (
            jsm.on_call("SET", datetime.fromisoformat(when))
            == on_call_http(client, jsm, schedule, when)["onCallUsers"]
        )
    (scoped, _) = jsm.overrides("SET")
    assert scoped["rotationIds"] == [primary]


def test_override_without_rotation_ids_covers_every_rotation(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    add_rotation(client, jsm, schedule, name="a", **weekly("2026-03-02T08:00:00Z", ALICE))
    add_rotation(client, jsm, schedule, name="b", **weekly("2026-03-02T08:00:00Z", BOB))
    add_override(
        client,
        jsm,
        schedule,
        responder=user(DAVE),
        rotationIds=[],  # read like null
        startDate="2026-04-01T00:00:00Z",
        endDate="2026-04-02T00:00:00Z",
    )
    assert on_call_http(client, jsm, schedule, "2026-04-01T12:00:00Z") == {"onCallUsers": [DAVE]}


# ---- on-calls -------------------------------------------------------------------------


def test_time_restriction_follows_the_schedule_zone_across_dst(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    """Office hours 09:00-17:00 in Berlin; weekly handover Monday 09:00 local. Europe
    moves to summer time on 2026-03-29, so the same UTC instants land an hour later."""
    schedule = create_schedule(client, jsm, "SET", timezone="Europe/Berlin")
    add_rotation(
        client,
        jsm,
        schedule,
        **weekly("2026-03-02T08:00:00Z", ALICE, BOB, timeRestriction=OFFICE_HOURS),
    )
    expected = {
        "2026-03-27T07:30:00Z": [],  # Fri 08:30 CET: before office hours
        "2026-03-27T08:30:00Z": [BOB],  # Fri 09:30 CET: week 4 is Bob's
        "2026-03-27T15:30:00Z": [BOB],  # Fri 16:30 CET
        "2026-03-30T06:30:00Z": [],  # Mon 08:30 CEST
        "2026-03-30T07:30:00Z": [ALICE],  # Mon 09:30 CEST: handed over at 07:00Z
        "2026-03-30T15:30:00Z": [],  # Mon 17:30 CEST: after office hours
    }
    for when, users in expected.items():
        assert on_call_http(client, jsm, schedule, when)["onCallUsers"] == users, when
        assert jsm.on_call("SET", datetime.fromisoformat(when)) == users, when


def test_weekday_restriction_and_rotation_dates(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET", timezone="Europe/Berlin")
    weekend = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {
                "startDay": "friday",
                "startHour": 18,
                "startMin": 0,
                "endDay": "monday",
                "endHour": 8,
                "endMin": 0,
            }
        ],
    }
    add_rotation(
        client,
        jsm,
        schedule,
        **weekly(
            "2026-03-02T08:00:00Z", CAROL, endDate="2026-04-06T06:00:00Z", timeRestriction=weekend
        ),
    )
    at = {  # Berlin local times in the comments
        "2026-03-28T12:00:00Z": [CAROL],  # Sat 13:00 CET
        "2026-03-30T05:30:00Z": [CAROL],  # Mon 07:30 CEST
        "2026-03-30T06:30:00Z": [],  # Mon 08:30 CEST
        "2026-04-04T12:00:00Z": [CAROL],  # Sat, before the endDate
        "2026-04-11T12:00:00Z": [],  # Sat, after the endDate
        "2026-02-28T12:00:00Z": [],  # Sat, before the startDate
    }
    for when, users in at.items():
        assert on_call_http(client, jsm, schedule, when)["onCallUsers"] == users, when


def test_on_call_tree_form_lists_every_participant_type(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    add_rotation(client, jsm, schedule, name="people", **weekly("2026-03-02T08:00:00Z", ALICE))
    add_rotation(
        client,
        jsm,
        schedule,
        name="team",
        type="daily",
        startDate="2026-03-02T08:00:00Z",
        participants=[{"type": "team", "id": team}],
    )
    when = "2026-03-20T12:00:00Z"
    tree = on_call_http(client, jsm, schedule, when, flat=False)
    assert tree == {
        "onCallParticipants": [{"id": ALICE, "type": "user"}, {"id": team, "type": "team"}]
    }
    assert on_call_http(client, jsm, schedule, when) == {"onCallUsers": [ALICE]}


def test_on_call_date_defaults_to_now_and_must_parse(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    add_rotation(client, jsm, schedule, **weekly("2026-03-02T08:00:00Z", ALICE, BOB))
    url = jsm.api_url(f"/v1/schedules/{schedule}/on-calls")
    now = client.get(url, params={"flat": "true"}, timeout=TIMEOUT).json()
    # NOW is in the third week since the start: Alice, Bob, Alice.
    assert now == {"onCallUsers": jsm.on_call("SET", NOW)} == {"onCallUsers": [ALICE]}
    assert client.get(url, params={"date": "tomorrow"}, timeout=TIMEOUT).status_code == 422
    # An unencoded "+" arrives as a space and no longer parses.
    raw = jsm.api_url(f"/v1/schedules/{schedule}/on-calls?date=2026-03-20T12:00:00+01:00")
    assert client.get(raw, timeout=TIMEOUT).status_code == 422


def test_on_call_oracle_needs_an_aware_instant(jsm: FakeJsmOps) -> None:
    jsm.seed_schedule({"name": "SET"})
    with pytest.raises(ValueError, match="aware"):
        jsm.on_call("SET", datetime(2026, 3, 20, 12))


# ---- team escalations ---------------------------------------------------------------


def escalation_body(name: str, schedule: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "rules": [
            {
                "condition": "if-not-acked",
                "notifyType": "default",
                "delay": 5,
                "recipient": {"type": "schedule", "id": schedule},
            },
            {
                "condition": "if-not-closed",
                "notifyType": "all",
                "delay": 15,
                "recipient": user(DAVE),
            },
        ],
        **extra,
    }


def test_team_escalation_crud_and_filled_in_defaults(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    schedule = create_schedule(client, jsm, "SET", teamId=team)
    url = jsm.api_url(f"/v1/teams/{team}/escalations")
    response = client.post(url, json=escalation_body("SET escalation", schedule), timeout=TIMEOUT)
    assert response.status_code == 201
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "SET escalation",
        "description": "",
        "rules": escalation_body("SET escalation", schedule)["rules"],
        "enabled": True,
        "repeat": {
            "waitInterval": 0,
            "count": 1,
            "resetRecipientStates": False,
            "closeAlertAfterAll": False,
        },
    }
    one = f"{url}/{created['id']}"
    assert client.get(one, timeout=TIMEOUT).json() == created
    patched = client.patch(
        one,
        json={"enabled": False, "repeat": {"waitInterval": 10, "count": 3}},
        timeout=TIMEOUT,
    )
    assert patched.status_code == 200
    assert patched.json()["enabled"] is False and patched.json()["repeat"]["count"] == 3
    assert jsm.escalations(team)[0]["repeat"]["waitInterval"] == 10
    assert client.delete(one, timeout=TIMEOUT).status_code == 204
    assert client.get(one, timeout=TIMEOUT).status_code == 404
    assert jsm.escalations(team) == []


def test_escalations_belong_to_their_team(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    other = jsm.seed_team("Other")
    schedule = create_schedule(client, jsm, "SET")
    escalation = jsm.seed_escalation(team, escalation_body("E", schedule))
    elsewhere = jsm.api_url(f"/v1/teams/{other}/escalations/{escalation}")
    assert client.get(elsewhere, timeout=TIMEOUT).status_code == 404
    assert collect(client, jsm, f"/v1/teams/{other}/escalations") == []
    # The same name is free in another team.
    jsm.seed_escalation(other, escalation_body("E", schedule))
    assert [e["name"] for e in jsm.escalations(other)] == ["E"]
    teams = client.get(jsm.api_url("/v1/teams"), timeout=TIMEOUT).json()
    assert teams == {
        "platformTeams": [
            {"teamId": team, "teamName": "SET"},
            {"teamId": other, "teamName": "Other"},
        ]
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": "E"}, "already exists"),
        ({"rules": [{"condition": "if-not-acked", "notifyType": "sometimes"}]}, "notifyType"),
        (
            {
                "rules": [
                    {
                        "condition": "if-not-acked",
                        "notifyType": "default",
                        "delay": 1,
                        "recipient": user("ghost"),
                    }
                ]
            },
            "ghost",
        ),
        ({"rules": [{"condition": "if-not-acked", "notifyType": "default"}]}, "delay"),
        ({"repeat": {"count": 21}}, "count"),
    ],
)
def test_invalid_escalations_are_422(
    client: requests.Session, jsm: FakeJsmOps, team: str, change: dict[str, Any], words: str
) -> None:
    schedule = create_schedule(client, jsm, "SET")
    jsm.seed_escalation(team, escalation_body("E", schedule))
    body = {**escalation_body("F", schedule), **change}
    url = jsm.api_url(f"/v1/teams/{team}/escalations")
    response = client.post(url, json=body, timeout=TIMEOUT)
    assert response.status_code == 422
    assert words in response.json()["errors"][0]["title"]
    assert [e["name"] for e in jsm.escalations(team)] == ["E"]


def test_first_rule_delay_zero_is_accepted_but_outside_the_description(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    """README F: EscalationRule.delay has minimum 1, so "notify at once" (0) is outside
    the description; the fake accepts it and the request checker reports it."""
    schedule = create_schedule(client, jsm, "SET")
    body = escalation_body("E", schedule)
    body["rules"][0]["delay"] = 0
    url = jsm.api_url(f"/v1/teams/{team}/escalations")
    created = client.post(url, json=body, timeout=TIMEOUT)
    assert created.status_code == 201 and created.json()["rules"][0]["delay"] == 0
    if jsm.spec_checker is not None:
        assert any("minimum of 1" in v for v in jsm.spec_violations), jsm.spec_violations
    expect_off_spec_answers(jsm, "minimum of 1")  # the answer carries the 0 back


# ---- seeding and inspection ---------------------------------------------------------


def test_seed_helpers_validate_like_the_api(jsm: FakeJsmOps, team: str) -> None:
    """Objects "migrated from OpsGenie" are seeded through the same validation as HTTP."""
    with pytest.raises(HTTPError) as rejected:
        jsm.seed_schedule({"name": "SET", "rotations": [weekly("2026-01-05T09:00Z", "ghost")]})
    assert rejected.value.status == 422
    schedule = jsm.seed_schedule({"name": "SET", "timezone": "Europe/Berlin", "teamId": team})
    rotation = jsm.seed_rotation("SET", weekly("2026-03-02T08:00:00Z", ALICE, name="primary"))
    alias = jsm.seed_override(
        "SET",
        {
            "responder": user(BOB),
            "rotationIds": [rotation],
            "startDate": "2026-03-20T00:00:00Z",
            "endDate": "2026-03-21T00:00:00Z",
        },
    )
    escalation = jsm.seed_escalation(team, escalation_body("E", schedule))
    assert jsm.on_call("SET", NOW) == [BOB]
    snapshot = jsm.snapshot()
    assert snapshot["schedules"]["SET"]["id"] == schedule
    assert snapshot["schedules"]["SET"]["rotations"][0]["id"] == rotation
    assert snapshot["overrides"]["SET"][0]["alias"] == alias
    assert snapshot["escalations"]["SET"]["E"]["id"] == escalation
    with pytest.raises(HTTPError) as missing:
        jsm.seed_rotation("nope", weekly("2026-03-02T08:00:00Z", ALICE))
    assert missing.value.status == 404


def test_snapshot_shows_a_delete_and_recreate(client: requests.Session, jsm: FakeJsmOps) -> None:
    schedule = create_schedule(client, jsm, "SET")
    before = jsm.snapshot()
    client.delete(jsm.api_url(f"/v1/schedules/{schedule}"), timeout=TIMEOUT)
    create_schedule(client, jsm, "SET")
    assert jsm.snapshot() != before  # same content, new server-made id


# ---- request checks against the vendor description ----------------------------------


def test_typical_session_stays_inside_the_vendor_spec(
    client: requests.Session, jsm: FakeJsmOps, team: str
) -> None:
    require_api_specs()
    assert isinstance(jsm.spec_checker, JsmSpecChecker)
    schedule = create_schedule(
        client,
        jsm,
        "SET",
        timezone="Europe/Berlin",
        teamId=team,
        rotations=[weekly("2026-03-02T08:00:00Z", ALICE, BOB, timeRestriction=OFFICE_HOURS)],
    )
    rotation = add_rotation(
        client,
        jsm,
        schedule,
        name="weekend",
        **weekly(
            "2026-03-02T08:00:00Z",
            CAROL,
            timeRestriction={
                "type": "weekday-and-time-of-day",
                "restrictions": [
                    {
                        "startDay": "friday",
                        "startHour": 18,
                        "startMin": 0,
                        "endDay": "monday",
                        "endHour": 8,
                        "endMin": 0,
                    }
                ],
            },
        ),
    )
    client.patch(
        jsm.api_url(f"/v1/schedules/{schedule}/rotations/{rotation}"),
        json={"timeRestriction": OFFICE_HOURS},
        timeout=TIMEOUT,
    )
    add_override(
        client,
        jsm,
        schedule,
        responder=user(DAVE),
        rotationIds=[rotation],
        startDate="2026-03-27T00:00:00+01:00",
        endDate="2026-03-30T00:00:00+02:00",
    )
    collect(client, jsm, "/v1/schedules", expand="rotation", size=50)
    collect(client, jsm, f"/v1/schedules/{schedule}/rotations", offset=0, size=10)
    collect(client, jsm, f"/v1/schedules/{schedule}/overrides")
    on_call_http(client, jsm, schedule, "2026-03-27T10:00:00+01:00", flat=False)
    on_call_http(client, jsm, schedule, "2026-03-27T10:00:00+01:00", flat=True)
    url = jsm.api_url(f"/v1/teams/{team}/escalations")
    client.post(url, json=escalation_body("E", schedule), timeout=TIMEOUT)
    collect(client, jsm, f"/v1/teams/{team}/escalations", size=100)
    client.get(jsm.api_url("/v1/teams"), timeout=TIMEOUT)
    jsm.assert_no_spec_violations()


def test_checker_flags_requests_outside_the_description(
    client: requests.Session, jsm: FakeJsmOps
) -> None:
    require_api_specs()
    schedule = create_schedule(client, jsm, "SET")
    client.get(jsm.api_url("/v1/schedules"), params={"limit": 10}, timeout=TIMEOUT)
    client.post(
        jsm.api_url(f"/v1/schedules/{schedule}/overrides"),
        json={"user": user(ALICE), "startDate": "2026-04-01T00:00:00Z"},  # OpsGenie's field
        timeout=TIMEOUT,
    )
    client.post(
        jsm.api_url(f"/v1/schedules/{schedule}/rotations"),
        json=weekly("2026-03-02T08:00:00Z", ALICE, timeRestriction={"type": "weekends"}),
        timeout=TIMEOUT,
    )
    violations = jsm.spec_violations
    assert len(violations) == 3, violations
    prefix = f"/jsm/ops/api/{jsm.cloud_id}/v1/schedules"
    assert all(v.split(" ")[1].startswith(prefix) for v in violations)  # full paths
    assert "undeclared query parameter 'limit'" in violations[0]
    assert "responder" in violations[1] and "endDate" in violations[1]
    assert "'weekends'} is not valid under any of the given schemas" in violations[2]


def _relative(method: str, path: str, body: Any = None, **query: str) -> Request:
    data = b"" if body is None else json.dumps(body).encode()
    return Request(
        method=method,
        path=path,
        raw_path=path,
        query={k: [v] for k, v in query.items()},
        headers={"Authorization": "Basic eDp5", "Content-Type": "application/json"},
        body=data,
        json=body,
    )


def test_the_two_unsatisfiable_one_ofs_and_their_repair() -> None:
    """README F, recorded: as published, every restriction body and every on-call answer
    fails ``oneOf`` (valid under each branch); the repaired checker accepts correct ones
    and still rejects a restriction of no documented type."""
    spec_file = require_api_specs() / JSM_SPEC_FILE
    literal = SpecChecker(spec_file)  # the description exactly as published
    repaired = JsmSpecChecker.for_file(spec_file)
    assert len(repaired.repairs) == 6, repaired.repairs
    rotation = weekly("2026-03-02T08:00:00Z", ALICE, timeRestriction=OFFICE_HOURS)
    good = _relative("POST", "/v1/schedules/s/rotations", rotation)
    (literal_error,) = literal.check(good)
    assert "is valid under each of" in literal_error
    assert repaired.check(good) == []
    schedule_body = {"name": "SET", "rotations": [rotation]}
    assert literal.check(_relative("POST", "/v1/schedules", schedule_body)) != []
    assert repaired.check(_relative("POST", "/v1/schedules", schedule_body)) == []
    bogus = {**rotation, "timeRestriction": {"type": "weekends"}}
    assert repaired.check(_relative("POST", "/v1/schedules/s/rotations", bogus)) != []

    on_calls = _relative("GET", "/v1/schedules/s/on-calls", flat="true")
    answers: list[dict[str, Any]] = [{"onCallUsers": [ALICE]}, {"onCallParticipants": []}]
    for answer in answers:
        response = Response(200, json=answer)
        assert any("valid under each of" in p for p in literal.check_response(on_calls, response))
        assert repaired.check_response(on_calls, response) == []
    restricted = Response(200, json={"id": "r", "type": "weekly", "timeRestriction": OFFICE_HOURS})
    get_rotation = _relative("GET", "/v1/schedules/s/rotations/r")
    assert literal.check_response(get_rotation, restricted) != []
    assert repaired.check_response(get_rotation, restricted) == []
