"""Done-when of issue 5 on the seeded demo: the planted problem is found and ranked
first, the unsupported assumption is rejected, the emotion curve dips at the worst
experience, and measured.json carries every documented field."""

from __future__ import annotations

import json

from journeymap.demo.truth import PLANTED_PERSONA, PLANTED_TOUCHPOINT


def test_planted_problem_is_the_top_ranked_pain_point(demo_measured) -> None:
    top = demo_measured.candidates[0]
    assert (top["kind"], top["id"], top["persona"]) == (
        "touchpoint",
        PLANTED_TOUCHPOINT,
        PLANTED_PERSONA,
    )
    assert top["outcomes"]["dropoff"]["q_value"] < 1e-6
    assert (
        top["outcomes"]["dropoff"]["value"]
        > 3 * top["outcomes"]["dropoff"]["base_value"]
    )


def test_verdicts_follow_the_planted_truth(demo_measured) -> None:
    verdicts = {v.id: v for v in demo_measured.pain_points}
    pay = verdicts["payment-friction"]
    assert pay.verdict == "supported"
    assert pay.hypothesis["persona"] == PLANTED_PERSONA
    assert pay.hypothesis["contrast"] == "persona"
    assert pay.test["exposed"]["rate"] > 3 * pay.test["comparison"]["rate"]
    assert pay.test["ci_low"] > 0.02
    assert pay.summary.startswith("supported: drop off")
    slots = verdicts["slots-hard-to-find"]
    assert slots.verdict == "not_supported"
    assert min(slots.test["exposed"]["units"], slots.test["comparison"]["units"]) >= 30
    assert slots.evidence["thresholds"]["alpha"] == 0.05
    assert slots.evidence["thresholds"]["family"] >= 2


def test_emotion_curve_dips_where_the_experience_is_worst(demo_measured) -> None:
    senior = next(p for p in demo_measured.personas if p["id"] == PLANTED_PERSONA)
    curve = {k: e.measured for k, e in senior["emotion_by_stage"].items() if e.n >= 20}
    assert min(curve, key=curve.__getitem__) == "purchase"
    assert curve["purchase"] < 0 < curve["delivery"]
    touchpoints = [t for t in demo_measured.touchpoints if t.emotion.n >= 20]
    lowest = min(touchpoints, key=lambda t: t.emotion.measured)
    assert lowest.stage_id == "purchase"
    stages = {
        k: e.measured for k, e in demo_measured.stage_emotion.items() if e.n >= 20
    }
    assert min(stages, key=stages.__getitem__) == "purchase"
    purchase = demo_measured.stage_emotion["purchase"]
    assert purchase.measured < purchase.assumed  # the team thought checkout was happy
    assert purchase.ci_low < purchase.measured < purchase.ci_high


def test_opportunities_are_prioritised_with_a_what_if(demo_measured) -> None:
    opportunities = {o["id"]: o for o in demo_measured.opportunities}
    assert demo_measured.opportunities[0]["id"] == "wallet-payments"
    wallet = opportunities["wallet-payments"]
    assert wallet["priority"] == wallet["measured_impact"] * 5 / 3
    assert wallet["what_if"]["change"] > 0
    assert opportunities["more-slots"]["priority"] == 0


def test_every_kpi_is_computed(demo_measured, demo) -> None:
    import pandas as pd

    kpis = {k.id: k for k in demo_measured.kpis}
    assert len(kpis) == len(demo_measured.journey.kpis())
    assert all(k.value is not None and k.met is not None for k in kpis.values())
    events = pd.read_parquet(demo[2])
    buyers = events.loc[events.event == "purchase", "customer_id"].nunique()
    customers = events.customer_id.nunique()
    assert kpis["first-order-rate"].value == buyers / customers
    assert kpis["first-order-rate"].met is (buyers / customers >= 0.40)
    revenue = events["value"].sum() / customers
    assert abs(kpis["revenue-per-customer"].value - revenue) < 1e-9
    ces = events.loc[events.event == "checkout_survey", "score"].mean()
    assert abs(kpis["checkout-ces"].value - ces) < 1e-9


def test_measured_json_has_the_documented_fields(demo_measured) -> None:
    data = json.loads(json.dumps(demo_measured.to_dict()))
    assert set(data["stages"][0]["emotion"]) == {
        "assumed",
        "measured",
        "n",
        "ci_low",
        "ci_high",
    }
    assert {"id", "verdict", "impact", "p_value", "evidence"} <= set(
        data["pain_points"][0]
    )
    assert {"id", "priority", "what_if"} <= set(data["opportunities"][0])
    assert {"id", "value", "target", "met"} <= set(data["kpis"][0])
    for key in ("suggested_pain_points", "personas", "clusters", "scores", "phrases"):
        assert key in data
    assert data["suggested_pain_points"]
    assert data["phrases"]["overall"]["negative"]


def test_every_measured_json_field_is_documented(demo_measured) -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs/reference/measured-map.md").read_text()
    data = json.loads(json.dumps(demo_measured.to_dict()))
    keys = set(data)
    for section in (
        "pain_points",
        "opportunities",
        "kpis",
        "personas",
        "touchpoints",
        "candidates",
        "scores",
    ):
        keys |= set(data[section][0])
    keys |= set(data["candidates"][0]["outcomes"]["dropoff"])
    keys |= set(data["stages"][0]["emotion"]) | set(data["opportunities"][0]["what_if"])
    missing = sorted(
        k
        for k in keys
        if f"`{k}`" not in doc and f"`{k}." not in doc and f".{k}`" not in doc
    )
    assert not missing, f"undocumented in measured-map.md: {missing}"


def test_measured_map_ignores_input_row_order(demo, demo_measured, tmp_path) -> None:
    """Shuffled input rows give the very same measured.json (results are deterministic)."""
    import json

    import pandas as pd

    from journeymap.ingest import read_events
    from journeymap.pipeline import measure_map

    journey, _, path = demo
    shuffled = pd.read_parquet(path).sample(frac=1.0, random_state=11)
    shuffled_path = tmp_path / "shuffled.parquet"
    shuffled.to_parquet(shuffled_path)
    again = measure_map(journey, read_events(shuffled_path), clusters=False)
    first = demo_measured.to_dict()
    second = again.to_dict()
    first["ingest"]["source"] = second["ingest"]["source"] = "events"
    assert json.dumps(second, sort_keys=True, default=str) == json.dumps(
        first, sort_keys=True, default=str
    )
