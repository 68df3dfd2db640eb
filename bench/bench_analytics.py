"""Benchmark journeymap analytics against hand-written DuckDB SQL on the same table.

Generates a synthetic event log with DuckDB into Parquet (in a temporary folder), reads
it once with ``journeymap.read_events`` (timed separately), then times each metric as
journeymap computes it and as a hand-written SQL baseline computes the same result,
asserts that both agree and prints the ratio.

    python bench/bench_analytics.py                 # 1e6 and 1e7 events
    python bench/bench_analytics.py --size 1e6      # one size (repeatable)
    python bench/bench_analytics.py --size 1e8      # big: needs disk and patience

Targets (bench/RESULTS.md): transitions and the ordered 4-step funnel within 1.3x of
hand SQL at 1e7 events, time to convert within 1.5x.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

import journeymap as jm
from journeymap.analytics import count_transitions, measure_funnel, time_to_convert

EVENTS = [
    "visit", "view", "search", "cart", "checkout", "purchase", "login", "help",
    "review", "email_open", "email_click", "app_open", "share", "wishlist", "return",
]  # fmt: skip
FUNNEL = ["visit", "view", "cart", "purchase"]
EVENTS_PER_CUSTOMER = 20


def generate(path: Path, n: int) -> None:
    """``n`` events of ``n / 20`` customers over 30 days; later funnel steps are rarer."""
    customers = max(n // EVENTS_PER_CUSTOMER, 1)
    names = "[" + ", ".join(f"'{e}'" for e in EVENTS) + "]"
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(
        f"""
        COPY (
          SELECT 'c' || lpad(CAST(hash(i) % {customers} AS VARCHAR), 8, '0') AS user_id,
                 TIMESTAMP '2024-01-01'
                   + to_seconds(CAST(floor(random() * 30 * 86400) AS BIGINT)) AS ts,
                 {names}[1 + CAST(floor(pow(random(), 1.6) * {len(EVENTS)}) AS INTEGER)]
                   AS event_name,
                 ['web', 'app', 'email'][1 + CAST(floor(random() * 3) AS INTEGER)] AS channel
          FROM range({n}) t(i)
        ) TO '{path}' (FORMAT PARQUET)
        """
    )
    con.close()


# -- hand-written baselines (DuckDB SQL; what an analyst would write) ---------------------
HAND_TRANSITIONS = """
WITH steps AS (
  SELECT customer_id, event AS source,
         lead(event) OVER w AS target,
         date_diff('microsecond', timestamp, lead(timestamp) OVER w) / 1e6 AS seconds
  FROM {t} WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_seq)
)
SELECT source, target, count(*) AS count, count(DISTINCT customer_id) AS customers,
       quantile_cont(seconds, 0.5) AS median_seconds,
       quantile_cont(seconds, 0.9) AS p90_seconds
FROM steps WHERE seconds IS NOT NULL GROUP BY ALL
"""

HAND_ENDPOINTS = """
WITH marked AS (
  SELECT event,
         lag(timestamp) OVER w IS NULL AS first,
         lead(timestamp) OVER w IS NULL AS last
  FROM {t} WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_seq)
)
SELECT 'start' AS kind, event, count(*) FROM marked WHERE first GROUP BY ALL
UNION ALL
SELECT 'end' AS kind, event, count(*) FROM marked WHERE last GROUP BY ALL
"""

HAND_FUNNEL = """
WITH e AS (SELECT customer_id, timestamp, event FROM {t} WHERE event IN (?, ?, ?, ?)),
s1 AS (SELECT customer_id, min(timestamp) AS t1 FROM e WHERE event = ? GROUP BY 1),
s2 AS (SELECT s1.customer_id, min(e.timestamp) AS t2 FROM s1 JOIN e
        ON e.customer_id = s1.customer_id AND e.event = ? AND e.timestamp > s1.t1
        GROUP BY s1.customer_id, s1.t1),
s3 AS (SELECT s2.customer_id, min(e.timestamp) AS t3 FROM s2 JOIN e
        ON e.customer_id = s2.customer_id AND e.event = ? AND e.timestamp > s2.t2
        GROUP BY s2.customer_id, s2.t2),
s4 AS (SELECT s3.customer_id, min(e.timestamp) AS t4 FROM s3 JOIN e
        ON e.customer_id = s3.customer_id AND e.event = ? AND e.timestamp > s3.t3
        GROUP BY s3.customer_id, s3.t3),
wide AS (SELECT * FROM s1 LEFT JOIN s2 USING (customer_id) LEFT JOIN s3 USING (customer_id)
         LEFT JOIN s4 USING (customer_id)),
gaps AS (SELECT t1, t2, t3, t4,
                date_diff('microsecond', t1, t2) / 1e6 AS d2,
                date_diff('microsecond', t2, t3) / 1e6 AS d3,
                date_diff('microsecond', t3, t4) / 1e6 AS d4 FROM wide)
SELECT count(t1), count(t2), count(t3), count(t4),
       avg(d2), quantile_cont(d2, 0.5), quantile_cont(d2, 0.9),
       avg(d3), quantile_cont(d3, 0.5), quantile_cont(d3, 0.9),
       avg(d4), quantile_cont(d4, 0.5), quantile_cont(d4, 0.9)
FROM gaps
"""

HAND_TTC_TABLE = """
CREATE OR REPLACE TEMP TABLE hand_ttc AS
SELECT customer_id,
       date_diff('microsecond', min(timestamp), min(timestamp) FILTER (WHERE event = ?))
         / 1e6 AS seconds
