"""JQL as Jira's parser reads it: what `setops validate` refuses before Jira would.

Jira answers 400 to a query its parser refuses, which stops a handover at its read
phase. The checks here find the same faults in the JQL of `policies/` beforehand, each
at its place and with the fix:

* a reserved word used unquoted (``project = SET``): Jira keeps a list of words for
  future use and refuses them as bare values, field or function names, whatever the
  case. The list is Atlassian's documented one (Jira Cloud's, which adds English words
  such as ``a``, ``the``, ``this``) together with Jira's own parser list
  (``JqlStringSupportImpl.RESERVED_WORDS``, which adds ``changed``);
* a reserved character in an unquoted value (``labels = c++``);
* a quote that is never closed, a parenthesis that is never closed or closes nothing;
* a clause with no operator or no value, an operator Jira does not have (``==``, ``<>``,
  ``like``);
* ORDER BY, which setops cannot use: it puts these queries in parentheses and joins
  them (the ticket JQL with each level's, the TO DO JQL with each rule's).

`quote` writes a value the way Jira reads it back unchanged, for the JQL setops builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from setops.config.load import Config
from setops.errors import Location, Problem

_RESERVED_TEXT: Final = """
    a abort access add after alias all alter an and any are as asc at audit avg be before
    begin between boolean break but by byte catch cf changed char character check
    checkpoint collate collation column commit connect continue count create current date
    decimal declare decrement default defaults define delete delimiter desc difference
    distinct divide do double drop else empty encoding end equals escape exclusive exec
    execute exists explain false fetch file field first float for from function go goto
    grant greater group having identified if immediate in increment index initial inner
    inout input insert int integer intersect intersection into is isempty isnull it join
    last left less like limit lock long max min minus mode modify modulo more multiply
    next no noaudit not notin nowait null number object of on option or order outer output
    power previous prior privileges public raise raw remainder rename resource return
    returns revoke right row rowid rownum rows select session set share size sqrt start
    strict string subtract such sum synonym table that the their then there these they
    this to trans transaction trigger true uid union unique update user validate values
    view was when whenever where while will with
"""
RESERVED_WORDS: Final = frozenset(_RESERVED_TEXT.split())
# Atlassian's documented reserved characters, less the space and the comma (which end a
# bare value rather than being refused in it).
RESERVED_CHARACTERS: Final = frozenset("+.;?|*/%^$#@[]")
OPERATORS: Final = (
    "=",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "~",
    "!~",
    "IN",
    "NOT IN",
    "IS",
    "IS NOT",
    "WAS",
    "WAS IN",
    "WAS NOT",
    "WAS NOT IN",
    "CHANGED",
)
_SYMBOLS: Final = frozenset({"=", "!=", ">", ">=", "<", "<=", "~", "!~"})
# The words the grammar reads as keywords where they stand; anywhere else they are
# reserved words like the rest.
_HISTORY: Final = frozenset({"AFTER", "BEFORE", "ON", "DURING", "BY", "FROM", "TO"})
_OPERATOR_CHARS: Final = "=!<>~"
_CUSTOM_FIELD: Final = re.compile(r"cf\[\d+\]", re.IGNORECASE)
_BARE: Final = re.compile(r"[^\s()=!<>~,\"'&|]+")
_SAFE_BARE: Final = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class JqlFault:
    """One thing Jira's parser refuses: where (0-based offset in the query), what, and
    the query as it would be accepted, when the fix is mechanical."""

    offset: int
    message: str
    fixed: str | None = None


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "string", "op", "(", ")", ",", "and", "or", "not", "end"
    text: str
    offset: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


class _Refused(Exception):
    def __init__(self, fault: JqlFault) -> None:
        super().__init__(fault.message)
        self.fault = fault


def quote(value: str) -> str:
    """`value` as a JQL string literal Jira reads back unchanged (always quoted)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def literal(value: str) -> str:
    """`value` bare when Jira reads it so (a plain, unreserved word), else quoted."""
    if _SAFE_BARE.fullmatch(value) and value.lower() not in RESERVED_WORDS:
        return value
    return quote(value)


def joined(*queries: str) -> str:
    """The issues every one of `queries` finds: each in parentheses, joined by AND (the
    check above refuses ORDER BY in the JQL of policies/, which would break this)."""
    return " AND ".join(f"({query})" for query in queries)


def jql_fault(query: str) -> JqlFault | None:
    """The first thing in `query` Jira's parser refuses (it stops at the first), or None."""
    try:
        _Parser(query).parse()
    except _Refused as refused:
        return refused.fault
    return None


# ---- tokens --------------------------------------------------------------------------


