from __future__ import annotations

import re
import typing

import pytest

from journeymap.errors import MapError
from journeymap.model.cards import KpiMetric
from journeymap.model.frameworks import get_framework, list_frameworks

FRAMEWORKS = list_frameworks()
IDS = [f.id for f in FRAMEWORKS]
ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def test_at_least_thirteen_presets_with_unique_ids() -> None:
    assert len(FRAMEWORKS) >= 13
    assert len(set(IDS)) == len(IDS)
    required = {
        "classic-5", "three-stage", "tofu-mofu-bofu", "four-stage", "5es", "race",
        "aida", "awareness-levels", "b2b-buyer", "six-stage", "eight-stage",
        "nine-stage", "saas-lifecycle",
    }  # fmt: skip
    assert required <= set(IDS)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=IDS)
def test_preset_is_well_formed(framework) -> None:  # type: ignore[no-untyped-def]
    stage_ids = framework.stage_ids()
    assert len(set(stage_ids)) == len(stage_ids)
    assert all(ID.match(stage_id) for stage_id in stage_ids)
    assert framework.name and framework.description and framework.source
    for stage in framework.stages:
        assert stage.name and stage.description
        assert stage.typical_touchpoints, stage.id
        assert len(set(stage.typical_touchpoints)) == len(stage.typical_touchpoints)
        assert set(stage.suggested_kpis) <= set(typing.get_args(KpiMetric))
        assert stage.suggested_kpis, stage.id


@pytest.mark.parametrize(
    ("framework_id", "stages"),
    [
        ("5es", ["entice", "enter", "engage", "exit", "extend"]),
        ("race", ["reach", "act", "convert", "engage"]),
        ("aida", ["attention", "interest", "desire", "action"]),
        ("b2b-buyer", [
            "problem-identification", "solution-exploration", "requirements-building",
            "supplier-selection", "validation", "consensus-creation",
        ]),
        ("awareness-levels", [
            "unaware", "problem-aware", "solution-aware", "product-aware", "most-aware",
        ]),
        ("six-stage", [None] * 6),
        ("eight-stage", [None] * 8),
        ("nine-stage", [None] * 9),
    ],
)  # fmt: skip
def test_named_stage_sequences(framework_id: str, stages: list[str | None]) -> None:
    found = list(get_framework(framework_id).stage_ids())
    assert len(found) == len(stages)
    assert all(
        want is None or want == got for want, got in zip(stages, found, strict=True)
    )


def test_classic_five() -> None:
    names = [s.name for s in get_framework("classic-5").stages]
    assert names == ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]


def test_unknown_framework_suggests_the_closest() -> None:
    with pytest.raises(
        MapError, match="unknown framework `clasic-5`; did you mean `classic-5`"
    ):
        get_framework("clasic-5")


def test_unknown_framework_without_close_match_lists_all() -> None:
    with pytest.raises(MapError, match="known: classic-5, three-stage"):
        get_framework("zzzzzzzz")


def test_list_is_stable() -> None:
    assert list_frameworks() == FRAMEWORKS
    assert list_frameworks()[0].id == "classic-5"
