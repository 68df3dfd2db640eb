"""Benchmark stage metrics (``measure_stages``) against hand-written DuckDB SQL.

Generates a synthetic event log with DuckDB straight into Parquet (in a child process,
so its memory is not counted), reads it with ``journeymap.read_events`` on an engine
from ``journeymap.connect(memory_limit=..., threads=...)`` with DuckDB's
``temp_directory`` in the temporary folder (so it can spill), then times
``measure_stages(log, journey)`` and a hand-written SQL baseline computing the same
per-stage figures, asserts that they agree and prints the ratio and the peak memory
(resident set size) of each phase.

    python bench/bench_stages.py                       # 1e6 and 1e7 events
    python bench/bench_stages.py --size 1e8 --repeat 1 # issue 4: 1e8 events

Target (issue 4): stage metrics for 1e8 events on a 2-core, 24 GB machine with peak
memory <= 8 GB.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

import journeymap as jm
from journeymap.analytics.stages import measure_stages
from journeymap.model.journey import JourneyMap

EVENTS_PER_CUSTOMER = 20
# 5 stages x 3 event names; two more names are matched by no touchpoint
STAGE_EVENTS = [
    ["ad_view", "ad_click", "social_post_view"],
    ["search", "product_view", "compare"],
    ["cart_add", "checkout", "purchase"],
    ["app_open", "order_track", "help"],
    ["review", "referral", "repurchase"],
]
UNMATCHED = ["heartbeat", "page_ping"]

JOURNEY = JourneyMap.model_validate(
    {
        "name": "Bench: online shop",
        "stages": [
            {"id": "aware", "name": "Aware", "touchpoints": [
                {"id": "ads", "name": "Ads", "match": {"event_prefix": "ad_"}},
                {"id": "social", "name": "Social",
                 "match": {"event": ["social_post_view"]}},
            ]},
            {"id": "consider", "name": "Consider", "touchpoints": [
                {"id": "browse", "name": "Browse",
                 "match": {"event": ["search", "product_view", "compare"]}},
            ]},
            {"id": "buy", "name": "Buy", "touchpoints": [
                {"id": "cart", "name": "Cart", "match": {"event": ["cart_add"]}},
                {"id": "pay", "name": "Pay",
                 "match": {"event": ["checkout", "purchase"]}},
            ]},
            {"id": "use", "name": "Use", "touchpoints": [
                {"id": "app", "name": "App",
                 "match": {"event": ["app_open", "order_track"]}},
                # help counts only in app and on the web; by email it is unmatched
                {"id": "support", "name": "Support",
                 "match": {"event": ["help"], "channel": ["app", "web"]}},
            ]},
            {"id": "advocate", "name": "Advocate", "touchpoints": [
                {"id": "voice", "name": "Voice",
                 "match": {"event": ["review", "referral", "repurchase"]}},
            ]},
        ],
    }
)  # fmt: skip

# the same rules as JOURNEY, as an analyst would write them (first match wins)
STAGE_CASE = """CASE
  WHEN starts_with(event, 'ad_') THEN 0
  WHEN event = 'social_post_view' THEN 0
  WHEN event IN ('search', 'product_view', 'compare') THEN 1
  WHEN event = 'cart_add' THEN 2
  WHEN event IN ('checkout', 'purchase') THEN 2
  WHEN event IN ('app_open', 'order_track') THEN 3
  WHEN event = 'help' AND channel IN ('app', 'web') THEN 3
  WHEN event IN ('review', 'referral', 'repurchase') THEN 4
END"""
STAGES = len(STAGE_EVENTS)


def generate(path: str, n: int, threads: int, memory_limit: str) -> None:
    """``n`` events of ``n / 20`` customers, streamed by DuckDB into Parquet.

    Each customer reaches a furthest stage (35 % stop in the first, 10 % reach the
    last); its events fall in stages up to it, stage s about 2 days after stage s-1
    with 3 days of spread (so later stages sometimes come first: regressions).
    Times are on a 5-minute grid from a per-customer start second, so a customer's
    events often share a timestamp. 10 % of events are unmatched names.
    """
    customers = max(n // EVENTS_PER_CUSTOMER, 1)
    names = "[" + ", ".join(
        "[" + ", ".join(f"'{e}'" for e in stage) + "]" for stage in STAGE_EVENTS
    ) + "]"  # fmt: skip
    unmatched = "[" + ", ".join(f"'{e}'" for e in UNMATCHED) + "]"
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""
        COPY (
          WITH e AS (
            SELECT c,
                   CASE WHEN u < 0.35 THEN 0 WHEN u < 0.60 THEN 1 WHEN u < 0.78
                        THEN 2 WHEN u < 0.90 THEN 3 ELSE 4 END AS depth,
                   hash(c, 'start') % (60 * 86400) AS start_s
            FROM (SELECT hash(i) % {customers} AS c,
                         (hash(hash(i) % {customers}, 'depth') % 1000) / 1000.0 AS u
                  FROM range({n}) t(i))
          ), s AS (
            SELECT c, start_s, CAST(floor(random() * (depth + 1)) AS INTEGER) AS stage
            FROM e
          )
          SELECT 'c' || lpad(CAST(c AS VARCHAR), 9, '0') AS user_id,
                 TIMESTAMP '2024-01-01' + to_seconds(CAST(
                   start_s + stage * 2 * 86400 + floor(random() * 860) * 300
                   AS BIGINT)) AS ts,
                 CASE WHEN random() < 0.1
                      THEN {unmatched}[1 + CAST(floor(random() * 2) AS INTEGER)]
                      ELSE {names}[stage + 1][1 + CAST(floor(random() * 3) AS INTEGER)]
                 END AS event_name,
                 ['web', 'app', 'email'][1 + CAST(floor(random() * 3) AS INTEGER)]
                   AS channel
          FROM s
        ) TO '{path}' (FORMAT PARQUET)
        """
    )
    con.close()


