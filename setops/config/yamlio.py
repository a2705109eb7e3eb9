"""Line-aware YAML: parse one file into plain data plus the place of every key and value.

Reading composes the node tree with libyaml (through PyYAML's C parser: a large
organisation's files parse in a fraction of a second, where ruamel.yaml's pure-Python
parser takes seconds), turns it into plain Python values for pydantic, and keeps every
node's line and column in a side table keyed by the value's path, e.g.
("cycles", 3, "lead"). Writing (`setops fmt`) uses round-trip ruamel.yaml, which keeps
comments.
"""

from __future__ import annotations

import bisect
import codecs
import math
import re
from collections.abc import Iterator
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
    text = _decode(path, raw)
    _refuse_control_characters(path, text)
    _refuse_tabs(path, text)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ConfigError([Problem(Location(path), EMPTY)])
    try:
        tree = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_marked_problem(path, exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    if tree is None or (isinstance(tree, yaml.ScalarNode) and _scalar(tree) is None):
        raise ConfigError([Problem(Location(path), EMPTY)])
    if not isinstance(tree, yaml.MappingNode):
        kind = "a list" if isinstance(tree, yaml.SequenceNode) else "a single value"
        message = f"expected a mapping (key: value lines) at the top, found {kind}"
        raise ConfigError([Problem(_at(path, tree), message)])
    if "\t" in text:
        _refuse_loose_tabs(path, text, tree)
    doc = Document(path, None, text=text)
    doc.data = _Plain(doc, text).convert(tree, ())
    return doc


_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decode(path: str, raw: bytes) -> str:
    for bom, encoding in _UTF16_32_BOMS:
        if raw.startswith(bom):
            message = f"the file is saved as {encoding}; save it as UTF-8"
            raise ConfigError([Problem(Location(path), message)])
    if b"\x00" in raw:
        line, col = _byte_place(raw, raw.index(b"\x00"))
        message = (
            "the file holds NUL bytes: it is UTF-16 or binary, not UTF-8 text; save it as UTF-8"
        )
        raise ConfigError([Problem(Location(path, line, col), message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_place(raw, exc.start)
        message = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise ConfigError([Problem(Location(path, line, col), message)]) from None
    return text.removeprefix("\ufeff")


def _byte_place(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


# What YAML does not allow in a stream (YAML 1.2, 5.1): C0 controls but tab, LF and CR,
# DEL, C1 controls but NEL, surrogates, U+FFFE and U+FFFF. A byte-order mark is allowed.
_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)


def _refuse_control_characters(path: str, text: str) -> None:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return
    before = text[: found.start()]
    line, col = before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1
    message = (
        f"control character U+{ord(found.group()):04X} is not allowed in YAML; remove it "
        "(write it as an escape such as \\x07 inside double quotes if it must be there)"
    )
    raise ConfigError([Problem(Location(path, line, col), message)])


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


def _refuse_loose_tabs(path: str, text: str, tree: yaml.Node) -> None:
    """Refuse a tab outside quoted and block values and comments (`key:<tab>value`, a tab
    in a plain value): libyaml reads them, but `setops fmt` (ruamel.yaml) cannot."""
    spans = sorted(
        (node.start_mark.index, node.end_mark.index)
        for node in _nodes(tree)
        if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"', "|", ">")
    )
    starts = [start for start, _ in spans]
    line_start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" in line:
            _loose_tab_in_line(path, number, line, line_start, spans, starts)
        line_start += len(line) + 1


def _loose_tab_in_line(
    path: str,
    number: int,
    line: str,
    line_start: int,
    spans: list[tuple[int, int]],
    starts: list[int],
) -> None:
    for col, char in enumerate(line):
        i = bisect.bisect_right(starts, line_start + col) - 1
        if i >= 0 and line_start + col < spans[i][1]:
            continue  # inside a quoted or block value
        if char == "#" and (col == 0 or line[col - 1] in " \t"):
            return  # the rest is a comment
        if char == "\t":
            message = (
                "a tab outside quotes; separate YAML with spaces (quote the value if the "
                "tab belongs in it)"
            )
            raise ConfigError([Problem(Location(path, number, col + 1), message)])


def _nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node once (an alias repeats a node: it is not walked twice)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _marked_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    """libyaml's complaint in the file's terms, at the place that helps most to fix it."""
    context, problem = exc.context or "", exc.problem or ""
    started = (
        f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        if exc.context_mark
        else "above"
    )
    at_context = False
    if "quoted scalar" in context and "end of stream" in problem:
        message, at_context = (
            "this quoted value is never closed; end it with its opening quote",
            True,
        )
    elif "another document" in problem:
        message = (
            "a second YAML document starts here; a setops file holds one document: "
            "remove this '---' and merge what follows into the first"
        )
    elif "flow sequence" in context or "flow mapping" in context:
        bracket = "[ list" if "sequence" in context else "{ mapping"
        expected = problem.removeprefix("did not find ")
        message = f"the {bracket} opened at {started} is not closed: {expected} here"
    elif "mapping values are not allowed" in problem:
        message = "a ': ' inside a plain value; put the value in quotes"
    elif "did not find expected key" in problem or "expected '-' indicator" in problem:
        kind = "mapping" if "mapping" in context else "list"
        message = (
            f"this line does not fit the {kind} that starts at {started}: check its "
            "indentation, and that it is a 'key: value' line or a '- ' item"
        )
    elif "cannot start any token" in problem:
        message = "a plain value cannot start with this character; put the value in quotes"
    elif "simple key" in context:
        message, at_context = "this line is neither 'key: value' nor a '- ' item", True
    elif "undefined alias" in problem:
        message = "an alias (*name) with no anchor; setops files allow no aliases: write values out"
    else:
        message = problem or context or "syntax error"
        if context and problem:
            message = f"{problem} ({context} at {started})"
    mark = (exc.context_mark if at_context else None) or exc.problem_mark or exc.context_mark
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    return Problem(where, f"invalid YAML: {message}")


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
