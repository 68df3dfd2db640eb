"""Every example map loads, matches the JSON Schema and survives a round trip."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from journeymap.model.spec import (
    dump_map,
    dumps_map_document,
    load_map,
    load_map_document,
    loads_map,
    map_json_schema,
)

from .conftest import EXAMPLE_MAPS, as_json

IDS = [path.stem for path in EXAMPLE_MAPS]


def test_there_are_examples() -> None:
    assert {"online-grocery", "b2b-software"} <= set(IDS)


@pytest.mark.parametrize("path", EXAMPLE_MAPS, ids=IDS)
def test_example_loads_and_matches_schema(path: Path) -> None:
    journey, document = load_map_document(path)
    assert load_map(path) == journey
    jsonschema.validate(as_json(dict(document)), map_json_schema())


@pytest.mark.parametrize("path", EXAMPLE_MAPS, ids=IDS)
def test_example_round_trips(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    journey, document = load_map_document(path)
    assert dumps_map_document(document) == text
    assert dump_map(journey, original=document) == text
    assert loads_map(dump_map(journey)) == journey


def test_online_grocery_is_fully_featured() -> None:
    journey = load_map(Path(EXAMPLE_MAPS[0]).parent / "online-grocery.yaml")
    assert len(journey.personas) == 3
    assert all(p.segment for p in journey.personas)
    assert len(journey.stages) == 5
    assert all(tp.match is not None for _, tp in journey.touchpoints())
    assert journey.pain_points() and journey.opportunities() and journey.kpis()
    assert journey.departments and journey.review and journey.conversion
    assert journey.data is not None and journey.data.columns
    layers = {tp.layer for _, tp in journey.touchpoints()}
    assert layers == {"frontstage", "backstage", "support"}


def test_schema_rejects_what_the_loader_rejects() -> None:
    validator = jsonschema.Draft202012Validator(map_json_schema())
    assert not validator.is_valid({"name": "x", "stages": [{"id": "a"}]})
    assert not validator.is_valid({"name": "x", "colour": "red"})
    assert validator.is_valid({"name": "x", "conversion": {"event": "buy"}})
