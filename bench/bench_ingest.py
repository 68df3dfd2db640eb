"""Benchmark ingest as users meet it: whole processes, journeymap against plain DuckDB.

Generates a synthetic event log (Parquet and CSV, in a temporary folder), then times,
as separate whole processes in the same run and interleaved:

- ``journeymap analyze FILE --what transitions`` against one Python process running a
  hand-written DuckDB query over the same file computing the same columns (edges with
  count, distinct customers, median/p90 seconds; start and end events);
- ``read_events(FILE)`` against ``CREATE TABLE AS SELECT * FROM read_parquet(FILE)
  ORDER BY customer_id, ts`` (Parquet) and ``read_csv`` (CSV) in DuckDB;
- Python start-up (``import journeymap.cli, duckdb``), which the "net" ratios subtract.

Each process is timed by the parent (``time.perf_counter`` around ``os.wait4``, which
also gives the child's peak RSS). No thresholds here: the numbers go to
``bench/RESULTS.md``.

    python bench/bench_ingest.py                     # 1e7 events, 3 repeats
    python bench/bench_ingest.py --size 1e6 --repeat 5
    python bench/bench_ingest.py --before /tmp/old/src  # also time another version

``--before`` takes the ``src`` folder of another checkout (``git archive <commit> src |
tar -x -C /tmp/old``): its journeymap runs the same commands in the same run,
interleaved, so before and after are measured under the same load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

EVENTS = ["visit", "view", "search", "cart", "checkout", "purchase", "login", "help"]
EVENTS_PER_CUSTOMER = 20
PYTHON = sys.executable
JOURNEYMAP = str(Path(PYTHON).with_name("journeymap"))

GENERATE = """
COPY (
  SELECT 'c' || lpad(CAST(hash(i) % {customers} AS VARCHAR), 8, '0') AS customer_id,
         TIMESTAMP '2024-01-01'
           + to_seconds(CAST(floor(random() * 30 * 86400) AS BIGINT)) AS ts,
         {names}[1 + CAST(floor(pow(random(), 1.6) * {count}) AS INTEGER)] AS event,
         ['web', 'app', 'email'][1 + CAST(floor(random() * 3) AS INTEGER)] AS channel
  FROM range({n}) t(i)
) TO '{path}' ({options})
"""

# What an analyst would write over the raw file: same edges, counts, distinct
# customers, exact median/p90 seconds, and start/end events, as journeymap reports.
HAND_TRANSITIONS = """
import duckdb, sys
con = duckdb.connect(config={{"threads": 2}})
con.execute("CREATE TABLE e AS SELECT * FROM {reader}(?)", [sys.argv[1]])
w = "WINDOW w AS (PARTITION BY customer_id ORDER BY ts, event, channel)"
con.execute(f'''
  SELECT source, target, count(*), count(DISTINCT customer_id),
         quantile_cont(seconds, 0.5), quantile_cont(seconds, 0.9)
  FROM (SELECT customer_id, event AS source, lead(event) OVER w AS target,
               date_diff('microsecond', ts, lead(ts) OVER w) / 1e6 AS seconds
        FROM e {{w}}) WHERE target IS NOT NULL GROUP BY ALL''').fetchall()
con.execute(f'''
  SELECT first, last, event, count(*) FROM (
    SELECT event, lag(ts) OVER w IS NULL AS first, lead(ts) OVER w IS NULL AS last
    FROM e {{w}}) WHERE first OR last GROUP BY ALL''').fetchall()
"""

SORTED_TABLE = """
import duckdb, sys
con = duckdb.connect(config={{"threads": 2}})
con.execute("CREATE TABLE e AS SELECT * FROM {reader}(?) ORDER BY customer_id, ts",
            [sys.argv[1]])
