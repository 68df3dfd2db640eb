"""Persona membership: which customers a persona's segment rule selects.

The rule (``journeymap.model.rules``) is evaluated on every event's columns; a
customer belongs to the persona when **at least one** of its events satisfies it.
Attributes such as ``age_band`` usually repeat on every event, where "any" and "all"
agree; "any" also admits attributes that only some events carry (e.g. a sign-up
form). Semantics follow :func:`journeymap.model.rules.evaluate`: comparisons with
null, or between a text column and a number (or any other kind mismatch), are
unknown and never select a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from journeymap.engine.segments import segment_predicate
from journeymap.errors import AnalysisError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.model.journey import JourneyMap


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
    for i, persona in enumerate(journey.personas):
        if persona.segment is None:
            continue
        try:
            predicate = segment_predicate(table, persona.segment)
        except AnalysisError as exc:
            # name the persona and its field: "segment: ..." alone left the user to
            # guess which one; the CLI turns the field into the map's line
            raise AnalysisError(
                f"persona `{persona.id}`: {exc.message}",
                field=f"personas[{i}].segment",
            ) from None
        hits = table.filter(predicate)
        members = hits.select("customer_id").distinct()
        parts.append(members.mutate(persona_id=ibis.literal(persona.id, "string")))
    if not parts:
        return (
            table.select("customer_id").limit(0).mutate(persona_id=ibis.null("string"))
        )
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


__all__ = ["persona_members_expr", "segment_predicate"]
