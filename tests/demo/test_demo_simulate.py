"""The simulator: reproducible, canonical, and realistic enough to analyse."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from journeymap.demo import SimulatedData, simulate_journeys
from journeymap.demo.simulate import EVENT_COLUMNS
from journeymap.demo.truth import SYSTEM_EVENTS

from .conftest import CUSTOMERS

SURVEY_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SURVEY_EVENTS = {
    "checkout_survey": "ces",
    "slot_survey": "ces",
    "delivery_survey": "nps",
    "support_survey": "csat",
}


def per_persona_share(events: pd.DataFrame, mask: pd.Series) -> pd.Series:
    return mask.groupby(events["persona"]).mean()


# -- reproducibility ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def small() -> SimulatedData:
    return simulate_journeys(150, seed=3)


def test_same_seed_gives_identical_data(small: SimulatedData) -> None:
    again = simulate_journeys(150, seed=3)
    pd.testing.assert_frame_equal(small.events, again.events)
    pd.testing.assert_frame_equal(small.customers, again.customers)
    assert small.truth == again.truth


def test_different_seed_gives_different_data(small: SimulatedData) -> None:
    other = simulate_journeys(150, seed=4)
    assert not small.events.equals(other.events)
    assert small.customers["persona"].tolist() != other.customers["persona"].tolist()


def test_rejects_no_customers() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate_journeys(0)


def test_start_moves_the_timeline() -> None:
    start = dt.datetime(2025, 6, 2)  # naive: taken as UTC
    data = simulate_journeys(50, seed=1, start=start)
    first = data.events["timestamp"].min()
    assert first >= pd.Timestamp("2025-06-02", tz="UTC")
    assert first < pd.Timestamp("2025-09-01", tz="UTC")
    assert data.truth["start"] == "2025-06-02T00:00:00Z"


# -- schema ------------------------------------------------------------------------------
def test_canonical_columns_and_types(demo: SimulatedData) -> None:
    events = demo.events
    assert list(events.columns[: len(EVENT_COLUMNS)]) == EVENT_COLUMNS
    assert {"persona", "region", "device", "age_band", "household_size", "plan"} <= set(
        events.columns
    )
    assert str(events["timestamp"].dtype) == "datetime64[us, UTC]"
    assert events["value"].dtype == "float64" and events["score"].dtype == "float64"
    assert events["household_size"].dtype == "int64"
    for column in ("customer_id", "event", "channel", "session_id", "text", "persona"):
        assert pd.api.types.is_string_dtype(events[column]), column
    assert (
        events[["customer_id", "timestamp", "event", "channel", "session_id"]]
        .notna()
        .all()
        .all()
    )


def test_every_customer_has_events_and_attributes(demo: SimulatedData) -> None:
    assert len(demo.customers) == CUSTOMERS
    assert set(demo.events["customer_id"]) == set(demo.customers["customer_id"])
    joined = demo.events.merge(demo.customers, on="customer_id", suffixes=("", "_c"))
    for column in ("persona", "region", "household_size", "plan"):
        assert (joined[column] == joined[f"{column}_c"]).all()


def test_events_are_grouped_and_strictly_ordered_per_customer(
    demo: SimulatedData,
) -> None:
    events = demo.events
    runs = (events["customer_id"] != events["customer_id"].shift()).sum()
    assert (
        runs == events["customer_id"].nunique()
    )  # each customer's rows are contiguous
    same = events["customer_id"] == events["customer_id"].shift()
    gaps = events["timestamp"].diff()[same]
    assert (gaps > pd.Timedelta(0)).all()


def test_time_gaps_range_from_seconds_to_days(demo: SimulatedData) -> None:
    events = demo.events
    same = events["customer_id"] == events["customer_id"].shift()
    gaps = events["timestamp"].diff()[same].dt.total_seconds()
    assert gaps.quantile(0.25) < 120
    assert gaps.quantile(0.95) > 86400
    assert events["session_id"].groupby(events["customer_id"]).nunique().max() >= 8


def test_size_scales_to_the_default(demo: SimulatedData) -> None:
    per_customer = len(demo.events) / CUSTOMERS
    assert 100_000 <= per_customer * 5000 <= 200_000


# -- behaviour ---------------------------------------------------------------------------
def test_personas_have_their_shares(demo: SimulatedData) -> None:
    shares = demo.customers["persona"].value_counts(normalize=True)
    assert set(shares.index) == set(demo.truth["personas"])
    for persona, share in demo.truth["personas"].items():
        assert abs(shares[persona] - share) < 0.05


def test_personas_use_different_channels(demo: SimulatedData) -> None:
    events = demo.events
    app = per_persona_share(events, events["channel"] == "app")
    assert app["busy-parent"] > app["bargain-hunter"] > app["senior-shopper"]
    phone = per_persona_share(events, events["channel"] == "call_centre")
    assert phone["senior-shopper"] > 3 * phone.drop("senior-shopper").max()
    compare = per_persona_share(events, events["event"] == "price_compare_view")
    assert compare["bargain-hunter"] > 3 * compare.drop("bargain-hunter").max()


def test_personas_shop_at_different_hours_and_spend_differently(
    demo: SimulatedData,
) -> None:
    purchases = demo.events[demo.events["event"] == "purchase"]
    hours = purchases["timestamp"].dt.hour.groupby(purchases["persona"]).median()
    assert hours["busy-parent"] >= 18 and hours["senior-shopper"] <= 14
    basket = purchases["value"].groupby(purchases["persona"]).median()
    assert basket["busy-parent"] > basket["senior-shopper"] > basket["bargain-hunter"]


def test_value_only_on_purchases(demo: SimulatedData) -> None:
    events = demo.events
    has_value = events["value"].notna()
    assert (events.loc[has_value, "event"] == "purchase").all()
    assert (events.loc[events["event"] == "purchase", "value"] > 0).all()


def test_repeat_purchases_and_regressions_exist(demo: SimulatedData) -> None:
    events = demo.events
    orders = (events["event"] == "purchase").groupby(events["customer_id"]).sum()
    assert (orders >= 2).sum() > 0.15 * (orders >= 1).sum()
    # A basket abandoned, then browsing again before any purchase: a regression.
    first_cart = (
        events[events["event"] == "add_to_cart"]
        .groupby("customer_id")["timestamp"]
        .min()
    )
    first_buy = (
        events[events["event"] == "purchase"].groupby("customer_id")["timestamp"].min()
    )
    views = (
        events[events["event"] == "product_view"]
        .join(first_cart.rename("cart"), on="customer_id")
        .join(first_buy.rename("buy"), on="customer_id")
    )
    rebrowse = views[
        (views["timestamp"] > views["cart"])
        & (views["buy"].isna() | (views["timestamp"] < views["buy"]))
    ]
    assert rebrowse["customer_id"].nunique() > 0.05 * first_cart.size


# -- surveys -----------------------------------------------------------------------------
def test_survey_scores_are_valid_per_kind(demo: SimulatedData) -> None:
    events = demo.events
    scored = events[events["score"].notna()]
    assert scored["score_kind"].notna().all()
    assert events.loc[events["score"].isna(), "score_kind"].isna().all()
    for kind, (low, high) in SURVEY_RANGES.items():
        scores = scored.loc[scored["score_kind"] == kind, "score"]
        assert len(scores) > 20, kind
        assert scores.between(low, high).all() and (scores == scores.round()).all()
    expected = scored["event"].map(SURVEY_EVENTS)
    assert (expected == scored["score_kind"]).all()


def test_scores_follow_the_experience(demo: SimulatedData) -> None:
    events = demo.events
    failed = set(events.loc[events["event"] == "payment_failed", "customer_id"])
    late = set(events.loc[events["event"] == "delivery_late", "customer_id"])
    ces = events[events["event"] == "checkout_survey"]
    ces_failed = ces["customer_id"].isin(failed)
    assert (
        ces.loc[ces_failed, "score"].mean() < ces.loc[~ces_failed, "score"].mean() - 1.5
    )
    nps = events[events["score_kind"] == "nps"]
    nps_late = nps["customer_id"].isin(late)
    assert nps.loc[nps_late, "score"].mean() < nps.loc[~nps_late, "score"].mean() - 1.5


# -- the planted problem and the unsupported assumption -----------------------------------
def checkout_dropoff(events: pd.DataFrame) -> pd.Series:
    """Per persona: share of customers who started a checkout and never purchased."""
    started = (
        events[events["event"] == "checkout_start"]
        .groupby("customer_id")["persona"]
        .first()
    )
    bought = set(events.loc[events["event"] == "purchase", "customer_id"])
    never = ~started.index.isin(list(bought))
    return pd.Series(never, index=started.index).groupby(started).mean()


def test_planted_persona_drops_off_at_checkout(demo: SimulatedData) -> None:
    planted = demo.truth["planted_problem"]
    dropoff = checkout_dropoff(demo.events)
    persona = planted["persona"]
    assert dropoff[persona] >= 2 * dropoff.drop(persona).max()
    assert dropoff[persona] > 0.25
    assert planted["dropoff_ratio"] >= 2
    assert abs(planted["checkout_dropoff"] - dropoff[persona]) < 1e-3


def test_planted_problem_shows_in_failures_time_and_effort(demo: SimulatedData) -> None:
    events = demo.events
    persona = demo.truth["planted_problem"]["persona"]
    failures = per_persona_share(events, events["event"] == "payment_failed")
    assert failures[persona] > 5 * failures.drop(persona).max()
    observed = pd.DataFrame(demo.truth["observed"]).T
    others = observed.drop(index=persona)
    assert observed.loc[persona, "mean_ces"] < others["mean_ces"].min() - 1
    # Time: first checkout to first order takes over an hour (a retry another day, or
    # a phone call) far more often for the planted persona.
    slow = observed["slow_checkout_share"]
    assert slow[persona] > 3 * slow.drop(persona).max()
    hours = observed["mean_checkout_to_purchase_hours"]
    assert hours[persona] > 3 * hours.drop(persona).max()


def test_delivery_slots_are_not_a_problem(demo: SimulatedData) -> None:
    events = demo.events
    viewed = (
        events[events["event"] == "delivery_slot_view"]
        .groupby("persona")["customer_id"]
        .nunique()
    )
    booked = (
        events[events["event"] == "delivery_scheduled"]
        .groupby("persona")["customer_id"]
        .nunique()
    )
    assert ((booked / viewed) >= 0.98).all()
    rates = demo.truth["unsupported_assumption"]["slot_scheduling_rate"]
    assert min(rates.values()) >= 0.98


def test_truth_names_system_events_that_occur(demo: SimulatedData) -> None:
    assert demo.truth["system_events"] == list(SYSTEM_EVENTS)
    assert set(SYSTEM_EVENTS) <= set(demo.events["event"])


@pytest.mark.parametrize("customers", [1, 5])
def test_tiny_simulations_still_describe_their_truth(customers: int) -> None:
    data = simulate_journeys(customers, seed=customers)
    assert data.events["customer_id"].nunique() == customers
    json.dumps(data.truth, allow_nan=False)  # JSON-ready even with empty groups


def test_slot_booking_is_rated_easy(demo: SimulatedData) -> None:
    events = demo.events
    slots = events[events["event"] == "slot_survey"]
    checkout = events[events["event"] == "checkout_survey"]
    assert len(slots) > 50
    assert slots["score"].mean() > 5.5 > checkout["score"].mean()
    assert slots["score"].groupby(slots["persona"]).mean().min() > 5.5
