"""Round-trip edits of the config files (for `setops import`): comments and layout kept.

Values come in as plain data; the files are read and written with ruamel.yaml's round-trip
mode, so a reviewer's diff shows only the entries that changed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from setops.config.yamlio import round_trip_yaml

OVERRIDES_HEADER = (
    "# yaml-language-server: $schema=../schema/overrides.schema.json\n"
    "#\n"
    "# Overrides hand one role to someone else for a while. Times carry their UTC\n"
    "# offset and fall on :00 or :30.\n"
)


def _dump(data: Any) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(data, out)
    return out.getvalue()


def _pair(primary: str, backup: str) -> CommentedMap:
    pair = CommentedMap([("primary", primary), ("backup", backup)])
    pair.fa.set_flow_style()
    return pair


def upsert_cycles(text: str, cycles: Sequence[Mapping[str, Any]]) -> str:
    """`text` (rotations/set.yaml) with each cycle put in by its start date: an existing
    cycle gets the new people in place (its comments stay), a new one is inserted in order.

    A cycle is {"start": date, "lead": id, "shifts": {shift: (primary, backup)}}, and an
    optional "comment" written after a new cycle's start.
    """
    data = round_trip_yaml().load(text)
    entries: CommentedSeq = data["cycles"]
    for cycle in cycles:
        found = next((e for e in entries if str(e.get("start")) == str(cycle["start"])), None)
        if found is not None:
            found["lead"] = cycle["lead"]
            for shift, (primary, backup) in cycle["shifts"].items():
                current = found["shifts"].get(shift)
                if current is not None:
                    current["primary"], current["backup"] = primary, backup
                else:
                    found["shifts"][shift] = _pair(primary, backup)
            continue
        entry = CommentedMap(
            [
                ("start", cycle["start"]),
                ("lead", cycle["lead"]),
                ("shifts", CommentedMap((s, _pair(*p)) for s, p in cycle["shifts"].items())),
            ]
        )
        if cycle.get("comment"):
            entry.yaml_add_eol_comment(f"# {cycle['comment']}", "start")
        later = [i for i, e in enumerate(entries) if str(e.get("start")) > str(cycle["start"])]
        entries.insert(later[0] if later else len(entries), entry)
    return _dump(data)


def _instant(value: dt.datetime) -> Any:
    return SingleQuotedScalarString(value.isoformat())


def append_overrides(text: str | None, overrides: Sequence[Mapping[str, Any]]) -> str:
    """`text` (rotations/overrides.yaml, or None when there is none) with `overrides` added.

    An override is {"id", "role", "shift" (None for the lead), "person", "start", "end",
    "reason"}, the times aware datetimes.
    """
    data = round_trip_yaml().load(text) if text and text.strip() else None
    if data is None:
        data = CommentedMap([("overrides", CommentedSeq())])
    if data.get("overrides") is None:
        data["overrides"] = CommentedSeq()
    for o in overrides:
        entry = CommentedMap([("id", o["id"]), ("role", o["role"])])
        if o.get("shift") is not None:
            entry["shift"] = o["shift"]
        entry["person"] = o["person"]
        entry["start"], entry["end"] = _instant(o["start"]), _instant(o["end"])
        if o.get("reason"):
            entry["reason"] = o["reason"]
        data["overrides"].append(entry)
    body = _dump(data)
    return body if text and text.strip() else OVERRIDES_HEADER + body
