"""L0: what a journey map is. pydantic v2 and the standard library only."""

from __future__ import annotations

from journeymap.model.cards import Kpi, Opportunity, PainPoint
from journeymap.model.journey import (
    Conversion,
    DataSource,
    Department,
    JourneyMap,
    Match,
    Review,
    Stage,
    Touchpoint,
)
from journeymap.model.persona import Persona
from journeymap.model.results import IngestReport

__all__ = [
    "Conversion",
    "DataSource",
    "Department",
    "IngestReport",
    "JourneyMap",
    "Kpi",
    "Match",
    "Opportunity",
    "PainPoint",
    "Persona",
    "Review",
    "Stage",
    "Touchpoint",
]
