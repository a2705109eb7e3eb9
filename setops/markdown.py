"""Values from the configuration (names, reasons, templates, channel names) written into
Markdown: escaped once, here, for every output that renders Markdown.

A value must read as itself: a `|` in a person's name must not end a table cell, `*` or `_`
must not turn on emphasis, `<` must not open HTML, `[` must not start a link, and `@name` must
not notify someone on GitHub or Mattermost. The Markdown setops writes around the values (its
headings, tables and lists) is written as Markdown and not passed through here.
"""

from __future__ import annotations

# Characters CommonMark gives a meaning inside a line; a backslash before any ASCII
# punctuation makes it literal (CommonMark 0.31, 2.4), so over-escaping is harmless.
_SPECIAL = frozenset("\\`*_[]<>|~#&!")
# A zero-width space after '@' keeps the text as written but stops GitHub and Mattermost from
# reading a mention; written as an entity so the source stays readable.
_NO_MENTION = "@&#8203;"


def text(value: object) -> str:
    """`value` as Markdown text that renders as written, on one line (usable in a table cell,
    a heading, a list item or a paragraph)."""
    out: list[str] = []
    for char in _one_line(str(value)):
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char == "@":
            out.append(_NO_MENTION)
        else:
            out.append(char)
    return "".join(out)


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