def _tokens(query: str) -> Iterator[_Token]:
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in "(),":
            yield _Token(char, char, index)
            index += 1
        elif char in "\"'":
            end = _string_end(query, index)
            yield _Token("string", query[index + 1 : end - 1], index)
            index = end
        elif char in "&|":
            run = re.match(r"&&?|\|\|?", query[index:])
            assert run is not None
            yield _Token("and" if char == "&" else "or", run.group(), index)
            index += len(run.group())
        elif char in _OPERATOR_CHARS:
            token = _operator_token(query, index)
            yield token
            index += len(token.text)
        else:
            token = _word(query, index)
            yield token
            index += len(token.text)
    yield _Token("end", "", len(query))


def _string_end(query: str, start: int) -> int:
    quote_char, index = query[start], start + 1
    while index < len(query):
        if query[index] == "\\":
            index += 2
            continue
        if query[index] == quote_char:
            return index + 1
        index += 1
    raise _Refused(
        JqlFault(
            start,
            f"the quote {quote_char} at character {start + 1} is never closed",
            query + quote_char,
        )
    )


def _operator_token(query: str, index: int) -> _Token:
    run = re.match(f"[{re.escape(_OPERATOR_CHARS)}]+", query[index:])
    assert run is not None
    text = run.group()
    if text == "!":
        return _Token("not", text, index)
    if text not in _SYMBOLS:
        raise _Refused(_unknown_operator(text, index))
    return _Token("op", text, index)


def _word(query: str, index: int) -> _Token:
    custom = _CUSTOM_FIELD.match(query, index)
    if custom is not None:
        return _Token("word", custom.group(), index)
    found = _BARE.match(query, index)
    assert found is not None  # every other character was handled before
    text = found.group()
    for position, char in enumerate(text):
        if char in RESERVED_CHARACTERS:
            raise _Refused(
                JqlFault(
                    index + position,
                    f"{char!r} is a reserved JQL character, which Jira takes in a value "
                    "only in quotes",
                    _requote(query, index, text),
                )
            )
    upper = text.upper()
    kind = {"AND": "and", "OR": "or", "NOT": "not"}.get(upper, "word")
    return _Token(kind, text, index)


def _requote(query: str, offset: int, text: str) -> str:
    return query[:offset] + quote(text) + query[offset + len(text) :]


def _unknown_operator(text: str, offset: int) -> JqlFault:
    return JqlFault(
        offset,
        f"{text!r} is not a JQL operator; Jira's operators are "
        + ", ".join(OPERATORS[:-1])
        + f" and {OPERATORS[-1]}",
    )


# ---- parser --------------------------------------------------------------------------