# -- hand-written baseline (DuckDB SQL) ------------------------------------------------
def hand_sql(t: str) -> str:
    """Per stage: one window pass over the matched events, two per-customer
    aggregates (first entries, then exits/next stage/entries/regressions), one
    unnest to long form and a per-stage aggregate."""
    ks = range(STAGES)
    firsts = ",\n    ".join(
        f"min(pos) FILTER (WHERE s = {k}) AS f{k}, "
        f"min(timestamp) FILTER (WHERE s = {k}) AS t{k}"
        for k in ks
    )
    per_customer = ",\n    ".join(
        f"min(q.timestamp) FILTER (WHERE q.s > {k} AND q.pos > f.f{k}) AS x{k}, "
        f"count(*) FILTER (WHERE q.s = {k + 1} AND q.pos > f.f{k}) > 0 AS n{k}, "
        f"count(*) FILTER (WHERE q.s = {k} AND (q.prev IS NULL OR q.prev <> {k}))"
        f" AS e{k}, "
        f"count(*) FILTER (WHERE q.s = {k} AND q.nxt < {k}) AS r{k}"
        for k in ks
    )
    any_firsts = ", ".join(f"any_value(f.f{k}) AS f{k}, any_value(f.t{k}) AS t{k}"
                           for k in ks)  # fmt: skip

    def lst(prefix: str) -> str:
        return "[" + ", ".join(f"{prefix}{k}" for k in ks) + "]"

    return f"""
WITH seq AS (
  SELECT customer_id, timestamp, s,
         row_number() OVER w AS pos, lag(s) OVER w AS prev, lead(s) OVER w AS nxt
  FROM (SELECT customer_id, timestamp, event_seq, {STAGE_CASE} AS s FROM {t})
  WHERE s IS NOT NULL
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_seq)
), firsts AS (
  SELECT customer_id,
    {firsts}
  FROM seq GROUP BY customer_id
), per_customer AS (
  SELECT q.customer_id, {any_firsts},
    {per_customer},
    arg_max(q.s, q.pos) AS cur, max(q.s) AS furthest
  FROM seq q JOIN firsts f USING (customer_id) GROUP BY q.customer_id
), long AS (
  SELECT unnest(range({STAGES})) AS k, unnest({lst("f")}) AS f,
         unnest({lst("t")}) AS t, unnest({lst("x")}) AS x,
         unnest({lst("n")}) AS nxt_ok, unnest({lst("e")}) AS e,
         unnest({lst("r")}) AS r, cur, furthest
  FROM per_customer
)
SELECT k, count(f) AS reached, sum(e) AS entries,
       count(*) FILTER (WHERE nxt_ok) AS converted_next,
       count(x) AS converted_later,
       count(*) FILTER (WHERE f IS NOT NULL AND furthest = k) AS furthest,
       sum(r) AS regressions_out,
       count(*) FILTER (WHERE cur = k) AS current,
       quantile_cont(date_diff('millisecond', t, x) / 1000, 0.5) AS median_time_s,
       quantile_cont(date_diff('millisecond', t, x) / 1000, 0.9) AS p90_time_s
FROM long GROUP BY k ORDER BY k
"""


def hand_stages(con: Any, t: str) -> list[tuple[Any, ...]]:
    """Rows of (reached, entries, conversion_next, conversion_later, dropoff,
    median, p90, regressions_out, current) per stage, as ``StageFigures`` has them."""
    rows = con.execute(hand_sql(t)).fetchall()
    assert [r[0] for r in rows] == list(range(STAGES)), "a stage has no events"
    out = []
    for k, reached, entries, nxt, later, furthest, regr, cur, med, p90 in rows:
        last = k == STAGES - 1
        out.append((
            reached, int(entries),
            None if last else nxt / reached, None if last else later / reached,
            None if last else furthest / reached,
            med, p90, int(regr), cur,
        ))  # fmt: skip
    return out


