"""Mattermost: the SET channel header (a target of `plan`/`apply`), and for the handover the
incident channels and the announcement.

MATTERMOST_URL and MATTERMOST_TOKEN (a bot's access token, sent as a bearer token). The
header is patched only when its text would change, and only the part between setops'
markers is setops'; a header over Mattermost's limit is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import requests

from setops.config.models import HEADER_LIMIT, MattermostSettings
from setops.errors import SetopsError
from setops.plan import Change, FieldChange, TargetPlan
from setops.render.header import header_length, merge_header, owned_part, owned_text
from setops.targets.base import ApplyReport, Target
from setops.targets.http import (
    Session,
    UncertainWrite,
    VendorError,
    connection_error,
    create_once,
    is_lost_response,
    vendor_message,
)

PAGE = 200  # the most members or posts Mattermost returns per page
POSTS_SCANNED = 1000  # how far back a re-run looks for its announcement


class MattermostClient:
    """The Mattermost API v4 calls setops makes; every failure is a VendorError."""

    def __init__(self, url: str, token: str) -> None:
        # The server's address, under a sub-path or not; the API path itself is accepted
        # too, as it is what the API documentation shows.
        self.base = url.rstrip("/").removesuffix("/api/v4") + "/api/v4"
        self.token = token
        self.session = Session({"Authorization": f"Bearer {token}"})
        self.requests = 0

    def _call(
        self, method: str, path: str, what: str, *, create: bool = False, **kwargs: Any
    ) -> Any:
        """One API call. With `create`, an answer that may have been lost (a dropped
        connection, a 5xx) is raised as such, for `create_once` to look before it retries."""
        self.requests += 1
        try:
            response = self.session.request(method, self.base + path, **kwargs)
        except requests.RequestException as exc:
            if create and is_lost_response(exc):
                raise
            raise connection_error("mattermost", what, exc) from None
        except SetopsError as exc:  # e.g. a Retry-After longer than setops waits
            raise SetopsError(f"mattermost: {what}: {exc}") from None
        if not response.ok:
            message = vendor_message(response).replace(self.token, "***")
            if response.status_code == 401:
                message += " (check MATTERMOST_TOKEN: the bot's token may have been revoked)"
            if create and response.status_code >= 500:
                raise UncertainWrite(f"mattermost: {what}", response.status_code, message)
            raise VendorError("mattermost", what, response.status_code, message)
        try:
            return response.json() if response.content else None
        except ValueError:  # a web page: the address is Mattermost's site, not its API
            raise VendorError(
                "mattermost",
                what,
                None,
                f"the answer is not JSON: is MATTERMOST_URL ({self.base.removesuffix('/api/v4')})"
                " the Mattermost server's address?",
            ) from None

    def channel(self, team: str, name: str) -> dict[str, Any]:
        data = self._call(
            "GET", f"/teams/name/{team}/channels/name/{name}", f"read channel ~{name} of {team}"
        )
        return data if isinstance(data, dict) else {}

    def patch_header(self, channel_id: str, header: str) -> None:
        self._call(
            "PUT",
            f"/channels/{channel_id}/patch",
            "set the channel header",
            json={"header": header},
        )

    def user_ids(self, usernames: Sequence[str]) -> dict[str, str]:
        """Username -> user id, one GET each (a read that is a read: no POST lookup)."""
        found: dict[str, str] = {}
        for name in usernames:
            try:
                user = self._call("GET", f"/users/username/{name}", f"look up user @{name}")
            except VendorError as exc:
                if exc.status == 404:
                    raise SetopsError(
                        f"mattermost: no user @{name}; check `mattermost:` in rotations/roster.yaml"
                    ) from None
                raise
            found[name] = str(user["id"])
        return found

    def member_ids(self, channel_id: str, name: str) -> set[str]:
        members: set[str] = set()
        page = 0
        while True:
            batch = self._call(
                "GET",
                f"/channels/{channel_id}/members",
                f"read the members of ~{name}",
                params={"page": page, "per_page": PAGE},
            )
            members |= {str(m["user_id"]) for m in batch or []}
            if not batch or len(batch) < PAGE:
                return members
            page += 1

    def add_members(self, channel_id: str, name: str, user_ids: Iterable[str]) -> None:
        self._call(
            "POST",
            f"/channels/{channel_id}/members",
            f"add members to ~{name}",
            json={"user_ids": list(user_ids)},
        )

    def me(self) -> str:
        """The id of the user the token belongs to (the bot)."""
        data = self._call("GET", "/users/me", "read the bot's own user")
        return str((data or {})["id"])

    def find_post(self, channel_id: str, prop: str, value: str) -> str | None:
        """The id of one of the channel's newest POSTS_SCANNED posts whose props[prop] is
        `value`, or None.

        GetPostsForChannel (documented, outside the bundled API subset), newest first, by
        page: it lets a post be found again after its answer was lost, so none is made twice.
        """
        for page in range(POSTS_SCANNED // PAGE):
            data = self._call(
                "GET",
                f"/channels/{channel_id}/posts",
                "read the channel's recent posts",
                params={"page": page, "per_page": PAGE},
            )
            order = list((data or {}).get("order") or [])
            posts = (data or {}).get("posts") or {}
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

        def create() -> str:
            data = self._call(
                "POST",
                "/posts",
                "post the handover announcement",
                create=True,
                json={"channel_id": channel_id, "message": message, "props": {prop: value}},
            )
            return str((data or {}).get("id", ""))

        try:
            return create_once(create, lambda: self.find_post(channel_id, prop, value))
        except requests.RequestException as exc:
            raise connection_error("mattermost", "post the handover announcement", exc) from None


def mattermost_client(env: Mapping[str, str]) -> MattermostClient:
    missing = [n for n in ("MATTERMOST_URL", "MATTERMOST_TOKEN") if not env.get(n)]
    if missing:
        raise SetopsError(f"mattermost: set {' and '.join(missing)}")
    return MattermostClient(env["MATTERMOST_URL"], env["MATTERMOST_TOKEN"])


def header_change(
    settings: MattermostSettings, current: str | None, owned: str, channel_id: str | None
) -> Change | None:
    """The header update that puts `owned` into `current`, or None when it is already there.

    Raises SetopsError when the new header would be longer than Mattermost allows.
    """
    merged = merge_header(current or "", owned, settings)
    if header_length(merged) > HEADER_LIMIT:
        raise SetopsError(
            f"mattermost: the header of ~{settings.channel} would be {header_length(merged)} "
            f"characters, over Mattermost's limit of {HEADER_LIMIT}; shorten "
            "mattermost.header_template in policies/integrations.yaml or the text around it"
        )
    if current is not None and merged == current:
        return None
    before = owned_part(current, settings) if current is not None else None
    after = owned_part(owned, settings)
    return Change(
        target="mattermost",
        action="update",
        kind="channel header",
        name=f"{settings.team}/{settings.channel}",
        fields=(FieldChange("header", before, after),),
        reason="who is on SET changed" if before else "setops' part of the header is missing",
        payload={"channel_id": channel_id, "header": merged},
    )


class MattermostTarget(Target):
    """The SET channel header shows who is on SET now (`context.now`)."""

    name = "mattermost"
    credentials = ("MATTERMOST_URL", "MATTERMOST_TOKEN")

    @property
    def settings(self) -> MattermostSettings:
        settings = self.context.config.integrations.mattermost
        assert settings is not None
        return settings

    def enabled(self) -> bool:
        settings = self.context.config.integrations.mattermost
        return settings is not None and settings.enabled

    def owned(self) -> str:
        oncall = self.context.schedule.at(self.context.now)
        return owned_text(self.context.config, self.settings, oncall)

    def plan(self) -> TargetPlan:
        owned = self.owned()
        missing = self.missing_credentials()
        if missing:
            change = header_change(self.settings, None, owned, None)
            changes = (change,) if change else ()
            return TargetPlan(self.name, changes, configured=False, missing=missing)
        client = mattermost_client(self.context.env)
        channel = client.channel(self.settings.team, self.settings.channel)
        change = header_change(
            self.settings, str(channel.get("header") or ""), owned, str(channel.get("id"))
        )
        return TargetPlan(self.name, (change,) if change else ())

    def apply(self, plan: TargetPlan) -> ApplyReport:
        client = mattermost_client(self.context.env)
        report = ApplyReport(self.name)
        for change in plan.ordered():
            client.patch_header(change.payload["channel_id"], change.payload["header"])
            report.done.append(change)
        report.requests = client.requests
        return report
