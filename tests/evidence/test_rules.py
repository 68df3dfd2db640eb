"""The evidence rules on small hand-made journeys: each verdict rests on its own
hypothesis, loops are not returns, missing attributes are nobody's persona, circular
personas and signals are refused, and older cohorts are not "slow"."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import journeymap as jm
from journeymap.evidence.contrasts import Contrast, Group, newcombe_interval
from journeymap.pipeline import journey_units, measure_map

START = dt.datetime(2026, 1, 5)
MAP = {
    "name": "shop",
    "personas": [
        {"id": "senior", "name": "Senior", "segment": "age_band == '65+'"},
        {"id": "young", "name": "Young", "segment": "age_band == '18-34'"},
        {"id": "clicker", "name": "Clicker", "segment": "event == 'promo_click'"},
    ],
    "stages": [
        {
            "id": "browse",
            "name": "Browse",
            "touchpoints": [
                {"id": "home", "name": "Home", "match": {"event": ["home"]}},
                {"id": "search", "name": "Search", "match": {"event": ["search"]}},
            ],
        },
        {
            "id": "cart",
            "name": "Cart",
            "touchpoints": [
                {"id": "basket", "name": "Basket", "match": {"event": ["cart"]}}
            ],
        },
        {
            "id": "buy",
            "name": "Buy",
            "touchpoints": [
                {"id": "pay", "name": "Pay", "match": {"event": ["pay", "purchase"]}}
            ],
        },
    ],
    "conversion": {"event": "purchase"},
}


def _pain(**fields: object) -> dict[str, object]:
    return {"id": "p", "text": "a claim", **fields}


def _journey(pains_by_stage: dict[str, list[dict[str, object]]]) -> jm.JourneyMap:
    spec = {**MAP, "stages": [dict(s) for s in MAP["stages"]]}
    for stage in spec["stages"]:
        stage["pain_points"] = pains_by_stage.get(stage["id"], [])
    return jm.JourneyMap.model_validate(spec)


def simulate(
    n: int = 1600,
    *,
    seed: int = 3,
    senior_cart_drop: float = 0.0,
    error_loop: float = 0.0,
    weeks: int = 12,
    incident_weeks: tuple[int, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and customer attributes: browse → cart → buy, sessions within a day.

    Senior customers drop off in the cart ``senior_cart_drop`` more often; sessions
    with a ``cart_error`` go back from cart to browse with probability ``error_loop``;
    customers starting in ``incident_weeks`` drop off in the cart 25 points more.
    """
    rng = np.random.default_rng(seed)
    bands = rng.choice(["65+", "18-34", "35-64"], size=n)
    missing = rng.random(n) < 0.1
    rows = []
    for i in range(n):
        cid = f"c{i}"
        week = int(rng.integers(0, weeks))
        t = START + dt.timedelta(days=7 * week + float(rng.random()) * 6, hours=8)

        def emit(event: str, minutes: float, cid: str = cid) -> None:
            nonlocal t
            t += dt.timedelta(minutes=minutes)
            rows.append((cid, t, event))

        emit("home", 0)
        if rng.random() < 0.5:
            emit("search", 2)
        if rng.random() < 0.2:
            emit("promo_click", 1)
        if rng.random() < 0.3:  # never reaches the cart
            continue
        emit("cart", 3)
        if rng.random() < 0.3:
            emit("cart_error", 1)
            if rng.random() < error_loop:
                emit("home", 1)  # a loop within the session
                emit("cart", 2)
        drop = 0.3 + (senior_cart_drop if bands[i] == "65+" else 0.0)
        drop += 0.25 if week in incident_weeks else 0.0
        if rng.random() < drop:
            if rng.random() < 0.4:  # comes back another day: a return, not a loop
                t += dt.timedelta(days=2)
                emit("home", 0)
            continue
        emit("pay", 4)
        emit("purchase", 1)
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "age_band": pd.array(
                [None if m else b for b, m in zip(bands, missing, strict=True)],
                dtype="string",
            ),
        }
    )
    return events, customers


def _measure(journey, events, customers, **options):
    return measure_map(
        journey, jm.read_events(events), customers=customers, clusters=False, **options
    )


def _verdict(measured, pain_id="p"):
    return next(v for v in measured.pain_points if v.id == pain_id)


