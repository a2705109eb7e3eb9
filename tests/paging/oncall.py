"""What `setops who` says should be on call, per paging schedule, to compare with a fake
(`Service.mismatches` turns the usernames into what the service names people by)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from setops.config.load import Config, load_config
from setops.schedule import compute_schedule

Role = str
_LOADED: dict[tuple[Path, float], Config] = {}


def _config(root: Path) -> Config:
    """The config at `root`, loaded once per version of its files."""
    stamp = max(p.stat().st_mtime for p in root.glob("*/*.yaml"))
    key = (root, stamp)
    if key not in _LOADED:
        _LOADED[key] = load_config(root)
    return _LOADED[key]


def expected(root: Path, instant: dt.datetime, layout: str = "per-role") -> dict[str, list[str]]:
    """Schedule name -> sorted usernames, from the schedule `setops who` reads."""
    config = _config(root)
    oncall = compute_schedule(config).at(instant)
    mail = {p.id: p.opsgenie for p in config.people}
    out: dict[str, list[str]] = {"SET Lead": [mail[oncall.lead.person]] if oncall.lead else []}
    for role in ("primary", "backup"):
        for shift in oncall.shifts:
            name = f"SET {role.title()}" + ("" if layout == "per-role" else f" {shift.name}")
            holder = shift.primary if role == "primary" else shift.backup
            people = out.setdefault(name, [])
            if shift.active and holder is not None:
                people.append(mail[holder.person])
    return {k: sorted(set(v)) for k, v in out.items()}


def every(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[dt.datetime]:
    out, instant = [], start
    while instant < end:
        out.append(instant)
        instant += step
    return out
