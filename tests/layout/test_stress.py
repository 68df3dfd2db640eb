"""Real maps are messy (issue 12): 3 and 12 stages, 100 touchpoints, 200-character
names, 20 cards in one cell, CJK, Arabic and emoji. Nothing that carries meaning is cut
off: every text stays in its box, shortened text keeps its full wording in a tooltip."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from journeymap.layout import Group, Text, layout_map
from journeymap.layout.diagram import Diagram
from journeymap.model import (
    JourneyMap,
    Kpi,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.model.measured import (
    Emotion,
    KpiValue,
    MeasuredMap,
    PainPointVerdict,
    StageFigures,
    TouchpointFigures,
)
from journeymap.render.svg import render_svg

LONG = (
    "Compares delivery fees, minimum basket sizes, substitution policies and the "
    "earliest free evening slot across three competitors before deciding whether the "
    "first order is worth the effort at all"
)  # 200 characters
EVIL = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
WORLD = (
    "送料は最後にしか表示されない 😤",
    "رسوم التوصيل تظهر فقط في النهاية",
    "Ça coûte trop cher 💸",
)


def messy_map(stages: int, touchpoints: int) -> JourneyMap:
    built = []
    for s in range(stages):
        mine = range(s * touchpoints // stages, (s + 1) * touchpoints // stages)
        tps = tuple(
            Touchpoint(id=f"tp{t}", name=f"{WORLD[t % 3]} {t}" if t % 4 else LONG,
                       channel=("web", "store", None, "call_centre")[t % 4])
            for t in mine
        )  # fmt: skip
        pains = tuple(
            PainPoint(id=f"p{s}-{k}", text=LONG if k == 0 else WORLD[k % 3],
                      touchpoint=tps[0].id if tps else None, severity="high")
            for k in range(20 if s == 1 else 1)
        )  # fmt: skip
        built.append(Stage(
            id=f"s{s}", name=LONG if s == 0 else f"Stage {s} {WORLD[s % 3]}",
            goal=LONG, description=WORLD[s % 3], emotion=((s % 5) - 2) / 2,
            actions=(LONG, *WORLD), thoughts=(LONG,), touchpoints=tps,
            pain_points=pains,
            opportunities=(Opportunity(id=f"o{s}", text=LONG, addresses=(pains[0].id,),
                                       owner=WORLD[1], value=4, effort=2),),
            kpis=(Kpi(id=f"k{s}", metric="csat", name=LONG, target=">= 4.5"),),
        ))  # fmt: skip
    personas = tuple(
        Persona(id=f"persona{i}", name=WORLD[i % 3], description=LONG,
                goals=(LONG,), needs=WORLD, quote=LONG if i else EVIL)
        for i in range(5)
    )  # fmt: skip
    return JourneyMap(
        name=LONG, description=LONG, personas=personas, stages=tuple(built)
    )


def messy_measured(journey: JourneyMap) -> MeasuredMap:
    quote = {"text": "fee", "z": 3.0, "comments": 12, "quote": LONG + " " + WORLD[0]}
    return MeasuredMap(
        journey,
        stages=tuple(
            StageFigures(
                s.id,
                reached=1000 - 50 * i,
                conversion_next=0.8,
                dropoff=0.2,
                regressions_out=i,
            )
            for i, s in enumerate(journey.stages)
        ),  # fmt: skip
        touchpoints=tuple(
            TouchpointFigures(
                tp.id, st.id, reached=100, emotion=Emotion(None, -0.4, 40, -0.6, -0.2)
            )
            for st, tp in journey.touchpoints()
        ),  # fmt: skip
        pain_points=tuple(
            PainPointVerdict(p.id, "supported", impact=1234.0)
            for _, p in journey.pain_points()
        ),  # fmt: skip
        kpis=tuple(
            KpiValue(k.id, "csat", 4.49, ">= 4.5", met=False) for _, k in journey.kpis()
        ),  # fmt: skip
        phrases={
            "touchpoints": {
                tp.id: {"negative": [quote]} for _, tp in journey.touchpoints()
            }
        },  # fmt: skip
        personas=tuple(
            {"id": p.id, "share": 0.2, "conversion_rate": 0.3} for p in journey.personas
        ),  # fmt: skip
        customers=1000,
    )


def texts_outside_frames(diagram: Diagram) -> list[tuple[str | None, tuple[str, ...]]]:
    bad = []
    for group in diagram.groups():
        if group.frame is None:
            continue
        for item in group.items:
            if isinstance(item, Text) and not group.frame.contains(*item.extent()):
                bad.append((group.id, item.lines))
    return bad


@pytest.mark.parametrize(("stages", "touchpoints"), [(3, 12), (12, 100)])
def test_messy_maps_keep_every_word(stages: int, touchpoints: int) -> None:
    journey = messy_map(stages, touchpoints)
    diagram = layout_map(journey, messy_measured(journey))
    assert texts_outside_frames(diagram) == []
    for item in diagram.walk():  # shortened text carries its full wording
        if isinstance(item, Text) and any(line.endswith("…") for line in item.lines):
            assert item.title, item.lines
    titles = {g.id: g.title or "" for g in diagram.groups() if isinstance(g, Group)}
    for _, pain in journey.pain_points():  # the card's accessible name says it all
        title = titles[f"pain-{pain.id}"]
        assert title.startswith(pain.text) and "impact" in title
    for _, kpi in journey.kpis():
        assert "4.49 vs target ≥ 4.50" in titles[f"kpi-{kpi.id}"]
    for persona in journey.personas:
        assert LONG in titles[f"persona-{persona.id}"]
    assert len([g for g in titles if g and g.startswith("said-")]) >= stages
    svg = render_svg(diagram)
    root = ET.fromstring(svg)  # well-formed with every script above
    assert "<script>" not in svg and "<img" not in svg
    assert any(EVIL in "".join(el.itertext()) for el in root.iter())  # shown as text


def test_twenty_cards_in_one_cell_grow_the_row() -> None:
    journey = messy_map(3, 6)
    diagram = layout_map(journey)
    lane = next(lane for lane in diagram.lanes if lane.id == "pain_points")
    cards = [g for g in diagram.groups() if (g.id or "").startswith("pain-p1-")]
    assert len(cards) == 20
    assert all(
        g.frame is not None and g.frame.bottom <= lane.y + lane.height for g in cards
    )
