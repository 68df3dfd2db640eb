from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeymap.errors import MapError
from journeymap.model import JourneyMap, Stage
from journeymap.model.spec import (
    dump_map,
    field_path,
    load_map,
    load_map_document,
    loads_map,
    locate,
    map_json_schema,
    save_map_document,
    validate_map,
    validate_map_text,
)

MAP = """\
journeymap: 1
name: Demo  # a comment
departments:
  - {id: web, name: Web team}
personas:
  - id: parent
    name: Parent
    segment: "household_size >= 3"
stages:
  - id: discover
    name: Discover
    touchpoints:
      - id: website
        name: Website
        department: web
        match: {event: page_view}
    pain_points:
      - id: slow-site
        text: Slow on mobile
        touchpoint: website
    kpis:
      - {id: reach, metric: stage_reach}
  - id: buy
    name: Buy
    touchpoints:
      - id: checkout
        name: Checkout
        match: {event: [checkout_start]}
    opportunities:
      - id: faster
        text: Faster pages
        addresses: [slow-site]
        kpis: [reach]
conversion: {event: purchase, stage: buy}
"""


def error_for(text: str) -> MapError:
    with pytest.raises(MapError) as caught:
        loads_map(text, file="map.yaml")
    return caught.value


def test_valid_map_loads() -> None:
    journey = loads_map(MAP)
    assert journey.stage_ids() == ["discover", "buy"]
    assert journey.stages[0].touchpoints[0].match is not None
    assert journey.conversion is not None and journey.conversion.event == ("purchase",)


