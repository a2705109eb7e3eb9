"""Line-aware YAML: parse one file into plain data plus the place of every key and value.

Round-trip ruamel.yaml keeps line and column of every node; we turn its tree into plain
Python values (so pydantic sees ordinary data) and keep the places in a side table keyed
by the value's path, e.g. ("cycles", 3, "lead").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from setops.errors import ConfigError, Location, Problem

Path = tuple[str | int, ...]


class _Constructor(RoundTripConstructor):
    """Keeps timestamps as the text written, so pydantic parses dates and offsets itself."""


def _timestamp_as_text(constructor: RoundTripConstructor, node: Any) -> str:
    return str(constructor.construct_scalar(node))


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def round_trip_yaml(*, for_reading: bool = True) -> YAML:
    """The YAML instance for reading config, or (`for_reading=False`) for canonical writing."""
    yaml = YAML(typ="rt")
    if for_reading:
        yaml.Constructor = _Constructor
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
        tree = round_trip_yaml().load(text)
    except MarkedYAMLError as exc:
        raise ConfigError([_marked_problem(path, exc)]) from None
    except YAMLError as exc:
        raise ConfigError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    if not isinstance(tree, CommentedMap):
        kind = type(tree).__name__ if tree is not None else "nothing"
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


def _marked_problem(path: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    text = exc.problem or exc.context or "invalid YAML"
    if "duplicate key" in text:
        text = text.split(" with value")[0].replace("found duplicate key", "duplicate key")
        text += "; each key may appear once in a mapping"
    return Problem(where, f"invalid YAML: {text}")


class _Plain:
    """Converts the round-trip tree to plain data, recording places and refusing aliases."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def convert(self, node: Any, path: Path) -> Any:
        if isinstance(node, CommentedMap | CommentedSeq):
            self._refuse_alias(node, path)
        if isinstance(node, CommentedMap):
            return self._mapping(node, path)
        if isinstance(node, CommentedSeq):
            return self._sequence(node, path)
        return _scalar(node)

    def _refuse_alias(self, node: CommentedMap | CommentedSeq, path: Path) -> None:
        anchor = getattr(node, "anchor", None)
        if id(node) in self.seen or (anchor is not None and anchor.value is not None):
            message = "YAML anchors and aliases (&name, *name) are not allowed; write values out"
            raise ConfigError([Problem(self.doc.at(path), message)])
        self.seen.add(id(node))

    def _mapping(self, node: CommentedMap, path: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in node.items():
            key_text = _scalar(key)
            child = (*path, str(key_text))
            key_line, key_col, value_line, value_col = node.lc.data[key]
            self.doc.keys[child] = (key_line + 1, key_col + 1)
            self.doc.values[child] = (value_line + 1, value_col + 1)
            out[key_text] = self.convert(value, child)
        return out

    def _sequence(self, node: CommentedSeq, path: Path) -> list[Any]:
        out: list[Any] = []
        for index, value in enumerate(node):
            child = (*path, index)
            line, col = node.lc.data[index]
            self.doc.values[child] = (line + 1, col + 1)
            self.doc.keys[child] = (line + 1, col + 1)
            out.append(self.convert(value, child))
        return out


def _scalar(value: Any) -> Any:
    """Round-trip scalar subclasses (ScalarFloat, quoted strings) to their plain types."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
