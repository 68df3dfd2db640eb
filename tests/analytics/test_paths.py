from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.analytics import find_paths
from journeymap.errors import AnalysisError

from . import reference
from .conftest import EVENTS, ingest, random_rows, records

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

JOURNEYS = [
    ("a", 0, "home"),
    ("a", 1, "search"),
    ("a", 2, "cart"),
    ("a", 3, "buy"),
    ("b", 0, "search"),
    ("b", 1, "cart"),
    ("b", 2, "home"),
    ("b", 3, "cart"),
    ("c", 0, "home"),
]


def _paths(table):
    return [(p.path, p.customers) for p in table.paths]


def test_from_event_with_steps_before_and_after(make_log):
    table = find_paths(
        make_log(JOURNEYS), from_event="cart", steps_before=1, steps_after=1
    )
    assert _paths(table) == [
        (("search", "cart", "buy"), 1),
        (("search", "cart", "home"), 1),
    ]
    assert table.customers == 2
    assert table.summary() == "all 2 paths of 2 customers"


def test_to_event_looks_back(make_log):
    table = find_paths(
        make_log(JOURNEYS), to_event="cart", steps_before=2, steps_after=0
    )
    assert _paths(table) == [(("home", "search", "cart"), 1), (("search", "cart"), 1)]


def test_between_two_events(make_log):
    table = find_paths(
        make_log(JOURNEYS), from_event="home", to_event="cart", steps_after=0
    )
    # c has no cart after home, so no path; b's first home is followed by a cart
    assert _paths(table) == [(("home", "cart"), 1), (("home", "search", "cart"), 1)]
    assert table.customers == 2


def test_without_anchor_paths_start_the_journey(make_log):
    table = find_paths(make_log(JOURNEYS), steps_after=1)
    assert _paths(table) == [
        (("home",), 1),
        (("home", "search"), 1),
        (("search", "cart"), 1),
    ]


def test_top_and_errors(make_log):
    table = find_paths(make_log(JOURNEYS), steps_after=0, top=1)
    assert (len(table.paths), table.total) == (1, 2)
    assert table.summary() == "top 1 of 2 paths of 3 customers"
    with pytest.raises(AnalysisError, match="negative"):
        find_paths(make_log(JOURNEYS), steps_before=-1)
    assert find_paths(make_log(JOURNEYS), from_event="never").paths == ()


@PROPERTY
@given(
    rows=random_rows(),
    anchors=st.tuples(
        st.sampled_from((None, *EVENTS)), st.sampled_from((None, *EVENTS))
    ),
    before=st.integers(0, 2),
    after=st.integers(0, 3),
)
def test_matches_reference_whatever_the_row_order(engine, rows, anchors, before, after):
    from_event, to_event = anchors
    options = dict(from_event=from_event, to_event=to_event, steps_before=before)
    options["steps_after"] = after
    log = ingest(engine, rows)
    want = reference.paths(records(log), **options)
    table = find_paths(log, top=None, **options)
    assert _paths(table) == want
    assert table.customers == sum(c for _, c in want)
    assert find_paths(ingest(engine, rows[::-1]), top=None, **options) == table
