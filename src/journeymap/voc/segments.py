"""Persona membership: a persona's segment rule compiled to an Ibis predicate.

The rule (``journeymap.model.rules``) is evaluated on every event's columns; a
customer belongs to the persona when **at least one** of its events satisfies it.
Attributes such as ``age_band`` usually repeat on every event, where "any" and "all"
agree; "any" also admits attributes that only some events carry (e.g. a sign-up
form). Semantics follow :func:`journeymap.model.rules.evaluate`: comparisons with
null, or between a text column and a number (or any other kind mismatch), are
unknown and never select a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from journeymap.errors import AnalysisError
from journeymap.model.rules import (
    And,
    Compare,
    InList,
    IsNull,
    Not,
    Rule,
    parse_rule,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.model.journey import JourneyMap


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
    for column in rule.columns():
        if column not in table.columns:
            raise AnalysisError(
                f"segment rule needs column {column!r}, which the events do not have; "
                f"available: {', '.join(table.columns)}"
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
        return dtype.is_boolean()
    if isinstance(value, int | float):
        return dtype.is_numeric()
    return dtype.is_string()


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


def persona_members_expr(table: ir.Table, journey: JourneyMap) -> ir.Table:
    """``customer_id, persona_id``: one row per customer and persona it belongs to.

    Personas without a segment rule have no members. A customer may belong to
    several personas.

    Parameters
    ----------
    table
        The events.
    journey
        The map whose personas are evaluated.

    Returns
    -------
    ibis.Table
        Unexecuted ``customer_id, persona_id`` pairs.
    """
    parts = []
    for persona in journey.personas:
        if persona.segment is None:
            continue
        hits = table.filter(segment_predicate(table, persona.segment))
        members = hits.select("customer_id").distinct()
        parts.append(members.mutate(persona_id=ibis.literal(persona.id, "string")))
    if not parts:
        return (
            table.select("customer_id").limit(0).mutate(persona_id=ibis.null("string"))
        )
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