"""

READ_EVENTS = """
import sys
from journeymap import read_events
from journeymap.engine import connect
log = read_events(sys.argv[1], engine=connect(threads=2))
print(log.report.summary())
"""

STARTUP = "import journeymap.cli, duckdb"


def generate(folder: Path, n: int) -> dict[str, Path]:
    names = "[" + ", ".join(f"'{e}'" for e in EVENTS) + "]"
    customers = max(n // EVENTS_PER_CUSTOMER, 1)
    paths = {"parquet": folder / "events.parquet", "csv": folder / "events.csv"}
    con = duckdb.connect(config={"threads": 2})
    for kind, options in (("parquet", "FORMAT PARQUET"), ("csv", "FORMAT CSV, HEADER")):
        con.execute(
            GENERATE.format(customers=customers, names=names, count=len(EVENTS), n=n,
                            path=paths[kind], options=options)
        )  # fmt: skip
    con.close()
    return paths


def run(command: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{error}")
    return seconds, usage.ru_maxrss / 1024


def commands(
    paths: dict[str, Path], before: Path | None = None
) -> dict[str, list[str]]:
    parquet, csv = str(paths["parquet"]), str(paths["csv"])
    old = ["env", f"PYTHONPATH={before}", PYTHON] if before else []
    script = {
        "hand transitions": HAND_TRANSITIONS.format(reader="read_parquet"),
        "sorted CTAS parquet": SORTED_TABLE.format(reader="read_parquet"),
        "sorted CTAS csv": SORTED_TABLE.format(reader="read_csv"),
    }
    earlier = {
        "analyze transitions before": [*old, "-m", "journeymap", "analyze", parquet,
                                       "--what", "transitions"],
        "read_events parquet before": [*old, "-c", READ_EVENTS, parquet],
        "read_events csv before": [*old, "-c", READ_EVENTS, csv],
    }  # fmt: skip
    return {
        **(earlier if before else {}),
        "startup": [PYTHON, "-c", STARTUP],
        "analyze transitions": [
            JOURNEYMAP,
            "analyze",
            parquet,
            "--what",
            "transitions",
        ],
        "hand transitions": [PYTHON, "-c", script["hand transitions"], parquet],
        "read_events parquet": [PYTHON, "-c", READ_EVENTS, parquet],
        "sorted CTAS parquet": [PYTHON, "-c", script["sorted CTAS parquet"], parquet],
        "read_events csv": [PYTHON, "-c", READ_EVENTS, csv],
        "sorted CTAS csv": [PYTHON, "-c", script["sorted CTAS csv"], csv],
    }


PAIRS = (
    ("analyze transitions", "hand transitions"),
    ("read_events parquet", "sorted CTAS parquet"),
    ("read_events csv", "sorted CTAS csv"),
)


def measure(n: int, repeat: int, before: Path | None = None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="journeymap-bench-ingest-"))
    try:
        start = time.perf_counter()
        paths = generate(folder, n)
        print(f"# {n:.0e} events generated in {time.perf_counter() - start:.1f} s "
              f"(parquet {paths['parquet'].stat().st_size / 1e6:.0f} MB, "
              f"csv {paths['csv'].stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        todo = commands(paths, before)
        seconds: dict[str, list[float]] = {name: [] for name in todo}
        rss: dict[str, float] = dict.fromkeys(todo, 0.0)
        for _ in range(repeat):  # interleaved, so machine load hits all alike
            for name, command in todo.items():
                took, peak = run(command)
                seconds[name].append(took)
                rss[name] = max(rss[name], peak)
        report(seconds, rss, n)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(seconds: dict[str, list[float]], rss: dict[str, float], n: int) -> None:
    median = {name: statistics.median(times) for name, times in seconds.items()}
    startup = median["startup"]
    print("| events | command | median s | runs | peak RSS MB |")
    print("|---|---|---:|---|---:|")
    for name, times in seconds.items():
        runs = " ".join(f"{t:.2f}" for t in times)
        print(f"| {n:.0e} | {name} | {median[name]:.2f} | {runs} | {rss[name]:.0f} |")
    print()
    print(
        "| events | journeymap | baseline | ratio | net ratio (start-up subtracted) |"
    )
    print("|---|---|---|---:|---:|")
    for ours, theirs in PAIRS:
        for name in (f"{ours} before", ours):
            if name not in median:
                continue
            ratio = median[name] / median[theirs]
            rest = median[theirs] - startup  # no net ratio when start-up is it all
            net = f"{(median[name] - startup) / rest:.2f}x" if rest > 0.05 else "n/a"
            print(f"| {n:.0e} | {name} | {theirs} | {ratio:.2f}x | {net} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, action="append", help="events (1e7)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="src folder of another version")
    args = parser.parse_args()
    for size in args.size or [1e7]:
        measure(int(size), args.repeat, args.before)


if __name__ == "__main__":
    main()
