"""Conversion drivers: 2×2 tables from events before conversion, ranked by q."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from journeymap.analytics.drivers import driver_counts_expr, find_drivers
from journeymap.analytics.stats import benjamini_hochberg
from journeymap.engine import connect
from journeymap.errors import AnalysisError
from journeymap.ingest.events import read_events

ENGINE = connect()


def make_log(rows, **columns):
    """EventLog from (customer, minute, event) tuples plus extra columns."""
    frame = pd.DataFrame(rows, columns=["customer_id", "minute", "event"])
    frame["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        frame.pop("minute"), unit="min"
    )
    for name, values in columns.items():
        frame[name] = values
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        frame.to_parquet(path, index=False)
        return read_events(path, engine=ENGINE)


def hand_rows():
    """40 customers: 'demo' goes with buying (15/20 vs 3/20)."""
    rows, channel = [], []
    for i in range(40):
        cid = f"c{i:02d}"
        demo = i < 20
        buys = i < 15 if demo else i < 23
        rows.append((cid, 0, "visit"))
        channel.append("ads" if i % 2 else "search")
        if demo:
            rows.append((cid, 1, "demo"))
            channel.append("web")
        if buys:
            rows.append((cid, 2, "buy"))
            channel.append("web")
            rows.append((cid, 3, "receipt"))  # after conversion: never a feature
            channel.append("email")
    return rows, channel


def test_two_by_two_tables_and_statistics():
    rows, channel = hand_rows()
    table = find_drivers(make_log(rows, channel=channel), "buy", min_customers=5)
    assert (table.customers, table.converted) == (40, 18)
    by_feature = {d.feature: d for d in table.drivers}
    assert "event: receipt" not in by_feature
    assert "event: buy" not in by_feature
    demo = by_feature["event: demo"]
    assert (demo.with_customers, demo.with_converted) == (20, 15)
    assert (demo.without_customers, demo.without_converted) == (20, 3)
    assert demo.p_value == pytest.approx(
        scipy_stats.fisher_exact([[15, 5], [3, 17]]).pvalue
    )
    assert demo.odds_ratio == pytest.approx(15 * 17 / (5 * 3))
    assert demo.ci_low < demo.odds_ratio < demo.ci_high
    assert demo.conversion_with == 0.75
    visit = by_feature["event: visit"]  # everyone visited: b = d = 0 -> Haldane
    assert visit.with_customers == 40 and math.isfinite(visit.odds_ratio)
    search = by_feature["first channel: search"]
    assert search.kind == "first_touch" and search.with_customers == 20
    assert table.drivers[0].feature == "event: demo"
    p = [d.p_value for d in table.drivers]
    assert [d.q_value for d in table.drivers] == pytest.approx(benjamini_hochberg(p))
    assert table.tested == len(table.drivers) == 4  # visit, demo, ads, search
    assert table.label == "top 4 of 4"


def test_sorted_by_q_then_effect_then_name():
    rows, channel = hand_rows()
    table = find_drivers(make_log(rows, channel=channel), "buy", min_customers=5)
    keys = [(d.q_value, -abs(math.log(d.odds_ratio)), d.feature) for d in table.drivers]
    assert keys == sorted(keys)


def test_min_customers_and_top():
    rows, channel = hand_rows()
    log = make_log(rows, channel=channel)
    table = find_drivers(log, "buy", min_customers=21, top=1)
    assert table.tested == 1  # only 'visit' has more than 20 customers
    assert table.label == "top 1 of 1"
    assert len(find_drivers(log, "buy", min_customers=1, top=2).drivers) == 2
    frame = find_drivers(log, ["buy"], min_customers=1).to_pandas()
    assert {"feature", "odds_ratio", "q_value", "conversion_with"} <= set(frame.columns)
    with pytest.raises(AnalysisError):
        find_drivers(log, [])


def test_first_touch_before_conversion_only():
    # c converts on its very first event: its first-touch plan is not "before"
    rows = [("a", 0, "visit"), ("b", 0, "visit"), ("c", 0, "buy"), ("c", 1, "visit")]
    log = make_log(rows, plan=["pro", "free", "pro", "pro"])
    table = find_drivers(log, "buy", min_customers=1)
    by_feature = {d.feature: d for d in table.drivers}
    assert by_feature["first plan: pro"].with_customers == 1  # only a
    assert by_feature["event: visit"].with_customers == 2  # a and b; c's is after


def test_random_log_matches_reference_and_row_order():
    rnd = np.random.default_rng(11)
    n = 1200
    rows = list(
        zip(
            [f"c{i}" for i in rnd.integers(0, 150, n)],
            rnd.integers(0, 50, n).tolist(),
            rnd.choice(
                ["a", "b", "c", "d", "buy"], n, p=[0.3, 0.3, 0.2, 0.1, 0.1]
            ).tolist(),
            strict=True,
        )
    )
    log = make_log(rows)
    table = find_drivers(log, "buy", min_customers=1, top=100)
    frame = log.to_pandas().sort_values(["customer_id", "timestamp", "event_seq"])
    want = {}
    for _, events in frame.groupby("customer_id"):
        names = list(events.event)
        before = names[: names.index("buy")] if "buy" in names else names
        for name in set(before):
            with_, conv = want.get(name, (0, 0))
            want[name] = (with_ + 1, conv + ("buy" in names))
    got = {d.value: (d.with_customers, d.with_converted) for d in table.drivers}
    assert got == want
    shuffled = [rows[i] for i in rnd.permutation(len(rows))]
    assert find_drivers(make_log(shuffled), "buy", min_customers=1, top=100) == table


def test_builder_compiles_for_pyspark():
    rows, channel = hand_rows()
    expr = driver_counts_expr(make_log(rows, channel=channel), "buy")
    assert "UNION" in ibis.to_sql(expr, dialect="pyspark").upper()


def test_an_event_every_converter_had_first_is_flagged_on_the_path():
    import journeymap as jm

    table = jm.find_drivers(jm.examples.events(), "purchase", min_customers=1)
    flagged = {d.feature: d.on_path for d in table.drivers}
    # both converters (a, c) saw an ad before buying; one of them read a newsletter
    assert flagged["event: ad_view"] is True
    assert flagged["event: newsletter"] is False
    assert table.on_path == ("event: ad_view",)
    assert table.to_pandas()["on_path"].tolist().count(True) == 1
