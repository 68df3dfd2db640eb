"""Compile a parsed segment rule (journeymap.model.rules) into an Ibis boolean.

The compiled expression follows the rule language's reference semantics
(:func:`journeymap.model.rules.evaluate`): SQL three-valued logic, and a comparison
between different kinds of values (text, number, boolean) is unknown rather than an
implicit cast, so ``size >= 3`` never matches the text ``'4'``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from journeymap.errors import IngestError
from journeymap.model.rules import And, Compare, InList, IsNull, Not, Or, Rule, Value

if TYPE_CHECKING:
    import ibis

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def rule_expr(rule: Rule, table: ibis.Table) -> ibis.ir.BooleanValue:
    """An Ibis boolean over ``table`` that is true exactly where ``rule`` is true.

    Examples
    --------
    >>> import ibis
    >>> from journeymap.model.rules import parse_rule
    >>> t = ibis.memtable({"plan": ["pro", "free", None], "size": [4, 1, 3]})
    >>> t.filter(rule_expr(parse_rule("plan == 'pro' or size == 3"), t)).count().execute()
    2
    """
    _check_columns(rule, table)
    return _compile(rule, table)


def _compile(rule: Rule, table: ibis.Table) -> ibis.ir.BooleanValue:
    if isinstance(rule, Compare):
        return _compare(table[rule.column], rule.op, rule.value)
    if isinstance(rule, InList):
        found = _any([_compare(table[rule.column], "==", v) for v in rule.values])
        return ~found if rule.negated else found
    if isinstance(rule, IsNull):
        column = table[rule.column]
        return column.notnull() if rule.negated else column.isnull()
    if isinstance(rule, Not):
        return ~_compile(rule.term, table)
    if isinstance(rule, And):
        return _all([_compile(term, table) for term in rule.terms])
    if isinstance(rule, Or):
        return _any([_compile(term, table) for term in rule.terms])
    raise TypeError(f"not a rule: {rule!r}")


def _compare(column: ibis.Value, op: str, value: Value) -> ibis.ir.BooleanValue:
    import ibis

    if _kind_of_column(column) != _kind_of_value(value):
        return ibis.literal(None, type="boolean")  # unknown, as in rules.evaluate
    return OPERATORS[op](column, ibis.literal(value))


def _kind_of_column(column: ibis.Value) -> str | None:
    dtype = column.type()
    if dtype.is_boolean():
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype.is_string():
        return "text"
    return None


def _kind_of_value(value: Value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


def _all(terms: list[ibis.ir.BooleanValue]) -> ibis.ir.BooleanValue:
    result = terms[0]
    for term in terms[1:]:
        result = result & term
    return result


def _any(terms: list[ibis.ir.BooleanValue]) -> ibis.ir.BooleanValue:
    result = terms[0]
    for term in terms[1:]:
        result = result | term
    return result


def _check_columns(rule: Rule, table: ibis.Table) -> None:
    missing = [c for c in rule.columns() if c not in table.columns]
    if missing:
        raise IngestError(
            f"segment rule {str(rule)!r} names column(s) {', '.join(missing)} that the "
            f"events do not have; available: {', '.join(table.columns)}",
            field="segment",
        )
