"""What `setops who` says should be on call, per schedule, as JSM account ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.fakes.jsm_ops import FakeJsmOps
from tests.jsm_ops.conftest import accounts
from tests.opsgenie.oncall import expected


def mismatches(
    fake: FakeJsmOps, root: Path, instants: Iterable[dt.datetime], layout: str = "per-role"
) -> Iterator[str]:
    """Every (instant, schedule) where the fake's on-call answer differs from setops'."""
    ids = accounts(root)
    for instant in instants:
        for schedule, want in expected(root, instant, layout).items():
            wanted = sorted(ids[u.lower()] for u in want)
            got = sorted(fake.on_call(schedule, instant))
            if got != wanted:
                yield f"{instant.isoformat()} {schedule}: JSM {got}, setops {wanted}"
