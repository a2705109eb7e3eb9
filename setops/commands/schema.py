"""`setops schema`: the JSON Schema of every config file, for editors and other tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from setops.config.models import FILE_MODELS, schema_name
from setops.errors import SetopsError


def schemas() -> dict[str, dict[str, Any]]:
    """Schema file name -> JSON Schema, for every config file."""
    out = {}
    for model in FILE_MODELS:
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = str(model.FILE)
        out[schema_name(model)] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_of(name: str) -> tuple[str, dict[str, Any]]:
    """The schema of one config file, named as the file (`rotations/roster.yaml`,
    `roster.yaml`, `roster`) or as its schema (`roster.schema.json`)."""
    all_schemas = schemas()
    wanted = name.strip().rsplit("/", 1)[-1].removesuffix(".schema.json")
    wanted = wanted.removesuffix(".yaml").removesuffix(".yml")
    for schema_file, schema in all_schemas.items():
        if schema_file.removesuffix(".schema.json") == wanted:
            return schema_file, schema
    known = ", ".join(str(model.FILE) for model in FILE_MODELS)
    raise SetopsError(f"--file {name}: no such config file; the files are: {known}")


@click.command("schema")
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one <file>.schema.json per config file into this directory.",
)
@click.option(
    "--file",
    "file_name",
    metavar="NAME",
    help="Print only the schema of this file, e.g. rotations/roster.yaml (or roster).",
)
def command(write_dir: Path | None, file_name: str | None) -> int:
    """Print (or --write) the JSON Schema of every file in rotations/ and policies/.

    The YAML files point at them with a `# yaml-language-server: $schema=` line, so
    editors complete keys and flag typos as you type. --file NAME prints one file's
    schema as `setops schema --write` writes it.
    """
    if file_name is not None:
        if write_dir is not None:
            raise SetopsError("--file and --write: give one (--write writes every schema)")
        click.echo(render(schema_of(file_name)[1]), nl=False)
        return 0
    all_schemas = schemas()
    if write_dir is None:
        click.echo(json.dumps(all_schemas, indent=2, ensure_ascii=False))
        return 0
    try:
        write_dir.mkdir(parents=True, exist_ok=True)
        for name, schema in all_schemas.items():
            (write_dir / name).write_text(render(schema), encoding="utf-8")
            click.echo(f"wrote {write_dir / name}")
    except OSError as exc:
        where = exc.filename or write_dir
        raise SetopsError(f"--write: cannot write {where}: {exc.strerror}") from None
    return 0
