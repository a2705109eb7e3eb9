"""FakeMattermost over plain requests: bearer auth and AppError bodies, channel lookup by
team and channel name, the header patch and its 1024-rune limit, users, members
(``user_id`` and ``user_ids``) and posts with their PostList view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.base import require_api_specs
from tests.fakes.mattermost import (
    CHANNEL_HEADER_MAX_RUNES,
    DEFAULT_TOKEN,
    FakeMattermost,
    is_valid_id,
)
from tests.fakes.spec_routing import RoutedSpecChecker

TEAM = "engineering"
CHANNEL = "sustained-engineering"


@pytest.fixture
def fake() -> Iterator[FakeMattermost]:
    with FakeMattermost() as server:
        server.seed_team(TEAM)
        yield server


@pytest.fixture
def api(fake: FakeMattermost) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
    return session


@pytest.fixture
def channel_id(fake: FakeMattermost) -> str:
    return fake.seed_channel(TEAM, CHANNEL, header="SET: ana (primary)")


def url(fake: FakeMattermost, path: str) -> str:
    return fake.url("/api/v4" + path)


def assert_app_error(response: requests.Response, status: int, error_id: str) -> dict[str, Any]:
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert set(body) == {"id", "message", "detailed_error", "request_id", "status_code"}
    assert (body["id"], body["status_code"]) == (error_id, status)
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body


# ==========================================================================
# Auth
# ==========================================================================


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {DEFAULT_TOKEN}"])
def test_anything_but_the_bots_token_is_401(fake: FakeMattermost, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(url(fake, "/users/username/setops-bot"), headers=headers)

    body = assert_app_error(response, 401, "api.context.session_expired.app_error")
    assert body["message"] == "Invalid or expired session, please login again."


def test_the_token_scheme_works_too(fake: FakeMattermost) -> None:
    response = requests.get(
        url(fake, "/users/me"), headers={"Authorization": f"Token {DEFAULT_TOKEN}"}
    )

    assert response.json()["username"] == "setops-bot"
    assert response.json()["is_bot"] is True


# ==========================================================================
# Channels and the header
# ==========================================================================


def test_a_channel_is_found_by_team_and_channel_name(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    response = api.get(url(fake, f"/teams/name/{TEAM}/channels/name/{CHANNEL}"))

    assert response.status_code == 200
    channel = response.json()
    assert (channel["id"], channel["name"], channel["type"]) == (channel_id, CHANNEL, "O")
    assert channel["header"] == "SET: ana (primary)"
    assert is_valid_id(channel["id"]) and is_valid_id(channel["team_id"])


def test_unknown_team_and_channel_are_404(fake: FakeMattermost, api: requests.Session) -> None:
    no_team = api.get(url(fake, f"/teams/name/nope/channels/name/{CHANNEL}"))
    no_channel = api.get(url(fake, f"/teams/name/{TEAM}/channels/name/nope"))

    assert_app_error(no_team, 404, "app.team.get_by_name.missing.app_error")
    assert_app_error(no_channel, 404, "app.channel.get_by_name.missing.app_error")


def test_a_private_channel_without_the_bot_does_not_exist_for_it(
    fake: FakeMattermost, api: requests.Session
) -> None:
    fake.seed_channel(TEAM, "leads", private=True, bot_member=False)

    response = api.get(url(fake, f"/teams/name/{TEAM}/channels/name/leads"))

    assert_app_error(response, 404, "app.channel.get_by_name.missing.app_error")


def test_a_public_channel_is_read_by_team_members_only(
    fake: FakeMattermost, api: requests.Session
) -> None:
    fake.seed_channel(TEAM, "town-square", bot_member=False)
    fake.seed_team("other", bot_member=False)
    fake.seed_channel("other", "lobby", bot_member=False)

    ours = api.get(url(fake, f"/teams/name/{TEAM}/channels/name/town-square"))
    theirs = api.get(url(fake, "/teams/name/other/channels/name/lobby"))

    assert ours.status_code == 200
    assert_app_error(theirs, 403, "api.context.permissions.app_error")


def test_patching_the_header_changes_only_the_header(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    before = fake.channel(TEAM, CHANNEL)

    response = api.put(url(fake, f"/channels/{channel_id}/patch"), json={"header": "SET: bob"})

    assert response.status_code == 200
    assert response.json()["header"] == "SET: bob"
    after = fake.channel(TEAM, CHANNEL)
    assert {k for k in after if after[k] != before[k]} <= {
        "header",
        "update_at",
        "last_post_at",
        "total_msg_count",
    }
    assert fake.header(TEAM, CHANNEL) == "SET: bob"


def test_a_header_change_leaves_a_system_post(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    api.put(url(fake, f"/channels/{channel_id}/patch"), json={"header": "SET: bob"})
    api.put(url(fake, f"/channels/{channel_id}/patch"), json={"header": "SET: bob"})  # no change

    (post,) = fake.posts(TEAM, CHANNEL, include_system=True)
    assert post["type"] == "system_header_change"
    assert post["props"] == {
        "username": "setops-bot",
        "old_header": "SET: ana (primary)",
        "new_header": "SET: bob",
    }
    assert fake.posts(TEAM, CHANNEL) == []  # system posts are left out by default


def test_a_header_of_1024_runes_fits_and_1025_is_400(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    patch = url(fake, f"/channels/{channel_id}/patch")
    longest = "é" * CHANNEL_HEADER_MAX_RUNES  # runes, not bytes: 2048 bytes in UTF-8

    assert api.put(patch, json={"header": longest}).status_code == 200
    too_long = api.put(patch, json={"header": longest + "x"})

    body = assert_app_error(too_long, 400, "model.channel.is_valid.header.app_error")
    assert body["detailed_error"] == f"id={channel_id}"
    assert fake.header(TEAM, CHANNEL) == longest


def test_a_patch_without_known_fields_is_400(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    response = api.put(url(fake, f"/channels/{channel_id}/patch"), json={"colour": "red"})

    assert_app_error(response, 400, "api.channel.patch_update_channel.no_changes.app_error")


def test_patching_a_bad_or_unknown_channel_id(fake: FakeMattermost, api: requests.Session) -> None:
    bad = api.put(url(fake, "/channels/not-an-id/patch"), json={"header": "x"})
    unknown = api.put(url(fake, f"/channels/{'a' * 26}/patch"), json={"header": "x"})

    assert_app_error(bad, 400, "api.context.invalid_url_param.app_error")
    assert_app_error(unknown, 404, "app.channel.get.existing.app_error")


# ==========================================================================
# Users
# ==========================================================================


def test_users_by_usernames_returns_those_that_exist(
    fake: FakeMattermost, api: requests.Session
) -> None:
    ana = fake.seed_user("ana", first_name="Ana", last_name="Lima")
    bob = fake.seed_user("bob")

    response = api.post(url(fake, "/users/usernames"), json=["ana", "bob", "nobody"])

    assert response.status_code == 200
    assert sorted(u["id"] for u in response.json()) == sorted([ana, bob])
    assert api.post(url(fake, "/users/usernames"), json={"names": []}).status_code == 400


def test_a_user_by_username(fake: FakeMattermost, api: requests.Session) -> None:
    ana = fake.seed_user("ana", first_name="Ana")

    found = api.get(url(fake, "/users/username/ana"))
    missing = api.get(url(fake, "/users/username/nobody"))

    assert (found.json()["id"], found.json()["first_name"]) == (ana, "Ana")
    assert_app_error(missing, 404, "app.user.get_by_username.app_error")


# ==========================================================================
# Members
# ==========================================================================


def test_add_one_member_by_user_id_returns_one_member(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    ana = fake.seed_user("ana")

    response = api.post(url(fake, f"/channels/{channel_id}/members"), json={"user_id": ana})

    assert response.status_code == 201
    assert response.json()["user_id"] == ana
    assert response.json()["channel_id"] == channel_id
    assert fake.members(TEAM, CHANNEL) == ["setops-bot", "ana"]


def test_add_many_members_by_user_ids_returns_a_list_and_is_idempotent(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    ana, bob = fake.seed_user("ana"), fake.seed_user("bob")
    members = url(fake, f"/channels/{channel_id}/members")

    first = api.post(members, json={"user_ids": [ana, bob]})
    again = api.post(members, json={"user_ids": [ana, bob]})

    assert first.status_code == again.status_code == 201
    assert [m["user_id"] for m in first.json()] == [ana, bob]
    assert [m["user_id"] for m in again.json()] == [ana, bob]
    assert fake.members(TEAM, CHANNEL) == ["setops-bot", "ana", "bob"]
    added = [p for p in fake.posts(TEAM, CHANNEL, include_system=True)]
    assert [p["props"]["addedUsername"] for p in added] == ["ana", "bob"]


def test_user_ids_wins_over_user_id(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    ana, bob = fake.seed_user("ana"), fake.seed_user("bob")

    response = api.post(
        url(fake, f"/channels/{channel_id}/members"), json={"user_id": ana, "user_ids": [bob]}
    )

    assert isinstance(response.json(), list)
    assert fake.members(TEAM, CHANNEL) == ["setops-bot", "bob"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid or missing user_id or user_ids in request body."),
        ({"user_id": "short"}, "Invalid or missing user_id or user_ids in request body."),
        ({"user_ids": ["short"]}, "Invalid or missing user_id in user_ids in request body."),
        ({"user_ids": ["a" * 26] * 1001}, "Invalid or missing user_ids in request body."),
    ],
)
def test_bad_member_requests_are_400(
    fake: FakeMattermost,
    api: requests.Session,
    channel_id: str,
    body: dict[str, Any],
    message: str,
) -> None:
    response = api.post(url(fake, f"/channels/{channel_id}/members"), json=body)

    assert (
        assert_app_error(response, 400, "api.context.invalid_body_param.app_error")["message"]
        == message
    )


def test_adding_only_unknown_users_is_404(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    response = api.post(url(fake, f"/channels/{channel_id}/members"), json={"user_id": "b" * 26})

    assert_app_error(response, 404, "app.user.missing_account.const")


def test_members_are_paged(fake: FakeMattermost, api: requests.Session) -> None:
    names = [f"user{n}" for n in range(5)]
    for name in names:
        fake.seed_user(name)
    channel = fake.seed_channel(TEAM, "big", members=names)

    page = api.get(url(fake, f"/channels/{channel}/members"), params={"page": "1", "per_page": "2"})

    assert [fake.users[m["user_id"]].username for m in page.json()] == ["user1", "user2"]


# ==========================================================================
# Posts
# ==========================================================================


def test_a_post_is_created_and_listed_newest_first(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    first = api.post(url(fake, "/posts"), json={"channel_id": channel_id, "message": "Handover"})
    reply = api.post(
        url(fake, "/posts"),
        json={"channel_id": channel_id, "message": "details", "root_id": first.json()["id"]},
    )

    assert first.status_code == reply.status_code == 201
    listing = api.get(url(fake, f"/channels/{channel_id}/posts")).json()
    assert listing["order"] == [reply.json()["id"], first.json()["id"]]
    assert listing["posts"][first.json()["id"]]["message"] == "Handover"
    assert [p["message"] for p in fake.posts(TEAM, CHANNEL)] == ["Handover", "details"]
    assert fake.posts(TEAM, CHANNEL)[1]["root_id"] == first.json()["id"]


def test_posts_are_paged(fake: FakeMattermost, api: requests.Session, channel_id: str) -> None:
    for n in range(5):
        api.post(url(fake, "/posts"), json={"channel_id": channel_id, "message": f"m{n}"})

    page = api.get(
        url(fake, f"/channels/{channel_id}/posts"), params={"page": "1", "per_page": "2"}
    ).json()

    assert [page["posts"][i]["message"] for i in page["order"]] == ["m2", "m1"]
    assert page["has_next"] is True


def test_posting_where_the_bot_is_no_member_is_403(
    fake: FakeMattermost, api: requests.Session
) -> None:
    other = fake.seed_channel(TEAM, "town-square", bot_member=False)

    response = api.post(url(fake, "/posts"), json={"channel_id": other, "message": "hi"})

    assert_app_error(response, 403, "api.context.permissions.app_error")


def test_an_overlong_message_or_a_foreign_root_is_400(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    too_long = api.post(
        url(fake, "/posts"), json={"channel_id": channel_id, "message": "x" * 16384}
    )
    bad_root = api.post(
        url(fake, "/posts"), json={"channel_id": channel_id, "message": "x", "root_id": "c" * 26}
    )

    assert_app_error(too_long, 400, "model.post.is_valid.msg.app_error")
    assert_app_error(bad_root, 400, "api.post.create_post.root_id.app_error")


# ==========================================================================
# Spec checking
# ==========================================================================


@pytest.fixture(scope="module")
def api_specs() -> Path:
    return require_api_specs()


def test_requests_are_checked_and_posts_listing_is_recorded_as_unchecked(
    api_specs: Path,
) -> None:
    checker = RoutedSpecChecker([("/api/v4/", api_specs / "mattermost-v4.openapi.json")])
    with FakeMattermost(spec_checker=checker) as fake:
        fake.seed_team(TEAM)
        channel = fake.seed_channel(TEAM, CHANNEL)
        ana = fake.seed_user("ana")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
        session.get(url(fake, f"/teams/name/{TEAM}/channels/name/{CHANNEL}"))
        session.put(url(fake, f"/channels/{channel}/patch"), json={"header": "h"})
        session.post(url(fake, f"/channels/{channel}/members"), json={"user_ids": [ana]})
        session.post(url(fake, "/posts"), json={"channel_id": channel, "message": "m"})
        session.post(url(fake, "/users/usernames"), json=["ana"])
        session.get(url(fake, f"/channels/{channel}/posts"))
        fake.assert_no_spec_violations()

        session.post(url(fake, "/posts"), json={"message": "no channel"})
        assert len(fake.spec_violations) == 1  # channel_id is required
        assert fake.unchecked_requests == [f"GET /api/v4/channels/{channel}/posts"]


# Where the server departs from the 2023 description, the fake follows the server: a
# user's timezone is a map of strings ("useAutomaticTimezone": "true"), and adding
# members by user_ids answers a list, not the one ChannelMember the old response names.
KNOWN_MATTERMOST_DEPARTURES = (
    re.compile(r"'true' is not of type 'boolean'"),
    re.compile(r"^POST /api/v4/channels/\w+/members -> 201: .*is not of type 'object'"),
)


def test_the_fakes_answers_match_the_description(api_specs: Path) -> None:
    checker = RoutedSpecChecker([("/api/v4/", api_specs / "mattermost-v4.openapi.json")])
    with FakeMattermost(spec_checker=checker, check_responses=True) as fake:
        fake.seed_team(TEAM)
        channel = fake.seed_channel(TEAM, CHANNEL)
        ana = fake.seed_user("ana")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
        session.get(url(fake, f"/teams/name/{TEAM}/channels/name/{CHANNEL}"))
        session.get(url(fake, f"/teams/name/{TEAM}/channels/name/nope"))
        session.put(url(fake, f"/channels/{channel}/patch"), json={"header": "h"})
        session.put(url(fake, f"/channels/{channel}/patch"), json={"header": "h" * 1025})
        session.post(url(fake, "/users/usernames"), json=["ana"])
        session.get(url(fake, "/users/username/ana"))
        session.get(url(fake, "/users/username/nobody"))
        session.post(url(fake, "/posts"), json={"channel_id": channel, "message": "m"})
        session.get(url(fake, f"/channels/{channel}/members"))
        session.post(url(fake, f"/channels/{channel}/members"), json={"user_id": ana})
        session.post(url(fake, f"/channels/{channel}/members"), json={"user_ids": [ana]})

        fake.assert_no_spec_violations()
        unexplained = [
            v
            for v in fake.response_violations
            if not any(k.search(v) for k in KNOWN_MATTERMOST_DEPARTURES)
        ]
        assert fake.response_violations  # the check ran: the known departures are there
        assert unexplained == []


# ==========================================================================
# Permissions, as the server decides them
# ==========================================================================


@pytest.fixture
def outside(fake: FakeMattermost) -> str:
    """A public channel of the bot's team that the bot is not in (Ana is)."""
    fake.seed_user("ana")
    return fake.seed_channel(TEAM, "incidents", members=["ana"], bot_member=False)


