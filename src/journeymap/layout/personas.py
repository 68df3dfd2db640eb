"""The persona panel under the title: who the map is about, in their own words.

One card per persona (name, description, goals, needs, frustrations, a quote) and,
once measured, the persona's share of customers and conversion. A persona view shows
only that persona.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeymap.layout.cards import GAP, CardSpec, Chip, build_card
from journeymap.layout.diagram import Item
from journeymap.layout.grid import Grid
from journeymap.layout.lanes import Context
from journeymap.layout.text import NBSP
from journeymap.model.persona import Persona

PER_ROW = 4
MAX_WIDTH = 460.0  # one or two personas do not stretch across a wide map
SPACE_ABOVE = 12.0


def persona_panel(
    ctx: Context, grid: Grid, top: float, *, persona: str | None = None
) -> tuple[list[Item], float]:
    """Persona cards in rows of up to four across the map's width; return the items
    and the bottom (``top`` when the map has no personas)."""
    personas = shown_personas(ctx.journey.personas, persona)
    if not personas:
        return [], top
    items: list[Item] = []
    y = top + SPACE_ABOVE
    width = grid.right - grid.left
    for start in range(0, len(personas), PER_ROW):
        row = personas[start : start + PER_ROW]
        card_width = min((width - GAP * (len(row) - 1)) / len(row), MAX_WIDTH)
        specs = [persona_card(ctx, p, view=persona is not None) for p in row]
        height = max(build_card(spec, 0, 0, card_width)[1] for spec in specs)
        for i, spec in enumerate(specs):
            x = grid.left + i * (card_width + GAP)
            items.append(build_card(spec, x, y, card_width, min_height=height)[0])
        y += height + GAP
    return items, y - GAP


def shown_personas(personas: tuple[Persona, ...], persona: str | None) -> list[Persona]:
    """All personas, or only the one a persona view names (by id or name)."""
    if persona is None:
        return list(personas)
    chosen = [p for p in personas if persona in (p.id, p.name)]
    return chosen or list(personas)


def persona_card(ctx: Context, persona: Persona, *, view: bool = False) -> CardSpec:
    """A persona's card; in a persona view (data filtered to the persona) its share of
    customers is left out, being 100% by construction."""
    meta = [persona.description] if persona.description else []
    for label, values in (("Goals", persona.goals), ("Needs", persona.needs),
                          ("Frustrations", persona.frustrations)):  # fmt: skip
        if values:
            meta.append(f"{label}: {'; '.join(values)}")
    if persona.quote:
        meta.append(f"“{persona.quote}”")
    chips = measured_chips(ctx, persona.id)
    if view:
        chips = tuple(c for c in chips if not c.label.endswith("of customers"))
    return CardSpec(f"persona-{persona.id}", persona.name, "persona", chips,
                    tuple(meta), accent="persona", bold=True)  # fmt: skip


def measured_chips(ctx: Context, persona_id: str) -> tuple[Chip, ...]:
    found: Mapping[str, Any] = next(
        (p for p in (ctx.measured.personas if ctx.measured else ())
         if isinstance(p, Mapping) and p.get("id") == persona_id),
        {},
    )  # fmt: skip
    chips = []
    share, rate = found.get("share"), found.get("conversion_rate")
    if isinstance(share, (int, float)):
        chips.append(Chip(f"{share:.0%}{NBSP}of customers", "measured"))
    if isinstance(rate, (int, float)):
        chips.append(Chip(f"converts{NBSP}{rate:.1%}", "measured"))
    return tuple(chips)
