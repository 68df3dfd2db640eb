"""The packaged demo map: valid, commented, and in step with the simulated events."""

from __future__ import annotations

import pandas as pd

import journeymap as jm
from journeymap.analytics.matching import unmatched_events
from journeymap.demo import SimulatedData, demo_map_path, demo_map_text
from journeymap.demo.truth import SYSTEM_EVENTS
from journeymap.model import JourneyMap
from journeymap.model.rules import evaluate, parse_rule


def test_map_file_and_text_agree() -> None:
    assert demo_map_path().is_file()
    assert demo_map_path().read_text(encoding="utf-8") == demo_map_text()
    assert demo_map_text().count("\n#") > 10  # commented for new users


def test_map_loads_and_has_the_designed_shape(journey: JourneyMap) -> None:
    assert jm.load_map(demo_map_path()) == journey
    assert len(journey.stages) == 5 and len(journey.touchpoints()) >= 15
    assert journey.conversion is not None and journey.conversion.event == ("purchase",)
    assert all(stage.emotion is not None for stage in journey.stages)
    offline = {tp.id for _, tp in journey.touchpoints() if not tp.online}
    assert {"store", "print-tv", "driver", "call-centre-enquiry"} <= offline
    channels = {tp.channel for _, tp in journey.touchpoints()}
    assert {"web", "app", "email", "social", "search", "call_centre"} <= channels


def test_personas_select_the_simulated_groups(
    journey: JourneyMap, demo: SimulatedData
) -> None:
    rows = demo.customers.to_dict("records")
    for persona in journey.personas:
        assert persona.segment is not None
        rule = parse_rule(persona.segment)
        selected = {row["customer_id"] for row in rows if evaluate(rule, row)}
        expected = set(
            demo.customers.loc[demo.customers["persona"] == persona.id, "customer_id"]
        )
        assert selected == expected, persona.id


def test_assumed_pain_points_include_the_planted_one_and_a_false_one(
    journey: JourneyMap, demo: SimulatedData
) -> None:
    pains = {pain.id: (stage.id, pain) for stage, pain in journey.pain_points()}
    for pain_id in demo.truth["assumed_pain_points"]:
        assert pains[pain_id][1].evidence == "assumed"
    planted = demo.truth["planted_problem"]
    stage, pain = pains[planted["pain_point"]]
    assert (stage, pain.touchpoint) == (planted["stage"], planted["touchpoint"])
    unsupported = demo.truth["unsupported_assumption"]
    stage, pain = pains[unsupported["pain_point"]]
    assert (stage, pain.touchpoint) == (unsupported["stage"], unsupported["touchpoint"])
    addressed = {p for _, opp in journey.opportunities() for p in opp.addresses}
    assert set(demo.truth["assumed_pain_points"]) <= addressed


def test_every_touchpoint_matches_simulated_events(
    journey: JourneyMap, matched: pd.DataFrame
) -> None:
    counts = matched["touchpoint_id"].value_counts()
    for _, tp in journey.touchpoints():
        assert counts.get(tp.id, 0) > 0, tp.id
    planted = journey.stage("purchase")
    assert any(tp.id == "payment-helpline" for tp in planted.touchpoints)
    helpline = matched[matched["touchpoint_id"] == "payment-helpline"]
    assert (helpline["reason"] == "payment").all()


def test_only_system_events_are_unmatched(matched: pd.DataFrame) -> None:
    unmatched = matched.loc[matched["touchpoint_id"].isna(), "event"]
    assert set(unmatched) == set(SYSTEM_EVENTS)
    assert 0.02 < len(unmatched) / len(matched) < 0.15


def test_every_stage_loses_customers(matched: pd.DataFrame) -> None:
    furthest = (
        matched[matched["stage_index"] >= 0].groupby("customer_id")["stage_index"].max()
    )
    ending = furthest.value_counts()
    assert set(ending.index) == {0, 1, 2, 3, 4}
    reached = [(furthest >= k).sum() for k in range(5)]
    assert all(
        later < earlier for earlier, later in zip(reached, reached[1:], strict=False)
    )
    assert 0.5 < reached[1] / reached[0] < 0.85  # awareness -> consideration


def test_analytics_agree_on_unmatched_events(
    journey: JourneyMap, demo: SimulatedData, matched: pd.DataFrame
) -> None:
    sample = demo.events[demo.events["customer_id"] < "C00300"]
    log = jm.read_events(sample)
    report = unmatched_events(log, journey)
    expected = matched.loc[sample.index]
    assert report.unmatched == int(expected["touchpoint_id"].isna().sum())
    assert {name for name, _ in report.top} == set(SYSTEM_EVENTS)


def test_map_data_points_at_the_demo_layout(journey: JourneyMap) -> None:
    # `journeymap demo` writes map.yaml with the events in data/ beside it.
    assert journey.data is not None and journey.data.events == "data/events.parquet"
