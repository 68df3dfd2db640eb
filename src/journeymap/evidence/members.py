"""Persona membership per unit, with the guards that keep persona tests honest.

A persona's rule reads customer attributes (``data.customers``, joined on the id) or
event columns. Membership is decided **per unit**: each column the rule reads takes
the unit's first non-null value in the unit's order — a customer's first recorded
platform, a session's own platform. A column whose value changes over time (platform,
lifecycle stage) thus puts a session in the persona by what held *in that session*,
not by "any event ever".

Guards:

- **Missing attributes are not a persona.** A unit whose rule columns are all null is
  *unknown*: neither a member nor in the comparison group (``known`` is false).
- **Circular personas.** A rule that reads the ``event`` column defines its members by
  the very events the journey outcomes are built from (drop-off, loops); such a
  persona is left out of those tests, with a warning.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis

from journeymap.engine.segments import segment_predicate
from journeymap.model.rules import parse_rule

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.evidence.units import Units
    from journeymap.model.persona import Persona

__all__ = ["CIRCULAR_COLUMNS", "Membership", "missing_columns", "persona_membership"]

CIRCULAR_COLUMNS = frozenset({"event"})


@dataclass(frozen=True)
class Membership:
    """``table``: ``unit_id, member, known`` for every unit; or why there is none."""

    persona: str
    table: ir.Table | None
    problem: str | None = None
    circular: bool = False


def persona_membership(units: Units, persona: Persona) -> Membership:
    """Which units belong to ``persona`` and which are known either way.

    Returns a :class:`Membership` whose ``problem`` says why it cannot be decided
    (no rule, a column the data lacks).
    """
    if persona.segment is None:
        return Membership(
            persona.id, None, f"persona `{persona.id}` has no segment rule"
        )
    rule = parse_rule(persona.segment)
    columns = sorted(set(rule.columns()))
    events = units.events
    renamed = {} if units.log.report is None else dict(units.log.report.columns)
    problem = missing_columns(persona.id, columns, list(events.columns), renamed)
    if problem is not None:
        return Membership(persona.id, None, problem)
    attrs = units.shared(
        ("first_values", *columns), lambda: _first_values(events, columns), "attrs"
    )
    known = ibis.literal(True)
    for column in columns:
        known = known & attrs[column].notnull()
    member = segment_predicate(attrs, rule).fill_null(False)
    table = attrs.select("unit_id", member=member & known, known=known)
    circular = bool(CIRCULAR_COLUMNS & set(columns))
    return Membership(persona.id, table, None, circular)


def missing_columns(
    persona: str,
    needed: list[str],
    available: list[str],
    renamed: dict[str, str] | None = None,
) -> str | None:
    """Why ``persona``'s rule cannot be evaluated on ``available`` columns, or None.

    ``renamed`` maps canonical names to the source columns they were read from (the
    ingest report's ``columns``): a rule that names the source column of a renamed
    one is told which name to use.

    Examples
    --------
    >>> print(missing_columns("mobile", ["platform"], ["channel", "event"],
    ...                       {"channel": "platform"}))
    persona `mobile` reads column(s) platform that the data does not have: `platform` was read as `channel` (write `channel` in the rule, or map the columns in data.columns)
    """
    missing = [c for c in needed if c not in available]
    if not missing:
        return None
    text = (
        f"persona `{persona}` reads column(s) {', '.join(missing)} that the data "
        "does not have"
    )
    source_of = {src: canonical for canonical, src in (renamed or {}).items()}
    hints = [f"`{c}` was read as `{source_of[c]}`" for c in missing if c in source_of]
    if hints:
        return (
            f"{text}: {'; '.join(hints)} (write `{source_of[missing[0]]}` in the "
            "rule, or map the columns in data.columns)"
        )
    close = [
        m for c in missing for m in difflib.get_close_matches(c, sorted(available), n=1)
    ]
    if close:
        return f"{text}; did you mean {', '.join(f'`{m}`' for m in close)}?"
    return text


def _first_values(events: ir.Table, columns: list[str]) -> ir.Table:
    """Every unit with the first non-null value of each of ``columns``."""
    attrs = events.select("unit_id").distinct()
    for column in columns:
        attrs = _with_first_value(attrs, events, column)
    return attrs


def _with_first_value(attrs: ir.Table, events: ir.Table, column: str) -> ir.Table:
    present = events.filter(events[column].notnull())
    ranked = present.mutate(
        _r=ibis.row_number().over(
            group_by=present.unit_id, order_by=[present.timestamp, present.event_seq]
        )
    )
    first = ranked.filter(ranked._r == 0).select(
        f_unit=ranked.unit_id, f_value=ranked[column]
    )
    joined = attrs.left_join(first, attrs.unit_id == first.f_unit)
    return joined.select(attrs, **{column: joined.f_value})
