"""The core metrics on local Spark and on PostgreSQL against DuckDB, on one machine.

Generates a seeded log with DuckDB straight into Parquet, reads it once with
``read_events`` on DuckDB (the reader every engine shares), moves the canonical table
to each other engine (``EventLog.to_engine``: Arrow into Spark, ``COPY`` into
PostgreSQL; timed as "load"), then times transitions, an ordered funnel with a window,
time to convert and stage metrics on each engine, checks that every engine gives
DuckDB's results, and prints the ratio to DuckDB and the peak memory: of this
process (with the Spark JVM, its child) and of the PostgreSQL server's processes.

    python bench/bench_engines.py --events 1e6 --postgres postgresql://jm@127.0.0.1:5432/postgres
    python bench/bench_engines.py --events 1e7 --engines duckdb,postgres --postgres URL

One 2-core box is not where Spark or a database server shines: the point is that the
same code runs there and gives the same numbers; the ratios say what it costs here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

import journeymap as jm

STEPS = ["home", "item", "cart", "buy"]
MAP = {
    "name": "Engine bench",
    "conversion": {"event": "buy"},
    "stages": [
        {"id": "look", "name": "Look", "touchpoints": [
            {"id": "home", "name": "Home", "match": {"event": "home"}},
            {"id": "item", "name": "Item", "match": {"event": "item"}}]},
        {"id": "pay", "name": "Pay", "touchpoints": [
            {"id": "cart", "name": "Cart", "match": {"event": "cart"}},
            {"id": "buy", "name": "Buy", "match": {"event": "buy"}}]},
    ],
}  # fmt: skip


def write_events(path: Path, events: int) -> None:
    """20 events per customer over 30 days at second resolution (so, ties)."""
    duckdb.sql(
        f"""
        COPY (
          SELECT 'c' || (i // 20) AS customer_id,
                 TIMESTAMP '2026-01-01'
                   + INTERVAL (CAST(hash(i // 20) % 2000000 + (i % 20) * hash(i) % 7200
                     AS BIGINT)) SECOND AS timestamp,
                 ['home', 'item', 'item', 'cart', 'home', 'buy']
                   [CAST(1 + hash(i, 3) % 6 AS BIGINT)] AS event,
                 ['web', 'app', 'email'][CAST(1 + hash(i, 5) % 3 AS BIGINT)] AS channel
          FROM range({events}) t(i)
        ) TO '{path}' (FORMAT PARQUET)
        """
    )


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _processes() -> list[tuple[int, int, str, str]]:
    """(pid, parent pid, user id, command line) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            uid = (entry / "status").read_text().split("Uid:")[1].split()[0]
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        found.append((int(entry.name), int(stat[1]), uid, cmd))
    return found


class Peaks:
    """Samples the resident memory of this process tree and of PostgreSQL's server."""

    def __init__(self) -> None:
        self.ours = self.server = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            procs = _processes()
            tree = {os.getpid()}
            for _ in range(4):  # children of children (the JVM under spark-submit)
                tree |= {pid for pid, parent, _, _ in procs if parent in tree}
            ours = sum(_rss_kb(pid) for pid in tree)
            server = sum(
                _rss_kb(pid) for pid, _, _, cmd in procs if cmd.startswith("postgres:")
            )
            self.ours, self.server = max(self.ours, ours), max(self.server, server)
            time.sleep(0.2)


def metrics(journey: jm.JourneyMap) -> dict[str, Callable[[jm.EventLog], Any]]:
    return {
        "transitions": lambda log: jm.count_transitions(log).to_dict(),
        "funnel (ordered, 7 d window)": lambda log: jm.measure_funnel(
            log, STEPS, window_s=7 * 86400
        ).to_dict(),
        "time to convert": lambda log: jm.time_to_convert(log, "buy").to_dict(),
        "stage metrics": lambda log: jm.measure_stages(log, journey).to_dict(),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a)) or (a != a and b != b)
    return bool(a == b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=float, default=1e6)
    parser.add_argument("--engines", default="duckdb,spark,postgres")
    parser.add_argument("--postgres", help="URL of a PostgreSQL server to use")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engines = args.engines.split(",")
    journey = jm.JourneyMap.model_validate(MAP)
    runs = metrics(journey)
    baseline: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        write_events(path, int(args.events))
        start = time.perf_counter()
        duck = jm.read_events(path, engine=jm.connect(threads=2))
        print(
            f"{int(args.events):,} events; read on DuckDB in {time.perf_counter() - start:.1f} s"
        )
        expected = {name: run(duck) for name, run in runs.items()}
        for kind in engines:
            url = {
                "duckdb": None,
                "spark": "spark://local[2]",
                "postgres": args.postgres,
            }[kind]
            if kind == "postgres" and not url:
                print("postgres: skipped (pass --postgres URL)")
                continue
            with Peaks() as peaks:
                start = time.perf_counter()
                log = duck if kind == "duckdb" else duck.to_engine(jm.connect(url))
                print(f"\n{kind}: load {time.perf_counter() - start:.1f} s", flush=True)
                times = {}
                for name, run in runs.items():
                    spent = []
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        result = run(log)
                        spent.append(time.perf_counter() - start)
                    assert _same(result, expected[name]), f"{kind} {name} differs"
                    times[name] = statistics.median(spent)
                    base = baseline.get(name) if kind != "duckdb" else None
                    ratio = f"{times[name] / base:.1f}x DuckDB" if base else ""
                    print(f"  {name:30s} {times[name]:8.2f} s  {ratio}", flush=True)
            print(f"  peak RSS: this process tree {peaks.ours / 1024:.0f} MB, "
                  f"PostgreSQL server {peaks.server / 1024:.0f} MB")  # fmt: skip
            if kind == "duckdb":
                baseline = dict(times)
            if log is not duck:
                log.engine.close()


if __name__ == "__main__":
    main()