def jm_stages(log: Any) -> list[tuple[Any, ...]]:
    table = measure_stages(log, JOURNEY)
    return [
        (f.reached, f.entries, f.conversion_next, f.conversion_later, f.dropoff,
         f.median_time_s, f.p90_time_s, f.regressions_out, f.current)
        for f in table.stages
    ]  # fmt: skip


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# -- memory --------------------------------------------------------------------------
class RssSampler:
    """Samples VmRSS of this process every ``interval`` seconds; peak since reset."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(self.interval)

    def reset(self) -> None:
        self.peak = self.rss()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def gb(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# -- one size --------------------------------------------------------------------------
def timed_pair(
    ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int, rss: RssSampler
) -> dict[str, Any]:
    """Median seconds and peak RSS of each, runs interleaved."""
    mine, hand, peak_mine, peak_hand = [], [], 0, 0
    got = expected = None
    for i in range(repeat):
        rss.reset()
        start = time.perf_counter()
        expected = theirs()
        hand.append(time.perf_counter() - start)
        peak_hand = max(peak_hand, rss.peak)
        rss.reset()
        start = time.perf_counter()
        got = ours()
        mine.append(time.perf_counter() - start)
        peak_mine = max(peak_mine, rss.peak)
        print(f"  run {i + 1}: journeymap {mine[-1]:.2f}s (peak {gb(rss.peak)}), "
              f"hand SQL {hand[-1]:.2f}s", flush=True)  # fmt: skip
    return {
        "jm": statistics.median(mine),
        "hand": statistics.median(hand),
        "peak_jm": peak_mine,
        "peak_hand": peak_hand,
        "got": got,
        "expected": expected,
    }


def run(
    n: int, folder: Path, repeat: int, threads: int, memory_limit: str
) -> dict[str, Any]:
    path = folder / f"events_{n}.parquet"
    start = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")  # keep its memory out of our RSS
    child = ctx.Process(target=generate, args=(str(path), n, threads, memory_limit))
    child.start()
    child.join()
    assert child.exitcode == 0, "generation failed"
    size = path.stat().st_size
    print(f"\n== {n:,} events: generated in {time.perf_counter() - start:.1f}s "
          f"({size / 1e9:.2f} GB Parquet)", flush=True)  # fmt: skip

    rss = RssSampler()
    spill = folder / "duckdb_tmp"
    engine = jm.connect(threads=threads, memory_limit=memory_limit)
    con = engine.duckdb_connection
    con.execute(f"SET temp_directory = '{spill}'")
    rss.reset()
    start = time.perf_counter()
    log = jm.read_events(
        path,
        engine=engine,
        columns={"customer_id": "user_id", "timestamp": "ts", "event": "event_name"},
    )
    ingest = time.perf_counter() - start
    peak_ingest = rss.peak
    print(f"ingest (read_events): {ingest:.1f}s, peak RSS {gb(peak_ingest)}; "
          f"{log.report.summary()}", flush=True)  # fmt: skip
    table = log.table.get_name()
    result = timed_pair(
        lambda: jm_stages(log), lambda: hand_stages(con, table), repeat, rss
    )
    assert close(result["got"], result["expected"]), (
        f"stage figures differ:\n{result['got']}\n{result['expected']}"
    )
    rss.stop()
    engine.close()
    for stage, row in zip(JOURNEY.stages, result["got"], strict=True):
        print(f"  {stage.id:9s} reached {row[0]:>10,} entries {row[1]:>11,} "
              f"next {_pct(row[2])} dropoff {_pct(row[4])} median "
              f"{_secs(row[5])} p90 {_secs(row[6])} regressions "
              f"{row[7]:>10,} current {row[8]:>10,}")  # fmt: skip
    out = {
        "n": n,
        "ingest": ingest,
        "peak_ingest": peak_ingest,
        "max_rss": max_rss(),
        **{k: v for k, v in result.items() if k not in ("got", "expected")},
    }
    print(f"measure_stages {out['jm']:.2f}s  hand SQL {out['hand']:.2f}s  ratio "
          f"{out['jm'] / out['hand']:.2f}x  (results equal); peak RSS journeymap "
          f"{gb(out['peak_jm'])}, hand {gb(out['peak_hand'])}, process max "
          f"{gb(out['max_rss'])}", flush=True)  # fmt: skip
    path.unlink()
    return out


def _secs(x: float | None) -> str:
    return "         —" if x is None else f"{x:>9.0f}s"


def _pct(x: float | None) -> str:
    return "    —" if x is None else f"{x:5.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", action="append", type=float, help="events (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--tmp", default=None, help="folder for data and spill files")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.size or [1e6, 1e7])]
    rows = []
    with tempfile.TemporaryDirectory(prefix="jm_bench_stages_", dir=args.tmp) as tmp:
        for n in sizes:
            rows.append(run(n, Path(tmp), args.repeat, args.threads, args.memory_limit))
    print(f"\nthreads={args.threads} memory_limit={args.memory_limit} "
          f"repeat={args.repeat}")  # fmt: skip
    print("| events | ingest | measure_stages | hand SQL | ratio | peak RSS ingest "
          "| peak RSS stages | process max RSS |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['n']:.0e} | {r['ingest']:.1f} s | {r['jm']:.2f} s | "
              f"{r['hand']:.2f} s | {r['jm'] / r['hand']:.2f}× | "
              f"{gb(r['peak_ingest'])} | {gb(r['peak_jm'])} | "
              f"{gb(r['max_rss'])} |")  # fmt: skip


if __name__ == "__main__":
    main()