def test_a_public_channel_the_bot_is_not_in_hides_its_members(
    fake: FakeMattermost, api: requests.Session, outside: str
) -> None:
    ana = fake._user_ref("ana").id
    listing = api.get(url(fake, f"/channels/{outside}/members"))
    by_ids = api.post(url(fake, f"/channels/{outside}/members/ids"), json=[ana])
    mine = api.get(url(fake, f"/channels/{outside}/members/me"))

    for response in (listing, by_ids, mine):
        body = assert_app_error(response, 403, "api.context.permissions.app_error")
        assert "read_channel" in body["detailed_error"]


def test_a_public_channel_the_bot_is_not_in_may_be_read_not_written(
    fake: FakeMattermost, api: requests.Session, outside: str
) -> None:
    bob = fake.seed_user("bob")
    posts = api.get(url(fake, f"/channels/{outside}/posts"))
    post = api.post(url(fake, "/posts"), json={"channel_id": outside, "message": "hi"})
    patch = api.put(url(fake, f"/channels/{outside}/patch"), json={"header": "x"})
    add = api.post(url(fake, f"/channels/{outside}/members"), json={"user_id": bob})

    assert posts.status_code == 200
    for response, permission in (
        (post, "create_post"),
        (patch, "manage_public_channel_properties"),
        (add, "manage_public_channel_members"),
    ):
        body = assert_app_error(response, 403, "api.context.permissions.app_error")
        assert permission in body["detailed_error"]
    assert fake.members(TEAM, "incidents") == ["ana"]