class _Parser:
    """Recursive descent over Jira's grammar, far enough to refuse what Jira refuses."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = list(_tokens(query))
        self.index = 0
        self.depth: list[int] = []  # offsets of the open parentheses

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def next(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def refuse(self, offset: int, message: str, fixed: str | None = None) -> _Refused:
        return _Refused(JqlFault(offset, message, fixed))

    def parse(self) -> None:
        if self.current.kind == "end":
            raise self.refuse(0, "the JQL is empty: Jira searches need a condition")
        if self.current.upper == "ORDER":
            raise self._order_by()
        self.or_clause()
        token = self.current
        if token.kind == ")":
            raise self.refuse(token.offset, f"')' at character {token.offset + 1} closes nothing")
        if token.upper == "ORDER":
            raise self._order_by()
        if token.kind != "end":
            raise self.refuse(
                token.offset,
                f"expected AND or OR at character {token.offset + 1}, not {token.text!r}",
            )

    def _order_by(self) -> _Refused:
        return self.refuse(
            self.current.offset,
            "ORDER BY is not allowed here: setops joins this JQL with others in parentheses, "
            "and orders the results itself",
        )

    def or_clause(self) -> None:
        self.and_clause()
        while self.current.kind == "or":
            self.next()
            self.and_clause()

    def and_clause(self) -> None:
        self.not_clause()
        while self.current.kind == "and":
            self.next()
            self.not_clause()

    def not_clause(self) -> None:
        if self.current.kind == "not":
            self.next()
            self.not_clause()
        elif self.current.kind == "(":
            opening = self.next()
            self.or_clause()
            if self.current.kind != ")":
                raise self.refuse(
                    opening.offset,
                    f"'(' at character {opening.offset + 1} is never closed: add ')'",
                )
            self.next()
        else:
            self.clause()

    def clause(self) -> None:
        field = self.current
        if field.kind == "end":
            raise self.refuse(field.offset, "the JQL ends where a condition should follow")
        if field.kind not in ("word", "string"):
            raise self.refuse(
                field.offset, f"expected a field name at character {field.offset + 1}"
            )
        if field.kind == "word":
            self.unreserved(field)
        self.next()
        operator = self.operator(field)
        self.operand(field, operator)
        if operator.startswith("WAS") or operator == "CHANGED":
            self.history()

    def unreserved(self, token: _Token) -> None:
        if token.text.lower() in RESERVED_WORDS:
            raise self.refuse(
                token.offset,
                f"{token.text!r} is a reserved JQL word, which Jira takes only in quotes",
                _requote(self.query, token.offset, token.text),
            )

    def operator(self, field: _Token) -> str:
        token = self.current
        if token.kind == "op":
            self.next()
            return token.text
        words = self._operator_words()
        if words is not None:
            return words
        if token.kind in ("end", "and", "or", ")"):
            raise self.refuse(
                field.offset,
                f"{field.text!r} has no operator and no value: write e.g. {field.text} = value",
            )
        raise self.refuse(token.offset, _unknown_operator(token.text, token.offset).message)

    def _operator_words(self) -> str | None:
        """IN, NOT IN, IS [NOT], WAS [NOT] [IN], CHANGED, as the next tokens spell them."""
        words: list[str] = []
        for token in self.tokens[self.index : self.index + 3]:
            words.append(token.upper or ("NOT" if token.kind == "not" else ""))
        for length in (3, 2, 1):
            candidate = " ".join(words[:length])
            if candidate in OPERATORS and candidate not in _SYMBOLS:
                self.index += length
                return candidate
        return None

    def operand(self, field: _Token, operator: str) -> None:
        if operator == "CHANGED":
            return
        token = self.current
        if token.kind in ("end", "and", "or", ")"):
            raise self.refuse(
                token.offset,
                f"'{field.text} {operator}' has no value: write e.g. {field.text} {operator} "
                + ("(a, b)" if operator.endswith("IN") else "value"),
            )
        if token.kind == "(":
            self.value_list()
        else:
            self.value()

    def value_list(self) -> None:
        opening = self.next()
        self.value()
        while self.current.kind == ",":
            self.next()
            self.value()
        if self.current.kind != ")":
            raise self.refuse(
                opening.offset, f"'(' at character {opening.offset + 1} is never closed: add ')'"
            )
        self.next()

    def value(self) -> None:
        token = self.current
        if token.kind == "string":
            self.next()
            return
        if token.kind != "word":
            raise self.refuse(
                token.offset,
                f"expected a value at character {token.offset + 1}, not {token.text!r}: "
                "put it in quotes if it is one",
            )
        if token.upper not in ("EMPTY", "NULL"):
            self.unreserved(token)
        self.next()
        if self.current.kind == "(":
            self.arguments()

    def arguments(self) -> None:
        opening = self.next()
        while self.current.kind in ("word", "string"):
            self.next()
            if self.current.kind != ",":
                break
            self.next()
        if self.current.kind != ")":
            raise self.refuse(
                opening.offset, f"'(' at character {opening.offset + 1} is never closed: add ')'"
            )
        self.next()

    def history(self) -> None:
        """WAS / CHANGED predicates: AFTER, BEFORE, ON, DURING, BY, FROM, TO a value."""
        while self.current.upper in _HISTORY:
            self.next()
            if self.current.kind == "(":
                self.value_list()
            else:
                self.value()


# ---- the JQL of policies/ ------------------------------------------------------------


def jql_places(config: Config) -> Iterator[tuple[str, str, Location]]:
    """(what, JQL, place) of every JQL in policies/: the ticket and TO DO JQL, each
    priority rule's and each level's."""
    jira = config.integrations.jira
    if jira is not None:
        yield "jira.jql", jira.jql, jira.at("jql")
        yield "jira.todo_jql", jira.todo_jql, jira.at("todo_jql")
    for rule in config.priority_rules:
        yield f"priority rule {rule.rank} ({rule.name})", rule.jql, rule.at("jql")
    for level in config.levels:
        yield f"level {level.id}", level.jql, level.at("jql")


def jql_problems(config: Config) -> Iterator[Problem]:
    """Each JQL of policies/ that Jira would refuse, at the place of the fault."""
    for what, query, where in jql_places(config):
        fault = jql_fault(query)
        if fault is None:
            continue
        fix = f"; write: {fault.fixed}" if fault.fixed else ""
        yield Problem(
            _at(config, where, query, fault.offset),
            f"{what}: Jira refuses this JQL: {fault.message}{fix}",
        )


def _at(config: Config, where: Location, query: str, offset: int) -> Location:
    """The place of character `offset` of `query`, a value that starts at `where`: exact
    when the value is written on its line as it reads (plain or quoted without escapes),
    else the value's own place."""
    document = config.documents.get(where.path)
    if document is None:
        return where
    lines = document.text.splitlines()
    if not 0 < where.line <= len(lines):
        return where
    line = lines[where.line - 1]
    start = where.col - 1
    quoted = line[start : start + 1] in ("'", '"')
    body = start + 1 if quoted else start
    if line[body : body + len(query)] != query or (quoted and "\\" in query):
        return where
    return Location(where.path, where.line, body + offset + 1)
