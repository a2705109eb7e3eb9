"""The configuration with proposed cycles added: for the load after a proposal, and the
text of rotations/set.yaml that `propose --write` writes (comments and layout kept)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from setops.config.edit import upsert_cycles
from setops.config.load import Config
from setops.config.models import Cycle, RotationFile
from setops.planning.propose import ProposedCycle


def extended(config: Config, cycles: Sequence[ProposedCycle]) -> Config:
    """`config` with `cycles` appended (not validated: the proposal keeps the rules)."""
    added = tuple(
        Cycle.model_validate(
            {
                "start": c.start,
                "lead": c.lead,
                "shifts": {s: {"primary": p, "backup": b} for s, (p, b) in c.shifts.items()},
            }
        )
        for c in cycles
    )
    return dataclasses.replace(config, cycles=(*config.cycles, *added))


def written(text: str, cycles: Sequence[ProposedCycle], weeks: int) -> str:
    """rotations/set.yaml's `text` with `cycles` appended, each with its `# to DATE`."""
    rows: list[Mapping[str, object]] = [
        {
            "start": c.start,
            "lead": c.lead,
            "shifts": dict(c.shifts),
            "comment": f"to {c.start + dt.timedelta(weeks=weeks)}",
        }
        for c in cycles
    ]
    return upsert_cycles(text, rows)


SET_FILE = RotationFile.FILE
