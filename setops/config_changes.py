"""What a change to the configuration changes, value by value: the review's view of a diff.

Pure: two Configs in, a list of `ValueChange`s out. The comparison walks the validated models of
every config file field by field, so a section or file added to the models later is compared
without code here; only the few fields that change no behaviour are named (`NOT_BEHAVIOUR`).
Lists are matched by their items' ids (or names, or start dates) where those are unique, and
otherwise by content, so inserting one item reads as one item added, not as every later one
changed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from setops.config.load import Config
from setops.config.models import IntegrationsFile, Node, Override, PriorityRule, TimeOff

# Fields whose values no service, schedule or handover acts on: text for the people reading
# the file. A change to one is listed, marked as not behaviour, and never alone makes the
# preview say that behaviour changed.
NOT_BEHAVIOUR: frozenset[tuple[type[Node], str]] = frozenset(
    {(Override, "reason"), (TimeOff, "reason"), (PriorityRule, "description")}
)
# Fields that identify a list item, in the order tried; the first unique in both lists wins.
KEY_FIELDS = ("id", "name", "start")


class _NotSet:
    def __str__(self) -> str:
        return "not set"


NOT_SET = _NotSet()  # an optional field left out (so its default, often "all" or "none")


@dataclass(frozen=True)
class ValueChange:
    """One value that differs: `before` is None when it was added, `after` when removed.

    `file` and `path` say where (the path from the file's top: keys, ids, 1-based
    positions); `subject` and `field` say it for a reader.
    """

    file: str
    path: tuple[str, ...]
    subject: str
    field: str
    before: str | None
    after: str | None
    behaviour: bool = True


def config_changes(before: Config, after: Config) -> list[ValueChange]:
    """Every value that differs between two configurations, file by file in a fixed order."""
    out: list[ValueChange] = []
    names = list(before.models)
    names += [n for n in after.models if n not in names]
    for name in names:
        old, new = before.models.get(name), after.models.get(name)
        old, new = (
            _view(old if old is not None else _defaults(new)),
            _view(new if new is not None else _defaults(old)),
        )
        _compare(_Walk(name, out), _At(), old, new)
    out.extend(_codeowners(before.codeowners, after.codeowners))
    return out


def comment_only_files(before: Config, after: Config, changes: Sequence[ValueChange]) -> list[str]:
    """Files whose text differs while none of their values do: comments, layout, quoting."""
    changed = {c.file for c in changes}
    names = sorted(set(before.documents) | set(after.documents))
    return [
        n
        for n in names
        if n not in changed
        and n in before.documents
        and n in after.documents
        and before.documents[n].text != after.documents[n].text
    ]


def _defaults(present: Node | None) -> Node | None:
    """What an optional file that is not there means: its model with every default (so adding
    policies/planning.yaml shows only the values that differ from its defaults), or nothing
    when the model has no defaults for everything."""
    if present is None:
        return None
    try:
        return type(present)()
    except ValidationError:
        return None


def _view(model: Node | None) -> Node | None:
    """The model as it acts: `opsgenie:` is the older spelling of `paging:`, so moving from
    one to the other changes nothing."""
    if isinstance(model, IntegrationsFile):
        return model.model_copy(update={"paging": model.paging_settings(), "opsgenie": None})
    return model


@dataclass(frozen=True)
class _Walk:
    file: str
    out: list[ValueChange]

    def add(self, at: _At, before: Any, after: Any) -> None:
        shown = (None if before is None else show(before), None if after is None else show(after))
        self.out.append(
            ValueChange(self.file, at.path, at.subject, at.field, *shown, behaviour=at.behaviour)
        )


@dataclass(frozen=True)
class _At:
    """Where the walk stands: the path, the item it is in (`subject`) and the field in it."""

    path: tuple[str, ...] = ()
    subject: str = ""
    field: str = ""
    behaviour: bool = True

    def into_field(self, name: str, behaviour: bool = True) -> _At:
        field = f"{self.field}.{name}" if self.field else name
        return _At((*self.path, name), self.subject, field, self.behaviour and behaviour)

    def into_item(self, part: str, label: str) -> _At:
        subject = f"{self.subject}, {label}" if self.subject else label
        return _At((*self.path, part), subject, "", self.behaviour)


def _compare(walk: _Walk, at: _At, old: Any, new: Any) -> None:
    if old == new:
        return
    if old is None or new is None:
        walk.add(at, old, new)
    elif isinstance(old, Node) and type(old) is type(new):
        for name in type(old).model_fields:
            keeps = (type(old), name) not in NOT_BEHAVIOUR
            a, b = getattr(old, name), getattr(new, name)
            if (a is None) != (b is None):  # a field set or unset: changed, not added
                a, b = (NOT_SET if a is None else a), (NOT_SET if b is None else b)
            _compare(walk, at.into_field(name, keeps), a, b)
    elif isinstance(old, list | tuple) and isinstance(new, list | tuple):
        _compare_lists(walk, at, list(old), list(new))
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            _compare(walk, at.into_field(str(key)), old.get(key), new.get(key))
    else:
        walk.add(at, old, new)


def _compare_lists(walk: _Walk, at: _At, old: list[Any], new: list[Any]) -> None:
    key = _key_field(old, new)
    if key is None:
        _compare_sequences(walk, at, old, new)
        return
    old_by = {str(getattr(item, key)): item for item in old}
    new_by = {str(getattr(item, key)): item for item in new}
    for name in [*old_by, *(k for k in new_by if k not in old_by)]:
        item = old_by.get(name, new_by.get(name))
        here = at.into_item(name, f"{noun(item)} {name}")
        _compare(walk, here, old_by.get(name), new_by.get(name))
    common_old = [k for k in old_by if k in new_by]
    common_new = [k for k in new_by if k in old_by]
    if common_old != common_new:
        walk.add(at.into_field("order"), common_old, common_new)


def _compare_sequences(walk: _Walk, at: _At, old: list[Any], new: list[Any]) -> None:
    """Items without ids, matched by content; a replaced run of equal length is compared
    item by item (a step whose delay changed reads as that step changed). Plain values
    (channel names, say) are listed as added or removed under the list's own name."""
    matcher = difflib.SequenceMatcher(a=[show(x) for x in old], b=[show(x) for x in new])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1 and isinstance(new[j1], Node):
            for offset in range(i2 - i1):
                i, j = i1 + offset, j1 + offset
                _compare(walk, at.into_item(str(j + 1), f"{noun(new[j])} {j + 1}"), old[i], new[j])
            continue
        for i in range(i1, i2):
            walk.add(_item(at, old[i], i), old[i], None)
        for j in range(j1, j2):
            walk.add(_item(at, new[j], j), None, new[j])