# -- statistics -----------------------------------------------------------------------
def test_one_sided_z_and_fisher_match_scipy() -> None:
    c = Contrast.of("dropoff", Group("a", 400, 140), Group("b", 600, 150))
    table = np.array([[140, 260], [150, 450]])
    pooled = 290 / 1000
    z = (140 / 400 - 150 / 600) / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 600))
    assert c.test == "z"
    assert c.p_value == pytest.approx(stats.norm.sf(z))
    small = Contrast.of("dropoff", Group("a", 12, 4), Group("b", 12, 0))
    assert small.test == "fisher"
    assert small.p_value == pytest.approx(
        stats.fisher_exact([[4, 8], [0, 12]], alternative="greater").pvalue
    )
    assert table.sum() == 1000


def test_newcombe_interval_matches_published_example() -> None:
    # Newcombe (1998), table II, example (a): 56/70 vs 48/80 → 0.0524 to 0.3339
    low, high = newcombe_interval(Group("a", 70, 56), Group("b", 80, 48))
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


# -- verdicts -------------------------------------------------------------------------
def test_planted_persona_dropoff_is_supported_and_the_null_persona_is_not() -> None:
    events, customers = simulate(senior_cart_drop=0.2)
    journey = _journey(
        {
            "cart": [
                _pain(id="senior-drop", touchpoint="basket", persona="senior"),
                _pain(id="young-drop", touchpoint="basket", persona="young"),
            ]
        }
    )
    measured = _measure(journey, events, customers)
    senior, young = _verdict(measured, "senior-drop"), _verdict(measured, "young-drop")
    assert senior.verdict == "supported", senior.summary
    assert senior.test["exposed"]["rate"] > senior.test["comparison"]["rate"] + 0.1
    assert senior.test["ci_low"] > 0
    assert young.verdict == "not_supported", young.summary
    # customers without an age band are in neither group of the persona test
    known = customers["age_band"].notna()
    at_cart = set(events.loc[events.event == "cart", "customer_id"])
    in_test = senior.test["exposed"]["units"] + senior.test["comparison"]["units"]
    assert in_test <= sum(known & customers.customer_id.isin(at_cart))


def test_a_verdict_never_borrows_another_personas_evidence() -> None:
    events, customers = simulate(senior_cart_drop=0.25)
    journey = _journey({"cart": [_pain(touchpoint="basket", persona="young")]})
    v = _verdict(_measure(journey, events, customers))
    assert v.verdict == "not_supported"
    assert v.hypothesis["persona"] == "young"
    assert v.reason == "the exposed group does not do worse"


def test_stage_level_claim_without_persona_period_or_signal_is_not_judged() -> None:
    events, customers = simulate(senior_cart_drop=0.25)
    journey = _journey({"cart": [_pain()]})
    v = _verdict(_measure(journey, events, customers))
    assert v.verdict == "insufficient_data"
    assert "nothing to compare" in v.reason
    assert v.test is None


def test_loops_count_within_sessions_and_returns_do_not() -> None:
    events, customers = simulate(error_loop=0.6)
    journey = _journey(
        {"cart": [_pain(signal={"events": ["cart_error"], "outcome": "loop"})]}
    )
    v = _verdict(_measure(journey, events, customers))
    assert v.verdict == "supported", v.summary
    # without planted loops, returns on later days must not look like loops
    events, customers = simulate(error_loop=0.0)
    v = _verdict(_measure(journey, events, customers))
    assert v.verdict == "not_supported"
    assert v.test["comparison"]["events"] == 0  # no loop at all: returns are not loops


def test_unknown_signal_event_names_the_closest_one() -> None:
    events, customers = simulate()
    journey = _journey({"cart": [_pain(signal={"events": ["cart_eror"]})]})
    v = _verdict(_measure(journey, events, customers))
    assert v.verdict == "insufficient_data"
    assert "`cart_eror` never occurs" in v.reason and "`cart_error`" in v.reason


def test_circular_persona_and_signal_are_refused() -> None:
    events, customers = simulate()
    journey = _journey(
        {
            "browse": [
                _pain(id="circ-persona", touchpoint="home", persona="clicker"),
                _pain(id="circ-signal", signal={"events": ["purchase"]}),
            ]
        }
    )
    measured = _measure(journey, events, customers)
    assert "circular" in _verdict(measured, "circ-persona").reason
    assert "circular" in _verdict(measured, "circ-signal").reason
    assert not any(s["persona"] == "clicker" for s in measured.suggested_pain_points)
    assert any("clicker" in note and "circular" in note for note in measured.notes)


