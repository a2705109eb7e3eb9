"""Tests of the fake OpsGenie: envelopes and errors, identifiers, rotations, overrides,
escalations, rounding, and the on-call oracle (DST, restrictions, scoped overrides).

Plain ``requests`` against the running fake, so what is tested is the HTTP behaviour
setops will meet. Every fake answer is also checked against the vendor's description
(``check_responses``, against tests/specs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fakes.base import Fault, require_api_specs
from tests.fakes.opsgenie import (
    UNPROCESSABLE,
    FakeOpsGenie,
    Rotation,
    restriction_active,
    round_instant,
    round_minutes,
    shift_index,
)

ALICE, BOB, CAROL, DAVE, ERIN = (
    f"{n}@example.com" for n in ("alice", "bob", "carol", "dave", "erin")
)
BY_NAME = {"scheduleIdentifierType": "name"}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def og() -> Iterator[FakeOpsGenie]:
    with FakeOpsGenie(check_responses=True) as fake:
        for username in (ALICE, BOB, CAROL, DAVE, ERIN):
            fake.seed_user(username)
        fake.seed_team("SET")
        yield fake
        assert fake.response_violations == [], "the fake answered outside the vendor spec"
        assert fake.handler_errors == []


@pytest.fixture
def client(og: FakeOpsGenie) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"GenieKey {og.api_key}"
        yield session


def user(username: str) -> dict[str, str]:
    return {"type": "user", "username": username}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def create_schedule(client: requests.Session, og: FakeOpsGenie, name: str, **fields: Any) -> str:
    response = client.post(og.url("/v2/schedules"), json={"name": name, **fields}, timeout=5)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def add_rotation(client: requests.Session, og: FakeOpsGenie, schedule: str, **body: Any) -> str:
    url = og.url(f"/v2/schedules/{schedule}/rotations")
    response = client.post(url, params=BY_NAME, json=body, timeout=5)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def on_call_http(client: requests.Session, og: FakeOpsGenie, schedule: str, when: str) -> Any:
    url = og.url(f"/v2/schedules/{schedule}/on-calls")
    params = {**BY_NAME, "date": when, "flat": "true"}
    response = client.get(url, params=params, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["data"]["onCallRecipients"]


# ---- auth, envelopes, errors ------------------------------------------------------


@pytest.mark.parametrize("header", [None, "GenieKey wrong", "Bearer fake-genie-key-0000"])
def test_bad_or_missing_key_is_401_with_opsgenie_error_body(
    og: FakeOpsGenie, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = requests.get(og.url("/v2/schedules"), headers=headers, timeout=5)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "took", "requestId"}
    assert body["requestId"] == response.headers["X-Request-ID"]


def test_unknown_schedule_is_404_with_message(client: requests.Session, og: FakeOpsGenie) -> None:
    response = client.get(
        og.url("/v2/schedules/nope"), params={"identifierType": "name"}, timeout=5
    )
    assert response.status_code == 404
    body = response.json()
    assert "nope" in body["message"] and isinstance(body["took"], float) and body["requestId"]


def test_unknown_path_is_404_with_opsgenie_error_body(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    response = client.get(og.url("/v2/nothing"), timeout=5)
    assert response.status_code == 404
    assert set(response.json()) == {"message", "took", "requestId"}


def test_invalid_json_is_400(client: requests.Session, og: FakeOpsGenie) -> None:
    response = client.post(
        og.url("/v2/schedules"),
        data=b"{broken",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid JSON body"


def test_semantic_errors_are_422_with_errors_map(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    create_schedule(client, og, "SET")
    response = client.post(
        og.url("/v2/schedules/SET/rotations"),
        params=BY_NAME,
        json={"type": "weekly", "startDate": "2024-01-01T00:00:00Z", "participants": [user("x@y")]},
        timeout=5,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == UNPROCESSABLE
    assert "x@y" in body["errors"]["participants"]


def test_create_schedule_envelope_and_defaults(client: requests.Session, og: FakeOpsGenie) -> None:
    response = client.post(
        og.url("/v2/schedules"), json={"name": "SET", "ownerTeam": {"name": "SET"}}, timeout=5
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"data", "took", "requestId"}
    assert set(body["data"]) == {"id", "name", "enabled"} and body["data"]["enabled"] is True
    stored = og.schedules_by_name()["SET"]
    assert stored["timezone"] == og.account_timezone  # not UTC: clients must send the zone
    assert stored["ownerTeam"]["name"] == "SET" and stored["ownerTeam"]["id"]


def test_unknown_owner_team_is_422(client: requests.Session, og: FakeOpsGenie) -> None:
    response = client.post(
        og.url("/v2/schedules"), json={"name": "S", "ownerTeam": {"name": "ghosts"}}, timeout=5
    )
    assert response.status_code == 422
    assert "ownerTeam" in response.json()["errors"]


def test_duplicate_names_are_409(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET")
    again = client.post(og.url("/v2/schedules"), json={"name": "SET"}, timeout=5)
    assert again.status_code == 409
    body = {"type": "daily", "startDate": "2024-01-01T00:00:00Z", "participants": [user(ALICE)]}
    add_rotation(client, og, "SET", name="r", **body)
    url = og.url("/v2/schedules/SET/rotations")
    assert (
        client.post(url, params=BY_NAME, json={"name": "r", **body}, timeout=5).status_code == 409
    )
    escalation = {"name": "E", "rules": []}
    assert client.post(og.url("/v2/escalations"), json=escalation, timeout=5).status_code == 201
    duplicate = client.post(og.url("/v2/escalations"), json=escalation, timeout=5)
    assert duplicate.status_code == 409
    assert duplicate.json()["message"] == "Escalation with [name] [E] already exists."


# ---- schedules and identifiers --------------------------------------------------------


def test_schedule_get_update_list(client: requests.Session, og: FakeOpsGenie) -> None:
    schedule_id = create_schedule(client, og, "SET", timezone="Europe/Berlin")
    by_id = client.get(og.url(f"/v2/schedules/{schedule_id}"), timeout=5).json()["data"]
    assert by_id["name"] == "SET" and by_id["timezone"] == "Europe/Berlin"
    patched = client.patch(
        og.url("/v2/schedules/SET"),
        params={"identifierType": "name"},
        json={"description": "SET on call", "enabled": False},
        timeout=5,
    )
    assert patched.status_code == 200 and patched.json()["data"]["enabled"] is False
    listed = client.get(og.url("/v2/schedules"), timeout=5).json()
    assert listed["expandable"] == ["rotation"]
    assert [s["description"] for s in listed["data"]] == ["SET on call"]


def test_list_schedules_expands_rotations_only_on_request(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    create_schedule(client, og, "SET", timezone="UTC")
    add_rotation(
        client,
        og,
        "SET",
        type="daily",
        startDate="2024-01-01T00:00:00Z",
        participants=[user(ALICE)],
    )
    plain = client.get(og.url("/v2/schedules"), timeout=5).json()["data"][0]
    expanded = client.get(og.url("/v2/schedules"), params={"expand": "rotation"}, timeout=5)
    assert plain["rotations"] == []
    assert len(expanded.json()["data"][0]["rotations"]) == 1


def test_rotation_paths_ignore_identifier_type(client: requests.Session, og: FakeOpsGenie) -> None:
    """Rotation paths read scheduleIdentifierType; identifierType is ignored, so the name
    is taken as an id (404) and the spec checker reports the undeclared parameter."""
    create_schedule(client, og, "SET")
    url = og.url("/v2/schedules/SET/rotations")
    wrong = client.get(url, params={"identifierType": "name"}, timeout=5)
    assert wrong.status_code == 404
    assert client.get(url, params=BY_NAME, timeout=5).status_code == 200
    if og.spec_checker is not None:
        assert any("identifierType" in v for v in og.spec_violations)


def test_typical_session_stays_inside_the_vendor_spec(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    require_api_specs()
    assert og.spec_checker is not None
    create_schedule(client, og, "SET", timezone="Europe/Berlin", ownerTeam={"name": "SET"})
    rotation_id = add_rotation(
        client,
        og,
        "SET",
        name="primary",
        type="weekly",
        startDate="2024-01-01T08:00:00Z",
        participants=[user(ALICE), user(BOB)],
        timeRestriction={
            "type": "weekday-and-time-of-day",
            "restrictions": [
                {
                    "startDay": "monday",
                    "startHour": 9,
                    "startMin": 0,
                    "endDay": "friday",
                    "endHour": 17,
                    "endMin": 0,
                }
            ],
        },
    )
    client.get(og.url(f"/v2/schedules/SET/rotations/{rotation_id}"), params=BY_NAME, timeout=5)
    client.put(
        og.url("/v2/schedules/SET/overrides/vacation"),
        params=BY_NAME,
        json={
            "user": user(CAROL),
            "startDate": "2024-01-02T00:00:00Z",
            "endDate": "2024-01-03T00:00:00Z",
        },
        timeout=5,
    )
    on_call_http(client, og, "SET", "2024-01-02T10:00:00+01:00")
    og.assert_no_spec_violations()


# ---- rotations --------------------------------------------------------------------------


def test_rotation_create_list_get_update_delete(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET", timezone="UTC")
    response = client.post(
        og.url("/v2/schedules/SET/rotations"),
        params=BY_NAME,
        json={
            "name": "primary",
            "type": "weekly",
            "startDate": "2024-01-01T09:00:00+01:00",
            "participants": [user(ALICE), {"type": "user", "id": og.seed_user("zed@example.com")}],
        },
        timeout=5,
    )
    assert response.status_code == 201
    assert response.json()["result"] == "Created"
    rotation_id = response.json()["data"]["id"]
    listed = client.get(og.url("/v2/schedules/SET/rotations"), params=BY_NAME, timeout=5)
    (rotation,) = listed.json()["data"]
    assert rotation["length"] == 1  # filled in by the API
    assert rotation["startDate"] == "2024-01-01T08:00:00Z"
    assert [set(p) for p in rotation["participants"]] == [{"type", "id", "username"}] * 2
    assert rotation["participants"][1]["username"] == "zed@example.com"
    assert "endDate" not in rotation and "timeRestriction" not in rotation
    url = og.url(f"/v2/schedules/SET/rotations/{rotation_id}")
    got = client.get(url, params=BY_NAME, timeout=5).json()["data"]
    assert got["_parent"]["name"] == "SET"
    patched = client.patch(url, params=BY_NAME, json={"length": 2, "name": "main"}, timeout=5)
    assert patched.json() | {"took": 0, "requestId": ""} == {
        "result": "Updated",
        "data": {"id": rotation_id, "name": "main"},
        "took": 0,
        "requestId": "",
    }
    assert og.rotations("SET")[0]["length"] == 2
    deleted = client.delete(url, params=BY_NAME, timeout=5)
    assert deleted.json()["result"] == "Deleted" and og.rotations("SET") == []


def test_failed_rotation_patch_changes_nothing(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET")
    rotation_id = add_rotation(
        client,
        og,
        "SET",
        type="daily",
        startDate="2024-01-01T00:00:00Z",
        participants=[user(ALICE)],
    )
    before = og.rotations("SET")
    url = og.url(f"/v2/schedules/SET/rotations/{rotation_id}")
    bad = {"length": 3, "participants": [user("ghost@example.com")]}
    assert client.patch(url, params=BY_NAME, json=bad, timeout=5).status_code == 422
    assert og.rotations("SET") == before


def test_rotation_rounds_dates_and_restrictions(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET", timezone="UTC")
    add_rotation(
        client,
        og,
        "SET",
        name="tod",
        type="daily",
        startDate="2024-01-01T09:14:59Z",
        endDate="2024-02-01T09:45:00Z",
        participants=[user(ALICE)],
        timeRestriction={
            "type": "time-of-day",
            "restriction": {"startHour": 8, "startMin": 50, "endHour": 17, "endMin": 20},
        },
    )
    add_rotation(
        client,
        og,
        "SET",
        name="weekend",
        type="weekly",
        startDate="2024-01-01T09:15:00Z",
        participants=[user(BOB)],
        timeRestriction={
            "type": "weekday-and-time-of-day",
            "restrictions": [
                {
                    "startDay": "saturday",
                    "startHour": 8,
                    "startMin": 44,
                    "endDay": "sunday",
                    "endHour": 23,
                    "endMin": 50,
                }
            ],
        },
    )
    tod, weekend = og.rotations("SET")
    assert (tod["startDate"], tod["endDate"]) == ("2024-01-01T09:00:00Z", "2024-02-01T10:00:00Z")
    assert tod["timeRestriction"]["restriction"] == {
        "startHour": 9,
        "startMin": 0,
        "endHour": 17,
        "endMin": 30,
    }
    assert weekend["startDate"] == "2024-01-01T09:30:00Z"
    assert weekend["timeRestriction"]["restrictions"] == [
        {
            "startDay": "saturday",
            "startHour": 8,
            "startMin": 30,
            "endDay": "monday",
            "endHour": 0,
            "endMin": 0,
        }
    ]


def test_round_minutes_rule() -> None:
    assert [round_minutes(9 * 60 + m) - 9 * 60 for m in (0, 14, 15, 29, 30, 44, 45, 59)] == [
        0, 0, 30, 30, 30, 30, 60, 60,
    ]  # fmt: skip
    assert round_instant(at("2024-03-31T23:50:10+00:00")) == at("2024-04-01T00:00:00+00:00")


# ---- on-call oracle ---------------------------------------------------------------------------


def business_hours_rotation(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET", timezone="Europe/Berlin")
    add_rotation(
        client,
        og,
        "SET",
        name="day",
        type="daily",
        startDate="2024-03-25T08:00:00Z",  # Monday 09:00 CET
        participants=[user(ALICE), user(BOB)],
        timeRestriction={
            "type": "time-of-day",
            "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0},
        },
    )


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2024-03-29T07:30:00Z", []),  # Fri 08:30 CET: before the window
        ("2024-03-29T08:30:00Z", [ALICE]),  # Fri 09:30 CET: day 4 -> alice
        ("2024-03-29T15:30:00Z", [ALICE]),  # Fri 16:30 CET
        ("2024-03-29T16:30:00Z", []),  # Fri 17:30 CET
        ("2024-03-31T07:30:00Z", [ALICE]),  # DST day, 09:30 CEST: handover follows 09:00 local
        ("2024-04-02T06:30:00Z", []),  # Tue 08:30 CEST
        ("2024-04-02T07:30:00Z", [ALICE]),  # Tue 09:30 CEST: day 8 -> alice
        ("2024-04-02T14:30:00Z", [ALICE]),  # Tue 16:30 CEST
        ("2024-04-02T15:30:00Z", []),  # Tue 17:30 CEST (would be inside 08-16 UTC)
        ("2024-04-03T07:30:00Z", [BOB]),  # Wed 09:30 CEST: day 9 -> bob
        ("2024-03-24T12:00:00Z", []),  # before the rotation starts
    ],
)
def test_on_call_time_of_day_across_berlin_dst(
    client: requests.Session, og: FakeOpsGenie, instant: str, expected: list[str]
) -> None:
    business_hours_rotation(client, og)
    assert on_call_http(client, og, "SET", instant) == expected
    assert og.on_call("SET", at(instant)) == expected


def test_on_call_date_with_offset_and_unescaped_plus(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    business_hours_rotation(client, og)
    assert on_call_http(client, og, "SET", "2024-04-02T09:30:00+02:00") == [ALICE]
    raw = og.url(
        "/v2/schedules/SET/on-calls?scheduleIdentifierType=name&date=2024-04-02T09:30:00+02:00"
    )
    assert client.get(raw, timeout=5).status_code == 422  # "+" decodes to a space


def test_on_call_non_flat_shape(client: requests.Session, og: FakeOpsGenie) -> None:
    business_hours_rotation(client, og)
    response = client.get(
        og.url("/v2/schedules/SET/on-calls"),
        params={**BY_NAME, "date": "2024-04-03T07:30:00Z"},
        timeout=5,
    )
    data = response.json()["data"]
    assert data["_parent"]["name"] == "SET" and "onCallRecipients" not in data
    (participant,) = data["onCallParticipants"]
    assert participant["name"] == BOB and participant["type"] == "user" and participant["id"]


def test_weekly_rotation_cycles_and_none_is_nobody(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    create_schedule(client, og, "SET", timezone="Europe/Berlin")
    add_rotation(
        client,
        og,
        "SET",
        type="weekly",
        length=2,
        startDate="2024-03-18T08:00:00Z",  # Monday 09:00 CET, two-week shifts
        participants=[user(ALICE), {"type": "none"}, user(BOB)],
    )
    assert og.on_call("SET", at("2024-03-31T12:00:00+00:00")) == [ALICE]
    assert og.on_call("SET", at("2024-04-01T06:59:00+00:00")) == [ALICE]  # 08:59 CEST
    assert og.on_call("SET", at("2024-04-01T07:00:00+00:00")) == []  # 09:00 CEST: none
    assert og.on_call("SET", at("2024-04-15T07:00:00+00:00")) == [BOB]
    assert og.on_call("SET", at("2024-04-29T07:00:00+00:00")) == [ALICE]


def test_hourly_rotation_and_end_date(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET", timezone="UTC")
    add_rotation(
        client,
        og,
        "SET",
        type="hourly",
        length=6,
        startDate="2024-01-01T00:00:00Z",
        endDate="2024-01-02T00:00:00Z",
        participants=[user(ALICE), user(BOB)],
    )
    assert og.on_call("SET", at("2024-01-01T05:59:00+00:00")) == [ALICE]
    assert og.on_call("SET", at("2024-01-01T06:00:00+00:00")) == [BOB]
    assert og.on_call("SET", at("2024-01-01T12:30:00+00:00")) == [ALICE]
    assert og.on_call("SET", at("2024-01-02T00:00:00+00:00")) == []


def two_layer_schedule(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET", timezone="UTC")
    for name, members in (("primary", [ALICE, BOB]), ("secondary", [CAROL, DAVE])):
        add_rotation(
            client,
            og,
            "SET",
            name=name,
            type="weekly",
            startDate="2024-01-01T00:00:00Z",
            participants=[user(m) for m in members],
        )


def put_override(client: requests.Session, og: FakeOpsGenie, alias: str, **body: Any) -> Any:
    response = client.post(
        og.url("/v2/schedules/SET/overrides"),
        params=BY_NAME,
        json={"alias": alias, **body},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_all_rotations_are_on_call_together(client: requests.Session, og: FakeOpsGenie) -> None:
    two_layer_schedule(client, og)
    assert on_call_http(client, og, "SET", "2024-01-03T12:00:00Z") == [ALICE, CAROL]
    assert on_call_http(client, og, "SET", "2024-01-10T12:00:00Z") == [BOB, DAVE]


def test_override_scoped_to_one_rotation(client: requests.Session, og: FakeOpsGenie) -> None:
    two_layer_schedule(client, og)
    created = put_override(
        client,
        og,
        "swap",
        user=user(ERIN),
        startDate="2024-01-03T00:00:00Z",
        endDate="2024-01-04T00:00:00Z",
        rotations=[{"name": "primary"}],
    )
    assert created["data"] == {"alias": "swap"}
    assert on_call_http(client, og, "SET", "2024-01-03T12:00:00Z") == [ERIN, CAROL]
    assert on_call_http(client, og, "SET", "2024-01-04T00:00:00Z") == [ALICE, CAROL]
    (stored,) = og.overrides("SET")
    assert stored["rotations"][0]["name"] == "primary" and stored["rotations"][0]["id"]
    assert stored["user"]["username"] == ERIN and stored["user"]["id"]


def test_override_without_rotations_covers_every_rotation(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    two_layer_schedule(client, og)
    put_override(
        client,
        og,
        "all",
        user=user(ERIN),
        startDate="2024-01-03T00:00:00Z",
        endDate="2024-01-04T00:00:00Z",
    )
    assert on_call_http(client, og, "SET", "2024-01-03T12:00:00Z") == [ERIN]  # listed once
    assert og.on_call("SET", at("2024-01-02T23:59:59+00:00")) == [ALICE, CAROL]


def test_override_times_are_rounded(client: requests.Session, og: FakeOpsGenie) -> None:
    two_layer_schedule(client, og)
    put_override(
        client,
        og,
        "r",
        user=user(ERIN),
        startDate="2024-01-03T00:10:00Z",
        endDate="2024-01-03T23:50:00Z",
    )
    (stored,) = og.overrides("SET")
    assert (stored["startDate"], stored["endDate"]) == (
        "2024-01-03T00:00:00Z",
        "2024-01-04T00:00:00Z",
    )


def test_override_get_put_delete_and_generated_alias(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    two_layer_schedule(client, og)
    window = {"startDate": "2024-01-03T00:00:00Z", "endDate": "2024-01-04T00:00:00Z"}
    generated = put_override(client, og, "", user=user(ERIN), **window)["data"]["alias"]
    assert generated
    put_override(client, og, "mine", user=user(ERIN), **window)
    url = og.url("/v2/schedules/SET/overrides/mine")
    duplicate = client.post(
        og.url("/v2/schedules/SET/overrides"),
        params=BY_NAME,
        json={"alias": "mine", "user": user(ERIN), **window},
        timeout=5,
    )
    assert duplicate.status_code == 409
    updated = client.put(url, params=BY_NAME, json={"user": user(DAVE), **window}, timeout=5)
    assert updated.status_code == 200 and updated.json()["data"] == {"alias": "mine"}
    assert client.get(url, params=BY_NAME, timeout=5).json()["data"]["user"]["username"] == DAVE
    assert og.on_call("SET", at("2024-01-03T12:00:00+00:00")) == [DAVE]  # newest override wins
    assert client.delete(url, params=BY_NAME, timeout=5).json()["result"] == "Deleted"
    assert client.get(url, params=BY_NAME, timeout=5).status_code == 404
    missing = og.url("/v2/schedules/SET/overrides/ghost")
    assert (
        client.put(
            missing, params=BY_NAME, json={"user": user(DAVE), **window}, timeout=5
        ).status_code
        == 404
    )


def test_override_with_unknown_rotation_is_422(client: requests.Session, og: FakeOpsGenie) -> None:
    two_layer_schedule(client, og)
    response = client.post(
        og.url("/v2/schedules/SET/overrides"),
        params=BY_NAME,
        json={
            "user": user(ERIN),
            "startDate": "2024-01-03T00:00:00Z",
            "endDate": "2024-01-04T00:00:00Z",
            "rotations": [{"name": "tertiary"}],
        },
        timeout=5,
    )
    assert response.status_code == 422 and "rotations" in response.json()["errors"]
    assert og.overrides("SET") == []


def test_http_on_call_matches_the_oracle_over_a_fortnight(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    business_hours_rotation(client, og)
    put_override(
        client,
        og,
        "o",
        user=user(CAROL),
        startDate="2024-03-28T10:00:00Z",
        endDate="2024-03-29T10:00:00Z",
    )
    instant = at("2024-03-24T00:00:00+00:00")
    while instant < at("2024-04-07T00:00:00+00:00"):
        when = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert on_call_http(client, og, "SET", when) == og.on_call("SET", instant), when
        instant += timedelta(hours=5, minutes=30)


def test_timeline_lists_periods(client: requests.Session, og: FakeOpsGenie) -> None:
    business_hours_rotation(client, og)
    response = client.get(
        og.url("/v2/schedules/SET/timeline"),
        params={
            "identifierType": "name",
            "date": "2024-04-01T00:00:00Z",
            "interval": "2",
            "intervalUnit": "days",
        },
        timeout=5,
    )
    data = response.json()["data"]
    (rotation,) = data["finalTimeline"]["rotations"]
    spans = [(p["startDate"], p["endDate"], p["recipient"]["name"]) for p in rotation["periods"]]
    assert spans == [
        ("2024-04-01T07:00:00Z", "2024-04-01T15:00:00Z", BOB),
        ("2024-04-02T07:00:00Z", "2024-04-02T15:00:00Z", ALICE),
    ]


# ---- escalations and users ------------------------------------------------------------------


def test_escalation_create_get_update(client: requests.Session, og: FakeOpsGenie) -> None:
    create_schedule(client, og, "SET")
    created = client.post(
        og.url("/v2/escalations"),
        json={
            "name": "SET escalation",
            "ownerTeam": {"name": "SET"},
            "rules": [
                {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0},
                 "recipient": {"type": "schedule", "name": "SET"}},
                {"delay": {"timeAmount": 10}, "recipient": user(ALICE)},
            ],
            "repeat": {"waitInterval": 5, "count": 2, "resetRecipientStates": True},
        },
        timeout=5,
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["result"] == "Created"
    stored = og.escalation("SET escalation")
    assert stored is not None
    first, second = stored["rules"]
    assert first["recipient"]["id"] == og.schedules_by_name()["SET"]["id"]
    assert first["delay"] == {"timeAmount": 0, "timeUnit": "minutes"}
    assert (second["condition"], second["notifyType"]) == ("if-not-acked", "default")
    assert second["recipient"]["username"] == ALICE
    assert stored["repeat"]["closeAlertAfterAll"] is False and stored["repeat"]["count"] == 2
    url = og.url("/v2/escalations/SET escalation")
    got = client.get(url, params={"identifierType": "name"}, timeout=5).json()["data"]
    assert got["ownerTeam"]["name"] == "SET"
    patched = client.patch(
        url, params={"identifierType": "name"}, json={"description": "page SET"}, timeout=5
    )
    assert patched.json()["result"] == "Updated"
    assert og.escalation("SET escalation")["description"] == "page SET"  # type: ignore[index]


def test_escalation_unknown_recipient_is_422(client: requests.Session, og: FakeOpsGenie) -> None:
    response = client.post(
        og.url("/v2/escalations"),
        json={
            "name": "E",
            "rules": [{"delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "x"}}],
        },
        timeout=5,
    )
    assert response.status_code == 422 and og.escalation("E") is None


def test_get_user_by_username_or_id(client: requests.Session, og: FakeOpsGenie) -> None:
    user_id = og.seed_user("frank@example.com", full_name="Frank")
    by_name = client.get(og.url("/v2/users/frank@example.com"), timeout=5).json()
    assert by_name["data"]["id"] == user_id and by_name["expandable"] == ["contact"]
    by_id = client.get(og.url(f"/v2/users/{user_id}"), timeout=5).json()["data"]
    assert by_id["username"] == "frank@example.com" and by_id["fullName"] == "Frank"
    assert client.get(og.url("/v2/users/ghost@example.com"), timeout=5).status_code == 404


# ---- faults on the OpsGenie fake --------------------------------------------------------------


def test_throttle_helper_answers_opsgenie_429(client: requests.Session, og: FakeOpsGenie) -> None:
    og.throttle(method="GET", path="/v2/schedules", retry_after=1)
    response = client.get(og.url("/v2/schedules"), timeout=5)
    assert response.status_code == 429
    assert response.headers["X-RateLimit-State"] == "THROTTLED"
    assert response.headers["Retry-After"] == "1"
    assert set(response.json()) == {"message", "took", "requestId"}
    assert client.get(og.url("/v2/schedules"), timeout=5).status_code == 200


def test_lost_create_response_still_creates_the_rotation(
    client: requests.Session, og: FakeOpsGenie
) -> None:
    create_schedule(client, og, "SET")
    og.faults.add(Fault(kind="drop_after", method="POST", path="/rotations$"))
    with pytest.raises(requests.ConnectionError):
        client.post(
            og.url("/v2/schedules/SET/rotations"),
            params=BY_NAME,
            json={
                "type": "daily",
                "startDate": "2024-01-01T00:00:00Z",
                "participants": [user(ALICE)],
            },
            timeout=5,
        )
    assert len(og.rotations("SET")) == 1


def test_snapshot_is_stable_and_sees_recreation(og: FakeOpsGenie) -> None:
    og.seed_schedule({"name": "SET", "timezone": "UTC"})
    before = og.snapshot()
    assert og.snapshot() == before and set(before["schedules"]) == {"SET"}
    with og.lock:
        og.schedules.clear()
    og.seed_schedule({"name": "SET", "timezone": "UTC"})
    assert og.snapshot() != before  # same content, new id: a recreate is visible


# ---- pure oracle pieces --------------------------------------------------------------------------


def test_restriction_windows_wrap() -> None:
    night = {
        "type": "time-of-day",
        "restriction": {"startHour": 18, "startMin": 0, "endHour": 9, "endMin": 0},
    }
    assert restriction_active(night, at("2024-01-01T23:00:00+01:00"))
    assert restriction_active(night, at("2024-01-02T08:59:00+01:00"))
    assert not restriction_active(night, at("2024-01-02T09:00:00+01:00"))
    weekend = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {
                "startDay": "friday",
                "startHour": 18,
                "startMin": 0,
                "endDay": "monday",
                "endHour": 9,
                "endMin": 0,
            }
        ],
    }
    assert restriction_active(weekend, at("2024-01-06T12:00:00+00:00"))  # Saturday
    assert restriction_active(weekend, at("2024-01-08T08:00:00+00:00"))  # Monday morning
    assert not restriction_active(weekend, at("2024-01-03T12:00:00+00:00"))  # Wednesday


def test_daily_shift_index_follows_wall_clock_across_dst() -> None:
    rotation = Rotation(
        id="r",
        name="r",
        type="daily",
        length=1,
        start=datetime(2024, 3, 30, 8, 0, tzinfo=UTC),  # Saturday 09:00 CET
        end=None,
        participants=[],
        time_restriction=None,
    )
    # Sunday's handover is at 09:00 CEST = 07:00 UTC, one hour "early" in UTC terms.
    assert shift_index(rotation, datetime(2024, 3, 31, 6, 59, tzinfo=UTC), BERLIN) == 0
    assert shift_index(rotation, datetime(2024, 3, 31, 7, 0, tzinfo=UTC), BERLIN) == 1
    # Autumn: 09:00 CET = 08:00 UTC again.
    start = datetime(2024, 10, 26, 7, 0, tzinfo=UTC)  # Saturday 09:00 CEST
    autumn = Rotation("a", "a", "daily", 1, start, None, [], None)
    assert shift_index(autumn, datetime(2024, 10, 27, 7, 59, tzinfo=UTC), BERLIN) == 0
    assert shift_index(autumn, datetime(2024, 10, 27, 8, 0, tzinfo=UTC), BERLIN) == 1
