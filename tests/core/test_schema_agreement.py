"""The exported JSON Schema and `setops validate` give the same verdict wherever the schema can
express the rule: every invalid fixture goes through both, `check-jsonschema` reading the
files as an editor or CI tool would. The rules no schema of one file can express are listed,
each with the reason, and the test holds the list exact: a listed fixture must pass the
schema, an unlisted one must fail it in a file `validate` names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regress
from pydantic import TypeAdapter

from setops.commands.schema import render, schemas
from setops.config import formats
from setops.config.models import ClockTime, Date, Flag, HalfHourInstant, Id, TimeZoneName
from tests.conftest import FIXTURES, REPO

INVALID = FIXTURES / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())

_CROSS_FILE = "relates values of different files, and a schema sees one file"
_ACROSS_ITEMS = "relates items of a list to each other, which JSON Schema cannot compare"
_YAML_TEXT = (
    "a rule about the YAML text itself; the schema sees the data after YAML is read, and "
    "the YAML reader accepts it"
)
_TIME = "needs calendar or time-zone arithmetic on the values"
# Fixtures holding no YAML file (the CODEOWNERS ones) need no entry: no schema reads them.
_SECRET = (
    "a credential is recognised by its shape and entropy wherever it stands, comments "
    "included, which is no property of a value's type"
)
_JQL = (
    "JQL is a grammar (balanced parentheses and quotes, operators and reserved words by "
    "position), which a schema's regular expressions cannot parse"
)
SCHEMA_CANNOT_EXPRESS: dict[str, str] = {
    "credential_in_comment": _SECRET,
    "credential_in_url": _SECRET,
    "credential_value": _SECRET,
    "cycle_gap": _TIME + " (the previous cycle's end)",
    "cycle_off_boundary": _TIME + " (a date's weekday against the shift-change weekday)",
    "cycle_overlap": _TIME + " (the previous cycle's end)",
    "cycles_out_of_order": _ACROSS_ITEMS,
    "double_booked": _CROSS_FILE + " (cycles and overrides)",
    "duplicate_person_id": _ACROSS_ITEMS + " (ids are unique by one key, not whole items)",
    "escalation_not_increasing": _ACROSS_ITEMS,
    "invalid_timezone": (
        "whether a zone exists is the IANA database's to say: it changes with tzdata "
        "releases, so an enum would tie the schema to the machine that wrote it (the "
        "schema's pattern checks the name's shape)"
    ),
    "jql_no_operator": _JQL,
    "jql_no_value": _JQL,
    "jql_reserved_word_level": _JQL,
    "jql_reserved_word_priority_rule": _JQL,
    "jql_reserved_word_ticket_jql": _JQL,
    "jql_reserved_word_todo_jql": _JQL,
    "jql_unbalanced_parenthesis": _JQL,
    "jql_unclosed_quote": _JQL,
    "jql_unknown_operator": _JQL,
    "lead_cannot_lead": _CROSS_FILE + " (set.yaml's lead, roster.yaml's can_lead)",
    "merge_key": _YAML_TEXT + " (a merge key reads as the key '<<')",
    "override_end_before_start": "compares two values of one item (end after start)",
    "override_outside_cycles": _CROSS_FILE + " (overrides and cycles)",
    "override_same_person": _CROSS_FILE + " (overrides and cycles)",
    "override_zero_length": "compares two values of one item (end after start)",
    "priority_duplicate_rank": _ACROSS_ITEMS,
    "rotation_zone_quarter_hour": _TIME + " (the zone's offset on each shift change)",
    "scalar_alias": _YAML_TEXT + " (an alias reads as the value it repeats)",
    "shift_zone_quarter_hour": _TIME + " (the shift's hours in the rotation's zone)",
    "time_off_ends_before_it_starts": "compares two values of one item (last day after first)",
    "time_off_other_zone": _CROSS_FILE + " (time off, the person's zone and cycles)",
    "time_off_uncovered": _CROSS_FILE + " (time off, cycles and overrides)",
    "unknown_person": _CROSS_FILE + " (ids in set.yaml, people in roster.yaml)",
    "utf16_file": (
        "the file's encoding: check-jsonschema decodes UTF-16 by its byte-order mark, setops "
        "files are UTF-8 (git diffs and the YAML language server's default)"
    ),
    "unknown_team": _ACROSS_ITEMS + " (a person's team against the list of teams)",
}
# A YAML-text rule whose fixture is not given to the tool at all: check-jsonschema's YAML
# reader expands the "billion laughs" of aliases it holds, for minutes (setops refuses any
# alias before expanding one).
NOT_GIVEN_TO_THE_TOOL = {"alias_bomb": _YAML_TEXT}
# Not a fixture's rule but a difference of data models, stated once: JSON has one kind of
# number, so 20.0 and 20 are the same value to any schema, while `validate` refuses a
# whole number written with a fraction (`after_minutes: 20.0`), as a slip.


def check_jsonschema(schema: Path, files: list[Path]) -> dict[str, Any]:
    """Run the check-jsonschema of this venv on `files`; its JSON report."""
    tool = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(tool), "-o", "json", "--schemafile", str(schema), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schemas as `setops schema --write` exports them."""
    folder = tmp_path_factory.mktemp("schema")
    for name, schema in schemas().items():
        (folder / name).write_text(render(schema), encoding="utf-8")
    return folder


