"""Values from the configuration (names, reasons, templates, channel names) written into
Markdown: escaped once, here, for every output that renders Markdown.

A value must read as itself: a `|` in a person's name must not end a table cell, `*` or `_`
must not turn on emphasis, `<` must not open HTML, `[` must not start a link, and `@name` must
not notify someone on GitHub or Mattermost. The Markdown setops writes around the values (its
headings, tables and lists) is written as Markdown and not passed through here.
"""

from __future__ import annotations

import re

# Characters CommonMark gives a meaning inside a line; a backslash before any ASCII
# punctuation makes it literal (CommonMark 0.31, 2.4), so over-escaping is harmless.
# '<' and '>' become entities rather than escapes: then no value can ever hold a literal
# '<!--' or '-->' to end or fake the hidden markers setops finds its own text by.
_ESCAPED = {c: "\\" + c for c in "\\`*_[]|#&"} | {"<": "&lt;", ">": "&gt;"}
# A word joiner (invisible, zero width) after an '@' keeps the text as written but stops
# GitHub and Mattermost from reading a mention: `@channel` in a name must not page a channel.
_MENTION = re.compile(r"@(?=[\w.-])")


def no_mentions(value: str) -> str:
    """`value` with every @-mention broken, so it notifies nobody; otherwise unchanged."""
    return _MENTION.sub("@\u2060", value)


def text(value: object) -> str:
    """`value` as Markdown text that renders as written, on one line (usable in a table cell,
    a heading, a list item or a paragraph)."""
    line = no_mentions(_one_line(str(value)))
    return "".join(_escaped(c, line[i - 1] if i else " ") for i, c in enumerate(line))


def _escaped(char: str, before: str) -> str:
    # A '~' after a space can only open a strikethrough, and one that nothing closes stays
    # literal; escaping only the '~'s that could close keeps `~channel` references readable.
    if char == "~":
        return char if before.isspace() else "\\~"
    return _ESCAPED.get(char, char)


def code(value: object, *, in_table: bool = False) -> str:
    """`value` as an inline code span: a fence longer than any run of backticks in it, a space
    inside where it starts or ends with one; `|` escaped when the span is in a table cell
    (GitHub splits cells before it reads code spans)."""
    body = _one_line(str(value))
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.strip()):
        body = f" {body} "
    if in_table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def _one_line(value: str) -> str:
    """Line breaks would end a table row or a list item: they become spaces."""
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value
