"""Issue 12 §1, generically: no value of any config file can change without the diff saying so.

The comparison is of the validated models, field by field; these tests change every value the
bundled configuration holds, one at a time, and add a file and a section the models do not
have today, as the next feature will.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from setops.config.load import Config, load_config
from setops.config.models import IntegrationsFile, Node
from setops.config_changes import (
    NOT_BEHAVIOUR,
    ValueChange,
    by_section,
    comment_only_files,
    config_changes,
    section_of,
)
from tests.conftest import ORG

Path = tuple[str | int, ...]


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ORG)


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any, bool]]:
    """Every scalar under `value`: its path, the value, and whether it is behaviour."""
    if isinstance(value, Node):
        for name in type(value).model_fields:
            for found, leaf, behaviour in leaves(getattr(value, name), (*path, name)):
                yield found, leaf, behaviour and (type(value), name) not in NOT_BEHAVIOUR
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif value is not None:
        yield path, value, True


def other(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(minutes=30)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    return f"{value}-changed"


def replaced(value: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, Node):
        assert isinstance(head, str)
        return value.model_copy(update={head: replaced(getattr(value, head), rest, new)})
    if isinstance(value, list | tuple):
        assert isinstance(head, int)
        items = list(value)
        items[head] = replaced(items[head], rest, new)
        return type(value)(items)
    assert isinstance(value, dict)
    return {**value, head: replaced(value[head], rest, new)}


def with_file(config: Config, name: str, model: Node) -> Config:
    return dataclasses.replace(config, models={**config.models, name: model})


def test_every_value_of_every_file_is_compared(config: Config) -> None:
    count = 0
    for name, model in config.models.items():
        for path, value, behaviour in leaves(model):
            if name == IntegrationsFile.FILE and path[0] == "opsgenie":
                continue  # the older spelling, compared as paging:
            changed = with_file(config, name, replaced(model, path, other(value)))
            found = config_changes(config, changed)
            assert found and all(c.file == name for c in found), (name, path, found)
            assert all(c.behaviour == behaviour for c in found), (path, found)
            if (path[-1] in ("id", "name", "start") or isinstance(path[-1], int)) and len(
                found
            ) == 2:
                # An item's identity (or a plain list value) changed: one gone, one added.
                assert (found[0].after, found[1].before) == (None, None), (path, found)
            else:
                assert len(found) == 1, (name, path, found)
                assert None not in (found[0].before, found[0].after), (path, found)
            count += 1
    assert count > 350  # the bundled configuration's every value, not a handful


def test_reason_texts_are_the_only_values_not_behaviour(config: Config) -> None:
    reasons = {(model.__name__, field) for model, field in NOT_BEHAVIOUR}
    assert reasons == {
        ("Override", "reason"),
        ("TimeOff", "reason"),
        ("PriorityRule", "description"),
    }


def test_new_config_file_gets_a_section_of_its_own(config: Config) -> None:
    class Rules(Node):
        min_gap_weeks: int
        spread: bool = True

    before = with_file(config, "policies/rules.yaml", Rules(min_gap_weeks=4))
    after = with_file(config, "policies/rules.yaml", Rules(min_gap_weeks=6))
    (change,) = config_changes(before, after)
    assert (change.field, change.before, change.after) == ("min_gap_weeks", "4", "6")
    assert section_of(change) == "policies/rules.yaml: min_gap_weeks"
    # A file with no defaults for everything reads as added whole.
    added = config_changes(config, after)
    assert [(c.file, c.before, c.after) for c in added] == [
        ("policies/rules.yaml", None, "{min_gap_weeks: 6, spread: true}")
    ]


def test_added_planning_file_shows_only_values_off_their_defaults(config: Config) -> None:
    from setops.config.models import PlanningFile

    without = dataclasses.replace(
        config, models={k: v for k, v in config.models.items() if k != PlanningFile.FILE}
    )
    after = with_file(config, PlanningFile.FILE, PlanningFile(min_gap_cycles=3))
    (change,) = config_changes(without, after)
    assert (section_of(change), change.field, change.before, change.after) == (
        "Planning rules (setops propose)",
        "min_gap_cycles",
        "1",
        "3",
    )


def test_new_integrations_section_is_what_its_target_is_told(config: Config) -> None:
    base = config.integrations.model_dump()
    section = {"cycle_playbook": "SET cycle", "incident_playbook": "Support incident"}
    old = IntegrationsFile.model_validate({**base, "playbooks": section})
    new = IntegrationsFile.model_validate(
        {**base, "playbooks": {**section, "cycle_playbook": "SET week"}}
    )
    changes = config_changes(
        with_file(config, IntegrationsFile.FILE, old), with_file(config, IntegrationsFile.FILE, new)
    )
    assert [(section_of(c), c.field, c.before, c.after) for c in changes] == [
        ("What playbooks is told", "playbooks.cycle_playbook", '"SET cycle"', '"SET week"')
    ]


def test_sections_come_in_the_order_a_reviewer_reads(config: Config) -> None:
    shifted = ValueChange(
        "rotations/set.yaml", ("rotation", "shifts", "amer", "end"), "", "", "a", "b"
    )
    person = ValueChange("rotations/roster.yaml", ("people", "ana", "team"), "", "", "a", "b")
    extra = ValueChange("policies/rules.yaml", ("gap",), "", "", "a", "b")
    escalation = ValueChange("policies/escalation.yaml", ("x",), "", "", "a", "b")
    titles = [t for t, _ in by_section([extra, person, escalation, shifted])]
    assert titles == [
        "Shift hours, days and time zones",
        "Escalation",
        "People",
        "policies/rules.yaml: gap",
    ]


def test_codeowners_rules_are_compared(config: Config) -> None:
    assert config.codeowners is not None
    path, text = config.codeowners
    after = dataclasses.replace(config, codeowners=(path, text + "/policies/ @example-org/sre\n"))
    (change,) = config_changes(config, after)
    assert (section_of(change), change.after) == (
        f"Who must approve ({path})",
        '"/policies/ @example-org/sre"',
    )


def test_same_values_in_other_words_are_comment_only(config: Config) -> None:
    assert comment_only_files(config, config, []) == []
