"""A JQL subset for the fake Jira: a tokenizer, a recursive-descent parser to a small AST,
and an evaluator over caller-supplied field definitions.

Only syntax lives here; what a field means (which values exist, how an issue's value is
read, how it sorts) is given by the caller as :class:`FieldSpec` entries, so this module
knows nothing about the fake's data model. Error texts follow Jira's wording
("Error in the JQL Query: Expecting ... but got ... (line 1, character N)", "Field 'x'
does not exist or you do not have permission to view it.", "The value 'x' does not
exist for the field 'y'."), because clients surface them to users.

Semantics Jira documents and this evaluator keeps:

* ``!=`` and ``NOT IN`` never match an issue whose field is empty ("assignee != bob"
  leaves out unassigned issues; Jira's docs tell you to add ``OR assignee IS EMPTY``).
* ``NOT <clause>`` is the plain complement (it does include empty fields).
* Multi-valued fields (labels) match ``=`` when any value matches.
* Keywords and field names are case-insensitive; values are matched by the field spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

RESERVED_CHARS: Final = frozenset("+.;?|*/%^$#@[]")
OPERATORS: Final = ("=", "!=", "<", ">", "<=", ">=", "~", "!~", "IN", "NOT IN", "IS", "IS NOT")
VALID_OPERATORS_TEXT: Final = (
    "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"
)
KEYWORDS: Final = frozenset({"AND", "OR", "NOT", "IN", "IS", "EMPTY", "NULL", "ORDER", "BY"})
# Jira refuses these as bare field names, values and function names, in any case: the list
# in Jira's parser (JqlStringSupportImpl.RESERVED_WORDS) and the words Atlassian's Cloud
# documentation adds to it ("a", "the", "this", ...).
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


# What a FieldSpec.resolve returns for a value that means "the field is empty" (EMPTY,
# NULL, or e.g. resolution = Unresolved).
EMPTY: Final = "\x00EMPTY"


class JqlError(ValueError):
    """A query Jira would reject with 400; ``str()`` is Jira's error message."""


# ==========================================================================
# Tokens
# ==========================================================================


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "op", "(", ")", ",", "end"
    text: str
    position: int  # 1-based character, as Jira reports it

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_OPERATOR_RE = re.compile(r"!=|<=|>=|!~|=|<|>|~")
_CUSTOM_FIELD_RE = re.compile(r"cf\[\d+\]", re.IGNORECASE)  # "cf[10019]": brackets allowed here
_WORD_RE = re.compile(r"[^\s()=!<>,~\"']+")


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in "(),":
            tokens.append(Token(char, char, index + 1))
            index += 1
        elif char in "\"'":
            text, end = _read_string(query, index)
            tokens.append(Token("string", text, index + 1))
            index = end
        elif (found := _OPERATOR_RE.match(query, index)) is not None:
            tokens.append(Token("op", found.group(), index + 1))
            index = found.end()
        elif (custom := _CUSTOM_FIELD_RE.match(query, index)) is not None:
            tokens.append(Token("word", custom.group(), index + 1))
            index = custom.end()
        else:
            word = _WORD_RE.match(query, index)
            if word is None:  # a lone "!" or similar
                raise JqlError(_syntax(f"Unexpected character '{char}'", index + 1))
            _reject_reserved(word.group(), index + 1)
            tokens.append(Token("word", word.group(), index + 1))
            index = word.end()
    tokens.append(Token("end", "", len(query) + 1))
    return tokens


def _read_string(query: str, start: int) -> tuple[str, int]:
    quote = query[start]
    out: list[str] = []
    index = start + 1
    while index < len(query):
        char = query[index]
        if char == "\\" and index + 1 < len(query):
            out.append(query[index + 1])
            index += 2
        elif char == quote:
            return "".join(out), index + 1
        else:
            out.append(char)
            index += 1
    raise JqlError(_syntax(f"The quoted string '{''.join(out)}' has not been completed", start + 1))


def _reject_reserved(word: str, position: int) -> None:
    # Jira: an unquoted value may not contain a reserved character.
    for offset, char in enumerate(word):
        if char in RESERVED_CHARS:
            raise JqlError(
                f"Error in the JQL Query: The character '{char}' is a reserved JQL character. "
                "You must enclose it in a string or use the escape "
                f"'\\u{ord(char):04x}' instead. (line 1, character {position + offset})"
            )


def _reject_reserved_word(token: Token) -> None:
    if token.kind == "word" and token.text.lower() in RESERVED_WORDS:
        raise JqlError(
            f"Error in the JQL Query: '{token.text}' is a reserved JQL word. You must surround "
            f"it in quotation marks to use it in a query. (line 1, character {token.position})"
        )


def _syntax(message: str, position: int) -> str:
    return f"Error in the JQL Query: {message}. (line 1, character {position})"


# ==========================================================================
# AST
# ==========================================================================


@dataclass(frozen=True)
class Value:
    """One operand: a literal (``text``), a function call or EMPTY."""

    text: str
    function: str | None = None  # lower-case function name, e.g. "currentuser"
    args: tuple[str, ...] = ()
    empty: bool = False


