"""`setops who` output: who is lead, primary and backup of each shift at one instant."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from setops.config.load import Config
from setops.config.models import zone
from setops.render.people import iso, person_json, person_text, when
from setops.schedule import OnCall, Slot


def _holder(config: Config, slot: Slot | None) -> Any:
    return person_json(config.person(slot.person)) if slot else None


def _override(slot: Slot | None) -> str | None:
    """The id of the override that puts the holder there (the text shows it too), or None."""
    return slot.override if slot else None


def oncall_json(config: Config, oncall: OnCall, tz: ZoneInfo | None = None) -> str:
    cycle, tz = oncall.cycle, tz or zone(config.rotation.timezone)
    data = {
        "at": iso(oncall.at, tz),
        "rotation": config.rotation.name,
        "cycle": {"start": iso(cycle.start, tz), "end": iso(cycle.end, tz)} if cycle else None,
        "lead": _holder(config, oncall.lead),
        "lead_override": _override(oncall.lead),
        "shifts": [
            {
                "name": shift.name,
                "active": shift.active,
                "primary": _holder(config, shift.primary),
                "primary_override": _override(shift.primary),
                "backup": _holder(config, shift.backup),
                "backup_override": _override(shift.backup),
            }
            for shift in oncall.shifts
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def oncall_text(config: Config, oncall: OnCall, tz: ZoneInfo | None = None) -> str:
    cycle, tz = oncall.cycle, tz or zone(config.rotation.timezone)
    lines = [f"{config.rotation.name} at {when(oncall.at, tz)} ({tz.key})"]
    if cycle:
        lines.append(f"cycle    {when(cycle.start, tz)} to {when(cycle.end, tz)}")
    lines.append(f"lead     {_who(config, oncall.lead)}")
    for shift in oncall.shifts:
        hours = next(s for s in config.rotation.shifts if s.name == shift.name)
        state = "on now" if shift.active else "off hours"
        lines.append(f"{shift.name:<8} {hours.start}-{hours.end} {hours.timezone} ({state})")
        lines.append(f"  primary  {_who(config, shift.primary)}")
        lines.append(f"  backup   {_who(config, shift.backup)}")
    return "\n".join(lines)


def _who(config: Config, slot: Slot | None) -> str:
    if slot is None:
        return "nobody"
    text = person_text(config, slot.person)
    return f"{text}  [override {slot.override}]" if slot.override else text