def test_misspelt_touchpoint_reference_names_line_and_suggests() -> None:
    error = error_for(MAP.replace("touchpoint: website", "touchpoint: websit"))
    assert error.line == 20
    assert error.field == "stages[0].pain_points[0].touchpoint"
    assert error.message == (
        "pain point `slow-site` names touchpoint `websit`; did you mean `website`?"
    )
    assert str(error) == (
        "map.yaml:20: stages[0].pain_points[0].touchpoint: pain point `slow-site` "
        "names touchpoint `websit`; did you mean `website`?"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("addresses: [slow-site]", "addresses: [slow-sight]", 32,
         "stages[1].opportunities[0].addresses[0]", "did you mean `slow-site`"),
        ("kpis: [reach]", "kpis: [raech]", 33,
         "stages[1].opportunities[0].kpis[0]", "KPI `raech`; did you mean `reach`"),
        ("stage: buy}", "stage: by}", 34, "conversion.stage", "did you mean `buy`"),
        ("department: web", "department: webb", 15,
         "stages[0].touchpoints[0].department", "did you mean `web`"),
        ("metric: stage_reach}", "metric: stage_reach, touchpoint: chekout}", 22,
         "stages[0].kpis[0].touchpoint", "did you mean `checkout`"),
        ('segment: "household_size >= 3"', 'segment: "household_size => 3"', 8,
         "personas[0].segment", "column 16: use `==`"),
        ("name: Demo  #", "framework: clasic-5\nname: Demo  #", 2,
         "framework", "did you mean `classic-5`"),
    ],
)  # fmt: skip
def test_reference_problems(
    old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in MAP
    error = error_for(MAP.replace(old, new))
    assert (error.line, error.field) == (line, field)
    assert says in error.message


def test_unknown_reference_without_close_match() -> None:
    error = error_for(MAP.replace("touchpoint: website", "touchpoint: zzzzzz"))
    assert error.message.endswith("`zzzzzz`, which the map does not define")


@pytest.mark.parametrize(
    ("old", "new", "kind", "line", "first"),
    [
        ("id: checkout", "id: website", "touchpoint", 26, 13),
        ("id: buy", "id: discover", "stage", 23, 10),
        ("- {id: reach, metric: stage_reach}",
         "- {id: reach, metric: stage_reach}\n      - {id: reach, metric: nps}",
         "KPI", 23, 22),
        ("id: parent", "id: parent\n    name: P\n  - id: parent", "persona", 8, 6),
    ],
)  # fmt: skip
def test_duplicate_ids(old: str, new: str, kind: str, line: int, first: int) -> None:
    error = error_for(MAP.replace(old, new, 1))
    assert error.line == line
    assert error.message == f"duplicate {kind} id `{error.message.split('`')[1]}` " + (
        f"(first at line {first})"
    )
    assert error.field is not None and error.field.endswith(".id")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("name: Website", "name: Website\n        layer: frontdesk", 15,
         "stages[0].touchpoints[0].layer", "Input should be 'frontstage'"),
        ("name: Demo", "name: [Demo]", 2, "name", "valid string"),
        ("text: Slow on mobile", "text: Slow\n        name: Slow", 20,
         "stages[0].pain_points[0].name", "unknown field `name`; known: id, text"),
        ("text: Faster pages", "txt: Faster pages", 30,
         "stages[1].opportunities[0].text", "Field required"),
        ("match: {event: page_view}", "match: {}", 16,
         "stages[0].touchpoints[0].match", "match needs at least one of"),
        ("journeymap: 1", "journeymap: 2", 1, "journeymap", "Input should be 1"),
        ("    name: Buy\n", "    name: Buy\n    emotion: 3\n", 25,
         "stages[1].emotion", "less than or equal to 1"),
    ],
)  # fmt: skip
def test_wrong_fields_name_line(
    old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in MAP
    error = error_for(MAP.replace(old, new, 1))
    assert (error.line, error.field) == (line, field)
    assert says in error.message


def test_unknown_field_suggestion() -> None:
    error = error_for(MAP.replace("touchpoint: website", "touchpont: website"))
    assert error.message == "unknown field `touchpont`; did you mean `touchpoint`?"
    assert error.line == 20


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("name: Demo\nstages: [\n", 3, "YAML syntax"),
        ("name: Demo\n  bad: indent\n", 2, "YAML syntax"),
        ("name: a\nname: b\n", 2, "YAML syntax"),
        ("name: 'unclosed\n", 2, "YAML syntax"),
        ("- a\n- b\n", 1, "found a list"),
        ("", 1, "found nothing"),
        ("just text\n", 1, "found a str"),
        ("name: x\nreview: {last: 2026-13-01}\n", 2, "YAML value: month must be"),
        ("name: x\nversion: 2026.4\n", 2, "valid string; put it in quotes"),
        ("name:\n", 1, "empty; text expected"),
    ],
)
def test_yaml_problems(text: str, line: int, says: str) -> None:
    error = error_for(text)
    assert error.line == line
    assert says in error.message
    assert "\n" not in str(error)


def test_tab_indentation_is_a_syntax_error_with_line() -> None:
    error = error_for("name: Demo\nstages:\n\t- id: x\n")
    assert error.line == 3 and error.message.startswith("YAML syntax")


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    error = error_for("\n".join(lines) + "\nname: x\n")
    assert "more than" in error.message


def test_self_referencing_alias_is_refused() -> None:
    error = error_for("name: x\nstages: &s [*s]\n")
    assert error.line == 2


def test_validate_returns_every_problem_in_file_order() -> None:
    text = MAP.replace("touchpoint: website", "touchpoint: websit").replace(
        "kpis: [reach]", "kpis: [raech]"
    )
    errors = validate_map_text(text, file="m.yaml")
    assert [(e.line, e.field) for e in errors] == [
        (20, "stages[0].pain_points[0].touchpoint"),
        (33, "stages[1].opportunities[0].kpis[0]"),
    ]
    assert validate_map_text(MAP) == []


def test_validate_reports_every_field_error() -> None:
    text = MAP.replace("name: Demo", "name: [x]").replace("name: Buy", "nam: Buy")
    fields = [e.field for e in validate_map_text(text)]
    assert fields == ["name", "stages[1].name", "stages[1].nam"]


