"""Who may do what in the fake Mattermost: the default roles and how a channel permission
is decided.

From the server (mattermost/mattermost): the permissions of the built-in roles are
``MakeDefaultRoles`` in ``server/public/model/role.go`` (only the ones the fake's handlers
ask about are listed); ``SessionHasPermissionToChannel`` in
``server/channels/app/authorization.go`` checks the roles of the user's channel membership
and, when the user is not in the channel, falls back to the roles of their team
membership; a system admin holds every permission.

So a team member who is not in a channel may read a public channel and its posts
(``read_public_channel``) and add themselves to it (``join_public_channels``), but not read
its members, post, change its header or add anyone else: those are channel-role
permissions, which only channel members (and system admins) hold.
"""

from __future__ import annotations

from typing import Final, Literal

READ_CHANNEL: Final = "read_channel"
READ_PUBLIC_CHANNEL: Final = "read_public_channel"
JOIN_PUBLIC_CHANNELS: Final = "join_public_channels"
CREATE_POST: Final = "create_post"
MANAGE_TEAM: Final = "manage_team"
VIEW_TEAM: Final = "view_team"

CHANNEL_USER: Final = frozenset(
    {
        READ_CHANNEL,
        "read_channel_content",
        CREATE_POST,
        "manage_public_channel_members",
        "manage_private_channel_members",
        "manage_public_channel_properties",
        "manage_private_channel_properties",
        "delete_public_channel",
        "delete_private_channel",
    }
)
TEAM_USER: Final = frozenset(
    {
        "list_team_channels",
        JOIN_PUBLIC_CHANNELS,
        READ_PUBLIC_CHANNEL,
        VIEW_TEAM,
        "create_public_channel",
        "create_private_channel",
        "invite_user",
        "add_user_to_team",
    }
)

ChannelType = Literal["O", "P"]


def manage_members(channel_type: ChannelType) -> str:
    """The permission to add other people to a channel of this type."""
    if channel_type == "O":
        return "manage_public_channel_members"
    return "manage_private_channel_members"


def manage_properties(channel_type: ChannelType) -> str:
    """The permission to change a channel's header, purpose or name."""
    if channel_type == "O":
        return "manage_public_channel_properties"
    return "manage_private_channel_properties"


def has_team_permission(*, admin: bool, on_team: bool, permission: str) -> bool:
    """SessionHasPermissionToTeam with the default scheme."""
    return admin or (on_team and permission in TEAM_USER)


def has_channel_permission(
    *, admin: bool, on_team: bool, in_channel: bool, permission: str
) -> bool:
    """SessionHasPermissionToChannel: the channel roles of a member, else the team roles."""
    if admin or (in_channel and permission in CHANNEL_USER):
        return True
    return has_team_permission(admin=admin, on_team=on_team, permission=permission)


def roles(*, admin: bool) -> str:
    return "system_user system_admin" if admin else "system_user"
