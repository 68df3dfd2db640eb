from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.analytics import count_variants
from journeymap.errors import AnalysisError

from . import reference
from .conftest import INJECTION, ingest, random_rows, records

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def test_counts_distinct_journeys_with_coverage(make_log):
    log = make_log(
        [
            ("a", 0, "visit"),
            ("a", 1, "buy"),
            ("b", 0, "visit"),
            ("b", 1, "buy"),
            ("c", 0, "visit"),
            ("d", 0, "visit"),
            ("d", 1, "visit"),
        ]
    )
    table = count_variants(log)
    assert [(v.path, v.customers) for v in table.variants] == [
        (("visit", "buy"), 2),
        (("visit",), 1),  # ties: lexicographic over the events, shorter first
        (("visit", "visit"), 1),
    ]
    assert [v.share for v in table.variants] == [0.5, 0.25, 0.25]
    assert [v.cumulative_share for v in table.variants] == [0.5, 0.75, 1.0]
    assert (table.total, table.customers) == (3, 4)
    assert table.summary() == "all 3 variants, covering 100.0% of 4 customers"


def test_top_k_says_how_many_there_are(make_log):
    log = make_log([(str(i), 0, f"e{i}") for i in range(5)])
    table = count_variants(log, top=2)
    assert len(table.variants) == 2
    assert table.total == 5
    assert table.summary() == "top 2 of 5 variants, covering 40.0% of 5 customers"
    assert len(count_variants(log, top=None).variants) == 5


def test_ten_or_more_events_keep_their_order(make_log):
    names = [f"s{i:02d}" for i in range(12)][::-1]  # positions 0..11, names descending
    table = count_variants(make_log([("a", i, n) for i, n in enumerate(names)]))
    assert table.variants[0].path == tuple(names)


def test_names_with_separators_and_injection(make_log):
    log = make_log(
        [("a", 0, "x > y"), ("a", 1, INJECTION), ("b", 0, "x"), ("b", 1, "y")]
    )
    paths = {v.path for v in count_variants(log).variants}
    assert paths == {("x > y", INJECTION), ("x", "y")}


def test_bad_top_is_an_error(make_log):
    with pytest.raises(AnalysisError, match="top must be at least 1"):
        count_variants(make_log([("a", 0, "x")]), top=0)


def test_to_dict_and_pandas(make_log):
    table = count_variants(make_log([("a", 0, "x"), ("a", 1, "y")]))
    assert table.to_dict()["variants"][0]["path"] == ["x", "y"]
    frame = table.to_pandas()
    assert frame.loc[0, "path"] == "x > y"
    assert frame.loc[0, "length"] == 2


@PROPERTY
@given(rows=random_rows(), top=st.sampled_from([1, 2, None]))
def test_matches_reference_whatever_the_row_order(engine, rows, top):
    log = ingest(engine, rows)
    want = reference.variants(records(log))
    table = count_variants(log, top=top)
    shown = want if top is None else want[:top]
    assert [(v.path, v.customers) for v in table.variants] == shown
    assert table.total == len(want)
    assert table.customers == sum(c for _, c in want)
    assert count_variants(ingest(engine, rows[::-1]), top=top) == table
