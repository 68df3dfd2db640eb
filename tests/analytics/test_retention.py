"""Cohort retention on hand logs and against a plain-Python reference."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from journeymap.analytics.retention import retention_expr, retention_matrix
from journeymap.engine import connect
from journeymap.errors import AnalysisError
from journeymap.ingest.events import read_events

ENGINE = connect()


def make_log(rows):
    """EventLog from (customer, 'YYYY-MM-DD', event) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        frame.to_parquet(path, index=False)
        return read_events(path, engine=ENGINE)


# 2024-01-01 is a Monday
ROWS = [
    ("a", "2024-01-01", "signup"),
    ("a", "2024-01-09", "visit"),  # week 1
    ("a", "2024-01-24", "buy"),  # week 3 (after a gap)
    ("b", "2024-01-03", "visit"),
    ("b", "2024-01-04", "signup"),
    ("b", "2024-01-10", "buy"),  # week 1
    ("b", "2024-01-16", "visit"),  # week 2 (continuing)
    ("c", "2024-01-10", "signup"),  # cohort 2024-01-08
    ("c", "2024-01-29", "visit"),  # week 3 of its cohort
]


@pytest.fixture(scope="module")
def log():
    return make_log(ROWS)


def test_weekly_cells_and_split(log):
    matrix = retention_matrix(log, period="week", periods=5)
    assert matrix.cohorts == (dt.date(2024, 1, 1), dt.date(2024, 1, 8))
    assert matrix.sizes == (2, 1)
    first = matrix.cells[0]
    assert [c.active for c in first] == [2, 2, 1, 1, 0]
    assert first[1].share == 1.0
    assert (first[2].continuing, first[2].returning) == (1, 0)  # b
    assert (first[3].continuing, first[3].returning) == (0, 1)  # a, after a gap
    second = matrix.cells[1]
    assert [c.active for c in second[:4]] == [1, 0, 0, 1]
    assert second[4] is None  # 2024-02-05 is after the last event's week
    assert matrix.periods == 5


def test_cohort_and_return_events(log):
    matrix = retention_matrix(
        log,
        period="week",
        cohort_event="signup",
        return_event="buy",
        periods=4,
    )
    # b's cohort starts at its signup (Jan 4); its visit on Jan 3 does not count
    first = matrix.cells[0]
    assert matrix.sizes == (2, 1)
    assert [c.active for c in first] == [0, 1, 0, 1]


def test_daily_and_monthly_periods():
    rows = [
        ("a", "2024-01-31", "x"),
        ("a", "2024-02-01", "x"),
        ("a", "2024-03-15", "x"),
    ]
    monthly = retention_matrix(make_log(rows), period="month", periods=3)
    assert monthly.cohorts == (dt.date(2024, 1, 1),)
    assert [c.active for c in monthly.cells[0]] == [1, 1, 1]
    daily = retention_matrix(make_log(rows), period="day", periods=3)
    assert [c.active for c in daily.cells[0]] == [1, 1, 0]


def test_outputs_and_errors(log):
    matrix = retention_matrix(log, period="week", periods=5)
    frame = matrix.to_pandas()
    assert len(frame) == 9  # 5 + 4 observed cells
    assert matrix.shares().shape == (2, 5)
    assert matrix.to_dict()["cohorts"][1]["cells"][4] is None
    with pytest.raises(AnalysisError):
        retention_matrix(log, period="year")
    with pytest.raises(AnalysisError):
        retention_matrix(log, periods=0)


def reference(frame, periods):
    """Weekly retention: {(cohort, k): (active, continuing)} the obvious way."""
    frame = frame.assign(
        week=frame.timestamp.dt.normalize()
        - pd.to_timedelta(frame.timestamp.dt.day_of_week, unit="D")
    )
    out = {}
    for _, events in frame.groupby("customer_id"):
        cohort = events.week.min()
        offsets = sorted({int((w - cohort).days // 7) for w in events.week})
        offsets = [k for k in offsets if k < periods]
        for k in offsets:
            active, cont = out.get((cohort.date(), k), (0, 0))
            out[(cohort.date(), k)] = (active + 1, cont + (k > 0 and k - 1 in offsets))
    return out


def test_random_log_matches_reference_and_row_order():
    rnd = np.random.default_rng(3)
    n = 1500
    start = pd.Timestamp("2024-01-01")
    rows = [
        (f"c{c}", str(start + pd.Timedelta(minutes=int(m))), "e")
        for c, m in zip(
            rnd.integers(0, 200, n), rnd.integers(0, 60 * 24 * 70, n), strict=True
        )
    ]
    log = make_log(rows)
    matrix = retention_matrix(log, period="week", periods=6)
    want = reference(log.to_pandas(), 6)
    got = {
        (cohort, k): (cell.active, cell.continuing)
        for cohort, row in zip(matrix.cohorts, matrix.cells, strict=True)
        for k, cell in enumerate(row)
        if cell is not None and cell.active
    }
    assert got == want
    shuffled = [rows[i] for i in rnd.permutation(len(rows))]
    assert retention_matrix(make_log(shuffled), period="week", periods=6) == matrix


def test_builder_is_unexecuted_and_portable(log):
    expr = retention_expr(log, period="month")
    assert isinstance(expr, ibis.Table)
    assert "LAG" in ibis.to_sql(expr, dialect="pyspark").upper()


def test_an_empty_log_has_no_cohorts():
    # issue 8: the last event's NaT crashed the week truncation
    empty = make_log([]).filter_events(ibis.literal(False))
    matrix = retention_matrix(empty)
    assert (matrix.cohorts, matrix.sizes, matrix.cells) == ((), (), ())
