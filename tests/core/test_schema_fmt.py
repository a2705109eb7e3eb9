"""`setops schema` and `setops fmt`: committed schemas are current; formatting keeps comments."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from setops.commands.schema import render, schemas
from setops.config.yamlio import parse_document
from tests.conftest import REPO, Result

YAML_FILES = sorted(p for d in ("rotations", "policies") for p in (REPO / d).glob("*.yaml"))


def test_committed_schemas_are_current() -> None:
    for name, schema in schemas().items():
        committed = REPO / "schema" / name
        assert committed.read_text() == render(schema), "run `setops schema --write schema`"


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.name)
def test_each_file_points_editors_at_its_schema_and_satisfies_it(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=../schema/")
    schema_path = (path.parent / first.split("$schema=")[1]).resolve()
    schema = json.loads(schema_path.read_text())
    data = parse_document(path.name, path.read_bytes()).data
    jsonschema.validate(data, schema)


def test_schema_command_prints_every_schema(cli: Callable[..., Result]) -> None:
    data = json.loads(cli("schema").out)
    assert set(data) == {p.name for p in (REPO / "schema").glob("*.json")}
    assert data["roster.schema.json"]["properties"]["people"]["type"] == "array"


def test_fmt_check_passes_on_the_bundled_config(cli: Callable[..., Result]) -> None:
    assert cli("fmt", "--check", "--root", str(REPO)).code == 0


def test_fmt_rewrites_layout_and_keeps_comments(
    small_repo: Path, cli: Callable[..., Result]
) -> None:
    path = small_repo / "rotations/time-off.yaml"
    path.write_text(
        "# who is away\ntime_off:\n- person: emil   # a comment kept\n"
        "  first_day: 2026-12-01\n  last_day: 2026-12-04\n"
    )
    check = cli("fmt", "--check", "--root", str(small_repo))
    assert check.code == 1
    assert "1 file(s) not formatted; run `setops fmt`" in check.err
    assert cli("fmt", "--root", str(small_repo)).code == 0
    assert path.read_text() == (
        "# who is away\ntime_off:\n  - person: emil # a comment kept\n"
        "    first_day: 2026-12-01\n    last_day: 2026-12-04\n"
    )
    assert cli("fmt", "--check", "--root", str(small_repo)).code == 0
    assert cli("validate", "--root", str(small_repo)).code == 0


def test_fmt_refuses_broken_yaml_cleanly(small_repo: Path, cli: Callable[..., Result]) -> None:
    (small_repo / "rotations/time-off.yaml").write_text("time_off:\n\t- person: emil\n")
    result = cli("fmt", "--check", "--root", str(small_repo))
    assert result.code == 1
    assert result.err.startswith("rotations/time-off.yaml:2:1: tab in indentation; indent with")
