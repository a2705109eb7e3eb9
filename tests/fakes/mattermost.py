"""A stateful fake of the Mattermost API v4: teams, channels (by team and channel name),
the channel patch (the SET header lives there), users, channel members and posts.

Written from the vendor's description (../shared/api-specs, README section B) and the
server's own handlers (mattermost/mattermost ``server/channels/api4/channel.go``),
independently of setops. Vendor facts it relies on:

* Auth: ``Authorization: Bearer <token>`` (``Token <token>`` works too). Anything else is
  401 ``api.context.session_expired.app_error``. Every error body is an AppError:
  ``{"id", "message", "detailed_error", "request_id", "status_code"}``; the request id
  is also the ``X-Request-Id`` header.
* Ids are 26 lower-case base-32 characters; a malformed id in the URL is 400
  ``api.context.invalid_url_param.app_error``.
* ``PUT /channels/{id}/patch`` changes only the fields given; a header over
  ``ChannelHeaderMaxRunes`` = 1024 code points is 400 ``model.channel.is_valid.header.app_error``.
  A changed header leaves a ``system_header_change`` post in the channel, as the server does.
* Permissions as the server decides them (``mattermost_roles``: the default roles of
  ``role.go``, the channel-then-team fallback of ``authorization.go``). The bot is a team
  member, not a system admin, unless ``bot_system_admin=True``. In the handlers:
  - a channel by name: a public one needs ``read_public_channel`` on its team (team
    members) or ``read_channel``; a private one the caller cannot read is 404, as if it
    did not exist (getChannelByNameForTeamName);
  - ``GET /channels/{id}/members``, ``.../members/{user_id}`` and ``POST .../members/ids``
    need ``read_channel``: channel members only, 403 for everyone else, public channel or
    not (getChannelMembers, getChannelMember, getChannelMembersByIds);
  - ``GET /channels/{id}/posts`` of a public channel needs only ``read_public_channel``
    (getPostsForChannel); ``POST /posts`` needs ``create_post`` on the channel and
    ``PUT /channels/{id}/patch`` ``manage_{public,private}_channel_properties``: channel
    members (or a system admin);
  - ``POST /channels/{id}/members``: adding oneself to a public channel needs
    ``join_public_channels`` (team members); adding others needs
    ``manage_public_channel_members`` (channel members); on a private channel everything
    needs ``manage_private_channel_members`` (403 for the whole request).
* ``POST /channels/{id}/members`` (addChannelMember) reads ``user_ids`` (at most 1000)
  before ``user_id``; each person is tried in turn and one who cannot be added is skipped:
  not a user (404 ``app.user.missing_account.const``), deactivated (400
  ``app.channel.add_member.deleted_user.app_error``), not on the channel's team (404
  ``app.team.get_member.missing.app_error``), or the caller lacks the permission (403).
  The answer is 201 with the members added (an existing member is returned as is): one
  ChannelMember when ``user_id`` was given and one member came back, else a list; only
  when nobody could be added is it the last person's error. Adding someone posts
  ``system_add_to_channel``, joining oneself ``system_join_channel``.
  With ``legacy_add_member=True`` the server is one from before ``user_ids`` (MM-54025,
  mattermost/mattermost#25128; still refused on 9.9.1, #28210): it reads only
  ``user_id``, so a body with ``user_ids`` alone is 400 ``Invalid or missing user_id in
  request body.``, and the answer is always the one member.
* ``POST /posts``: messages over 16383 code points are 400. ``GET /channels/{id}/posts``
  (not in the stored subset) answers a PostList: ``order`` newest first, ``posts`` by id,
  paged by ``page``/``per_page``.

Simplified: only the default permission scheme (no custom schemes, channel moderation,
guests or group-constrained channels); team admins are not modelled.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from . import mattermost_roles as roles
from .base import FakeServer, HTTPError, Request, Response, SpecChecker, find_api_specs
from .spec_routing import RoutedSpecChecker

MATTERMOST_SPEC_FILE: Final = "mattermost-v4.openapi.json"
DEFAULT_TOKEN: Final = "fake-mattermost-bot-token-0000"
ID_ALPHABET: Final = "ybndrfg8ejkmcpqxot1uwisza345h769"  # Mattermost's base-32 for NewId

CHANNEL_HEADER_MAX_RUNES: Final = 1024
CHANNEL_PURPOSE_MAX_RUNES: Final = 250
CHANNEL_DISPLAY_NAME_MAX_RUNES: Final = 64
POST_MESSAGE_MAX_RUNES: Final = 16383
ADD_MEMBERS_MAX: Final = 1000
PER_PAGE_DEFAULT: Final = 60
PER_PAGE_MAX: Final = 200

Json = dict[str, Any]


def new_id() -> str:
    """A 26-character id in Mattermost's alphabet."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(26))


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 26 and value.isalnum()


