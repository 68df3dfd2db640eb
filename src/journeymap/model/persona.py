"""Personas: groups of customers with goals and needs, defined by a rule over data."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from journeymap.model.cards import Id


class Persona(BaseModel):
    """A persona; `segment` is a rule over customer attributes, e.g. ``"plan == 'pro'"``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Id
    name: str
    description: str | None = None
    goals: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    frustrations: tuple[str, ...] = ()
    quote: str | None = None
    segment: str | None = Field(
        default=None,
        description=(
            "Rule over event properties, e.g. \"persona == 'bargain-hunter'\" or "
            "\"household_size >= 3 and region in ('north', 'east')\"."
        ),
    )