def fixture_files(case: str) -> list[Path]:
    return sorted(p for p in (INVALID / case).rglob("*.yaml") if p.parent.name != case)


def refused_by_schema(exported: Path, files: list[Path]) -> set[Path]:
    """The files the exported schemas refuse (or cannot read), one tool run per schema."""
    refused: set[Path] = set()
    by_schema: dict[str, list[Path]] = {}
    for path in files:
        by_schema.setdefault(f"{path.stem}.schema.json", []).append(path)
    for name, group in by_schema.items():
        report = check_jsonschema(exported / name, group)
        for entry in [*report.get("errors", []), *report.get("parse_errors", [])]:
            refused.add(Path(entry["filename"]))
    return refused


@pytest.fixture(scope="module")
def schema_verdicts(exported: Path) -> dict[str, set[str]]:
    """Per invalid fixture: the files (as `rotations/x.yaml`) the schema refuses."""
    files = [
        path for case in CASES if case not in NOT_GIVEN_TO_THE_TOOL for path in fixture_files(case)
    ]
    refused = refused_by_schema(exported, files)
    return {
        case: {str(p.relative_to(INVALID / case)) for p in fixture_files(case) if p in refused}
        for case in CASES
    }


def files_validate_names(case: str) -> set[str]:
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return {line.split(":", 1)[0] for line in expected if line.strip()}


@pytest.mark.parametrize("case", CASES)
def test_schema_and_validate_agree_on_every_invalid_fixture(
    case: str, schema_verdicts: dict[str, set[str]]
) -> None:
    """`validate` refuses every fixture (test_invalid_config asserts its messages); the
    schema must refuse it too, in a file validate names, unless the rule is listed."""
    if case in NOT_GIVEN_TO_THE_TOOL:
        pytest.skip(f"{case}: not given to check-jsonschema ({NOT_GIVEN_TO_THE_TOOL[case]})")
    refused = schema_verdicts[case]
    if case in SCHEMA_CANNOT_EXPRESS or not fixture_files(case):
        assert refused == set(), (
            f"{case}: the schema now refuses it; remove it from SCHEMA_CANNOT_EXPRESS"
        )
    else:
        assert refused, (
            f"{case}: validate refuses it, the exported schema accepts it: make the schema "
            "refuse it, or add it to SCHEMA_CANNOT_EXPRESS with the reason no schema can"
        )
        assert refused <= files_validate_names(case)


def test_cannot_express_list_names_only_fixtures_that_exist() -> None:
    assert set(SCHEMA_CANNOT_EXPRESS) | set(NOT_GIVEN_TO_THE_TOOL) <= set(CASES)


def test_issue_mismatches_each_have_a_fixture() -> None:
    """The disagreements issue 12 found, each a fixture both now refuse."""
    found = {
        "can_lead_yes",
        "can_lead_quoted_true",
        "can_lead_number",
        "shift_time_hour_25",
        "shift_time_not_half_hour",
        "override_lead_with_shift",
        "override_primary_without_shift",
        "date_no_such_day",
    }
    assert found <= set(CASES) and not found & set(SCHEMA_CANNOT_EXPRESS)


def test_valid_configurations_satisfy_the_exported_schema(exported: Path) -> None:
    files = [
        path
        for root in (FIXTURES / "base", REPO)
        for folder in ("rotations", "policies")
        for path in sorted((root / folder).glob("*.yaml"))
    ]
    assert len(files) >= 16
    assert refused_by_schema(exported, files) == set()


