from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from journeymap.analytics import count_transitions, transitions_expr
from journeymap.errors import AnalysisError

from . import reference
from .conftest import INJECTION, ingest, random_rows, records

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def test_counts_customers_and_seconds(make_log):
    log = make_log(
        [
            ("a", 0, "visit"),
            ("a", 60, "buy"),
            ("a", 70, "visit"),
            ("a", 100, "buy"),
            ("b", 0, "visit"),
            ("b", 180, "buy"),
        ]
    )
    table = count_transitions(log)
    edges = {(t.source, t.target): t for t in table.transitions}
    visit_buy = edges[("visit", "buy")]
    assert (visit_buy.count, visit_buy.customers) == (3, 2)
    assert visit_buy.median_seconds == 60.0
    assert visit_buy.p90_seconds == pytest.approx(np.percentile([60, 30, 180], 90))
    assert (edges[("buy", "visit")].count, edges[("buy", "visit")].customers) == (1, 1)
    assert [t.source for t in table.transitions] == ["visit", "buy"]  # count desc
    assert [(s.value, s.customers) for s in table.starts] == [("visit", 2)]
    assert [(s.value, s.customers) for s in table.ends] == [("buy", 2)]


def test_no_artificial_start_or_end_edges(make_log):
    table = count_transitions(
        make_log([("a", 0, "only"), ("b", 0, "x"), ("b", 1, "y")])
    )
    assert [(t.source, t.target) for t in table.transitions] == [("x", "y")]
    assert {(s.value, s.customers) for s in table.starts} == {("only", 1), ("x", 1)}
    assert {(s.value, s.customers) for s in table.ends} == {("only", 1), ("y", 1)}


def test_ties_follow_event_seq(make_log):
    # same timestamp: ingest orders ties by content (event name), so b comes before c
    table = count_transitions(make_log([("a", 0, "c"), ("a", 0, "b"), ("a", 5, "d")]))
    assert [(t.source, t.target, t.median_seconds) for t in table.transitions] == [
        ("b", "c", 0.0),
        ("c", "d", 5.0),
    ]


def test_by_channel_keeps_null_channels(make_log):
    rows = [("a", 0, "v", "web"), ("a", 1, "v", None), ("a", 2, "v", "web")]
    table = count_transitions(make_log(rows, extra=("channel",)), by="channel")
    assert table.by == "channel"
    assert {(t.source, t.target) for t in table.transitions} == {
        ("web", None),
        (None, "web"),
    }


def test_subsecond_gaps_are_exact(make_log):
    table = count_transitions(make_log([("a", 0.25, "x"), ("a", 0.75, "y")]))
    assert table.transitions[0].median_seconds == 0.5


def test_unknown_column_is_one_line_error(make_log):
    with pytest.raises(AnalysisError, match="no column 'nope'"):
        count_transitions(make_log([("a", 0, "x")]), by="nope")


def test_results_are_plain_data(make_log):
    table = count_transitions(make_log([("a", 0, "x"), ("a", 1, "y")]))
    data = table.to_dict()
    assert data["columns"] == list(table.COLUMNS)
    assert data["transitions"][0]["source"] == "x"
    frame = table.to_pandas()
    assert list(frame.columns) == list(table.COLUMNS)
    assert frame.shape == (1, 6)


def test_expr_is_unexecuted_and_quantiles_are_exact(make_log):
    import ibis

    sql = ibis.to_sql(transitions_expr(make_log([("a", 0, "x")])), dialect="duckdb")
    assert "QUANTILE_CONT" in sql.upper() or "PERCENTILE_CONT" in sql.upper()
    assert "APPROX" not in sql.upper()


def _as_dict(table):
    return {
        (t.source, t.target): (t.count, t.customers, t.median_seconds, t.p90_seconds)
        for t in table.transitions
    }


@PROPERTY
@given(rows=random_rows())
def test_matches_reference_whatever_the_row_order(engine, rows):
    log = ingest(engine, rows)
    events = records(log)
    for by in ("event", "channel"):
        table = count_transitions(log, by=by)
        got = _as_dict(table)
        want = reference.transitions(events, by=by)
        assert got.keys() == want.keys()
        for key, (count, customers, median, p90) in want.items():
            assert got[key][:2] == (count, customers)
            assert got[key][2:] == pytest.approx((median, p90), rel=1e-9, abs=1e-9)
        starts = {(s.value, s.customers) for s in table.starts}
        assert starts == set(reference.endpoints(events, by, end=False).items())
        ends = {(s.value, s.customers) for s in table.ends}
        assert ends == set(reference.endpoints(events, by, end=True).items())
    assert count_transitions(ingest(engine, rows[::-1]), by="channel") == table


def test_injection_looking_names_are_just_names(make_log):
    table = count_transitions(make_log([("a", 0, INJECTION), ("a", 1, INJECTION)]))
    assert [(t.source, t.target, t.count) for t in table.transitions] == [
        (INJECTION, INJECTION, 1)
    ]


@pytest.mark.parametrize(
    "module", ["transitions", "variants", "paths", "funnels", "conversion"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    found = importlib.import_module(f"journeymap.analytics.{module}")
    result = doctest.testmod(found, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