def now_ms() -> int:
    return int(time.time() * 1000)


# ==========================================================================
# Model
# ==========================================================================


@dataclass
class Team:
    id: str
    name: str
    display_name: str
    members: set[str] = field(default_factory=set)  # user ids


@dataclass
class User:
    id: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    nickname: str = ""
    is_bot: bool = False
    roles: str = "system_user"
    create_at: int = field(default_factory=now_ms)
    delete_at: int = 0


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    display_name: str
    type: Literal["O", "P"]
    header: str = ""
    purpose: str = ""
    creator_id: str = ""
    create_at: int = field(default_factory=now_ms)
    update_at: int = field(default_factory=now_ms)
    delete_at: int = 0
    last_post_at: int = 0
    total_msg_count: int = 0
    members: dict[str, int] = field(default_factory=dict)  # user id -> joined at (ms)


@dataclass
class Post:
    id: str
    channel_id: str
    user_id: str
    message: str
    type: str = ""
    root_id: str = ""
    props: Json = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)
    create_at: int = field(default_factory=now_ms)


# ==========================================================================
# JSON views
# ==========================================================================


def user_json(user: User) -> Json:
    return {
        "id": user.id,
        "create_at": user.create_at,
        "update_at": user.create_at,
        "delete_at": user.delete_at,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "nickname": user.nickname,
        "email": user.email,
        "auth_service": "",
        "roles": user.roles,
        "locale": "en",
        "is_bot": user.is_bot,
        "timezone": {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"},
    }


def channel_json(channel: Channel) -> Json:
    return {
        "id": channel.id,
        "create_at": channel.create_at,
        "update_at": channel.update_at,
        "delete_at": channel.delete_at,
        "team_id": channel.team_id,
        "type": channel.type,
        "display_name": channel.display_name,
        "name": channel.name,
        "header": channel.header,
        "purpose": channel.purpose,
        "last_post_at": channel.last_post_at,
        "total_msg_count": channel.total_msg_count,
        "extra_update_at": 0,
        "creator_id": channel.creator_id,
        "scheme_id": None,
        "props": None,
        "group_constrained": None,
        "shared": None,
        "policy_id": None,
    }


def member_json(channel: Channel, user_id: str) -> Json:
    joined = channel.members[user_id]
    return {
        "channel_id": channel.id,
        "user_id": user_id,
        "roles": "channel_user",
        "last_viewed_at": 0,
        "msg_count": 0,
        "mention_count": 0,
        "mention_count_root": 0,
        "msg_count_root": 0,
        "urgent_mention_count": 0,
        "notify_props": {
            "desktop": "default",
            "email": "default",
            "ignore_channel_mentions": "default",
            "mark_unread": "all",
            "push": "default",
        },
        "last_update_at": joined,
        "scheme_guest": False,
        "scheme_user": True,
        "scheme_admin": False,
        "explicit_roles": "",
    }


def post_json(post: Post) -> Json:
    return {
        "id": post.id,
        "create_at": post.create_at,
        "update_at": post.create_at,
        "edit_at": 0,
        "delete_at": 0,
        "is_pinned": False,
        "user_id": post.user_id,
        "channel_id": post.channel_id,
        "root_id": post.root_id,
        "original_id": "",
        "message": post.message,
        "type": post.type,
        "props": dict(post.props),
        "hashtags": "",
        "file_ids": list(post.file_ids),
        "pending_post_id": "",
        "reply_count": 0,
        "metadata": {},
    }


# ==========================================================================
# The fake server
# ==========================================================================

SpecCheckerOption = SpecChecker | None | Literal["auto"]


def _pick_spec_checker(option: SpecCheckerOption) -> SpecChecker | None:
    if option != "auto":
        return option
    specs = find_api_specs()
    if specs is None or not (specs / MATTERMOST_SPEC_FILE).is_file():
        return None
    # Routed, so GET /channels/{id}/posts (documented, not in the subset) is recorded
    # as unchecked instead of being flagged.
    return RoutedSpecChecker([("/api/v4/", specs / MATTERMOST_SPEC_FILE)])


class FakeMattermost(FakeServer):
    """Stateful fake Mattermost. Seed a team, channels and users; point the client at
    ``base_url`` with ``Authorization: Bearer <token>``; read back :meth:`header`,
    :meth:`posts` and :meth:`members`.

    The token belongs to :attr:`bot` (username ``bot_username``). Seeded channels have
    the bot as a member unless ``bot_member=False``.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "setops-bot",
        spec_checker: SpecCheckerOption = "auto",
        latency: float = 0.0,
        check_responses: bool = False,
        bot_system_admin: bool = False,
        legacy_add_member: bool = False,
    ) -> None:
        super().__init__(
            spec_checker=_pick_spec_checker(spec_checker),
            latency=latency,
            check_responses=check_responses,
        )
        self.token = token
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.post_log: list[Post] = []  # every post, oldest first
        self.legacy_add_member = legacy_add_member
        self.bot = self._add_user(
            User(new_id(), bot_username, is_bot=True, roles=roles.roles(admin=bot_system_admin))
        )
        self._register_routes()

    @property
    def unchecked_requests(self) -> list[str]:
        """Requests the stored description subset does not cover (not spec-checked)."""
        checker = self.spec_checker
        return list(checker.unchecked) if isinstance(checker, RoutedSpecChecker) else []

    def _register_routes(self) -> None:
        api = "/api/v4"
        routes = [
            ("GET", api + "/teams/name/{team_name}/channels/name/{channel_name}", self._by_name),
            ("PUT", api + "/channels/{channel_id}/patch", self._patch_channel),
            ("POST", api + "/users/usernames", self._users_by_usernames),
            ("GET", api + "/users/username/{username}", self._user_by_username),
            ("GET", api + "/users/me", self._me),
            ("POST", api + "/posts", self._create_post),
            ("GET", api + "/channels/{channel_id}/posts", self._channel_posts),
            ("GET", api + "/channels/{channel_id}/members", self._channel_members),
            ("POST", api + "/channels/{channel_id}/members", self._add_channel_members),
            ("POST", api + "/channels/{channel_id}/members/ids", self._channel_members_by_ids),
            ("GET", api + "/channels/{channel_id}/members/{user_id}", self._channel_member),
        ]
        for method, template, handler in routes:
            self.route(method, template, handler)

    # ---- seeding (no HTTP, for tests) ------------------------------------------

    def seed_team(
        self, name: str, display_name: str | None = None, *, bot_member: bool = True
    ) -> str:
        """Add a team; the bot is on it unless ``bot_member=False``."""
        with self.lock:
            team = Team(new_id(), name, display_name or name.title())
            if bot_member:
                team.members.add(self.bot.id)
            self.teams[team.id] = team
            return team.id

    def seed_team_member(self, team: str, user: str, *, member: bool = True) -> None:
        """Put a user (username or id) on the team named ``team``, or take them off it."""
        with self.lock:
            members = self._team_by_name(team).members
            user_id = self._user_ref(user).id
            if member:
                members.add(user_id)
            else:
                members.discard(user_id)

    def seed_user(
        self,
        username: str,
        *,
        first_name: str = "",
        last_name: str = "",
        email: str | None = None,
        deactivated: bool = False,
        teams: Iterable[str] | None = None,
    ) -> str:
        """Add a user; returns its id. The user is on the named ``teams``, by default on
        every team seeded so far."""
        with self.lock:
            user = User(
                new_id(),
                username.lower(),
                first_name,
                last_name,
                email or f"{username.lower()}@example.com",
                delete_at=now_ms() if deactivated else 0,
            )
            self._add_user(user)
            names = set(teams) if teams is not None else {t.name for t in self.teams.values()}
            for team in names:
                self._team_by_name(team).members.add(user.id)
            return user.id

    def seed_channel(
        self,
        team: str,
        name: str,
        *,
        display_name: str | None = None,
        header: str = "",
        purpose: str = "",
        private: bool = False,
        members: Iterable[str] = (),
        bot_member: bool = True,
    ) -> str:
        """Add a channel to the team named ``team``; ``members`` are usernames or ids.
        Returns the channel id."""
        with self.lock:
            channel = Channel(
                new_id(),
                self._team_by_name(team).id,
                name,
                display_name or name.replace("-", " ").title(),
                "P" if private else "O",
                header=header,
                purpose=purpose,
                creator_id=self.bot.id,
            )
            self.channels[channel.id] = channel
            wanted = [self.bot.id] if bot_member else []
            wanted += [self._user_ref(ref).id for ref in members]
            for user_id in wanted:
                channel.members.setdefault(user_id, now_ms())
            return channel.id

    # ---- inspection ----------------------------------------------------------------

    def channel(self, team: str, name: str) -> Json:
        with self.lock:
            return channel_json(self._channel_by_names(team, name))

    def header(self, team: str, name: str) -> str:
        with self.lock:
            return self._channel_by_names(team, name).header

    def members(self, team: str, name: str) -> list[str]:
        """Usernames of the channel's members, in the order they joined."""
        with self.lock:
            channel = self._channel_by_names(team, name)
            return [self.users[user_id].username for user_id in channel.members]

    def posts(self, team: str, name: str, *, include_system: bool = False) -> list[Json]:
        """The channel's posts oldest first: message, username, type, props, root_id."""
        with self.lock:
            channel = self._channel_by_names(team, name)
            return [
                {
                    "id": p.id,
                    "message": p.message,
                    "username": self.users[p.user_id].username,
                    "type": p.type,
                    "props": dict(p.props),
                    "root_id": p.root_id,
                }
                for p in self.post_log
                if p.channel_id == channel.id and (include_system or not p.type)
            ]

    # ---- hooks -----------------------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        return {
            "id": extra.get("id", _DEFAULT_ERROR_IDS.get(status, "api.context.app_error")),
            "message": message,
            "detailed_error": extra.get("detailed_error", ""),
            "request_id": _request_id(request),
            "status_code": status,
        }

    def before_request(self, request: Request) -> Response | None:
        _request_id(request)
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() not in ("bearer", "token") or token.strip() != self.token:
            return self.error_response(
                401,
                "Invalid or expired session, please login again.",
                request,
                id="api.context.session_expired.app_error",
            )
        request.context["user_id"] = self.bot.id  # one token, the bot's session
        if request.json_error is not None:
            return self.error_response(
                400, "Unable to parse the request body.", request, id="api.context.invalid_body"
            )
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        response.headers.setdefault("X-Request-Id", _request_id(request))
        response.headers.setdefault("X-Version-Id", "10.5.0.fake")
        return response

    # ---- lookups -----------------------------------------------------------------

    def _add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def _team_by_name(self, name: str) -> Team:
        for team in self.teams.values():
            if team.name == name:
                return team
        raise KeyError(f"no team {name!r}; seed_team() it first")

    def _channel_by_names(self, team: str, name: str) -> Channel:
        team_id = self._team_by_name(team).id
        for channel in self.channels.values():
            if channel.team_id == team_id and channel.name == name:
                return channel
        raise KeyError(f"no channel {name!r} in team {team!r}")

    def _user_ref(self, ref: str) -> User:
        if ref in self.users:
            return self.users[ref]
        for user in self.users.values():
            if user.username == ref.lower():
                return user
        raise KeyError(f"no user {ref!r}; seed_user() it first")

    def _channel_from_url(self, request: Request) -> Channel:
        channel_id = request.path_params["channel_id"]
        if not is_valid_id(channel_id):
            raise _invalid_url_param("channel_id")
        channel = self.channels.get(channel_id)
        if channel is None or channel.delete_at:
            raise HTTPError(
                404, "Unable to find the existing channel.", id="app.channel.get.existing.app_error"
            )
        return channel

    def _is_admin(self, user_id: str) -> bool:
        return "system_admin" in self.users[user_id].roles.split()

    def _team_permission(self, request: Request, team_id: str, permission: str) -> bool:
        user_id = _session_user(request)
        return roles.has_team_permission(
            admin=self._is_admin(user_id),
            on_team=user_id in self.teams[team_id].members,
            permission=permission,
        )

    def _channel_permission(self, request: Request, channel: Channel, permission: str) -> bool:
        user_id = _session_user(request)
        return roles.has_channel_permission(
            admin=self._is_admin(user_id),
            on_team=user_id in self.teams[channel.team_id].members,
            in_channel=user_id in channel.members,
            permission=permission,
        )

    def _require(self, request: Request, channel: Channel, permission: str) -> None:
        if not self._channel_permission(request, channel, permission):
            raise _permission_error(permission)

    def _require_read(self, request: Request, channel: Channel) -> None:
        """What reading a channel or its posts needs: on a public channel,
        read_public_channel on its team will do (getPostsForChannel)."""
        if channel.type == "O" and self._team_permission(
            request, channel.team_id, roles.READ_PUBLIC_CHANNEL
        ):
            return
        self._require(request, channel, roles.READ_CHANNEL)

    # ---- channels ------------------------------------------------------------------

    def _by_name(self, request: Request) -> Response:
        team_name = request.path_params["team_name"]
        team = next((t for t in self.teams.values() if t.name == team_name), None)
        if team is None:
            raise HTTPError(
                404,
                "Unable to find the existing team.",
                id="app.team.get_by_name.missing.app_error",
            )
        include_deleted = (request.arg("include_deleted") or "false").lower() == "true"
        for channel in self.channels.values():
            if (
                channel.team_id == team.id
                and channel.name == request.path_params["channel_name"]
                and (include_deleted or not channel.delete_at)
            ):
                return self._channel_if_readable(request, channel)
        raise _channel_name_missing()

    def _channel_if_readable(self, request: Request, channel: Channel) -> Response:
        """getChannelByNameForTeamName: a private channel the caller may not read does
        not exist for them (404, unless they manage the team)."""
        readable = self._channel_permission(request, channel, roles.READ_CHANNEL)
        if channel.type == "O":
            public = self._team_permission(request, channel.team_id, roles.READ_PUBLIC_CHANNEL)
            if not (public or readable):
                raise _permission_error(roles.READ_PUBLIC_CHANNEL)
        elif not (readable or self._team_permission(request, channel.team_id, roles.MANAGE_TEAM)):
            raise _channel_name_missing()
        return Response(200, json=channel_json(channel))

    def _patch_channel(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        patch = request.json
        if not isinstance(patch, dict):
            raise _invalid_body_param("channel")
        known = {
            k: v for k, v in patch.items() if k in ("name", "display_name", "purpose", "header")
        }
        if not known:
            raise HTTPError(
                400,
                "No channel properties were provided to update.",
                id="api.channel.patch_update_channel.no_changes.app_error",
            )
        self._require(request, channel, roles.manage_properties(channel.type))
        _validate_channel_patch(channel, known)
        old_header = channel.header
        for key, value in known.items():
            setattr(channel, key, value)
        channel.update_at = now_ms()
        if "header" in known and known["header"] != old_header:
            self._header_change_post(request, channel, old_header)
        return Response(200, json=channel_json(channel))

    def _header_change_post(self, request: Request, channel: Channel, old: str) -> None:
        # What the server's PostUpdateChannelHeaderMessage writes.
        user = self.users[_session_user(request)]
        new = channel.header
        if not old:
            message = f"{user.username} updated the channel header to: {new}"
        elif not new:
            message = f"{user.username} removed the channel header (was: {old})"
        else:
            message = f"{user.username} updated the channel header from: {old} to: {new}"
        props = {"username": user.username, "old_header": old, "new_header": new}
        self._store_post(
            Post(new_id(), channel.id, user.id, message, "system_header_change", props=props)
        )

    # ---- users ---------------------------------------------------------------------

    def _users_by_usernames(self, request: Request) -> Response:
        names = request.json
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _invalid_body_param("usernames")
        wanted = {n.lower() for n in names}
        return Response(
            200, json=[user_json(u) for u in self.users.values() if u.username in wanted]
        )

    def _user_by_username(self, request: Request) -> Response:
        username = request.path_params["username"].lower()
        for user in self.users.values():
            if user.username == username:
                return Response(200, json=user_json(user))
        raise HTTPError(
            404,
            "Unable to find an existing account matching your username for this team. "
            "This team may require an invite from the team owner to join.",
            id="app.user.get_by_username.app_error",
        )

    def _me(self, request: Request) -> Response:
        return Response(200, json=user_json(self.users[_session_user(request)]))

    # ---- members ---------------------------------------------------------------------

    def _channel_members(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        self._require(request, channel, roles.READ_CHANNEL)
        page, per_page = _paging(request)
        ids = list(channel.members)[page * per_page : (page + 1) * per_page]
        return Response(200, json=[member_json(channel, user_id) for user_id in ids])

    def _channel_members_by_ids(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        ids = request.json
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise HTTPError(400, "Unable to parse the request body.", id="api.context.invalid_body")
        if not ids:
            raise _invalid_body_param("user_ids")
        self._require(request, channel, roles.READ_CHANNEL)
        found = sorted({i for i in ids if i in channel.members})
        return Response(200, json=[member_json(channel, user_id) for user_id in found])

    def _channel_member(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        user_id = request.path_params["user_id"]
        if user_id == "me":
            user_id = _session_user(request)
        if not is_valid_id(user_id):
            raise _invalid_url_param("user_id")
        self._require(request, channel, roles.READ_CHANNEL)
        if user_id not in channel.members:
            raise HTTPError(
                404,
                "No channel member found for that user ID and channel ID.",
                id="app.channel.get_member.missing.app_error",
            )
        return Response(200, json=member_json(channel, user_id))

    def _add_channel_members(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        props = request.json if isinstance(request.json, dict) else {}
        user_ids = _user_id_only(props) if self.legacy_add_member else _user_ids_to_add(props)
        may_add_self, may_add_others = self._may_add(request, channel)
        added: list[Json] = []
        last_error: HTTPError | None = None
        for user_id in user_ids:
            is_self = user_id == _session_user(request)
            try:
                allowed = may_add_self if is_self else may_add_others
                if not allowed and not (is_self and user_id in channel.members):
                    raise _permission_error(
                        roles.JOIN_PUBLIC_CHANNELS
                        if is_self
                        else roles.manage_members(channel.type)
                    )
                added.append(self._add_member(request, channel, user_id))
            except HTTPError as exc:
                if self.legacy_add_member:
                    raise
                last_error = exc
        if not added and last_error is not None:
            raise last_error
        single = self.legacy_add_member or (
            "user_id" in props and len(added) == 1 and added[0]["user_id"] == props["user_id"]
        )
        return Response(201, json=added[0] if single else added)

    def _may_add(self, request: Request, channel: Channel) -> tuple[bool, bool]:
        """(may add oneself, may add others), as addChannelMember decides before it
        looks at anyone; on a private channel, neither is a 403 for the whole request."""
        if channel.type == "P":
            self._require(request, channel, roles.manage_members("P"))
            return True, True
        return (
            self._team_permission(request, channel.team_id, roles.JOIN_PUBLIC_CHANNELS),
            self._channel_permission(request, channel, roles.manage_members("O")),
        )

    def _add_member(self, request: Request, channel: Channel, user_id: str) -> Json:
        """AddChannelMember for one person: the member (already one, or added now)."""
        if user_id in channel.members:
            return member_json(channel, user_id)
        user = self.users.get(user_id)
        if user is None:
            raise HTTPError(404, "Unable to find the user.", id="app.user.missing_account.const")
        if user.delete_at:
            raise HTTPError(
                400,
                "Unable to add a deactivated user as a member of the channel.",
                id="app.channel.add_member.deleted_user.app_error",
            )
        if user_id not in self.teams[channel.team_id].members:
            raise HTTPError(
                404,
                "Unable to find the existing team member.",
                id="app.team.get_member.missing.app_error",
            )
        channel.members[user_id] = now_ms()
        self._added_post(request, channel, user)
        return member_json(channel, user_id)

    def _added_post(self, request: Request, channel: Channel, added: User) -> None:
        actor = self.users[_session_user(request)]
        if actor.id == added.id:
            message, kind = f"{added.username} joined the channel.", "system_join_channel"
            props: Json = {"username": added.username}
        else:
            message = f"{added.username} added to the channel by {actor.username}."
            kind = "system_add_to_channel"
            props = {
                "userId": actor.id,
                "username": actor.username,
                "addedUserId": added.id,
                "addedUsername": added.username,
            }
        self._store_post(Post(new_id(), channel.id, actor.id, message, kind, props=props))

    # ---- posts -----------------------------------------------------------------------

    def _create_post(self, request: Request) -> Response:
        body = request.json
        if not isinstance(body, dict):
            raise _invalid_body_param("post")
        channel = self.channels.get(str(body.get("channel_id") or ""))
        if channel is None:
            raise _permission_error(roles.CREATE_POST)
        self._require(request, channel, roles.CREATE_POST)
        message = body.get("message", "")
        if not isinstance(message, str) or len(message) > POST_MESSAGE_MAX_RUNES:
            raise HTTPError(400, "Invalid Message.", id="model.post.is_valid.msg.app_error")
        root_id = str(body.get("root_id") or "")
        if root_id and not any(
            p.id == root_id and p.channel_id == channel.id for p in self.post_log
        ):
            raise HTTPError(
                400, "Invalid RootId parameter.", id="api.post.create_post.root_id.app_error"
            )
        post = Post(
            new_id(),
            channel.id,
            _session_user(request),
            message,
            root_id=root_id,
            props=dict(body.get("props") or {}),
            file_ids=list(body.get("file_ids") or []),
        )
        self._store_post(post)
        return Response(201, json=post_json(post))

    def _store_post(self, post: Post) -> None:
        self.post_log.append(post)
        channel = self.channels[post.channel_id]
        channel.last_post_at = post.create_at
        channel.total_msg_count += 1

    def _channel_posts(self, request: Request) -> Response:
        channel = self._channel_from_url(request)
        self._require_read(request, channel)
        page, per_page = _paging(request)
        since = int(request.arg("since") or 0)
        newest_first = [
            p
            for p in reversed(self.post_log)
            if p.channel_id == channel.id and p.create_at >= since
        ]
        chunk = newest_first[page * per_page : (page + 1) * per_page]
        return Response(
            200,
            json={
                "order": [p.id for p in chunk],
                "posts": {p.id: post_json(p) for p in chunk},
                "next_post_id": "",
                "prev_post_id": "",
                "has_next": (page + 1) * per_page < len(newest_first),
            },
        )


# ==========================================================================
# Helpers
# ==========================================================================

_DEFAULT_ERROR_IDS: Final = {
    400: "api.context.invalid_body_param.app_error",
    401: "api.context.session_expired.app_error",
    403: "api.context.permissions.app_error",
    404: "api.context.404.app_error",
    405: "api.context.404.app_error",
    500: "api.context.500.app_error",
}


def _request_id(request: Request | None) -> str:
    if request is None:
        return new_id()
    rid = request.context.get("request_id")
    if not isinstance(rid, str):
        rid = new_id()
        request.context["request_id"] = rid
    return rid


def _session_user(request: Request) -> str:
    """The id of the user the request's token belongs to (set by before_request)."""
    return str(request.context["user_id"])


def _invalid_url_param(name: str) -> HTTPError:
    return HTTPError(
        400,
        f"Invalid or missing {name} parameter in request URL.",
        id="api.context.invalid_url_param.app_error",
    )


def _invalid_body_param(name: str) -> HTTPError:
    return HTTPError(
        400,
        f"Invalid or missing {name} in request body.",
        id="api.context.invalid_body_param.app_error",
    )


def _permission_error(permission: str) -> HTTPError:
    return HTTPError(
        403,
        "You do not have the appropriate permissions.",
        id="api.context.permissions.app_error",
        detailed_error=f"missing permission: {permission}",
    )


def _channel_name_missing() -> HTTPError:
    return HTTPError(404, "Channel does not exist.", id="app.channel.get_by_name.missing.app_error")


def _paging(request: Request) -> tuple[int, int]:
    try:
        page = int(request.arg("page") or 0)
        per_page = int(request.arg("per_page") or PER_PAGE_DEFAULT)
    except ValueError:
        raise _invalid_url_param("page") from None
    return max(page, 0), min(max(per_page, 1), PER_PAGE_MAX)


def _user_ids_to_add(props: Json) -> list[str]:
    """``user_ids`` wins over ``user_id``, as in the server's addChannelMember."""
    if isinstance(props.get("user_ids"), list):
        ids = props["user_ids"]
        if len(ids) > ADD_MEMBERS_MAX:
            raise _invalid_body_param("user_ids")
        if not all(is_valid_id(i) for i in ids):
            raise _invalid_body_param("user_id in user_ids")
        return list(ids)
    user_id = props.get("user_id")
    if not is_valid_id(user_id):
        raise _invalid_body_param("user_id or user_ids")
    return [str(user_id)]


def _user_id_only(props: Json) -> list[str]:
    """The older servers' addChannelMember: one ``user_id``, nothing else."""
    user_id = props.get("user_id")
    if not is_valid_id(user_id):
        raise _invalid_body_param("user_id")
    return [str(user_id)]


def _validate_channel_patch(channel: Channel, patch: Json) -> None:
    """The length rules of Channel.IsValid, in runes (Python counts code points too)."""
    limits = {
        "header": (
            CHANNEL_HEADER_MAX_RUNES,
            "model.channel.is_valid.header.app_error",
            "Invalid header.",
        ),
        "purpose": (
            CHANNEL_PURPOSE_MAX_RUNES,
            "model.channel.is_valid.purpose.app_error",
            "Invalid purpose.",
        ),
        "display_name": (
            CHANNEL_DISPLAY_NAME_MAX_RUNES,
            "model.channel.is_valid.display_name.app_error",
            "Invalid display name.",
        ),
    }
    for key, (limit, error_id, message) in limits.items():
        if key not in patch:
            continue
        value = patch[key]
        if (
            not isinstance(value, str)
            or len(value) > limit
            or (key == "display_name" and not value)
        ):
            raise HTTPError(400, message, id=error_id, detailed_error=f"id={channel.id}")
