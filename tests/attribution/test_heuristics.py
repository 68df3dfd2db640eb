from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeymap.attribution import attribute_conversions
from journeymap.attribution.heuristics import HEURISTICS
from journeymap.errors import AnalysisError

from . import reference
from .conftest import load, records
from .strategies import PROPERTY, random_rows

DAY = 86400


def _credits(result):
    return {c.channel: c.attributed_conversions for c in result.credits}


@pytest.fixture
def three_touches(make_log):
    # a: social, email, direct, web, then buys (value 100) one day after the start
    return make_log(
        [
            ("a", 0, "ad", "social", 0.0),
            ("a", 6 * 3600, "mail", "email", 0.0),
            ("a", 12 * 3600, "visit", "direct", 0.0),
            ("a", 18 * 3600, "visit", "web", 0.0),
            ("a", DAY, "buy", "web", 100.0),
            ("b", 0, "visit", "direct", 0.0),
            ("b", 60, "buy", "direct", 40.0),
        ]
    )


@pytest.mark.parametrize(
    ("model", "want"),
    [
        ("first", {"social": 1, "email": 0, "direct": 1, "web": 0}),
        ("last", {"social": 0, "email": 0, "direct": 1, "web": 1}),
        ("linear", {"social": 0.25, "email": 0.25, "direct": 1.25, "web": 0.25}),
        ("position", {"social": 0.4, "email": 0.1, "direct": 1.1, "web": 0.4}),
    ],
)
def test_hand_computed(three_touches, model, want):
    result = attribute_conversions(three_touches, "buy", model=model)
    assert _credits(result) == pytest.approx(want, abs=1e-12)
    assert (result.paths, result.conversions) == (2, 2)
    assert result.value == pytest.approx(140.0)


def test_last_non_direct_skips_direct_unless_only_direct(three_touches):
    result = attribute_conversions(three_touches, "buy", model="last-non-direct")
    assert _credits(result) == pytest.approx(
        {"social": 0, "email": 0, "direct": 1, "web": 1}
    )
    web_last = attribute_conversions(
        three_touches, "buy", model="last-non-direct", direct=["direct", "web"]
    )
    assert _credits(web_last)["email"] == pytest.approx(1.0)


def test_time_decay_halves_per_half_life(three_touches):
    result = attribute_conversions(
        three_touches, "buy", model="time-decay", half_life_s=6 * 3600
    )
    weights = [2**-4, 2**-3, 2**-2, 2**-1]  # 24 h, 18 h, 12 h, 6 h before buying
    share = [w / sum(weights) for w in weights]
    got = _credits(result)
    assert got["social"] == pytest.approx(share[0], abs=1e-12)
    assert got["web"] == pytest.approx(share[3], abs=1e-12)
    assert got["direct"] == pytest.approx(share[2] + 1.0, abs=1e-12)


def test_value_follows_credit(three_touches):
    result = attribute_conversions(three_touches, "buy", model="linear")
    values = {c.channel: c.attributed_value for c in result.credits}
    assert values["social"] == pytest.approx(25.0)
    assert values["direct"] == pytest.approx(25.0 + 40.0)


def test_bad_parameters_are_one_line_errors(three_touches):
    with pytest.raises(AnalysisError, match="first \\+ last <= 1"):
        attribute_conversions(
            three_touches, "buy", model="position", position=(0.7, 0.6)
        )
    with pytest.raises(AnalysisError, match="half-life"):
        attribute_conversions(three_touches, "buy", model="time-decay", half_life_s=0)


@PROPERTY
@given(
    rows=random_rows(),
    model=st.sampled_from(HEURISTICS),
    keep=st.booleans(),
)
def test_matches_reference_and_sums_to_conversions(engine, rows, model, keep):
    log = load(engine, rows)
    found, _ = reference.paths(records(log), ["buy"], keep_repeats=keep)
    result = attribute_conversions(
        log, "buy", model=model, keep_repeats=keep, half_life_s=3.0, direct=["web"]
    )
    want = reference.heuristic(found, model, half_life_s=3.0, direct=["web"])
    got = _credits(result)
    for channel in set(got) | set(want):
        assert got.get(channel, 0.0) == pytest.approx(want.get(channel, 0.0), abs=1e-9)
    assert sum(got.values()) == pytest.approx(result.conversions, abs=1e-9)
    shuffled = list(rows)
    random.Random(7).shuffle(shuffled)
    again = attribute_conversions(
        load(engine, shuffled),
        "buy",
        model=model,
        keep_repeats=keep,
        half_life_s=3.0,
        direct=["web"],
    )
    assert again == result
