"""What a CX designer missed on the map (issue 12): personas, quotes, flow, blueprint
order, greyed assumptions, KPI precision, a clean unmeasured map."""

from __future__ import annotations

from types import ModuleType

from journeymap.layout import Group, Text, layout_map
from journeymap.layout.diagram import Diagram
from journeymap.layout.lanes import is_online
from journeymap.model import JourneyMap, Kpi, Stage, Touchpoint
from journeymap.model.measured import KpiValue, MeasuredMap


def texts(diagram: Diagram) -> list[str]:
    return [line for t in diagram.walk() if isinstance(t, Text) for line in t.lines]


def group(diagram: Diagram, group_id: str) -> Group:
    return next(g for g in diagram.groups() if g.id == group_id)


def group_text(found: Group) -> str:
    inner = Diagram(0, 0, "", "", (), (), (found,))
    return " ".join(texts(inner)).replace("\u00a0", " ")


def test_lanes_follow_the_standard_order_with_the_blueprint_at_the_bottom(
    sample: ModuleType,
) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    lanes = [lane.id for lane in diagram.lanes]
    assert lanes == ["flow", "actions", "touchpoints", "thoughts", "said", "emotion",
                     "pain_points", "opportunities", "measured", "kpis", "backstage",
                     "support"]  # fmt: skip
    lines = {g.id for g in diagram.groups()}
    assert {"line-of-interaction", "line-of-visibility",
            "line-of-internal-interaction"} <= lines  # fmt: skip


def test_persona_panel_shows_who_the_map_is_about(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    card = group_text(group(diagram, "persona-busy-parent"))
    for words in ("Busy parent", "Shops for a family", "Goals: Weekly shop",
                  "Needs: Reliable evening slots", "“I do the shopping on the sofa.”",
                  "41% of customers", "converts 38.0%"):  # fmt: skip
        assert words in card, words
    view = layout_map(journey, persona="student")
    panels = [g.id for g in view.groups() if (g.id or "").startswith("persona-")]
    assert panels == ["persona-student"]


def test_quotes_lane_shows_real_comments_negative_first(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    first = group_text(group(diagram, "said-purchase-1"))
    assert "delivery fee popped up" in first and "<again>" in first
    assert "Negative · at Checkout" in first
    assert "Positive · at Checkout" in group_text(group(diagram, "said-purchase-3"))


def test_flow_strip_says_who_moves_on(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    assert "46.0% move on" in group_text(group(diagram, "flow-awareness"))
    assert not any(g.id == "flow-loyalty" for g in diagram.groups())  # last stage


def test_an_assumption_the_data_refutes_is_greyed_not_an_alarm(
    sample: ModuleType,
) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    card = group(diagram, "pain-slot-scarcity")
    assert card.frame is not None and card.frame.style == "card.pain-refuted"
    assert "impact" not in (card.title or "")
    supported = group(diagram, "pain-hidden-fee")
    assert supported.frame is not None and supported.frame.style == "card.pain-critical"


def test_opportunities_show_priority_and_what_if(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    card = group_text(group(diagram, "opportunity-fee-upfront"))
    assert "PRIORITY 1 OF 1" in card
    assert "What if solved: Conversion rate 35.1% → 36.6% (+188 customers)" in card


def test_kpi_values_have_the_precision_their_comparison_needs() -> None:
    stage = Stage(
        id="s", name="S", kpis=(Kpi(id="csat", metric="csat", target=">= 5"),)
    )
    journey = JourneyMap(name="m", stages=(stage,))
    measured = MeasuredMap(
        journey, kpis=(KpiValue("csat", "csat", 4.986, ">= 5", met=False),)
    )
    card = group_text(group(layout_map(journey, measured), "kpi-csat"))
    assert "4.99 vs target ≥ 5.00" in card and "✗ MISSED" in card


def test_a_fresh_map_renders_without_placeholder_noise() -> None:
    stage = Stage(id="s", name="Stage", description="What happens here, in words.",
                  touchpoints=(Touchpoint(id="t", name="Somewhere"),),
                  kpis=(Kpi(id="k", metric="nps"),))  # fmt: skip
    diagram = layout_map(JourneyMap(name="m", stages=(stage,)))
    words = " ".join(texts(diagram))
    assert "NO CHANNEL" not in words and "no target" not in words.lower()
    assert "What happens here, in words." in words
    assert "Online" not in group_text(group(diagram, "touchpoint-t"))


def test_online_is_inferred_from_the_channel_unless_given() -> None:
    def online(**fields: object) -> bool | None:
        return is_online(Touchpoint(id="t", name="T", **fields))  # type: ignore[arg-type]

    assert online(channel="web") is True and online(channel="email") is True
    assert online(channel="mail") is False and online(channel="store") is False
    assert online(channel="Phone") is False and online(channel="call_centre") is False
    assert online(channel="store", online=True) is True
    assert online() is None


def test_a_department_view_shows_only_what_it_owns(sample: ModuleType) -> None:
    import pytest

    from journeymap.errors import RenderError
    from journeymap.model.journey import Department

    base = sample.grocery_map()
    stages = list(base.stages)
    purchase = stages[2]
    owned = tuple(
        tp.model_copy(update={"department": "pay"}) if tp.id == "checkout" else tp
        for tp in purchase.touchpoints
    )
    stages[2] = purchase.model_copy(update={"touchpoints": owned})
    journey = base.model_copy(update={
        "departments": (Department(id="pay", name="Payments"),), "stages": tuple(stages)})  # fmt: skip
    diagram = layout_map(journey, sample.grocery_measured(journey), department="pay")
    ids = {g.id for g in diagram.groups()}
    assert "touchpoint-checkout" in ids and "touchpoint-app" not in ids
    assert not any((i or "").startswith(("kpi-", "action-", "business-")) for i in ids)
    assert "Department: Payments" in texts(diagram)
    with pytest.raises(RenderError, match="unknown department 'x'; known: pay"):
        layout_map(journey, department="x")


def test_period_over_period_overlay(sample: ModuleType) -> None:
    from dataclasses import replace

    from journeymap.layout import Path as PathItem
    from journeymap.model.measured import Emotion

    journey = sample.grocery_map()
    now = sample.grocery_measured(journey)
    before = replace(
        now,
        customers=9_000,
        stages=tuple(
            replace(f, conversion_next=(f.conversion_next or 0) - 0.05)
            for f in now.stages
        ),  # fmt: skip
        stage_emotion={
            k: Emotion(e.assumed, (e.measured or 0) - 0.2, e.n)
            for k, e in now.stage_emotion.items()
        },  # fmt: skip
    )
    diagram = layout_map(journey, now, previous=before)
    words = " ".join(texts(diagram)).replace("\u00a0", " ")
    assert "vs previous period: n = 9,000" in words and "previous period" in words
    assert "46.0% (▲ 5.0 pts)" in words  # awareness moved on 41% before
    paths = {i.id for i in diagram.walk() if isinstance(i, PathItem)}
    assert "emotion-previous" in paths
    assert "emotion-previous" not in {
        i.id for i in layout_map(journey, now).walk() if isinstance(i, PathItem)
    }
