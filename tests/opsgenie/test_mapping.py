"""The mapping and its normalisation: hours across zones and daylight-saving changes, wire
forms that mean the same thing, the order of writes, and every request within the spec."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from setops.config.models import Shift
from setops.errors import SetopsError
from setops.targets.paging.desired import (
    Desired,
    check_representable,
    offset_pieces,
    shift_hours,
)
from setops.targets.paging.model import (
    EscalationObj,
    Hours,
    RotationObj,
    ScheduleObj,
    canonical_hours,
)
from setops.targets.paging.opsgenie.wire import hours_from_wire, hours_to_wire
from tests.fakes.base import require_api_specs
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import FAST_RETRIES, ONLY, Run, at
from tests.opsgenie.test_sync import applied
from tests.paging.edits import SWAP_TOMORROW, add_override, swap_pair

BERLIN = ZoneInfo("Europe/Berlin")
AMER = Shift(name="amer", timezone="America/New_York", start="08:00", end="20:00")


def test_a_shift_in_another_zone_is_split_where_the_offsets_drift_apart() -> None:
    start, end = at("2027-03-08T09:00:00+01:00"), at("2027-03-15T09:00:00+01:00")
    pieces = offset_pieces(start, end, AMER, BERLIN)
    us_change = at("2027-03-14T02:00:00-05:00")  # 07:00 UTC
    assert [(a, b) for a, b, _ in pieces] == [(start, us_change), (us_change, end)]
    assert [shift_hours(AMER, d) for _, _, d in pieces] == [
        Hours(False, ((14 * 60, 2 * 60),)),
        Hours(False, ((13 * 60, 1 * 60),)),
    ]


def test_weekday_hours_keep_their_days_across_midnight() -> None:
    night = Shift(
        name="night", timezone="America/New_York", start="20:00", end="04:00", days=["friday"]
    )
    hours = shift_hours(night, -6 * 60)  # Berlin is six hours ahead in winter
    assert hours is not None and hours.weekly
    assert hours.describe() == "sat 02:00-10:00"
    assert hours.active(at("2026-12-05T03:00:00+01:00"))  # Saturday 03:00 in Berlin
    assert not hours.active(at("2026-12-04T03:00:00+01:00"))


def test_hours_survive_the_wire_both_ways() -> None:
    samples = [
        canonical_hours(False, [(8 * 60, 20 * 60)]),
        canonical_hours(False, [(14 * 60, 2 * 60)]),
        canonical_hours(True, [(4 * 1440 + 20 * 60, 5 * 1440 + 4 * 60), (6 * 1440, 10)]),
        canonical_hours(True, [(6 * 1440 + 22 * 60, 30)]),  # Sunday night into Monday
    ]
    for hours in samples:
        assert hours is not None
        assert hours_from_wire(hours_to_wire(hours)) == hours
    assert hours_from_wire({"type": "time-of-day", "restriction": {}}) is None  # all day


def test_hours_opsgenie_would_round_are_refused(genie: Run, org_repo: Path) -> None:
    path = org_repo / "rotations" / "set.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("timezone: America/New_York", "timezone: Asia/Kathmandu"))
    result = genie("plan", *ONLY)
    assert result.code == 1  # validation says so at the shift's place, before any request
    assert (
        "rotations/set.yaml:26:17: the shift's hours, 08:00-20:00 in Asia/Kathmandu, are "
        "03:15-15:15 in Europe/Berlin" in result.err
    )
    integrations = org_repo / "policies" / "integrations.yaml"
    text = integrations.read_text(encoding="utf-8")
    integrations.write_text(text.replace("schedules: per-role", "schedules: per-role-and-shift"))
    assert genie("plan", *ONLY).code == 0  # in its own zone, 08:00 is 08:00


def test_times_a_service_would_round_are_refused_before_any_request() -> None:
    """The backstop behind validation: nothing off :00/:30 reaches a paging service."""
    start = dt.datetime(2026, 11, 16, 8, 15, tzinfo=dt.UTC)
    rotation = RotationObj("SET Primary", "setops: x", start, None, ("ana@example.com",), None)
    escalation = EscalationObj("SET escalation", "", None, (), None)
    schedule = ScheduleObj("SET Primary", "Europe/Berlin", None)
    window = (start, start + dt.timedelta(weeks=1))
    desired = Desired((schedule,), (rotation,), (), escalation, window, frozenset())
    with pytest.raises(SetopsError, match="would need times off :00 and :30"):
        check_representable(desired)


def test_equivalent_wire_forms_plan_nothing(genie: Run, og: FakeOpsGenie) -> None:
    applied(genie)
    schedule = og.schedules_by_name()["SET Primary"]
    rotation = next(r for r in schedule["rotations"] if r["name"].endswith("12-07 emea primary"))
    response = requests.patch(
        og.url(f"/v2/schedules/{schedule['id']}/rotations/{rotation['id']}"),
        json={
            "startDate": "2026-12-07T08:59:40+01:00",  # rounds to 09:00
            "type": "daily",  # one participant: the type and length change nothing
            "length": 3,
            "participants": [{"type": "user", "username": "FEMI.ADEYEMI@example.com"}],
            "timeRestriction": {
                "type": "time-of-day",
                "restriction": {"startHour": 7, "startMin": 50, "endHour": 20, "endMin": 10},
            },
        },
        headers={"Authorization": f"GenieKey {og.api_key}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    plan = genie("plan", *ONLY, "--detailed-exitcode")
    assert plan.code == 0, plan.out


def test_every_request_is_one_opsgenie_documents(
    genie: Run, og: FakeOpsGenie, org_repo: Path
) -> None:
    require_api_specs()  # tests/specs: the descriptions the fake checks requests against
    assert og.spec_checker is not None
    applied(genie)
    swap_pair(org_repo, "2027-01-11", "emea")
    add_override(org_repo, SWAP_TOMORROW)
    applied(genie)
    og.seed_override(
        "SET Backup",
        {
            "alias": "ui",
            "user": {"type": "user", "username": "omar.haddad@example.com"},
            "startDate": "2026-12-03T09:00:00Z",
            "endDate": "2026-12-03T13:00:00Z",
        },
    )
    assert genie("import", "opsgenie").code == 0
    applied(genie, "--prune")
    assert len(og.log) > 20
    og.assert_no_spec_violations()


def test_every_request_has_a_timeout(cli: Run, org_repo: Path) -> None:
    with FakeOpsGenie(latency=1.0, spec_checker=None) as slow:
        env = {
            "OPSGENIE_API_KEY": slow.api_key,
            "OPSGENIE_API_URL": slow.base_url,
            "SETOPS_HTTP_TIMEOUT": "0.2",
            **FAST_RETRIES,
            "SETOPS_HTTP_RETRIES": "1",
        }
        started = dt.datetime.now()
        result = cli("plan", *ONLY, "--root", str(org_repo), env=env)
        assert result.code == 1
        assert "no answer from the server (ConnectionError: ReadTimeoutError)" in result.err
        assert dt.datetime.now() - started < dt.timedelta(seconds=5)