def test_validate_map_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MAP.replace("stage: buy", "stage: byu"), encoding="utf-8")
    [error] = validate_map(path)
    assert str(error).startswith(f"{path}:34: conversion.stage: ")
    [missing] = validate_map(tmp_path / "nope.yaml")
    assert "cannot read" in missing.message
    (tmp_path / "bin.yaml").write_bytes(b"name: \xff\xfe\n")
    [binary] = validate_map(tmp_path / "bin.yaml")
    assert "UTF-8" in binary.message


def test_framework_fills_missing_stages() -> None:
    journey = loads_map("name: x\nframework: 5es\n")
    assert journey.stage_ids() == ["entice", "enter", "engage", "exit", "extend"]
    assert journey.stages[0].description
    own = loads_map("name: x\nframework: 5es\nstages:\n  - {id: a, name: A}\n")
    assert own.stage_ids() == ["a"]
    assert dump_map(journey) == "journeymap: 1\nname: x\nframework: 5es\n"
    assert "stages:" in dump_map(own)
    edited = journey.model_copy(update={"stages": journey.stages[:2]})
    assert loads_map(dump_map(edited)) == edited


def test_locate_and_field_path() -> None:
    _, document = load_map_document_from_text(MAP)
    assert locate(document, ("stages", 1, "touchpoints", 0, "match", "event")) == (
        28,
        ("stages", 1, "touchpoints", 0, "match", "event"),
    )
    assert locate(document, ("stages", 1, "nope", 3)) == (23, ("stages", 1, "nope"))
    assert locate(document, ("name", "str")) == (2, ("name",))
    assert field_path(("a", 0, "b")) == "a[0].b"
    assert field_path(()) == ""


def load_map_document_from_text(text: str):  # type: ignore[no-untyped-def]
    from journeymap.model.spec import loads_map_document

    return loads_map_document(text)


# -- round trips ----------------------------------------------------------------------
def test_load_save_is_byte_identical(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text(MAP, encoding="utf-8")
    journey, document = load_map_document(source)
    target = tmp_path / "out.yaml"
    save_map_document(document, target)
    assert target.read_text(encoding="utf-8") == MAP
    assert load_map(target) == journey


def test_dump_of_constructed_map_reloads_equal(tmp_path: Path) -> None:
    journey = loads_map(MAP)
    built = JourneyMap.model_validate(journey.model_dump())
    text = dump_map(built, tmp_path / "d.yaml")
    assert (tmp_path / "d.yaml").read_text(encoding="utf-8") == text
    assert loads_map(text) == built
    assert text.startswith("journeymap: 1\nname: Demo\n")
    assert "layer:" not in text  # defaults are left out
    assert dump_map(built) == text  # deterministic


def test_dump_with_original_keeps_comments_and_unchanged_lines() -> None:
    journey, document = load_map_document_from_text(MAP)
    assert dump_map(journey, original=document) == MAP
    renamed = journey.model_copy(update={"name": "Renamed"})
    text = dump_map(renamed, original=document)
    # ruamel re-aligns an end-of-line comment on a changed value; nothing else moves
    assert text.replace("Renamed #", "Renamed  #") == MAP.replace("Demo", "Renamed")
    assert dump_map(journey, original=document) == MAP  # the original is not changed


def test_dump_with_original_adds_and_removes() -> None:
    journey, document = load_map_document_from_text(MAP)
    stages = (*journey.stages[:1], Stage(id="new", name="New", emotion=0.5))
    changed = journey.model_copy(update={"stages": stages, "conversion": None})
    text = dump_map(changed, original=document)
    assert "  - id: new\n    name: New\n    emotion: 0.5\n" in text
    assert "conversion" not in text and "# a comment" in text
    assert loads_map(text) == changed


# -- JSON Schema ----------------------------------------------------------------------
def test_schema_is_deterministic_and_described() -> None:
    schema = map_json_schema()
    assert json.dumps(schema, sort_keys=False) == json.dumps(map_json_schema())
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["title"] and schema["description"]
    assert list(schema)[0] == "$schema"
    assert "name" in schema["required"]
    event = schema["$defs"]["Match"]["properties"]["event"]
    assert {"type": "string"} in event["anyOf"]