FROM {t} GROUP BY 1
"""
HAND_TTC_SUMMARY = """
SELECT count(*), count(seconds), avg(seconds), quantile_cont(seconds, 0.5),
       quantile_cont(seconds, 0.9), max(seconds) FROM hand_ttc
"""
HAND_TTC_HISTOGRAM = """
SELECT least(CAST(floor(seconds * ? / ?) AS BIGINT), ? - 1) AS bin, count(*)
FROM hand_ttc WHERE seconds IS NOT NULL GROUP BY 1 ORDER BY 1
"""


def hand_transitions(con: Any, t: str) -> tuple[dict, list]:
    rows = con.execute(HAND_TRANSITIONS.format(t=t)).fetchall()
    ends = con.execute(HAND_ENDPOINTS.format(t=t)).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}, sorted(ends)


def hand_funnel(con: Any, t: str) -> list[int]:
    params = [*FUNNEL, *FUNNEL]
    return list(con.execute(HAND_FUNNEL.format(t=t), params).fetchall()[0])


def hand_ttc(con: Any, t: str, bins: int = 20) -> tuple[tuple, list]:
    con.execute(HAND_TTC_TABLE.format(t=t), ["purchase"])
    summary = con.execute(HAND_TTC_SUMMARY).fetchall()[0]
    hist = con.execute(HAND_TTC_HISTOGRAM, [bins, summary[5], bins]).fetchall()
    return summary, hist


# -- journeymap side -----------------------------------------------------------------------
def jm_transitions(log: Any) -> tuple[dict, list]:
    table = count_transitions(log)
    got = {
        (t.source, t.target): (t.count, t.customers, t.median_seconds, t.p90_seconds)
        for t in table.transitions
    }
    ends = [("start", s.value, s.customers) for s in table.starts]
    ends += [("end", s.value, s.customers) for s in table.ends]
    return got, sorted(ends)


def jm_funnel(log: Any) -> list[Any]:
    result = measure_funnel(log, FUNNEL)
    times = [
        (t.mean_seconds, t.median_seconds, t.p90_seconds) for t in result.step_times
    ]
    return [r.customers for r in result.rows] + [x for t in times for x in t]


def jm_ttc(log: Any) -> tuple[tuple, list]:
    r = time_to_convert(log, "purchase", bins=20)
    summary = (r.customers, r.n, r.mean_seconds, r.median_seconds, r.p90_seconds)
    hist = [(i, b.customers) for i, b in enumerate(r.histogram) if b.customers]
    return summary, hist


# -- timing and checking ----------------------------------------------------------------------
def timed_pair(
    ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int
) -> tuple[float, Any, float, Any]:
    """Median seconds of each, runs interleaved so machine load hits both alike."""
    mine, hand = [], []
    got = expected = None
    for _ in range(repeat):
        start = time.perf_counter()
        expected = theirs()
        hand.append(time.perf_counter() - start)
        start = time.perf_counter()
        got = ours()
        mine.append(time.perf_counter() - start)
    return statistics.median(mine), got, statistics.median(hand), expected


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def check_transitions(ours: tuple[dict, list], theirs: tuple[dict, list]) -> None:
    assert ours[0].keys() == theirs[0].keys(), "transition edges differ"
    assert all(close(ours[0][k], theirs[0][k]) for k in ours[0]), (
        "transition figures differ"
    )
    assert ours[1] == [tuple(r) for r in theirs[1]], "starts/ends differ"


def check_ttc(ours: tuple[tuple, list], theirs: tuple[tuple, list]) -> None:
    assert close(ours[0], theirs[0][:5]), (
        f"time to convert differs: {ours[0]} {theirs[0]}"
    )
    assert ours[1] == [tuple(r) for r in theirs[1]], "histograms differ"


def run(n: int, folder: Path, repeat: int) -> list[tuple[str, float, float]]:
    path = folder / f"events_{n}.parquet"
    start = time.perf_counter()
    generate(path, n)
    print(f"\n== {n:,} events  (generated in {time.perf_counter() - start:.1f}s)")
    engine = jm.connect(threads=2)
    start = time.perf_counter()
    log = jm.read_events(
        path,
        engine=engine,
        columns={"customer_id": "user_id", "timestamp": "ts", "event": "event_name"},
    )
    print(
        f"ingest (read_events, not in the ratios): {time.perf_counter() - start:.2f}s"
    )
    con, table = engine.duckdb_connection, log.table.get_name()
    cases = [
        ("transitions", jm_transitions, hand_transitions, check_transitions),
        ("ordered funnel, 4 steps", jm_funnel, hand_funnel, _check_equal),
        ("time to convert", jm_ttc, hand_ttc, check_ttc),
    ]
    rows = []
    for name, ours, theirs, check in cases:
        t_ours, got, t_hand, expected = timed_pair(
            lambda f=ours: f(log), lambda f=theirs: f(con, table), repeat
        )
        check(got, expected)
        rows.append((name, t_ours, t_hand))
        print(f"{name:26s} journeymap {t_ours:7.3f}s  hand SQL {t_hand:7.3f}s  "
              f"ratio {t_ours / t_hand:5.2f}x  (results equal)")  # fmt: skip
    engine.close()
    return rows


def _check_equal(ours: Any, theirs: Any) -> None:
    assert close(list(ours), list(theirs)), f"funnel differs: {ours} != {theirs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", action="append", type=float, help="events (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.size or [1e6, 1e7])]
    with tempfile.TemporaryDirectory(prefix="jm_bench_") as tmp:
        for n in sizes:
            run(n, Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
