"""OpsGenie answering in ways only it does: an override deleted, or an escalation or schedule
made by hand, between setops' read and its write; a name taken where setops cannot see it;
objects in a form OpsGenie does not document; instants without an offset. Each converges,
or stops with one clean line. What both paging services share is in
tests/paging/test_server_quirks.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.base import Fault, Request, Response
from tests.fakes.opsgenie import FakeOpsGenie
from tests.opsgenie.conftest import ONLY, OPSGENIE, Run, seed
from tests.paging.conftest import applied, settled
from tests.paging.meddling import Meddling
from tests.paging.services import seeded

ESCALATION = "SET escalation"


class MeddlingOpsGenie(Meddling, FakeOpsGenie):
    pass


@pytest.fixture
def fake(org_repo: Path) -> Iterator[MeddlingOpsGenie]:
    with seeded(OPSGENIE, MeddlingOpsGenie(), org_repo) as server:
        yield server


@pytest.fixture
def og_cli(cli: Run, fake: MeddlingOpsGenie, org_repo: Path) -> Run:
    def invoke(*args: str, **extra: str) -> Result:
        return cli(*args, *ONLY, "--root", str(org_repo), env=OPSGENIE.env(fake, **extra))

    return invoke


writes = OPSGENIE.writes


# ---- someone in the UI between setops' read and its write ----------------------------------


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
