"""The Mattermost API v4 calls setops makes, for the SET channel header (a target of
`plan`/`apply`) and for the handover (incident channels, the announcement).

MATTERMOST_URL and MATTERMOST_TOKEN (a bot's access token, sent as a bearer token).
Requests go through the shared JSON layer. Mattermost decides per channel: the bot finds
and joins public channels as a team member; reading members, changing the header, posting
and adding people need it in the channel (docs/mattermost.md, "What the bot needs").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from setops.errors import SetopsError
from setops.targets.http import (
    JsonApi,
    Session,
    UncertainWrite,
    VendorError,
    connection_error,
    create_once,
)

T = TypeVar("T")
PAGE = 200  # the most members or posts Mattermost returns per page
POSTS_SCANNED = 1000  # how far back a re-run looks for its announcement
PUBLIC = "O"  # a channel's type: "O" public (open), "P" private


@dataclass(frozen=True)
class ChannelRef:
    """A channel as setops acts on it: its id, its name (for messages) and its type."""

    id: str
    name: str
    type: str

    @property
    def public(self) -> bool:
        return self.type == PUBLIC


class MattermostError(VendorError):
    """A call Mattermost refused, with the id of its AppError (what clients match on:
    the message is translated)."""

    def __init__(self, what: str, status: int, message: str, error_id: str) -> None:
        super().__init__("mattermost", what, status, message)
        self.error_id = error_id


class MattermostApi(JsonApi):
    """The shared JSON layer, with Mattermost's AppError id and its hint for a refused
    token."""

    def error(self, method: str, what: str, response: requests.Response) -> SetopsError:
        error = super().error(method, what, response)
        if not isinstance(error, VendorError):
            return error
        message = error.vendor_message
        if response.status_code == 401:
            message += " (check MATTERMOST_TOKEN: the bot's token may have been revoked)"
        return MattermostError(what, response.status_code, message, _error_id(response))


def _error_id(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("id") or "") if isinstance(body, dict) else ""


class MattermostClient:
    """The Mattermost API v4 calls setops makes; every failure is a VendorError.

    Requests go through the shared layer (`JsonApi`): timeouts, retries and Retry-After,
    no redirects, JSON answers only, the token never in a message.
    """

    def __init__(self, url: str, token: str) -> None:
        # The server's address, under a sub-path or not; the API path itself is accepted
        # too, as it is what the API documentation shows.
        base = url.rstrip("/").removesuffix("/api/v4") + "/api/v4"
        session = Session({"Authorization": f"Bearer {token}"})
        self.api = MattermostApi("mattermost", base, "MATTERMOST_URL", [token], session)
        self._me: str | None = None

    @property
    def requests(self) -> int:
        return self.api.requests

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        missing_ok: bool = False,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """The JSON answer to one call (None for a 404 that `missing_ok` allows). A POST
        whose answer was lost is re-raised as such, for `create_once` to deal with."""
        try:
            response = self.api.send(
                method, path, what, params=params, body=body, missing_ok=missing_ok
            )
        except (VendorError, UncertainWrite):
            raise
        except SetopsError as exc:  # e.g. a Retry-After longer than setops waits
            raise SetopsError(f"mattermost: {what}: {exc}") from None
        return self.api.json(response, what)

    def _list(self, data: Any, what: str) -> list[Any]:
        return list(self.api.shape(data if data is not None else [], list, what, 200, "list"))

    def _object(self, data: Any, what: str, field: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.shape(data, dict, what, 200, field)
        return found

    def find_channel(self, team: str, name: str) -> dict[str, Any] | None:
        """The channel, or None when it does not exist for the bot: Mattermost answers a
        private channel the bot is not in as if there were none."""
        what = f"read channel ~{name} of {team}"
        data = self._call("GET", f"/teams/name/{team}/channels/name/{name}", what, missing_ok=True)
        return None if data is None else self._object(data, what, "channel")

    def channel(self, team: str, name: str) -> dict[str, Any]:
        found = self.find_channel(team, name)
        if found is None:
            raise SetopsError(out_of_reach(team, name))
        return found

    def patch_header(self, channel_id: str, header: str) -> None:
        what = "set the channel header"
        self._call("PUT", f"/channels/{channel_id}/patch", what, body={"header": header})

    def user_ids(self, usernames: Sequence[str]) -> dict[str, str]:
        """Username -> user id, one GET each (a read that is a read: no POST lookup)."""
        found: dict[str, str] = {}
        for name in usernames:
            what = f"look up user @{name}"
            user = self._call("GET", f"/users/username/{name}", what, missing_ok=True)
            if user is None:
                raise SetopsError(
                    f"mattermost: no user @{name}; check `mattermost:` in rotations/roster.yaml"
                )
            found[name] = str(self._object(user, what, "user")["id"])
        return found

    def is_member(self, channel: ChannelRef) -> bool:
        """Whether the bot is in the channel (GetChannelMember for "me": only members
        may read a channel's members, so anyone else gets 403)."""
        what = f"read the bot's membership of ~{channel.name}"
        try:
            found = self._call("GET", f"/channels/{channel.id}/members/me", what, missing_ok=True)
        except VendorError as exc:
            if exc.status == 403:
                return False
            raise
        return found is not None

    def member_ids(self, channel_id: str, name: str) -> set[str]:
        members: set[str] = set()
        what = f"read the members of ~{name}"
        for page in range(10_000):  # 2 million members: far past any channel
            params = {"page": str(page), "per_page": str(PAGE)}
            batch = self._list(
                self._call("GET", f"/channels/{channel_id}/members", what, params=params), what
            )
            members |= {str(m["user_id"]) for m in batch}
            if len(batch) < PAGE:
                break
        return members

    def add_member(self, channel: ChannelRef, user_id: str, who: str) -> None:
        """Add one person: `user_id`, the one form every server reads (servers before
        `user_ids` answer it 400). Adding a member again changes nothing, so a lost answer
        is simply asked again. A person who cannot be added is a VendorError saying why."""
        what = f"add {who} to ~{channel.name}"
        path = f"/channels/{channel.id}/members"

        def add() -> dict[str, Any]:
            data = self._call("POST", path, what, body={"user_id": user_id})
            return self._object(data, what, "channel member")

        try:
            create_once(add, lambda: None)
        except requests.RequestException as exc:
            raise connection_error("mattermost", what, exc) from None

    def join(self, channel: ChannelRef) -> None:
        """The bot adds itself to a public channel (join_public_channels: team members)."""
        self.add_member(channel, self.me(), "the bot")

    def as_member(self, channel: ChannelRef, action: Callable[[], T]) -> tuple[T, bool]:
        """Run `action`, which needs the bot in the channel; when Mattermost refuses it
        (403) on a public channel, join and run it again. Returns (result, joined)."""
        try:
            return action(), False
        except VendorError as exc:
            if exc.status != 403 or not channel.public:
                raise
        self.join(channel)
        return action(), True

    def me(self) -> str:
        """The id of the user the token belongs to (the bot)."""
        if self._me is None:
            what = "read the bot's own user"
            self._me = str(self._object(self._call("GET", "/users/me", what), what, "user")["id"])
        return self._me

    def find_post(self, channel_id: str, prop: str, value: str) -> str | None:
        """The id of one of the channel's newest POSTS_SCANNED posts whose props[prop] is
        `value`, or None.

        GetPostsForChannel (documented, outside the bundled API subset), newest first, by
        page: it lets a post be found again after its answer was lost, so none is made twice.
        """
        what = "read the channel's recent posts"
        for page in range(POSTS_SCANNED // PAGE):
            params = {"page": str(page), "per_page": str(PAGE)}
            data = self._object(
                self._call("GET", f"/channels/{channel_id}/posts", what, params=params),
                what,
                "post list",
            )
            order = list(data.get("order") or [])
            posts = data.get("posts") or {}
            for post_id in order:
                props = (posts.get(post_id) or {}).get("props") or {}
                if str(props.get(prop)) == value:
                    return str(post_id)
            if len(order) < PAGE:
                return None
        return None

    def post(self, channel_id: str, message: str, prop: str, value: str) -> str:
        """Post `message` marked props[prop] = value, once: after a lost answer the
        channel is read for the mark before the post is tried again."""
        what = "post the handover announcement"

        def create() -> str:
            body = {"channel_id": channel_id, "message": message, "props": {prop: value}}
            data = self._call("POST", "/posts", what, body=body)
            return str(self._object(data, what, "post").get("id", ""))

        try:
            return create_once(create, lambda: self.find_post(channel_id, prop, value))
        except requests.RequestException as exc:
            raise connection_error("mattermost", what, exc) from None


def out_of_reach(team: str, name: str) -> str:
    """What to do about a channel the bot cannot see."""
    return (
        f"mattermost: channel ~{name} of team {team} is not there for the bot: it does not "
        f"exist, or it is private and the bot is not in it; add the bot to ~{name} (or "
        "correct the name in policies/integrations.yaml)"
    )


def channel_ref(data: Mapping[str, Any], name: str) -> ChannelRef:
    return ChannelRef(str(data["id"]), name, str(data.get("type") or PUBLIC))


def mattermost_client(env: Mapping[str, str]) -> MattermostClient:
    missing = [n for n in ("MATTERMOST_URL", "MATTERMOST_TOKEN") if not env.get(n)]
    if missing:
        raise SetopsError(f"mattermost: set {' and '.join(missing)}")
    return MattermostClient(env["MATTERMOST_URL"], env["MATTERMOST_TOKEN"])