def test_the_bot_joins_a_public_channel_and_may_then_act_in_it(
    fake: FakeMattermost, api: requests.Session, outside: str
) -> None:
    bob = fake.seed_user("bob")
    members = url(fake, f"/channels/{outside}/members")

    joined = api.post(members, json={"user_id": fake.bot.id})
    added = api.post(members, json={"user_id": bob})
    ids = api.post(url(fake, f"/channels/{outside}/members/ids"), json=[bob, fake.bot.id])

    assert joined.status_code == added.status_code == 201
    assert joined.json()["user_id"] == fake.bot.id
    assert fake.members(TEAM, "incidents") == ["ana", "setops-bot", "bob"]
    assert sorted(m["user_id"] for m in ids.json()) == sorted([bob, fake.bot.id])
    kinds = [p["type"] for p in fake.posts(TEAM, "incidents", include_system=True)]
    assert kinds == ["system_join_channel", "system_add_to_channel"]
    assert api.get(url(fake, f"/channels/{outside}/members/me")).status_code == 200


def test_nobody_joins_a_private_channel_by_themselves(
    fake: FakeMattermost, api: requests.Session
) -> None:
    leads = fake.seed_channel(TEAM, "leads", private=True, bot_member=False)

    response = api.post(url(fake, f"/channels/{leads}/members"), json={"user_id": fake.bot.id})

    body = assert_app_error(response, 403, "api.context.permissions.app_error")
    assert "manage_private_channel_members" in body["detailed_error"]


