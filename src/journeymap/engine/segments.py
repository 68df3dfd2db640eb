"""Segment rules (journeymap.model.rules) compiled to Ibis predicates over events.

One compiler serves every layer that selects customers by a rule: ingest filters
(`filter_segment`) and voc persona membership. Semantics follow the reference
evaluator :func:`journeymap.model.rules.evaluate`: SQL three-valued logic, and a
comparison between different kinds of values (text, number, boolean) is unknown
rather than an implicit cast, so ``size >= 3`` never matches the text ``'4'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from journeymap.errors import AnalysisError
from journeymap.model.rules import And, Compare, InList, IsNull, Not, Rule, parse_rule

if TYPE_CHECKING:
    import ibis.expr.types as ir


def segment_predicate(table: ir.Table, rule: Rule | str) -> ir.BooleanValue:
    """The Ibis predicate of a segment rule over ``table``'s columns (SQL null logic).

    Parameters
    ----------
    table
        Events with the columns the rule reads.
    rule
        A parsed rule or its text.

    Returns
    -------
    ibis BooleanValue
        True, false or null per row.

    Examples
    --------
    >>> t = ibis.table({"plan": "string", "size": "int64"}, name="t")
    >>> expr = segment_predicate(t, "plan == 'pro' and size >= 3")
    >>> expr.type().is_boolean()
    True
    """
    rule = parse_rule(rule) if isinstance(rule, str) else rule
    missing = [c for c in rule.columns() if c not in table.columns]
    if missing:
        raise AnalysisError(
            f"segment rule {str(rule)!r} names column(s) {', '.join(missing)} that the "
            f"events do not have; available: {', '.join(table.columns)}",
            field="segment",
        )
    return _compile(table, rule)


def _compile(table: ir.Table, rule: Rule) -> ir.BooleanValue:
    if isinstance(rule, Compare):
        return _compare(table[rule.column], rule.op, rule.value)
    if isinstance(rule, InList):
        return _in_list(table[rule.column], rule.values, negated=rule.negated)
    if isinstance(rule, IsNull):
        column = table[rule.column]
        return column.notnull() if rule.negated else column.isnull()
    if isinstance(rule, Not):
        return ~_compile(table, rule.term)
    parts = [_compile(table, term) for term in rule.terms]
    return ibis.and_(*parts) if isinstance(rule, And) else ibis.or_(*parts)


def _kind_matches(column: ir.Column, value: Any) -> bool:
    dtype = column.type()
    if isinstance(value, bool):
        return bool(dtype.is_boolean())
    if isinstance(value, int | float):
        return bool(dtype.is_numeric())
    return bool(dtype.is_string())


def _compare(column: ir.Column, op: str, value: Any) -> ir.BooleanValue:
    if not _kind_matches(column, value):
        return ibis.null("boolean")
    if op == "==":
        return column == value
    if op == "!=":
        return column != value
    if op == "<":
        return column < value
    if op == "<=":
        return column <= value
    if op == ">":
        return column > value
    return column >= value


def _in_list(column: ir.Column, values: tuple[Any, ...], *, negated: bool) -> Any:
    usable = [v for v in values if _kind_matches(column, v)]
    if not usable:
        return ibis.null("boolean")
    found = column.isin(usable)
    if len(usable) < len(values):  # a mismatched kind is unknown, not false
        found = ibis.cases((found, True), else_=ibis.null("boolean"))
    return ~found if negated else found
