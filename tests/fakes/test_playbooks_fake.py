"""FakePlaybooks over plain requests: what each plugin version accepts, the bot's own
permissions, status posts against the reminder, checklist states and the GraphQL mutation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.mattermost import DEFAULT_TOKEN, FakeMattermost
from tests.fakes.playbooks import PREFIX, FakePlaybooks

TEAM = "engineering"


class Api:
    def __init__(self, fake: FakeMattermost) -> None:
        self.base = fake.base_url + PREFIX
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=5)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=5)

    def put(self, path: str, body: Any = None) -> requests.Response:
        return self.session.put(self.base + path, json=body, timeout=5)

    def add(self, run_id: str, user_ids: list[str]) -> requests.Response:
        query = (
            "mutation AddRunParticipants($runID: String!, $userIDs: [String!]!) "
            "{ addRunParticipants(runID: $runID, userIDs: $userIDs) }"
        )
        return self.post(
            "/query",
            {
                "operationName": "AddRunParticipants",
                "query": query,
                "variables": {"runID": run_id, "userIDs": user_ids},
            },
        )


def world(version: str, *, licensed: bool = True, member: bool = True) -> Iterator[Any]:
    clock = [1_800_000_000_000]
    mm = FakeMattermost(spec_checker=None)
    plugin = FakePlaybooks(mm, version=version, licensed=licensed, clock=lambda: clock[0])
    with mm:
        mm.seed_team(TEAM)
        for name in ("ivo", "elif", "femi", "sam"):
            mm.seed_user(name)
        plugin.mount()
        members = ["setops-bot", "ivo"] if member else ["ivo"]
        pb = plugin.seed_playbook(
            "SET cycle",
            team=TEAM,
            members=members,
            checklists=[("Hand-over", ["Tickets reassigned", "Knowledge transferred"])],
        )
        yield mm, plugin, pb, clock


@pytest.fixture(params=["1.41.1", "2.6.2", "2.10.0"])
def setup(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from world(request.param)


def create(api: Api, mm: FakeMattermost, pb: str, plugin: FakePlaybooks, **extra: Any) -> Any:
    team_id = next(iter(mm.teams))
    body = {
        "name": "SET 2027-01-11 to 2027-01-24",
        "owner_user_id": plugin.user_id("ivo"),
        "team_id": team_id,
        "playbook_id": pb,
        **extra,
    }
    return api.post("/runs", body)


def test_the_summary_field_changed_name_at_2_7(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    answer = create(api, mm, pb, plugin, description="old name", summary="new name")
    assert answer.status_code == 201
    run = answer.json()
    expected = "new name" if plugin.version >= (2, 7, 0) else "old name"
    assert run["summary"] == expected
    assert answer.headers["Location"] == f"/api/v0/runs/{run['id']}"
    assert run["last_status_update_at"] == run["create_at"]
    assert set(run["participant_ids"]) == {plugin.user_id("ivo"), mm.bot.id}


def test_a_bot_outside_the_playbook_may_not_run_it() -> None:
    for mm, plugin, pb, _ in world("1.41.1", member=False):
        answer = create(Api(mm), mm, pb, plugin)
        assert answer.status_code == 403
        assert answer.json() == {"error": "unable to create playbook run"}
        assert plugin.runs == {}


def test_adding_others_needs_the_bot_to_take_part(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "someone else's", owner="ivo")
    refused = api.add(run, [plugin.user_id("elif")])
    assert refused.status_code == 200
    assert refused.json()["errors"][0]["message"] == "Error while executing your request"
    assert refused.json()["data"] is None
    assert api.add(run, [mm.bot.id]).json() == {"data": {"addRunParticipants": ""}}
    assert api.add(run, [plugin.user_id("elif")]).json()["data"] is not None
    assert plugin.participants(run) == ["ivo", "setops-bot", "elif"]


def test_users_outside_the_team_are_skipped_silently(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "r", owner="ivo", participants=["setops-bot"])
    mm.seed_team_member(TEAM, "sam", member=False)
    assert "errors" not in api.add(run, [plugin.user_id("sam")]).json()
    assert "sam" not in plugin.participants(run)


def test_a_blank_operation_name_gets_an_empty_answer(setup: Any) -> None:
    mm = setup[0]
    answer = Api(mm).post("/query", {"query": "mutation { x }"})
    assert answer.status_code == 200 and answer.content == b""


def test_finished_runs_refuse_changes_only_from_2_10(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "old cycle", owner="ivo", participants=["setops-bot"])
    assert api.put(f"/runs/{run}/finish").status_code == 200
    assert api.put(f"/runs/{run}/finish").status_code == 200  # again: nothing happens
    answer = api.post(f"/runs/{run}/status", {"message": "late", "reminder": 60})
    state = api.put(f"/runs/{run}/checklists/0/item/0/state", {"new_state": "closed"})
    if plugin.version >= (2, 10, 0):
        assert answer.status_code == 400
        assert answer.json() == {"error": "cannot modify a finished run"}
        assert state.status_code == 400
        assert plugin.runs[run].status_posts == []
    else:
        assert answer.status_code == 200 and state.status_code == 200
        assert len(plugin.runs[run].status_posts) == 1


def test_status_posts_and_the_reminder_both_move_last_status_update_at(setup: Any) -> None:
    mm, plugin, pb, clock = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "incident", owner="ivo", participants=["setops-bot"])
    assert api.post(f"/runs/{run}/status", {"message": " ", "reminder": 60}).status_code == 400
    assert api.post(f"/runs/{run}/status", {"message": "x", "reminder": 0}).status_code == 400
    clock[0] += 1000
    assert api.post(f"/runs/{run}/status", {"message": "fine", "reminder": 60}).ok
    clock[0] += 5000
    assert api.post(f"/runs/{run}/reminder", {"new_reminder_seconds": 60}).status_code == 204
    got = api.get(f"/runs/{run}").json()
    assert got["last_status_update_at"] == clock[0]
    assert [p["create_at"] for p in got["status_posts"]] == [clock[0] - 5000]
    updates = api.get(f"/runs/{run}/status-updates").json()
    assert [(u["message"], u["author_user_name"]) for u in updates] == [("fine", "setops-bot")]


def test_checklist_states_and_indexes(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "c", owner="ivo", participants=["setops-bot"])
    path = f"/runs/{run}/checklists/0/item/1/state"
    assert api.put(path, {"new_state": "done"}).status_code == 400
    assert (
        api.put(f"/runs/{run}/checklists/0/item/9/state", {"new_state": "closed"}).status_code
        == 500
    )
    assert api.put(path, {"new_state": "closed"}).ok
    item = api.get(f"/runs/{run}").json()["checklists"][0]["items"][1]
    assert item["state"] == "closed" and item["state_modified"] > 0


def test_members_only_writes(setup: Any) -> None:
    mm, plugin, pb, _ = setup
    api = Api(mm)
    run = plugin.seed_run(pb, "not ours", owner="ivo")
    assert api.post(f"/runs/{run}/status", {"message": "x", "reminder": 60}).status_code == 403
    assert api.put(f"/runs/{run}/finish").status_code == 403
    assert api.get(f"/runs/{run}").ok  # the bot is a playbook member: it may read


def test_runs_are_filtered_and_paged(setup: Any) -> None:
    mm, plugin, pb, clock = setup
    api = Api(mm)
    ids = [
        plugin.seed_run(pb, f"r{n}", owner="ivo", created=clock[0] + n, finished=n == 0)
        for n in range(5)
    ]
    first = api.get("/runs", playbook_id=pb, statuses="InProgress", per_page=3).json()
    assert (first["total_count"], first["has_more"], first["page_count"]) == (4, True, 2)
    second = api.get("/runs", playbook_id=pb, statuses="InProgress", per_page=3, page=1).json()
    assert [r["id"] for r in first["items"] + second["items"]] == ids[1:]
    recent = api.get("/runs", playbook_id=pb, started_gte=clock[0] + 3).json()
    assert [r["id"] for r in recent["items"]] == ids[3:]
    assert api.get("/runs", playbook_id="short").status_code == 400


def test_without_the_plugin_every_route_is_404() -> None:
    for mm, _plugin, _pb, _ in world("2.10.0", licensed=False):
        answer = Api(mm).get("/playbooks")
        assert answer.status_code == 404
        assert answer.text == "404 page not found\n"


def test_a_default_owner_overrides_the_one_asked_for() -> None:
    for mm, plugin, _pb, _ in world("1.41.1"):
        pb = plugin.seed_playbook("Other", team=TEAM, members=["setops-bot"], default_owner="femi")
        run = create(Api(mm), mm, pb, plugin).json()
        assert run["owner_user_id"] == plugin.user_id("femi")