@dataclass(frozen=True)
class Clause:
    field: str  # as written
    operator: str  # one of OPERATORS, upper-case
    values: tuple[Value, ...]
    position: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "AND" / "OR"
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Clause | BoolOp | Not


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool
    position: int


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[SortKey, ...] = ()

    @property
    def bounded(self) -> bool:
        """Jira Cloud's enhanced search needs a search restriction, not just ORDER BY."""
        return self.where is not None


# ==========================================================================
# Parser
# ==========================================================================


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = tokenize(query)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        where = None
        if self.current.kind != "end" and self.current.upper != "ORDER":
            where = self.or_expr()
        order_by = self.order_by() if self.current.upper == "ORDER" else ()
        if self.current.kind != "end":
            raise JqlError(
                _syntax(
                    f"Expecting either 'OR' or 'AND' but got '{self.current.text}'",
                    self.current.position,
                )
            )
        return Query(where, order_by)

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.current.upper == "OR":
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.current.upper == "AND":
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def not_expr(self) -> Node:
        if self.current.upper == "NOT":
            self.advance()
            return Not(self.not_expr())
        if self.current.kind == "(":
            self.advance()
            inner = self.or_expr()
            self.expect(")")
            return inner
        return self.clause()

    def expect(self, kind: str) -> None:
        if self.current.kind != kind:
            if self.current.kind == "end":
                raise JqlError(
                    f"Error in the JQL Query: Expecting '{kind}' before the end of the query."
                )
            raise JqlError(
                _syntax(f"Expecting '{kind}' but got '{self.current.text}'", self.current.position)
            )
        self.advance()

    def clause(self) -> Clause:
        token = self.current
        if token.kind not in ("word", "string") or token.upper in KEYWORDS:
            got = token.text or "end of query"
            raise JqlError(_syntax(f"Expecting a field name but got '{got}'", token.position))
        _reject_reserved_word(token)
        self.advance()
        operator = self.operator()
        if operator in ("IN", "NOT IN"):
            values = self.value_list()
        elif operator in ("IS", "IS NOT"):
            values = (self.empty_value(),)
        else:
            values = (self.value(),)
        return Clause(token.text, operator, values, token.position)

    def operator(self) -> str:
        token = self.current
        if token.kind == "op":
            self.advance()
            return token.text
        if token.upper in ("IN", "IS"):
            self.advance()
            if token.upper == "IS" and self.current.upper == "NOT":
                self.advance()
                return "IS NOT"
            return token.upper
        if token.upper == "NOT" and self.tokens[self.index + 1].upper == "IN":
            self.index += 2
            return "NOT IN"
        got = token.text or "end of query"
        raise JqlError(
            _syntax(
                f"Expecting operator but got '{got}'. The valid operators are "
                f"{VALID_OPERATORS_TEXT}",
                token.position,
            )
        )

    def value_list(self) -> tuple[Value, ...]:
        if self.current.kind != "(":
            return (self.value(),)  # "status in currentUser()"-style single operands
        self.advance()
        values = [self.value()]
        while self.current.kind == ",":
            self.advance()
            values.append(self.value())
        self.expect(")")
        return tuple(values)

    def empty_value(self) -> Value:
        token = self.current
        if token.upper not in ("EMPTY", "NULL"):
            raise JqlError(
                _syntax(f"Expecting 'EMPTY' or 'NULL' but got '{token.text}'", token.position)
            )
        self.advance()
        return Value(token.text, empty=True)

    def value(self) -> Value:
        token = self.current
        if token.kind == "string":
            self.advance()
            return Value(token.text)
        if token.kind == "end":
            raise JqlError(
                "Error in the JQL Query: Expecting either a value, list or function before "
                "the end of the query."
            )
        if token.kind != "word" or token.upper in ("AND", "OR", "ORDER"):
            got = token.text
            raise JqlError(
                _syntax(
                    f"Expecting either a value, list or function but got '{got}'. You must "
                    f"surround '{got}' in quotation marks to use it as a value",
                    token.position,
                )
            )
        self.advance()
        if token.upper in ("EMPTY", "NULL"):
            return Value(token.text, empty=True)
        _reject_reserved_word(token)
        if self.current.kind == "(":
            return Value(token.text, function=token.text.lower(), args=self.function_args())
        return Value(token.text)

    def function_args(self) -> tuple[str, ...]:
        self.expect("(")
        args: list[str] = []
        while self.current.kind in ("word", "string"):
            args.append(self.advance().text)
            if self.current.kind != ",":
                break
            self.advance()
        self.expect(")")
        return tuple(args)

    def order_by(self) -> tuple[SortKey, ...]:
        self.advance()  # ORDER
        if self.current.upper != "BY":
            raise JqlError(
                _syntax(f"Expecting 'by' but got '{self.current.text}'", self.current.position)
            )
        self.advance()
        keys = [self.sort_key()]
        while self.current.kind == ",":
            self.advance()
            keys.append(self.sort_key())
        return tuple(keys)

    def sort_key(self) -> SortKey:
        token = self.current
        if token.kind not in ("word", "string") or token.upper in KEYWORDS:
            got = token.text or "end of query"
            raise JqlError(_syntax(f"Expecting a field name but got '{got}'", token.position))
        _reject_reserved_word(token)
        self.advance()
        descending = False
        if self.current.upper in ("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        return SortKey(token.text, descending, token.position)


def parse(query: str) -> Query:
    """Parse ``query`` or raise :class:`JqlError` with Jira's message."""
    return _Parser(query or "").parse()


# ==========================================================================
# Evaluation over caller-defined fields
# ==========================================================================

Getter = Callable[[Any], Sequence[Any]]
Resolver = Callable[[Value], Any]


@dataclass(frozen=True)
class FieldSpec:
    """What a JQL field means to the caller.

    ``get(issue)`` returns the issue's values (empty = the field is EMPTY). ``resolve``
    turns an operand into a comparable value, raising JqlError when it does not exist.
    ``matches(issue_value, operand_value)`` decides ``=``; by default equality.
    ``sort_key(issue)`` orders issues in ORDER BY (None = not sortable).
    """

    name: str
    get: Getter
    resolve: Resolver
    operators: frozenset[str]
    sort_key: Callable[[Any], Any] | None = None
    matches: Callable[[Any, Any], bool] = field(default=lambda a, b: a == b)


def _not_supported(spec: FieldSpec, operator: str) -> JqlError:
    return JqlError(f"The operator '{operator}' is not supported by the '{spec.name}' field.")


class Evaluator:
    """Evaluates parsed queries; ``fields`` maps lower-case clause names to specs."""

    def __init__(self, fields: dict[str, FieldSpec], unsupported: frozenset[str] = frozenset()):
        self.fields = fields
        self.unsupported = unsupported  # real Jira fields this fake does not model

    def spec(self, name: str) -> FieldSpec:
        found = self.fields.get(name.lower())
        if found is not None:
            return found
        if name.lower() in self.unsupported:
            raise JqlError(f"Field '{name}' is not supported by this fake Jira's JQL subset.")
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")

    def compile(self, query: Query) -> Callable[[Any], bool]:
        """Resolve every field and value once (so errors surface even with no issues)."""
        if query.where is None:
            return lambda issue: True
        return self._compile(query.where)

    def _compile(self, node: Node) -> Callable[[Any], bool]:
        if isinstance(node, Not):
            inner = self._compile(node.item)
            return lambda issue: not inner(issue)
        if isinstance(node, BoolOp):
            parts = [self._compile(item) for item in node.items]
            if node.op == "AND":
                return lambda issue: all(part(issue) for part in parts)
            return lambda issue: any(part(issue) for part in parts)
        return self._compile_clause(node)

    def _compile_clause(self, clause: Clause) -> Callable[[Any], bool]:
        spec = self.spec(clause.field)
        operator = clause.operator
        if operator not in spec.operators:
            raise _not_supported(spec, operator)
        if operator in ("IS", "IS NOT"):
            wants_empty = operator == "IS"
            return lambda issue: (not spec.get(issue)) == wants_empty
        targets = [EMPTY if value.empty else spec.resolve(value) for value in clause.values]
        if EMPTY in targets and operator in _COMPARATORS:
            raise JqlError(f"The operator '{operator}' does not support the EMPTY value.")
        return _clause_predicate(spec, operator, targets)

    def sort(self, issues: list[Any], keys: Sequence[SortKey]) -> list[Any]:
        """Stable multi-key sort; empty values sort last ascending, first descending."""
        ordered = list(issues)
        for key in reversed(keys):
            spec = self.spec(key.field)
            if spec.sort_key is None:
                raise JqlError(f"Field '{key.field}' does not support sorting.")
            getter = spec.sort_key
            present = [i for i in ordered if getter(i) is not None]
            missing = [i for i in ordered if getter(i) is None]
            present.sort(key=getter, reverse=key.descending)
            ordered = missing + present if key.descending else present + missing
        return ordered


def _clause_predicate(spec: FieldSpec, operator: str, targets: list[Any]) -> Callable[[Any], bool]:
    wants_empty = EMPTY in targets
    real = [t for t in targets if not (isinstance(t, str) and t == EMPTY)]

    def any_match(values: Sequence[Any]) -> bool:
        return any(spec.matches(v, t) for v in values for t in real)

    def positive(issue: Any) -> bool:
        values = spec.get(issue)
        return (wants_empty and not values) or any_match(values)

    def negative(issue: Any) -> bool:
        # Jira: a negative operator does not match issues whose field is empty.
        values = spec.get(issue)
        return bool(values) and not any_match(values)

    if operator in ("=", "IN", "~"):
        return positive
    if operator in ("!=", "NOT IN", "!~"):
        return negative
    compare = _COMPARATORS[operator]
    target = real[0]
    return lambda issue: any(compare(v, target) for v in spec.get(issue))


_COMPARATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

EQUALITY: Final = frozenset({"=", "!=", "IN", "NOT IN", "IS", "IS NOT"})
ORDERED: Final = EQUALITY | {"<", "<=", ">", ">="}
TEXT: Final = frozenset({"~", "!~", "IS", "IS NOT"})
