from __future__ import annotations

from journeymap.model import JourneyMap, Stage, Touchpoint
from journeymap.model.cards import Kpi, Opportunity, PainPoint
from journeymap.model.journey import Conversion, Department
from journeymap.model.persona import Persona
from journeymap.model.references import Problem, check_references


def test_check_references_on_a_model() -> None:
    stage = Stage(id="s", name="S", touchpoints=(Touchpoint(id="t", name="T"),) * 2)
    problems = check_references(JourneyMap(name="x", stages=(stage,)))
    assert problems == [
        Problem(
            ("stages", 0, "touchpoints", 1, "id"),
            "duplicate touchpoint id `t`",
            related=("stages", 0, "touchpoints", 0, "id"),
        )
    ]


def test_a_consistent_map_has_no_problems() -> None:
    stage = Stage(
        id="s",
        name="S",
        touchpoints=(Touchpoint(id="t", name="T", department="web"),),
        pain_points=(PainPoint(id="p", text="P", touchpoint="t"),),
        opportunities=(Opportunity(id="o", text="O", addresses=("p",), kpis=("k",)),),
        kpis=(Kpi(id="k", metric="touchpoint_reach", touchpoint="t"),),
    )
    journey = JourneyMap(
        name="x",
        framework="aida",
        departments=(Department(id="web", name="Web"),),
        personas=(Persona(id="a", name="A", segment="plan == 'pro'"),),
        stages=(stage,),
        conversion=Conversion(stage="s"),
    )
    assert check_references(journey) == []


def test_every_kind_of_reference_is_checked() -> None:
    stage = Stage(
        id="s",
        name="S",
        touchpoints=(Touchpoint(id="t", name="T", department="ops"),),
        pain_points=(PainPoint(id="p", text="P", touchpoint="x", department="ops"),),
        opportunities=(
            Opportunity(
                id="o", text="O", addresses=("q",), kpis=("z",), department="ops"
            ),
        ),
        kpis=(Kpi(id="k", metric="nps", touchpoint="y"),),
    )
    journey = JourneyMap(
        name="x",
        framework="nope",
        departments=(Department(id="web", name="Web"),),
        personas=(Persona(id="a", name="A", segment="plan ="),),
        stages=(stage,),
        conversion=Conversion(stage="u"),
    )
    fields = {
        problem.loc[-1] if isinstance(problem.loc[-1], str) else problem.loc[-2]
        for problem in check_references(journey)
    }
    assert fields == {
        "touchpoint",
        "addresses",
        "kpis",
        "department",
        "stage",
        "framework",
        "segment",
    }
    assert len(check_references(journey)) == 10
