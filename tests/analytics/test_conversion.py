from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.analytics import time_to_convert, time_to_convert_expr
from journeymap.errors import AnalysisError

from . import reference
from .conftest import EVENTS, INJECTION, ingest, random_rows, records

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

ROWS = [
    ("a", 0, "visit"),
    ("a", 60, "buy"),
    ("a", 90, "buy"),
    ("b", 0, "visit"),
    ("b", 180, "buy"),
    ("c", 0, "buy"),
    ("d", 5, "visit"),
    ("e", 0, "buy"),
    ("e", 10, "visit"),
]


def test_from_first_event_to_first_conversion(make_log):
    result = time_to_convert(make_log(ROWS), "buy", bins=4)
    assert (result.customers, result.n) == (5, 4)
    assert result.mean_seconds == 60.0  # 60, 180, 0, 0
    assert result.median_seconds == 30.0
    assert result.p90_seconds == pytest.approx(144.0)
    assert [(b.low, b.high, b.customers) for b in result.histogram] == [
        (0.0, 45.0, 2),
        (45.0, 90.0, 1),
        (90.0, 135.0, 0),
        (135.0, 180.0, 1),
    ]


def test_from_event_and_several_conversion_events(make_log):
    result = time_to_convert(make_log(ROWS), "buy", from_event="visit", bins=1)
    # e visits after buying: no conversion at or after its start
    assert (result.customers, result.n, result.median_seconds) == (4, 2, 120.0)
    either = time_to_convert(make_log(ROWS), ["buy", "visit"], from_event="visit")
    assert (either.n, either.median_seconds) == (4, 0.0)
    assert either.conversion == ("buy", "visit")


def test_nobody_converts(make_log):
    result = time_to_convert(make_log(ROWS), INJECTION)
    assert (result.customers, result.n, result.mean_seconds) == (5, 0, None)
    assert result.histogram == ()


def test_all_convert_instantly_make_one_bin(make_log):
    result = time_to_convert(make_log([("a", 0, "buy"), ("b", 3, "buy")]), "buy")
    assert [(b.low, b.high, b.customers) for b in result.histogram] == [(0.0, 0.0, 2)]


def test_errors_and_plain_data(make_log):
    log = make_log(ROWS)
    with pytest.raises(AnalysisError, match="bins"):
        time_to_convert(log, "buy", bins=0)
    with pytest.raises(AnalysisError, match="at least one event"):
        time_to_convert(log, [])
    result = time_to_convert(log, "buy", bins=2)
    assert result.to_dict()["histogram"][0] == {
        "low": 0.0,
        "high": 90.0,
        "customers": 3,
    }
    assert result.to_pandas()["customers"].sum() == result.n
    assert set(time_to_convert_expr(log, "buy").columns) == {"customer_id", "seconds"}


@PROPERTY
@given(
    rows=random_rows(),
    conversion=st.sampled_from([("a",), (INJECTION,), ("b", "c")]),
    from_event=st.sampled_from((None, *EVENTS)),
    bins=st.integers(1, 5),
)
def test_matches_reference_whatever_the_row_order(
    engine, rows, conversion, from_event, bins
):
    log = ingest(engine, rows)
    starters, values = reference.time_to_convert(records(log), conversion, from_event)
    result = time_to_convert(log, conversion, from_event=from_event, bins=bins)
    assert (result.customers, result.n) == (starters, len(values))
    if values:
        want = (
            sum(values) / len(values),
            reference.quantile(values, 0.5),
            reference.quantile(values, 0.9),
        )
        got = (result.mean_seconds, result.median_seconds, result.p90_seconds)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
        assert [b.customers for b in result.histogram] == reference.histogram(
            values, bins
        )
    again = time_to_convert(
        ingest(engine, rows[::-1]), conversion, from_event=from_event
    )
    assert again == time_to_convert(log, conversion, from_event=from_event)