def _item(at: _At, value: Any, index: int) -> _At:
    if isinstance(value, Node):
        return at.into_item(str(index + 1), f"{noun(value)} {index + 1}")
    return _At((*at.path, str(index + 1)), at.subject, at.field, at.behaviour)


def _key_field(old: list[Any], new: list[Any]) -> str | None:
    items = [*old, *new]
    if not items or not all(isinstance(x, Node) for x in items):
        return None
    for key in KEY_FIELDS:
        if all(key in type(x).model_fields for x in items) and all(
            len({getattr(x, key) for x in side}) == len(side) for side in (old, new)
        ):
            return key
    return None


def noun(value: Any) -> str:
    """What a list item is, in words: an EscalationStep is an 'escalation step'."""
    if not isinstance(value, Node):
        return "item"
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(value).__name__).lower()


def show(value: Any) -> str:
    """A value as YAML would write it in flow style: true, 20:00, {notify: lead, ...}."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Node):
        return show(value.model_dump(exclude_none=True))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if (isinstance(value, str) and _NEEDS_QUOTES.search(value)) or value == "":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# Text that would not read as one plain value: spaces, YAML's indicators, nothing at all.
_NEEDS_QUOTES = re.compile(r"""^$|\s|[,{}\[\]'"]|^[#&*!|>%@`-]""")


def _codeowners(before: tuple[str, str] | None, after: tuple[str, str] | None) -> list[ValueChange]:
    """CODEOWNERS says who must approve a change: its rules, line by line."""
    old = _rules(before[1]) if before else []
    new = _rules(after[1]) if after else []
    out: list[ValueChange] = []
    _compare_sequences(
        _Walk((after or before or ("CODEOWNERS", ""))[0], out), _At(field="rule"), old, new
    )
    return out


def _rules(text: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [" ".join(line.split()) for line in lines if line]


# The sections a review reads, in this order: (file, path prefix, title). A change goes to the
# first whose prefix its path starts with; one in a file or section not named here gets a
# section of its own (see `section_of`), so nothing is left out.
SECTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("rotations/set.yaml", ("rotation", "shift_change"), "Shift change and handover run"),
    ("rotations/set.yaml", ("rotation", "handover_run"), "Shift change and handover run"),
    ("rotations/set.yaml", ("rotation",), "Shift hours, days and time zones"),
    ("policies/escalation.yaml", (), "Escalation"),
    ("policies/priorities.yaml", (), "Priority rules and levels"),
    ("policies/integrations.yaml", ("paging",), "What the paging service is told"),
    ("policies/integrations.yaml", ("mattermost",), "What Mattermost is told"),
    ("policies/integrations.yaml", ("jira",), "What Jira is told"),
    ("policies/integrations.yaml", ("github",), "What GitHub is told"),
    ("policies/handover.yaml", (), "Handover checklist and timing"),
    ("policies/planning.yaml", (), "Planning rules (setops propose)"),
    ("rotations/roster.yaml", ("people",), "People"),
    ("rotations/roster.yaml", ("teams",), "Teams"),
    ("rotations/time-off.yaml", (), "Time off"),
    ("rotations/set.yaml", ("cycles",), "Cycles"),
    ("rotations/overrides.yaml", (), "Overrides"),
)


def section_of(change: ValueChange) -> str:
    """The title of the section a change is shown in."""
    for file, prefix, title in SECTIONS:
        if change.file == file and change.path[: len(prefix)] == prefix:
            return title
    if change.file == "policies/integrations.yaml" and change.path:
        return f"What {change.path[0]} is told"
    if change.file.endswith("CODEOWNERS"):
        return f"Who must approve ({change.file})"
    return f"{change.file}: {change.path[0]}" if change.path else change.file


def by_section(changes: Sequence[ValueChange]) -> list[tuple[str, list[ValueChange]]]:
    """Changes grouped by section, the sections in `SECTIONS` order, then any others."""
    order = {title: i for i, (_, _, title) in reversed(list(enumerate(SECTIONS)))}
    groups: dict[str, list[ValueChange]] = {}
    for change in changes:
        groups.setdefault(section_of(change), []).append(change)
    ranked = sorted(groups, key=lambda t: order.get(t, len(order)))
    return [(title, groups[title]) for title in ranked]
