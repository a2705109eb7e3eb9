"""Which targets exist. Adding a target is one module and one line here."""

from __future__ import annotations

from setops.targets.base import Target
from setops.targets.mattermost import MattermostTarget

TARGETS: dict[str, type[Target]] = {
    "mattermost": MattermostTarget,
}
