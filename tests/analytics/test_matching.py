"""Touchpoint matching: first match in file order wins; unmatched events reported."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.analytics.matching import (
    match_touchpoints_expr,
    unmatched_events,
)
from journeymap.engine import connect
from journeymap.errors import AnalysisError
from journeymap.ingest.events import read_events
from journeymap.model.journey import JourneyMap

ENGINE = connect()


def make_log(rows, **columns):
    """EventLog from (customer, 'YYYY-MM-DD HH:MM', event) tuples plus columns."""
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    for name, values in columns.items():
        frame[name] = values
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        frame.to_parquet(path, index=False)
        return read_events(path, engine=ENGINE)


def journey(*stages):
    """JourneyMap from (stage_id, [(touchpoint_id, match), ...]) pairs."""
    return JourneyMap.model_validate(
        {
            "name": "test",
            "stages": [
                {
                    "id": sid,
                    "name": sid,
                    "touchpoints": [
                        {"id": tid, "name": tid, "match": m} for tid, m in tps
                    ],
                }
                for sid, tps in stages
            ],
        }
    )


def matched(log, jm):
    frame = log.execute(match_touchpoints_expr(log, jm))
    frame = frame.sort_values(["customer_id", "timestamp", "event"])
    return [
        (e, None if pd.isna(t) else t, None if pd.isna(i) else int(i))
        for e, t, i in zip(
            frame.event, frame.touchpoint_id, frame.stage_index, strict=True
        )
    ]


ROWS = [
    ("a", "2024-01-01 10:00", "ad_view"),
    ("a", "2024-01-01 10:05", "signup_start"),
    ("a", "2024-01-01 10:06", "signup_done"),
    ("a", "2024-01-02 09:00", "purchase"),
    ("b", "2024-01-01 11:00", "newsletter"),
]


def test_event_list_and_prefix():
    jm = journey(
        ("aware", [("ad", {"event": ["ad_view"]})]),
        ("join", [("signup", {"event_prefix": "signup_"})]),
        ("buy", [("checkout", {"event": "purchase"})]),
    )
    assert matched(make_log(ROWS), jm) == [
        ("ad_view", "ad", 0),
        ("signup_start", "signup", 1),
        ("signup_done", "signup", 1),
        ("purchase", "checkout", 2),
        ("newsletter", None, None),
    ]


def test_first_match_in_file_order_wins():
    jm = journey(
        ("join", [("generic", {"event_prefix": "signup"})]),
        ("done", [("specific", {"event": ["signup_done"]})]),
    )
    got = dict((e, t) for e, t, _ in matched(make_log(ROWS), jm))
    assert got["signup_done"] == "generic"
    reordered = journey(
        ("done", [("specific", {"event": ["signup_done"]})]),
        ("join", [("generic", {"event_prefix": "signup"})]),
    )
    got = {e: (t, i) for e, t, i in matched(make_log(ROWS), reordered)}
    assert got["signup_done"] == ("specific", 0)
    assert got["signup_start"] == ("generic", 1)


def test_all_conditions_must_hold():
    log = make_log(ROWS, channel=["social", "web", "app", "web", "email"])
    jm = journey(
        ("web", [("web-signup", {"event_prefix": "signup", "channel": ["web"]})]),
        ("any", [("rest", {"channel": ["app", "web"]})]),
    )
    got = {e: t for e, t, _ in matched(log, jm)}
    assert got == {
        "ad_view": None,
        "signup_start": "web-signup",
        "signup_done": "rest",
        "purchase": "rest",
        "newsletter": None,
    }


def test_property_values_and_types():
    log = make_log(
        ROWS, plan=["free", "pro", None, "pro", "team"], seats=[1, 2, 3, 4, 5]
    )
    jm = journey(
        ("paid", [("pro", {"properties": {"plan": ["pro", "team"]}})]),
        ("big", [("seats", {"properties": {"seats": "3"}})]),
    )
    got = {e: t for e, t, _ in matched(log, jm)}
    assert got == {
        "ad_view": None,
        "signup_start": "pro",
        "signup_done": "seats",
        "purchase": "pro",
        "newsletter": "pro",
    }


def test_boolean_rules_on_text_columns():
    log = make_log(ROWS, trial=["True", "false", "TRUE", None, "yes"])
    jm = journey(("trial", [("t", {"properties": {"trial": [True, "yes"]}})]))
    got = {e: t for e, t, _ in matched(log, jm)}
    assert got == {
        "ad_view": "t",
        "signup_start": None,
        "signup_done": "t",
        "purchase": None,
        "newsletter": "t",
    }


def test_event_names_are_data_not_sql():
    weird = 'it\'s "quoted"; DROP TABLE x --'
    log = make_log([("a", "2024-01-01 10:00", weird), ("a", "2024-01-01 10:01", "x")])
    jm = journey(("s", [("t", {"event": [weird]})]))
    assert matched(log, jm) == [(weird, "t", 0), ("x", None, None)]


def test_missing_property_column_names_touchpoint_and_column():
    jm = journey(("s", [("by-plan", {"properties": {"plan": "pro"}})]))
    with pytest.raises(AnalysisError, match=r"'by-plan'.*'plan'"):
        match_touchpoints_expr(make_log(ROWS), jm)


def test_missing_channel_column_is_an_error():
    jm = journey(("s", [("web", {"channel": "web"})]))
    with pytest.raises(AnalysisError, match=r"'web'.*'channel'"):
        match_touchpoints_expr(make_log(ROWS), jm)


def test_map_without_rules_matches_nothing():
    jm = JourneyMap.model_validate({"name": "x", "stages": [{"id": "s", "name": "s"}]})
    assert {t for _, t, _ in matched(make_log(ROWS), jm)} == {None}


def test_unmatched_report_orders_by_count_then_name():
    rows = [("a", f"2024-01-01 10:{i:02d}", e) for i, e in enumerate("xyzyzzqa")]
    jm = journey(("s", [("t", {"event": ["a"]})]))
    report = unmatched_events(make_log(rows), jm, top=2)
    assert report.events == 8
    assert report.unmatched == 7
    assert report.distinct == 4
    assert report.top == (("z", 3), ("y", 2))
    assert report.label == "top 2 of 4"
    assert report.share == pytest.approx(7 / 8)
    assert report.to_dict()["top"] == [["z", 3], ["y", 2]]
    assert list(report.to_pandas().columns) == ["event", "events"]


def test_compiles_for_pyspark():
    log = make_log(ROWS, channel=["web"] * 5)
    jm = journey(("s", [("t", {"event_prefix": "sign", "channel": "web"})]))
    sql = ibis.to_sql(match_touchpoints_expr(log, jm), dialect="pyspark")
    assert "CASE" in sql.upper()


# -- random rules against a plain-Python first-match reference -------------------
RANDOM_ROWS = [
    ("a", f"2024-01-01 10:{i:02d}", name)
    for i, name in enumerate(["ad", "ad_view", "cart", "cart_add", "buy", "help", "x"])
]
RULE = st.one_of(
    st.fixed_dictionaries(
        {"event": st.lists(st.sampled_from(["ad", "cart", "buy", "help"]), min_size=1)}
    ),
    st.fixed_dictionaries({"event_prefix": st.sampled_from(["ad", "cart", "b", "zz"])}),
)


@functools.cache
def random_log():
    return make_log(RANDOM_ROWS)


def first_match(event, rules):
    for index, (tid, rule) in enumerate(rules):
        if event in rule.get("event", []) or event.startswith(
            rule.get("event_prefix", "\0")
        ):
            return tid, index
    return None, None


@settings(max_examples=6, deadline=None)
@given(st.lists(RULE, min_size=1, max_size=4))
def test_random_rules_first_match_wins(rules):
    named = [(f"t{i}", rule) for i, rule in enumerate(rules)]
    jm = journey(*[(f"s{i}", [(tid, rule)]) for i, (tid, rule) in enumerate(named)])
    got = matched(random_log(), jm)
    assert got == [(event, *first_match(event, named)) for event, _, _ in got]
