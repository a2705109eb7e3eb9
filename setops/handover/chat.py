"""The incident channels of a handover: who of the incoming team is missing from each, and
putting them in, as Mattermost's permissions allow.

Only channel members may read a channel's members or add other people to it; anyone on
the team may add themselves to a public channel. So the bot joins a public incident
channel it is not in before it reads or adds, and a private one it is not in (which
Mattermost does not even show it) is a warning that says to add the bot. A person
Mattermost will not add (not on the team, deactivated) is named, and the others are added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from setops.errors import SetopsError
from setops.targets.http import VendorError
from setops.targets.mattermost.client import (
    ChannelRef,
    MattermostClient,
    MattermostError,
    channel_ref,
    out_of_reach,
)

Users = Mapping[str, str]  # username -> user id, the incoming team


@dataclass(frozen=True)
class IncidentChannel:
    """One incident channel as the read phase found it.

    `add` is who of the incoming team is not in it yet, or None when that can only be
    read once the bot has joined; `problem` says why the channel is out of reach.
    """

    name: str
    channel: ChannelRef | None = None
    add: tuple[tuple[str, str], ...] | None = None
    problem: str | None = None

    @property
    def bot_joins(self) -> bool:
        return self.problem is None and self.channel is not None and self.add is None


def missing(users: Users, members: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, user_id) for name, user_id in users.items() if user_id not in members)


def read_incident_channel(
    client: MattermostClient, team: str, name: str, users: Users
) -> IncidentChannel:
    """What the handover will do in one incident channel; reads only."""
    try:
        data = client.find_channel(team, name)
        if data is None:
            return IncidentChannel(name, problem=out_of_reach(team, name))
        channel = channel_ref(data, name)
        try:
            members = client.member_ids(channel.id, name)
            return IncidentChannel(name, channel, missing(users, members))
        except VendorError as exc:
            if exc.status == 403 and channel.public:  # not in it: its members are hidden
                return IncidentChannel(name, channel)
            raise
    except SetopsError as exc:  # one channel out of reach never stops the handover
        return IncidentChannel(name, problem=f"could not read ~{name}: {exc}")


@dataclass
class Filled:
    """What putting the incoming team in one channel did."""

    joined: bool = False
    added: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (username, why)


def fill(client: MattermostClient, team: str, found: IncidentChannel, users: Users) -> Filled:
    """Join (when needed), then add everyone of the incoming team not yet in the channel,
    one person per request. Raises SetopsError when the channel itself fails."""
    assert found.channel is not None
    channel, done = found.channel, Filled()
    add = found.add
    if add is None:
        client.join(channel)
        done.joined = True
        add = missing(users, client.member_ids(channel.id, channel.name))
    for username, user_id in add:
        try:
            client.add_member(channel, user_id, f"@{username}")
        except MattermostError as exc:
            why = refusal(exc, team, channel)
            if why is None:
                raise
            done.refused.append((username, why))
            continue
        done.added.append(username)
    return done


def refusal(exc: MattermostError, team: str, channel: ChannelRef) -> str | None:
    """Why Mattermost would not add one person, in words saying what to do; None for an
    error that is not about the person (the channel's or the server's)."""
    if exc.error_id in (
        "app.team.get_member.missing.app_error",
        "api.channel.add_user.to.channel.failed.deleted.app_error",
    ):
        return f"not on team {team} in Mattermost: a team admin adds them to the team"
    if exc.error_id == "app.channel.add_member.deleted_user.app_error":
        return "deactivated in Mattermost"
    if exc.error_id == "app.user.missing_account.const":
        return "no such Mattermost user any more; check `mattermost:` in rotations/roster.yaml"
    if exc.status == 403:
        return (
            f"the bot may not add people to ~{channel.name} ({exc.vendor_message}); "
            "a channel admin adds them"
        )
    if exc.status in (400, 404):
        return exc.vendor_message
    return None
