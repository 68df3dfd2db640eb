"""Persona segment rules: a tiny, safe expression language (never ``eval``).

A persona's ``segment`` is a rule over customer attributes, for example
``"household_size >= 3 and region in ('north', 'east')"``. This module parses the text
into a small tree of frozen dataclasses. Analytics compile the tree to Ibis; the pure
Python :func:`evaluate` here is the reference semantics, and it follows SQL's
three-valued logic so that both agree: a comparison with a missing (null) value is
*unknown*, ``not unknown`` is still unknown, and a row is in the persona only when the
rule is true.

Grammar (keywords are case-insensitive)::

    rule       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" rule ")" | comparison
    comparison := column ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
                | column ["not"] "in" "(" literal ("," literal)* [","] ")"
                | column "is" ["not"] "null"
    column     := name (letters, digits, "_", ".") | `any text in backticks`
    literal    := 'string' | "string" | number | true | false
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from journeymap.errors import MapError

Value = str | int | float | bool
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]
MAX_DEPTH = 64


# -- the tree -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Compare:
    """``column op value``, e.g. ``plan == 'pro'``."""

    column: str
    op: CompareOp
    value: Value

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def __str__(self) -> str:
        return f"{_column_text(self.column)} {self.op} {_literal_text(self.value)}"


@dataclass(frozen=True, slots=True)
class InList:
    """``column in (a, b)``, or ``column not in (a, b)`` when ``negated``."""

    column: str
    values: tuple[Value, ...]
    negated: bool = False

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def __str__(self) -> str:
        keyword = "not in" if self.negated else "in"
        items = ", ".join(_literal_text(v) for v in self.values)
        return f"{_column_text(self.column)} {keyword} ({items})"


@dataclass(frozen=True, slots=True)
class IsNull:
    """``column is null``, or ``column is not null`` when ``negated``."""

    column: str
    negated: bool = False

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def __str__(self) -> str:
        return f"{_column_text(self.column)} is {'not ' if self.negated else ''}null"


@dataclass(frozen=True, slots=True)
class And:
    """All terms hold."""

    terms: tuple[Rule, ...]

    def columns(self) -> tuple[str, ...]:
        return _columns_of(self.terms)

    def __str__(self) -> str:
        return " and ".join(
            f"({t})" if isinstance(t, Or) else str(t) for t in self.terms
        )


@dataclass(frozen=True, slots=True)
class Or:
    """At least one term holds."""

    terms: tuple[Rule, ...]

    def columns(self) -> tuple[str, ...]:
        return _columns_of(self.terms)

    def __str__(self) -> str:
        return " or ".join(str(t) for t in self.terms)


@dataclass(frozen=True, slots=True)
class Not:
    """The term does not hold."""

    term: Rule

    def columns(self) -> tuple[str, ...]:
        return self.term.columns()

    def __str__(self) -> str:
        inner = str(self.term)
        if isinstance(self.term, And | Or):
            inner = f"({inner})"
        return f"not {inner}"


Rule = Compare | InList | IsNull | And | Or | Not


def _columns_of(terms: tuple[Rule, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        seen.update(dict.fromkeys(term.columns()))
    return tuple(seen)


_PLAIN_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}


def _column_text(column: str) -> str:
    if _PLAIN_COLUMN.match(column) and column.lower() not in _KEYWORDS:
        return column
    return f"`{column}`"


def _literal_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)


def columns(rule: Rule) -> tuple[str, ...]:
    """Return the columns a rule reads, in order of first appearance.

    Parameters
    ----------
    rule
        A parsed rule.

    Returns
    -------
    tuple of str
        Column names, without duplicates.

    Examples
    --------
    >>> columns(parse_rule("a == 1 and (b > 2 or a < 0)"))
    ('a', 'b')
    """
    return rule.columns()


# -- tokens ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, column, string, number, op, punct, keyword, end
    text: str
    value: Any
    pos: int


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[(),\[\]])
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<column>`[^`]+`)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _tokens(text: str) -> Iterator[_Token]:
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            raise _error(text, pos, _unexpected_char(text, pos))
        kind = found.lastgroup or ""
        if kind != "space":
            yield _token(kind, found.group(), pos)
        pos = found.end()
    yield _Token("end", "", None, len(text))


def _token(kind: str, raw: str, pos: int) -> _Token:
    if kind == "number":
        number = float(raw) if any(c in raw for c in ".eE") else int(raw)
        return _Token(kind, raw, number, pos)
    if kind == "string":
        return _Token(kind, raw, _ESCAPE.sub(r"\1", raw[1:-1]), pos)
    if kind == "column":
        return _Token(kind, raw, raw[1:-1], pos)
    if kind == "name" and raw.lower() in _KEYWORDS:
        return _Token("keyword", raw, raw.lower(), pos)
    return _Token(kind, raw, raw, pos)


def _unexpected_char(text: str, pos: int) -> str:
    char = text[pos]
    if char in "'\"`":
        return f"unclosed {char}"
    if char == "=":
        return "use `==` to compare"
    return f"unexpected character {char!r}"


def _error(text: str, pos: int, message: str) -> MapError:
    return MapError(f"segment rule {text!r}, column {pos + 1}: {message}")


# -- parser ---------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokens(text))
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def fail(self, message: str) -> MapError:
        return _error(self.text, self.current.pos, message)

    def take(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def at(self, kind: str, value: Any = None) -> bool:
        token = self.current
        return token.kind == kind and (value is None or token.value == value)

    def expect(self, kind: str, value: Any, what: str) -> _Token:
        if not self.at(kind, value):
            raise self.fail(f"expected {what}, found {self.found()}")
        return self.take()

    def found(self) -> str:
        token = self.current
        return "end of rule" if token.kind == "end" else f"`{token.text}`"

    def parse(self) -> Rule:
        if self.at("end"):
            raise self.fail("empty rule")
        rule = self.parse_or()
        if not self.at("end"):
            raise self.fail(
                f"expected `and`, `or` or end of rule, found {self.found()}"
            )
        return rule

    def parse_or(self) -> Rule:
        terms = [self.parse_and()]
        while self.at("keyword", "or"):
            self.take()
            terms.append(self.parse_and())
        return terms[0] if len(terms) == 1 else Or(_flatten(terms, Or))

    def parse_and(self) -> Rule:
        terms = [self.parse_not()]
        while self.at("keyword", "and"):
            self.take()
            terms.append(self.parse_not())
        return terms[0] if len(terms) == 1 else And(_flatten(terms, And))

    def parse_not(self) -> Rule:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"rule nests deeper than {MAX_DEPTH} levels")
        try:
            return self.parse_term()
        finally:
            self.depth -= 1

    def parse_term(self) -> Rule:
        if self.at("keyword", "not"):
            self.take()
            return Not(self.parse_not())
        if self.at("punct", "("):
            self.take()
            rule = self.parse_or()
            self.expect("punct", ")", "`)`")
            return rule
        return self.parse_comparison()

    def parse_comparison(self) -> Rule:
        if not (self.at("name") or self.at("column")):
            raise self.fail(f"expected a column name, found {self.found()}")
        column = str(self.take().value)
        if self.at("op"):
            op = self.take().value
            return Compare(column, op, self.parse_literal())
        if self.at("keyword", "is"):
            self.take()
            negated = self.at("keyword", "not") and bool(self.take())
            self.expect("keyword", "null", "`null`")
            return IsNull(column, negated)
        negated = self.at("keyword", "not") and bool(self.take())
        if self.at("keyword", "in"):
            self.take()
            return InList(column, self.parse_list(), negated)
        expected = "`in`" if negated else "a comparison (==, !=, <, <=, >, >=, in, is)"
        raise self.fail(f"expected {expected} after `{column}`, found {self.found()}")

    def parse_list(self) -> tuple[Value, ...]:
        opening = self.current.value
        if not self.at("punct") or opening not in "([":
            raise self.fail(f"expected `(` to start a list, found {self.found()}")
        self.take()
        closing = ")" if opening == "(" else "]"
        values = [self.parse_literal()]
        while self.at("punct", ","):
            self.take()
            if self.at("punct", closing):
                break
            values.append(self.parse_literal())
        self.expect("punct", closing, f"`,` or `{closing}`")
        return tuple(values)

    def parse_literal(self) -> Value:
        token = self.current
        if token.kind in ("string", "number"):
            self.take()
            return token.value  # type: ignore[no-any-return]
        if token.kind == "keyword" and token.value in ("true", "false"):
            self.take()
            return bool(token.value == "true")
        if token.kind == "keyword" and token.value == "null":
            raise self.fail("compare with null using `is null` or `is not null`")
        if token.kind == "name":
            raise self.fail(
                f"expected a value, found `{token.text}` (quote text values)"
            )
        raise self.fail(f"expected a value, found {self.found()}")


def _flatten(terms: list[Rule], kind: type[And] | type[Or]) -> tuple[Rule, ...]:
    """``(a and b) and c`` is ``a and b and c``: one canonical tree per meaning."""
    flat: list[Rule] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    return tuple(flat)


def parse_rule(text: str) -> Rule:
    """Parse a persona segment rule into a tree.

    Parameters
    ----------
    text
        The rule, e.g. ``"plan == 'pro' and not (region in ('north', 'east'))"``.

    Returns
    -------
    Rule
        A tree of :class:`Compare`, :class:`InList`, :class:`IsNull`, :class:`And`,
        :class:`Or` and :class:`Not`.

    Raises
    ------
    MapError
        When the text is not a rule; the message names the rule and the column.

    Examples
    --------
    >>> parse_rule("plan == 'pro'")
    Compare(column='plan', op='==', value='pro')
    >>> str(parse_rule("age>=18 AND country IN ('de','fr')"))
    "age >= 18 and country in ('de', 'fr')"
    """
    if not isinstance(text, str):
        raise MapError(f"segment rule must be text, not {type(text).__name__}")
    return _Parser(text).parse()


# -- reference evaluator --------------------------------------------------------------
def evaluate(rule: Rule, row: Mapping[str, Any]) -> bool:
    """Whether a row of customer attributes satisfies a rule.

    A missing column counts as null. Comparisons involving null are unknown, and so are
    comparisons between values of different kinds (text, number, boolean); unknown never
    selects a row, even under ``not`` (SQL semantics).

    Parameters
    ----------
    rule
        A parsed rule.
    row
        Column name to value.

    Returns
    -------
    bool
        True when the rule is true for the row.

    Examples
    --------
    >>> evaluate(parse_rule("size >= 3 and region in ('n', 's')"), {"size": 4, "region": "n"})
    True
    >>> evaluate(parse_rule("not size >= 3"), {})
    False
    """
    return _truth(rule, row) is True


def _truth(rule: Rule, row: Mapping[str, Any]) -> bool | None:
    if isinstance(rule, Compare):
        return _compare(row.get(rule.column), rule.op, rule.value)
    if isinstance(rule, InList):
        return _in_list(row.get(rule.column), rule.values, negated=rule.negated)
    if isinstance(rule, IsNull):
        return (row.get(rule.column) is None) != rule.negated
    if isinstance(rule, Not):
        inner = _truth(rule.term, row)
        return None if inner is None else not inner
    if isinstance(rule, And):
        return _and(_truth(t, row) for t in rule.terms)
    return _or(_truth(t, row) for t in rule.terms)


def _and(values: Iterator[bool | None]) -> bool | None:
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values: Iterator[bool | None]) -> bool | None:
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return None


def _compare(left: Any, op: str, right: Value) -> bool | None:
    if left is None or _kind(left) is None or _kind(left) != _kind(right):
        return None
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _in_list(left: Any, values: tuple[Value, ...], *, negated: bool) -> bool | None:
    if left is None:
        return None
    results = [_compare(left, "==", value) for value in values]
    found = _or(iter(results))
    if found is None:
        return None
    return found != negated
