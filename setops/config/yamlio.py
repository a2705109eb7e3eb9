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
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter

from setops.config.yamltext import (
    decode,
    marked_problem,
    refuse_control_characters,
    refuse_loose_tabs,
    refuse_tabs,
    runaway_quote,
)
from setops.errors import ConfigError, Location, Problem

Path = tuple[str | int, ...]


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _ImpossibleDay(str):
    """A plain scalar shaped like a date that names no day (2027-02-30): ruamel.yaml would
    fail building it; kept as written, so `fmt` rewrites the file and `validate` says
    "no such day" at its place."""


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return _ImpossibleDay(node.value)


class _Representer(RoundTripRepresenter):
    def represent_impossible_day(self, data: _ImpossibleDay) -> Any:
        return self.represent_scalar(_TIMESTAMP, str(data))


_Constructor.add_constructor(_TIMESTAMP, _Constructor.construct_yaml_timestamp)
_Representer.add_representer(_ImpossibleDay, _Representer.represent_impossible_day)


def round_trip_yaml() -> YAML:
    """The round-trip YAML instance `setops fmt` reads and writes with, comments kept."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.allow_duplicate_keys = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    # Wide enough never to fold a long value onto a second line: folding leaves a trailing
    # space on the first and rewrites text the author did not touch.
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


@dataclass
class Document:
    """One parsed file: plain data and where each part of it stands."""

    path: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    text: str = ""  # the file as read: comments are in it, and go to git too

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


EMPTY = "the file is empty; expected a mapping (key: value lines)"


# Far above any organisation's files (2,000 people and 5,000 overrides are about 1 MB), and
# low enough that a log or a dump saved under a config name is refused at once.
MAX_FILE_BYTES = 16 * 1024 * 1024


def parse_document(path: str, raw: bytes) -> Document:
    """Parse `raw` (the bytes of file `path`); raise ConfigError with a place on any defect."""
    if len(raw) > MAX_FILE_BYTES:
        message = (
            f"the file is {len(raw) / 1024 / 1024:.0f} MB; setops config files are at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB: is it the right file?"
        )
        raise ConfigError([Problem(Location(path), message)])
    text = decode(path, raw)
    refuse_control_characters(path, text)
    refuse_tabs(path, text)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ConfigError([Problem(Location(path), EMPTY)])
    try:
        tree = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([runaway_quote(path, text, exc) or marked_problem(path, exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    if tree is None or (isinstance(tree, yaml.ScalarNode) and _scalar(tree) is None):
        raise ConfigError([Problem(Location(path), EMPTY)])
    if not isinstance(tree, yaml.MappingNode):
        kind = "a list" if isinstance(tree, yaml.SequenceNode) else "a single value"
        message = f"expected a mapping (key: value lines) at the top, found {kind}"
        raise ConfigError([Problem(_at(path, tree), message)])
    if "\t" in text:
        refuse_loose_tabs(path, text, tree)
    doc = Document(path, None, text=text)
    doc.data = _Plain(doc, text).convert(tree, ())
    return doc


class _Plain:
    """Converts the node tree to plain data, recording places; refuses aliases and repeats.

    Scalars are typed by YAML 1.2 core-schema rules (as ruamel.yaml reads them), not
    PyYAML's YAML 1.1 ones: `12:30` stays a string, `no` is not false, dates stay text.
    """

    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.text = text
        self.seen: set[int] = set()

    def convert(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self.seen:
            raise ConfigError([_alias_problem(self.doc.path, self.text)])
        self.seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise ConfigError([_tag_problem(self.doc.path, node)])
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path)
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            child = (*path, key)
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

    def _key(self, node: yaml.Node) -> str:
        """A key as its text: keys are names, so `12:` or `true:` is the name '12' or 'true'."""
        where = _at(self.doc.path, node)
        if isinstance(node, yaml.ScalarNode) and node.tag == _MERGE and not node.style:
            message = "merge keys (<<) are not allowed in setops files; write the values out"
            raise ConfigError([Problem(where, message)])
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            message = f"a key must be a plain word, not {kind}"
            raise ConfigError([Problem(where, message)])
        if node.tag not in _PLAIN_TAGS:
            raise ConfigError([_tag_problem(self.doc.path, node)])
        if id(node) in self.seen:
            raise ConfigError([_alias_problem(self.doc.path, self.text)])
        self.seen.add(id(node))
        if not node.style and not node.value:
            message = "a key with no name (a bare '?' or ':'); write the key's name before ':'"
            raise ConfigError([Problem(where, message)])
        return str(node.value)

    def _sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.doc.values[child] = self.doc.keys[child] = _mark(item)
            out.append(self.convert(item, child))
        return out


def _tag_problem(path: str, node: yaml.Node) -> Problem:
    tag = str(node.tag)
    shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
    return Problem(
        _at(path, node), f"the YAML tag {shown} has no meaning in setops files; remove it"
    )


def _alias_problem(path: str, text: str) -> Problem:
    """Where the first alias is, and which anchor it repeats (read again: only on this error)."""
    anchors: dict[str, int] = {}
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            line = anchors.get(str(event.anchor))
            defined = f" (&{event.anchor}, line {line})" if line else ""
            message = (
                f"the alias *{event.anchor} repeats the value anchored above{defined}; "
                "setops files allow no aliases: write the value out"
            )
            where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
            return Problem(where, message)
        anchor = getattr(event, "anchor", None)
        if anchor is not None and mark is not None:
            anchors[str(anchor)] = mark.line + 1
    return Problem(Location(path), "setops files allow no aliases (*name): write values out")


_CORE = "tag:yaml.org,2002:"
_MERGE = f"{_CORE}merge"
# The tags plain YAML resolves to by itself; any other was written out (`!custom`,
# `!!python/object`, `!!binary`) and means nothing to setops.
_PLAIN_TAGS = frozenset(
    f"{_CORE}{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value", "seq", "map")
)


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