# Values at the edge of each written form: (type, schema of the property, value, valid).
_PROPERTY = {
    "Flag": ("roster.schema.json", "Person", "can_lead"),
    "ClockTime": ("set.schema.json", "Shift", "start"),
    "Date": ("time-off.schema.json", "TimeOff", "first_day"),
    "HalfHourInstant": ("overrides.schema.json", "Override", "start"),
    "Id": ("roster.schema.json", "Person", "id"),
    "TimeZoneName": ("roster.schema.json", "Person", "timezone"),
}
_TYPES: dict[str, Any] = {
    "Flag": Flag,
    "ClockTime": ClockTime,
    "Date": Date,
    "HalfHourInstant": HalfHourInstant,
    "Id": Id,
    "TimeZoneName": TimeZoneName,
}
EDGES: list[tuple[str, Any, bool]] = [
    ("Flag", True, True),
    ("Flag", False, True),
    ("Flag", "yes", False),
    ("Flag", "true", False),
    ("Flag", 1, False),
    ("Flag", 0, False),
    ("ClockTime", "00:00", True),
    ("ClockTime", "23:30", True),
    ("ClockTime", "24:00", False),
    ("ClockTime", "25:00", False),
    ("ClockTime", "09:15", False),
    ("ClockTime", "9:00", False),
    ("ClockTime", " 09:00", False),
    ("ClockTime", "09:00\n", False),
    ("ClockTime", "\uff10\uff19:\uff10\uff10", False),  # full-width digits: \d takes them
    ("Date", "2026-12-14", True),
    ("Date", "2028-02-29", True),
    ("Date", "2027-02-29", False),
    ("Date", "2027-02-30", False),
    ("Date", "2026-13-01", False),
    ("Date", "2026-12-1", False),
    ("Date", " 2026-12-14", False),
    ("HalfHourInstant", "2026-12-16T09:00:00+01:00", True),
    ("HalfHourInstant", "2026-12-16T09:30:00Z", True),
    ("HalfHourInstant", "2026-12-16T14:45:00+05:45", True),  # 09:00 UTC
    ("HalfHourInstant", "2026-12-16T14:00:00+05:45", False),  # 08:15 UTC
    ("HalfHourInstant", "2026-12-16T09:15:00+01:00", False),
    ("HalfHourInstant", "2026-12-16T09:00:30+01:00", False),
    ("HalfHourInstant", "2026-12-16T09:00+01:00", False),
    ("HalfHourInstant", "2026-12-16 09:00:00+01:00", False),
    ("HalfHourInstant", "2026-12-16T09:00:00", False),
    ("HalfHourInstant", "2027-02-30T09:00:00+01:00", False),
    ("HalfHourInstant", "2026-12-16T24:00:00+01:00", False),
    ("Id", "amy", True),
    ("Id", "a" * 64, True),
    ("Id", "a" * 65, False),
    ("Id", "Amy", False),
    ("Id", " amy", False),
    ("Id", "amy\n", False),
    ("Id", "ämy", False),
    ("TimeZoneName", "Europe/Berlin", True),
    ("TimeZoneName", "America/Argentina/Buenos_Aires", True),
    ("TimeZoneName", "Etc/GMT+5", True),
    ("TimeZoneName", "UTC", True),
    ("TimeZoneName", "CET", False),
    ("TimeZoneName", " Europe/Berlin", False),
]


def property_schema(exported: Path, type_name: str) -> dict[str, Any]:
    """The exported schema of one property, resolvable on its own."""
    file, model, field = _PROPERTY[type_name]
    whole = json.loads((exported / file).read_text(encoding="utf-8"))
    return {**whole["$defs"][model]["properties"][field], "$defs": whole["$defs"]}


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """`pattern` as JSON Schema defines it (ECMA-262, as check-jsonschema and editors read
    it): Python's `re`, which jsonschema uses, also lets `$` match before a final newline."""
    if validator.is_type(instance, "string") and not regress.Regex(pattern, flags="u").find(
        instance
    ):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def verdicts(exported: Path, type_name: str, value: Any) -> tuple[bool, bool]:
    """(validate accepts, schema accepts) for one value of one property."""
    try:
        TypeAdapter(_TYPES[type_name]).validate_python(value)
        by_validate = True
    except ValueError:
        by_validate = False
    validator = EcmaValidator(
        property_schema(exported, type_name),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    return by_validate, validator.is_valid(value)


@pytest.mark.parametrize(("type_name", "value", "valid"), EDGES)
def test_schema_and_validate_agree_on_edge_values(
    exported: Path, type_name: str, value: Any, valid: bool
) -> None:
    assert verdicts(exported, type_name, value) == (valid, valid)


def half_hour_cases() -> Iterator[str]:
    for minute in range(60):
        yield f"2026-12-16T09:{minute:02d}:00Z"
        for sign in "+-":
            for offset_minute in range(60):
                yield f"2026-12-16T09:{minute:02d}:00{sign}05:{offset_minute:02d}"


def test_instant_pattern_is_exactly_the_half_hour_rule() -> None:
    """Every minute against every offset minute: the schema's pattern accepts exactly the
    instants whose UTC time validate finds on :00 or :30."""
    adapter = TypeAdapter(HalfHourInstant)
    disagree = []
    for text in half_hour_cases():
        try:
            adapter.validate_python(text)
            accepted = True
        except ValueError:
            accepted = False
        if accepted != formats.matches(formats.INSTANT, text):
            disagree.append(text)
    assert disagree == []


def every_property(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            if isinstance(value, dict) and "if" not in where:
                yield f"{where}/{name}", value
        for key, value in node.items():
            if key not in ("if", "then", "not"):
                yield from every_property(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from every_property(item, f"{where}/{index}")


def test_every_property_of_the_schema_has_a_description() -> None:
    missing = [
        f"{name}{where}"
        for name, schema in schemas().items()
        for where, prop in every_property(schema)
        if not prop.get("description")
    ]
    assert missing == []
