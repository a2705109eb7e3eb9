"""Line-aware YAML: parse one file into plain data plus the place of every key and value.

Reading composes the node tree with libyaml (through PyYAML's C parser: a large
organisation's files parse in a fraction of a second, where ruamel.yaml's pure-Python
parser takes seconds), turns it into plain Python values for pydantic, and keeps every
node's line and column in a side table keyed by the value's path, e.g.
("cycles", 3, "lead"). Writing (`setops fmt`) uses round-trip ruamel.yaml, which keeps
comments.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml import YAML

from setops.errors import ConfigError, Location, Problem

Path = tuple[str | int, ...]


def round_trip_yaml() -> YAML:
    """The round-trip YAML instance `setops fmt` reads and writes with, comments kept."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.preserve_quotes = True
    return yaml


@dataclass
class Document:
    """One parsed file: plain data and where each part of it stands."""

    path: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: Path, *, key: bool = False) -> Location:
        """The place of the value (or key) at `path`, or of its nearest known parent."""
        table = self.keys if key else self.values
        if path in table:
            line, col = table[path]
            return Location(self.path, line, col)
        while path:
            path = path[:-1]
            if path in self.values:
                line, col = self.values[path]
                return Location(self.path, line, col)
        return Location(self.path, 1, 1)


def parse_document(path: str, raw: bytes) -> Document:
    """Parse `raw` (the bytes of file `path`); raise ConfigError with a place on any defect."""
    text = _decode(path, raw)
    _refuse_tabs(path, text)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ConfigError([Problem(Location(path), "the file is empty; expected a mapping")])
    try:
        tree = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_marked_problem(path, exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    if not isinstance(tree, yaml.MappingNode):
        kind = (
            "nothing"
            if tree is None
            else "a list"
            if isinstance(tree, yaml.SequenceNode)
            else "a single value"
        )
        raise ConfigError([Problem(Location(path), f"expected a mapping at the top, found {kind}")])
    doc = Document(path, None)
    doc.data = _Plain(doc).convert(tree, ())
    return doc


def _decode(path: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise ConfigError([Problem(Location(path, line, col), message)]) from None
    return text.removeprefix("\ufeff")


def _refuse_tabs(path: str, text: str) -> None:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            col = indent.index("\t") + 1
            problems.append(
                Problem(Location(path, number, col), "tab in indentation; indent with spaces")
            )
    if problems:
        raise ConfigError(problems)


def _marked_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    return Problem(where, f"invalid YAML: {exc.problem or exc.context or 'syntax error'}")


class _Plain:
    """Converts the node tree to plain data, recording places; refuses aliases and repeats.

    Scalars are typed by YAML 1.2 core-schema rules (as ruamel.yaml reads them), not
    PyYAML's YAML 1.1 ones: `12:30` stays a string, `no` is not false, dates stay text.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def convert(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.seen:
                message = (
                    "this anchored value is repeated through an alias (*name); "
                    "setops files allow no aliases: write values out"
                )
                raise ConfigError([Problem(self.doc.at(path), message)])
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path)
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | bool) or key_node.tag == "tag:yaml.org,2002:merge":
                raise ConfigError(
                    [Problem(_at(self.doc.path, key_node), "keys must be plain words")]
                )
            child = (*path, str(key))
            if key in out:
                first = self.doc.at(child, key=True)
                message = (
                    f"duplicate key '{key}' (first at line {first.line}); each key may appear once"
                )
                raise ConfigError([Problem(_at(self.doc.path, key_node), message)])
            self.doc.keys[child] = _mark(key_node)
            self.doc.values[child] = _mark(value_node)
            out[key] = self.convert(value_node, child)
        return out

    def _sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.doc.values[child] = self.doc.keys[child] = _mark(item)
            out.append(self.convert(item, child))
        return out


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's fast C parser when available (50x ruamel's pure-Python one), else PyYAML's."""


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _at(path: str, node: yaml.Node) -> Location:
    line, col = _mark(node)
    return Location(path, line, col)


_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OTHER = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_FLOAT_SPECIAL = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def _scalar(node: yaml.Node) -> Any:
    """A scalar's value by the YAML 1.2 core schema; quoted scalars are always strings."""
    text = str(node.value)
    if getattr(node, "style", None) in ("'", '"', "|", ">"):
        return text
    if _NULL.fullmatch(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return int(text)
    if _INT_OTHER.fullmatch(text):
        return int(text, 0)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text.lower() in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[text.lower()]
    return text
