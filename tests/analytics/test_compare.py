"""Period comparison: per-period stage counts, z tests and BH q-values."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import ibis
import pandas as pd
import pytest

from journeymap.analytics.compare import compare_periods, period_counts_expr
from journeymap.analytics.stats import benjamini_hochberg, two_proportion_ztest
from journeymap.engine import connect
from journeymap.errors import AnalysisError
from journeymap.ingest.events import read_events
from journeymap.model.journey import JourneyMap

ENGINE = connect()
JAN = (dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1))
FEB = (dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1))
JM = JourneyMap.model_validate(
    {
        "name": "t",
        "stages": [
            {
                "id": sid,
                "name": sid,
                "touchpoints": [
                    {"id": f"{sid}-tp", "name": sid, "match": {"event": ev}}
                ],
            }
            for sid, ev in [("visit", "v"), ("signup", "s"), ("buy", "p")]
        ],
    }
)


def make_log(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        frame.to_parquet(path, index=False)
        return read_events(path, engine=ENGINE)


def rows_for(month, customers, signups, buys):
    """`customers` visit; the first `signups` sign up; the first `buys` of those buy."""
    rows = []
    for i in range(customers):
        cid = f"{month}-{i}"
        rows.append((cid, f"2024-{month:02d}-03 10:00", "v"))
        if i < signups:
            rows.append((cid, f"2024-{month:02d}-04 10:00", "s"))
        if i < buys:
            rows.append((cid, f"2024-{month:02d}-05 10:00", "p"))
    return rows


ROWS = (
    rows_for(1, 100, 30, 10)
    + rows_for(2, 120, 60, 30)
    + [("x", "2024-03-02 10:00", "v")]
)


@pytest.fixture(scope="module")
def log():
    return make_log(ROWS)


@pytest.fixture(scope="module")
def result(log):
    return compare_periods(log, JM, JAN, FEB)


def test_counts_rates_and_tests(result):
    assert (result.customers_a, result.customers_b) == (100, 120)
    reach = result.row("signup", "reach")
    assert (reach.a_count, reach.a_total, reach.b_count, reach.b_total) == (
        30,
        100,
        60,
        120,
    )
    expected = two_proportion_ztest(30, 100, 60, 120)
    assert reach.diff == pytest.approx(0.5 - 0.3)
    assert reach.p_value == pytest.approx(expected.p_value)
    conv = result.row("visit", "conversion_next")
    assert (conv.a_count, conv.a_total, conv.b_count, conv.b_total) == (
        30,
        100,
        60,
        120,
    )
    later = result.row("signup", "conversion_later")
    assert (later.a_count, later.a_total) == (10, 30)
    with pytest.raises(KeyError):
        result.row("buy", "conversion_next")  # no next stage
    assert len(result.rows) == 3 + 2 + 2


def test_q_values_control_fdr_across_rows(result):
    # visit reach is 100% in both periods: p = 1
    assert result.row("visit", "reach").p_value == 1.0
    p = [r.p_value for r in result.rows]
    assert [r.q_value for r in result.rows] == pytest.approx(benjamini_hochberg(p))


def test_empty_period_and_errors(log):
    empty = (dt.datetime(2030, 1, 1), dt.datetime(2030, 2, 1))
    result = compare_periods(log, JM, JAN, empty)
    row = result.row("signup", "reach")
    assert row.b_total == 0 and row.b_rate is None and row.p_value is None
    assert row.q_value is None
    assert result.to_pandas().shape[0] == 7
    assert result.to_dict()["period_a"][0] == "2024-01-01T00:00:00"
    with pytest.raises(AnalysisError):
        compare_periods(log, JM, (JAN[1], JAN[0]), FEB)


def test_period_builder_filters_events(log):
    frame = log.execute(period_counts_expr(log, JM, FEB)).sort_values("stage_index")
    assert frame.reached.tolist() == [120, 60, 30]
    assert isinstance(period_counts_expr(log, JM, FEB), ibis.Table)
