"""Mattermost as a target of `plan`/`apply`: the SET channel header shows who is on SET.

The header is patched only when its text would change, and only the part between setops'
markers is setops'; a header over Mattermost's limit is refused before anything is sent.
The bot joins the SET channel first when it is public and the bot is not in it.
"""

from __future__ import annotations

from functools import partial

from setops.config.models import HEADER_LIMIT, MattermostSettings
from setops.errors import SetopsError
from setops.plan import Change, FieldChange, TargetPlan
from setops.render.header import header_length, merge_header, owned_part, owned_text
from setops.targets.base import ApplyReport, Target
from setops.targets.mattermost.client import PUBLIC, ChannelRef, channel_ref, mattermost_client


def header_change(
    settings: MattermostSettings,
    current: str | None,
    owned: str,
    channel_id: str | None,
    channel_type: str = PUBLIC,
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
        payload={"channel_id": channel_id, "channel_type": channel_type, "header": merged},
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
        ref = channel_ref(channel, self.settings.channel)
        change = header_change(
            self.settings, str(channel.get("header") or ""), owned, ref.id, ref.type
        )
        return TargetPlan(self.name, (change,) if change else ())

    def apply(self, plan: TargetPlan) -> ApplyReport:
        """Patch the header; the bot first joins a public channel it is not in (changing
        a header needs membership), and a private one it is not in was refused by plan."""
        client = mattermost_client(self.context.env)
        report = ApplyReport(self.name)
        for change in plan.ordered():
            payload = change.payload
            channel = ChannelRef(
                payload["channel_id"], self.settings.channel, payload.get("channel_type", PUBLIC)
            )
            client.as_member(channel, partial(client.patch_header, channel.id, payload["header"]))
            report.done.append(change)
        report.requests = client.requests
        return report
