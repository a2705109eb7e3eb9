"""JSM's wire format and the pure pieces around it: base URLs, error texts, ids <-> names,
setops' mark, and which overrides a service that names them itself holds for setops."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import requests

from setops.targets.paging.jsm_ops.client import api_base, jsm_message
from setops.targets.paging.jsm_ops.wire import (
    MARK_NAME,
    Directory,
    escalation_from_wire,
    override_from_wire,
    override_to_wire,
    participant,
    responder,
    rotation_from_wire,
)
from setops.targets.paging.model import OverrideObj
from setops.targets.paging.unnamed import claim_overrides
from tests.conftest import Result
from tests.jsm_ops.conftest import Run

CLOUD = "3f6b1c2e-5d4a-4e8f-9a7b-000000000001"
ANA = "712020:0f6c1b2a-1111-4a5b-9c1d-000000000005"
T0 = dt.datetime(2026, 12, 16, 8, tzinfo=dt.UTC)


def directory() -> Directory:
    d = Directory({"ana@example.com": ANA})
    d.teams["team-1"] = "SET"
    d.remember(
        "SET Primary",
        {
            "id": "s-1",
            "rotations": [{"id": "r-1", "name": "setops: a"}, {"id": "m", "name": MARK_NAME}],
        },
    )
    return d


def override(alias: str, user: str = "ana@example.com", **changes: object) -> OverrideObj:
    fields: dict[str, object] = {
        "schedule": "SET Primary",
        "alias": alias,
        "user": user,
        "start": T0,
        "end": T0 + dt.timedelta(days=2),
        "rotations": ("setops: a",),
        **changes,
    }
    return OverrideObj(**fields)  # type: ignore[arg-type]


def test_the_base_url_is_the_host_or_a_whole_base() -> None:
    assert api_base(None, CLOUD) == f"https://api.atlassian.com/jsm/ops/api/{CLOUD}"
    assert api_base("http://127.0.0.1:8080/", CLOUD) == f"http://127.0.0.1:8080/jsm/ops/api/{CLOUD}"
    whole = "https://proxy.example.com/jsm/ops/api/other-cloud"
    assert api_base(whole, CLOUD) == whole


def test_error_bodies_are_quoted_by_title_and_code() -> None:
    def answer(body: bytes) -> requests.Response:
        response = requests.Response()
        response.status_code, response._content = 422, body
        return response

    assert jsm_message(answer(b'{"errors":[{"title":"bad rotation","code":"X"}]}')) == (
        "bad rotation (X)"
    )
    assert jsm_message(answer(b'{"code":401,"message":"Unauthorized"}')) == "Unauthorized"


def test_people_are_account_ids_on_the_wire_and_names_in_the_plan() -> None:
    d = directory()
    assert responder("ana@example.com", d) == {"type": "user", "id": ANA}
    assert participant({"type": "user", "id": ANA}, d) == "ana@example.com"
    stranger = participant({"type": "user", "id": "557058:stranger"}, d)
    assert stranger == "user:557058:stranger"
    assert responder(stranger, d) == {"type": "user", "id": "557058:stranger"}
    assert participant({"type": "noone"}, d) == ":none" and responder(":none", d) == {
        "type": "noone"
    }
    assert participant({"type": "team", "id": "team-1"}, d) == "team:SET"
    rotation = rotation_from_wire(
        "SET Primary",
        {
            "name": "x",
            "startDate": "2026-12-07T08:00:00Z",
            "participants": [{"type": "user", "id": ANA}],
        },
        d,
    )
    assert rotation.participants == ("ana@example.com",) and rotation.end is None


def test_setops_mark_rides_along_and_is_read_back_as_a_claim() -> None:
    d = directory()
    body = override_to_wire(override("setops-x"), d, "m")
    assert body["rotationIds"] == ["r-1", "m"]
    assert body["responder"] == {"type": "user", "id": ANA}
    back = override_from_wire("SET Primary", {**body, "alias": "uuid-1"}, d)
    assert back.claimed and back.rotations == ("setops: a",) and back.handle == "uuid-1"
    unmarked = override_from_wire("SET Primary", {**body, "alias": "u", "rotationIds": ["r-1"]}, d)
    assert not unmarked.claimed and not unmarked.owned
    everywhere = override_to_wire(override("setops-y", rotations=()), d, "m")
    assert "rotationIds" not in everywhere  # marking it would narrow it to the mark


def test_a_repeat_that_waits_zero_is_none() -> None:
    d = directory()
    data = {"name": "e", "rules": [], "repeat": {"waitInterval": 0, "count": 1}}
    assert escalation_from_wire(data, "SET", d).repeat is None
    data["repeat"] = {"waitInterval": 30, "count": 2}
    repeat = escalation_from_wire(data, "SET", d).repeat
    assert repeat is not None and (repeat.after_minutes, repeat.times) == (30, 2)


def test_overrides_are_claimed_by_alias_content_or_mark_never_by_scope_alone() -> None:
    wanted = [
        override("setops-a"),
        override("setops-b", start=T0 + dt.timedelta(days=5), end=T0 + dt.timedelta(days=6)),
    ]
    current = [
        override("setops-a", user="bob@example.com"),  # migrated: its alias says so
        override(
            "uuid-2", start=T0 + dt.timedelta(days=5), end=T0 + dt.timedelta(days=6), id="uuid-2"
        ),
        override("uuid-3", id="uuid-3"),  # the same scope by hand, unmarked: foreign
        override(
            "uuid-4",
            claimed=True,
            id="uuid-4",
            start=T0 + dt.timedelta(days=20),
            end=T0 + dt.timedelta(days=21),
        ),
    ]
    claimed = claim_overrides(wanted, current)
    assert [o.alias for o in claimed] == ["setops-a", "setops-b", "uuid-3", "uuid-4"]
    assert claimed[1].handle == "uuid-2"
    assert [o.owned for o in claimed] == [True, True, False, True]  # uuid-4: stale, deleted


def test_a_marked_override_whose_entry_changed_is_paired_for_an_update() -> None:
    wanted = [override("setops-a", user="bob@example.com", end=T0 + dt.timedelta(days=3))]
    current = [override("uuid-1", claimed=True, id="uuid-1")]
    (paired,) = claim_overrides(wanted, current)
    assert paired.alias == "setops-a" and paired.handle == "uuid-1" and paired != wanted[0]


def test_the_older_opsgenie_section_is_still_read(cli: Run, org_repo: Path) -> None:
    path = org_repo / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    legacy = re.sub(r"paging:\n  target: opsgenie.*\n", "opsgenie:\n", text)
    assert legacy != text
    path.write_text(legacy, encoding="utf-8")
    plan: Result = cli("plan", "--only", "opsgenie", "--root", str(org_repo))
    assert "opsgenie: 76 to create" in plan.out
    path.write_text(legacy + "\npaging:\n  target: jsm-ops\n  owner_team: SET\n", encoding="utf-8")
    both = cli("validate", "--root", str(org_repo))
    assert both.code == 1
    assert (
        "policies/integrations.yaml:6:3: opsgenie: is the older spelling of paging:"
        in both.out + both.err
    )
