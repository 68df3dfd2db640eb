"""Memory and tables left behind by repeated reads and measurements (issue 11).

Two loops, each in this process, measuring what stays behind:

1. ``reads``: read the same Parquet file of N events ``--reads`` times (each on its
   own default engine, keeping no reference) and print the resident set size after
   each read. Before issue 11 a module-level quarantine registry pinned every
   EventLog's engine and database, so memory grew with every read.
2. ``measures``: on one shared engine, read once and ``jm.measure`` the map
   ``--measures`` times, printing how many temporary tables the connection holds after
   each call (before issue 11 each call left four, one a full copy of the log).

    python bench/bench_lifetime.py                 # 200k events, 20 reads, 5 measures

Only public APIs are used, so the same script measures an older checkout
(``PYTHONPATH=old/src python bench/bench_lifetime.py``) for the before/after numbers
in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
from pathlib import Path

import duckdb

import journeymap as jm

MAP = {
    "name": "Lifetime bench",
    "conversion": {"event": "buy"},
    "stages": [
        {
            "id": "look",
            "name": "Look",
            "touchpoints": [
                {"id": "home", "name": "Home", "match": {"event": "home"}},
                {"id": "item", "name": "Item", "match": {"event": "item"}},
            ],
            "pain_points": [{"id": "slow", "text": "Slow", "touchpoint": "item"}],
        },
        {
            "id": "pay",
            "name": "Pay",
            "touchpoints": [{"id": "buy", "name": "Buy", "match": {"event": "buy"}}],
        },
    ],
}


def write_events(path: Path, events: int) -> None:
    """A seeded log: 10 events per customer over 30 days, three event names."""
    duckdb.sql(
        f"""
        COPY (
          SELECT 'c' || (i // 10) AS customer_id,
                 TIMESTAMP '2026-01-01' + INTERVAL (CAST(hash(i, 7) % 2592000 AS BIGINT)) SECOND
                   AS timestamp,
                 ['home', 'item', 'buy'][CAST(1 + hash(i, 11) % 3 AS BIGINT)] AS event,
                 ['web', 'app'][CAST(1 + hash(i, 13) % 2 AS BIGINT)] AS channel
          FROM range({events}) t(i)
        ) TO '{path}' (FORMAT PARQUET)
        """
    )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def temp_tables(engine: jm.Engine) -> int:
    rows = engine.sql_rows(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND "
        "starts_with(table_name, '_jm_')"
    )
    return int(rows[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=float, default=2e5)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--measures", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        write_events(path, int(args.events))
        print(f"events: {int(args.events):,}; RSS at start {rss_mb():.0f} MB")
        for n in range(1, args.reads + 1):
            log = jm.read_events(path)
            assert log.count() > 0
            del log
            gc.collect()
            print(f"read {n:2d}: RSS {rss_mb():6.0f} MB")
        journey = jm.JourneyMap.model_validate(MAP)
        engine = jm.connect()
        log = jm.read_events(path, engine=engine)
        print(f"after one read on a shared engine: {temp_tables(engine)} temp tables")
        for n in range(1, args.measures + 1):
            jm.measure(journey, log, clusters=False)
            gc.collect()
            tables = temp_tables(engine)
            print(f"measure {n}: {tables} temp tables, RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
