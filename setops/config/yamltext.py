"""What the text of a config file may hold, checked before and after libyaml reads it.

Bytes that are not UTF-8 text, control characters, tabs where YAML (or ruamel.yaml, which
`setops fmt` writes with) would choke on them, and libyaml's own complaints, each turned
into a message at the place to fix it.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterator

import yaml

from setops.errors import ConfigError, Location, Problem

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode(path: str, raw: bytes) -> str:
    """The file's text: UTF-8 (a BOM dropped); UTF-16/32 and other bytes refused at their place."""
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


def refuse_control_characters(path: str, text: str) -> None:
    """Refuse the first character YAML does not allow in a stream, at its place."""
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


def refuse_tabs(path: str, text: str) -> None:
    """Refuse every tab in indentation, each at its place."""
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


def refuse_loose_tabs(path: str, text: str, tree: yaml.Node) -> None:
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


def marked_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
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


def runaway_quote(path: str, text: str, exc: yaml.MarkedYAMLError) -> Problem | None:
    """A quote left open on its line is closed by the next quote further down, and libyaml
    then stumbles right after that one, lines below the mistake. When the error sits just
    after a quoted value that spans lines, say so at the value's opening quote."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    runaway = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line > mark.line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ("'", '"')
                and token.start_mark.line < token.end_mark.line == mark.line
                and token.end_mark.column <= mark.column
            ):
                runaway = token
    except yaml.YAMLError:
        pass
    if runaway is None:
        return None
    opened = runaway.start_mark
    return Problem(
        Location(path, opened.line + 1, opened.column + 1),
        f"invalid YAML: this quoted value is never closed on its line: the quote on line "
        f"{runaway.end_mark.line + 1} closes it instead; end it with its opening quote "
        f"({runaway.style})",
    )
