"""docs/reference/journey-file.md documents every field and every framework."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from journeymap.model import (
    Conversion,
    DataSource,
    Department,
    JourneyMap,
    Kpi,
    Match,
    Opportunity,
    PainPoint,
    Persona,
    Review,
    Stage,
    Touchpoint,
)
from journeymap.model.frameworks import list_frameworks
from journeymap.model.templates import new_map_yaml

from .conftest import ROOT

DOC = (ROOT / "docs" / "reference" / "journey-file.md").read_text(encoding="utf-8")
SECTIONS = {
    JourneyMap: "Top level",
    Review: "Review",
    Department: "Department",
    Persona: "Persona",
    Stage: "Stage",
    Touchpoint: "Touchpoint",
    Match: "Match rules",
    PainPoint: "PainPoint",
    Opportunity: "Opportunity",
    Kpi: "Kpi",
    Conversion: "Conversion",
    DataSource: "DataSource",
}


def section(title: str) -> str:
    found = re.search(rf"^##+ {re.escape(title)}\b.*?\n(.*?)(?=^##)", DOC, re.M | re.S)
    assert found, f"no section {title!r}"
    return found.group(1)


@pytest.mark.parametrize("model", list(SECTIONS), ids=lambda m: m.__name__)
def test_every_field_has_a_row(model: type[BaseModel]) -> None:
    fields_table = section(SECTIONS[model]).split("Metrics:")[0]
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", fields_table, re.M))
    assert rows == set(model.model_fields)


def test_every_metric_is_explained() -> None:
    metrics = set(Kpi.model_json_schema()["properties"]["metric"]["enum"])
    metrics_table = section("Kpi").split("Metrics:")[1]
    assert metrics == set(re.findall(r"^\| `([a-z_]+)` \|", metrics_table, re.M))


def test_frameworks_table_is_current() -> None:
    for framework in list_frameworks():
        stages = " → ".join(stage.name for stage in framework.stages)
        row = f"| `{framework.id}` | {framework.name} | {stages} | {framework.source} |"
        assert row in DOC


def test_template_points_at_this_page() -> None:
    assert "docs/reference/journey-file.md" in new_map_yaml("aida", "x")
