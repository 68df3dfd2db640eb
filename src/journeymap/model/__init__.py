"""L0: what a journey map is. pydantic v2 and the standard library only."""

from __future__ import annotations

from journeymap.model.cards import Kpi, Opportunity, PainPoint
from journeymap.model.frameworks import (
    Framework,
    PresetStage,
    get_framework,
    list_frameworks,
)
from journeymap.model.journey import (
    Conversion,
    DataFile,
    DataSource,
    Department,
    JourneyMap,
    Match,
    Review,
    Stage,
    Touchpoint,
)
from journeymap.model.persona import Persona
from journeymap.model.references import Problem, check_references
from journeymap.model.results import IngestReport
from journeymap.model.rules import Rule, evaluate, parse_rule
from journeymap.model.spec import (
    dump_map,
    load_map,
    load_map_document,
    loads_map,
    loads_map_document,
    map_json_schema,
    save_map_document,
    validate_map,
    validate_map_text,
)
from journeymap.model.templates import new_map_yaml

__all__ = [
    "Conversion",
    "DataFile",
    "DataSource",
    "Department",
    "Framework",
    "IngestReport",
    "JourneyMap",
    "Kpi",
    "Match",
    "Opportunity",
    "PainPoint",
    "Persona",
    "PresetStage",
    "Problem",
    "Review",
    "Rule",
    "Stage",
    "Touchpoint",
    "check_references",
    "dump_map",
    "evaluate",
    "get_framework",
    "list_frameworks",
    "load_map",
    "load_map_document",
    "loads_map",
    "loads_map_document",
    "map_json_schema",
    "new_map_yaml",
    "parse_rule",
    "save_map_document",
    "validate_map",
    "validate_map_text",
]
