from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.errors import MapError
from journeymap.model.frameworks import get_framework, list_frameworks
from journeymap.model.spec import (
    dumps_map_document,
    loads_map,
    loads_map_document,
    map_json_schema,
)
from journeymap.model.templates import new_map_yaml, slugify, yaml_text

from .conftest import as_json

IDS = [f.id for f in list_frameworks()]


@pytest.mark.parametrize("framework_id", IDS)
def test_every_framework_template_loads_and_round_trips(framework_id: str) -> None:
    text = new_map_yaml(framework_id, "My journey")
    journey, document = loads_map_document(text, file="new.yaml")
    assert dumps_map_document(document) == text
    framework = get_framework(framework_id)
    assert journey.name == "My journey"
    assert journey.framework == framework_id
    assert tuple(journey.stage_ids()) == framework.stage_ids()
    for stage, preset in zip(journey.stages, framework.stages, strict=True):
        assert [t.name for t in stage.touchpoints] == list(preset.typical_touchpoints)
        assert all(t.match is not None for t in stage.touchpoints)
        assert [k.metric for k in stage.kpis] == list(preset.suggested_kpis)
    jsonschema.validate(as_json(dict(document)), map_json_schema())


def test_template_has_the_teaching_parts() -> None:
    text = new_map_yaml("classic-5", "Grocery")
    journey = loads_map(text)
    for section in ("# Personas", "# Stages", "`match`", "evidence:", "# Conversion"):
        assert section in text
    assert "# data:" in text  # a commented example; the map has no data yet
    assert journey.data is None
    assert journey.personas[0].segment
    pain = journey.stages[0].pain_points[0]
    assert journey.stages[0].opportunities[0].addresses == (pain.id,)
    assert journey.conversion is not None


def test_touchpoint_ids_stay_unique_across_stages() -> None:
    # "Checkout" and "Payment" recur in several stages of some presets.
    for framework_id in IDS:
        journey = loads_map(new_map_yaml(framework_id, "x"))
        ids = [tp.id for _, tp in journey.touchpoints()]
        assert len(ids) == len(set(ids))


def test_unknown_framework() -> None:
    with pytest.raises(MapError, match="did you mean `aida`"):
        new_map_yaml("aid", "x")


def test_slugify_and_yaml_text() -> None:
    assert slugify("Customer success call") == "customer-success-call"
    assert slugify("???") == "touchpoint"
    assert yaml_text("yes") == '"yes"'
    assert yaml_text("a: b # c") == '"a: b # c"'


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=30))
def test_any_name_gives_a_loadable_template(name: str) -> None:
    text = new_map_yaml("aida", name)
    assert loads_map(text).name == name
