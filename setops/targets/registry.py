"""Which targets exist. Adding a target is one module and one line here."""

from __future__ import annotations

from setops.targets.base import Target
from setops.targets.mattermost.target import MattermostTarget
from setops.targets.paging.jsm_ops.backend import JsmOpsTarget
from setops.targets.paging.opsgenie.backend import OpsGenieTarget

TARGETS: dict[str, type[Target]] = {
    "opsgenie": OpsGenieTarget,
    "jsm-ops": JsmOpsTarget,
    "mattermost": MattermostTarget,
}