def test_a_system_admin_needs_no_membership() -> None:
    with FakeMattermost(bot_system_admin=True) as fake:
        fake.seed_team(TEAM, bot_member=False)
        ana = fake.seed_user("ana")
        leads = fake.seed_channel(TEAM, "leads", private=True, bot_member=False)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"

        found = api.get(url(fake, f"/teams/name/{TEAM}/channels/name/leads"))
        added = api.post(url(fake, f"/channels/{leads}/members"), json={"user_id": ana})
        patched = api.put(url(fake, f"/channels/{leads}/patch"), json={"header": "h"})

        assert (found.status_code, added.status_code, patched.status_code) == (200, 201, 200)
        assert fake.members(TEAM, "leads") == ["ana"]


def test_people_who_cannot_be_added_are_skipped_and_the_rest_added(
    fake: FakeMattermost, api: requests.Session, channel_id: str
) -> None:
    ana = fake.seed_user("ana")
    gone = fake.seed_user("gone", deactivated=True)
    fake.seed_team("other")
    stranger = fake.seed_user("stranger", teams=["other"])
    members = url(fake, f"/channels/{channel_id}/members")

    some = api.post(members, json={"user_ids": [stranger, ana, gone]})
    not_on_team = api.post(members, json={"user_id": stranger})
    deactivated = api.post(members, json={"user_id": gone})

    assert some.status_code == 201
    assert [m["user_id"] for m in some.json()] == [ana]
    assert_app_error(not_on_team, 404, "app.team.get_member.missing.app_error")
    assert_app_error(deactivated, 400, "app.channel.add_member.deleted_user.app_error")
    assert fake.members(TEAM, CHANNEL) == ["setops-bot", "ana"]


def test_an_older_server_reads_only_user_id() -> None:
    with FakeMattermost(legacy_add_member=True) as fake:
        fake.seed_team(TEAM)
        ana, bob = fake.seed_user("ana"), fake.seed_user("bob")
        channel = fake.seed_channel(TEAM, CHANNEL)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
        members = url(fake, f"/channels/{channel}/members")

        many = api.post(members, json={"user_ids": [ana, bob]})
        one = api.post(members, json={"user_id": ana})

        body = assert_app_error(many, 400, "api.context.invalid_body_param.app_error")
        assert body["message"] == "Invalid or missing user_id in request body."
        assert one.status_code == 201 and one.json()["user_id"] == ana
        assert fake.members(TEAM, CHANNEL) == ["setops-bot", "ana"]