def test_period_claim_finds_the_incident_and_outside_periods_are_null() -> None:
    events, customers = simulate(n=3000, incident_weeks=(5, 6))
    first = START + dt.timedelta(days=35)
    incident = {
        "from": str(first.date()),
        "to": str((first + dt.timedelta(days=13)).date()),
    }
    quiet = {"from": "2026-01-19", "to": "2026-02-01"}
    journey = _journey(
        {
            "cart": [
                _pain(id="incident", touchpoint="basket", period=incident),
                _pain(id="quiet", touchpoint="basket", period=quiet),
            ]
        }
    )
    measured = _measure(journey, events, customers)
    assert _verdict(measured, "incident").verdict == "supported"
    assert _verdict(measured, "quiet").verdict == "not_supported"
    found = [i for i in measured.incidents if i["id"] in ("cart", "basket")]
    assert found, measured.incidents
    window = found[0]
    assert window["metric"] == "dropoff"
    assert incident["from"] <= window["from"] <= incident["to"]
    assert window["ci_low"] > 0


def test_no_incident_and_no_suggestion_in_null_data() -> None:
    events, customers = simulate(n=3000)
    measured = _measure(journey=_journey({}), events=events, customers=customers)
    assert measured.incidents == ()
    assert measured.suggested_pain_points == ()


def test_older_cohorts_are_not_slow_because_they_had_longer() -> None:
    """Journeys that end at the data's edge are censored, not counted as fast/slow."""
    events, customers = simulate(n=2000)
    units, _ = journey_units(_journey({}), jm.read_events(events), customers=customers)
    stays = units.execute(units.stays.filter(units.stays.stage_index == 1))
    late = stays[
        stays.entry_ts > units.end - dt.timedelta(seconds=units.horizons[1].seconds)
    ]
    assert not late["observable"].any()
    assert stays["observable"].mean() > 0.8


def test_shuffled_personas_support_nothing_on_the_demo(tmp_path) -> None:
    """Persona attributes shuffled across customers: no persona verdict or suggestion."""
    from journeymap.demo import demo_map_path, simulate_journeys

    demo = simulate_journeys(customers=2500, seed=5)
    journey = jm.load_map(demo_map_path())
    events = demo.events.copy()
    persona_of = events.groupby("customer_id")["persona"].first()
    rng = np.random.default_rng(0)
    shuffled = pd.Series(rng.permutation(persona_of.to_numpy()), index=persona_of.index)
    events["persona"] = events["customer_id"].map(shuffled)
    measured = measure_map(journey, jm.read_events(events), clusters=False)
    persona_verdicts = [
        v
        for v in measured.pain_points
        if v.hypothesis.get("persona") and v.verdict == "supported"
    ]
    assert persona_verdicts == []
    assert measured.suggested_pain_points == ()


def test_a_slow_verdict_shows_how_much_of_it_is_never_moving_on() -> None:
    """Stays that never move on count as slowest; the verdict says how many there
    were on each side, so a "slow" group that only drops off more is visible."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(2000):
        t = START + dt.timedelta(days=float(rng.random()) * 60, hours=8)
        clicker = i % 2 == 0
        rows.append((f"c{i}", t, "home"))
        if clicker:
            rows.append((f"c{i}", t + dt.timedelta(minutes=1), "promo_click"))
        if rng.random() < (0.5 if clicker else 0.1):
            continue  # never moves on to the cart
        rows.append((f"c{i}", t + dt.timedelta(minutes=5), "cart"))
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    customers = pd.DataFrame({"customer_id": events.customer_id.unique()})
    customers["age_band"] = pd.array(["35-64"] * len(customers), dtype="string")
    pain = _pain(signal={"events": ["promo_click"], "outcome": "slow"})
    journey = _journey({"browse": [pain]})
    v = _verdict(_measure(journey, events, customers))
    late_e = v.test["times"]["share_not_moved_on_exposed"]
    late_c = v.test["times"]["share_not_moved_on_comparison"]
    assert late_e == pytest.approx(0.5, abs=0.05)
    assert late_c == pytest.approx(0.1, abs=0.03)
    assert f"did not move on within the horizon: {late_e:.0%} vs {late_c:.0%}" in (
        v.summary
    )
