"""Benchmark ingest as users meet it: whole processes, journeymap against plain DuckDB.

Generates a synthetic event log (Parquet and CSV, in a temporary folder), then times,
as separate whole processes in the same run and interleaved:

- ``journeymap analyze FILE --what transitions`` against one Python process running a
  hand-written DuckDB query over the same file computing the same columns (edges with
  count, distinct customers, median/p90 seconds; start and end events);
- ``journeymap analyze FILE --what funnel`` (ordered, 4 steps) and ``--what
  time-to-convert`` against hand-written queries straight over ``read_parquet``
  computing the same columns (customers per step and mean/median/p90 seconds between
  steps; customers, converters, mean/median/p90 seconds and the 20-bin histogram),
  the queries of ``bench/bench_analytics.py``; before timing, both sides' numbers are
  compared once (journeymap's ``-o`` JSON against the hand query's output);
- ``read_events(FILE)`` against ``CREATE TABLE AS SELECT * FROM read_parquet(FILE)
  ORDER BY customer_id, ts`` (Parquet) and ``read_csv`` (CSV) in DuckDB;
- Python start-up (``import journeymap.cli, duckdb``), which the "net" ratios subtract.

Each process is timed by the parent (``time.perf_counter`` around ``os.wait4``, which
also gives the child's peak RSS). No thresholds here: the numbers go to
``bench/RESULTS.md``.

    python bench/bench_ingest.py                     # 1e7 events, 3 repeats
    python bench/bench_ingest.py --size 1e6 --repeat 5
    python bench/bench_ingest.py --before /tmp/old/src  # also time another version
    python bench/bench_ingest.py --size 1e8 --repeat 1 \\
        --only "read_events parquet" --only "sorted CTAS parquet" --memory-limit 6GB

``--before`` takes the ``src`` folder of another checkout (``git archive <commit> src |
tar -x -C /tmp/old``): its journeymap runs the same commands in the same run,
interleaved, so before and after are measured under the same load.
"""

from __future__ import annotations

import argparse
import json
import math
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

FUNNEL = ["visit", "view", "cart", "purchase"]

# The funnel of bench_analytics.py over the raw file: an analyst reads only the
# columns and the step events it needs.
HAND_FUNNEL = """
import duckdb, json, sys
con = duckdb.connect(config={{"threads": 2}})
con.execute("SET enable_progress_bar = false")
steps = {steps!r}
rows = con.execute('''
WITH e AS (SELECT customer_id, ts, event FROM read_parquet($file)
           WHERE event IN ($a, $b, $c, $d)),
s1 AS (SELECT customer_id, min(ts) AS t1 FROM e WHERE event = $a GROUP BY 1),
s2 AS (SELECT s1.customer_id, min(e.ts) AS t2 FROM s1 JOIN e
        ON e.customer_id = s1.customer_id AND e.event = $b AND e.ts > s1.t1
        GROUP BY s1.customer_id, s1.t1),
s3 AS (SELECT s2.customer_id, min(e.ts) AS t3 FROM s2 JOIN e
        ON e.customer_id = s2.customer_id AND e.event = $c AND e.ts > s2.t2
        GROUP BY s2.customer_id, s2.t2),
s4 AS (SELECT s3.customer_id, min(e.ts) AS t4 FROM s3 JOIN e
        ON e.customer_id = s3.customer_id AND e.event = $d AND e.ts > s3.t3
        GROUP BY s3.customer_id, s3.t3),
wide AS (SELECT * FROM s1 LEFT JOIN s2 USING (customer_id)
         LEFT JOIN s3 USING (customer_id) LEFT JOIN s4 USING (customer_id)),
gaps AS (SELECT t1, t2, t3, t4,
                date_diff('microsecond', t1, t2) / 1e6 AS d2,
                date_diff('microsecond', t2, t3) / 1e6 AS d3,
                date_diff('microsecond', t3, t4) / 1e6 AS d4 FROM wide)
SELECT count(t1), count(t2), count(t3), count(t4),
       avg(d2), quantile_cont(d2, 0.5), quantile_cont(d2, 0.9),
       avg(d3), quantile_cont(d3, 0.5), quantile_cont(d3, 0.9),
       avg(d4), quantile_cont(d4, 0.5), quantile_cont(d4, 0.9)
FROM gaps''', dict(file=sys.argv[1], a=steps[0], b=steps[1], c=steps[2], d=steps[3]))
print(json.dumps(rows.fetchall()[0]))
"""

# Time to convert (bench_analytics.py) over the raw file: seconds from each
# customer's first event to its first purchase; summary and a 20-bin histogram.
HAND_TTC = """
import duckdb, json, sys
con = duckdb.connect(config={"threads": 2})
con.execute("SET enable_progress_bar = false")
con.execute('''CREATE TEMP TABLE ttc AS SELECT customer_id,
  date_diff('microsecond', min(ts), min(ts) FILTER (WHERE event = ?)) / 1e6 AS seconds
  FROM read_parquet(?) GROUP BY 1''', ["purchase", sys.argv[1]])
summary = con.execute('''SELECT count(*), count(seconds), avg(seconds),
  quantile_cont(seconds, 0.5), quantile_cont(seconds, 0.9), max(seconds)
  FROM ttc''').fetchall()[0]
bins = con.execute('''SELECT least(CAST(floor(seconds * 20 / ?) AS BIGINT), 19),
  count(*) FROM ttc WHERE seconds IS NOT NULL GROUP BY 1 ORDER BY 1''',
  [summary[5]]).fetchall()
print(json.dumps([summary, bins]))
"""

SORTED_TABLE = """
import duckdb, sys
limit = dict(memory_limit=sys.argv[2]) if len(sys.argv) > 2 else {{}}
con = duckdb.connect(config={{"threads": 2, **limit}})
con.execute("CREATE TABLE e AS SELECT * FROM {reader}(?) ORDER BY customer_id, ts",
            [sys.argv[1]])
"""

READ_EVENTS = """
import sys
from journeymap import read_events
from journeymap.engine import connect
limit = sys.argv[2] if len(sys.argv) > 2 else None
log = read_events(sys.argv[1], engine=connect(threads=2, memory_limit=limit))
print(log.report.summary())
"""

STARTUP = "import journeymap.cli, duckdb"


def generate(folder: Path, n: int, *, csv: bool = True) -> dict[str, Path]:
    names = "[" + ", ".join(f"'{e}'" for e in EVENTS) + "]"
    customers = max(n // EVENTS_PER_CUSTOMER, 1)
    paths = {"parquet": folder / "events.parquet", "csv": folder / "events.csv"}
    kinds = [("parquet", "FORMAT PARQUET"), ("csv", "FORMAT CSV, HEADER")]
    if not csv:
        del paths["csv"], kinds[1]
    con = duckdb.connect(config={"threads": 2})
    for kind, options in kinds:
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
    parquet, csv = str(paths["parquet"]), str(paths.get("csv", "not written"))
    old = ["env", f"PYTHONPATH={before}", PYTHON] if before else []
    script = {
        "hand transitions": HAND_TRANSITIONS.format(reader="read_parquet"),
        "hand funnel": HAND_FUNNEL.format(steps=FUNNEL),
        "sorted CTAS parquet": SORTED_TABLE.format(reader="read_parquet"),
        "sorted CTAS csv": SORTED_TABLE.format(reader="read_csv"),
    }
    earlier = {
        "analyze transitions before": [*old, "-m", "journeymap", "analyze", parquet,
                                       "--what", "transitions"],
        "analyze funnel before": [*old, "-m", "journeymap", "analyze", parquet,
                                  *FUNNEL_OPTIONS],
        "analyze time-to-convert before": [*old, "-m", "journeymap", "analyze",
                                           parquet, *TTC_OPTIONS],
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
        "analyze funnel": [JOURNEYMAP, "analyze", parquet, *FUNNEL_OPTIONS],
        "hand funnel": [PYTHON, "-c", script["hand funnel"], parquet],
        "analyze time-to-convert": [JOURNEYMAP, "analyze", parquet, *TTC_OPTIONS],
        "hand time-to-convert": [PYTHON, "-c", HAND_TTC, parquet],
        "read_events parquet": [PYTHON, "-c", READ_EVENTS, parquet],
        "sorted CTAS parquet": [PYTHON, "-c", script["sorted CTAS parquet"], parquet],
        "read_events csv": [PYTHON, "-c", READ_EVENTS, csv],
        "sorted CTAS csv": [PYTHON, "-c", script["sorted CTAS csv"], csv],
    }


FUNNEL_OPTIONS = ["--what", "funnel", "--steps", ",".join(FUNNEL)]
TTC_OPTIONS = ["--what", "time-to-convert", "--conversion", "purchase"]

PAIRS = (
    ("analyze transitions", "hand transitions"),
    ("analyze funnel", "hand funnel"),
    ("analyze time-to-convert", "hand time-to-convert"),
    ("read_events parquet", "sorted CTAS parquet"),
    ("read_events csv", "sorted CTAS csv"),
)


def measure(
    n: int,
    repeat: int,
    before: Path | None = None,
    only: list[str] | None = None,
    memory_limit: str | None = None,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="journeymap-bench-ingest-"))
    try:
        start = time.perf_counter()
        csv = not only or any("csv" in name for name in only)
        paths = generate(folder, n, csv=csv)
        sizes = ", ".join(
            f"{k} {p.stat().st_size / 1e6:.0f} MB" for k, p in paths.items()
        )
        print(
            f"# {n:.0e} events generated in {time.perf_counter() - start:.1f} s ({sizes})"
        )
        todo = commands(paths, before)
        if only:  # start-up always: the net ratios need it
            todo = {k: v for k, v in todo.items() if k in only or k == "startup"}
        if memory_limit:  # DuckDB's, for ingest and the sorted CTAS alike
            todo = {
                k: [*v, memory_limit] if k.startswith(("read_events", "sorted")) else v
                for k, v in todo.items()
            }
        if "analyze funnel" in todo and "analyze time-to-convert" in todo:
            check(todo, folder)
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


def check(todo: dict[str, list[str]], folder: Path) -> None:
    """Run each analyze command and its hand query once; stop if they disagree."""
    out, histogram = folder / "out.json", folder / "histogram.json"
    for what in ("funnel", "time-to-convert"):
        extra = ["--histogram", str(histogram)] if what == "time-to-convert" else []
        command = [*todo[f"analyze {what}"], "-o", str(out), *extra]
        subprocess.run(command, check=True, capture_output=True)
        hand = subprocess.run(todo[f"hand {what}"], check=True, capture_output=True)
        theirs = json.loads(hand.stdout)
        mine = json.loads(out.read_text())
        if what == "funnel":
            ours = [row["customers"] for row in mine["rows"]] + [
                value
                for step in mine["step_times"]
                for value in (step["mean_seconds"], step["median_seconds"],
                              step["p90_seconds"])
            ]  # fmt: skip
        else:
            bins = json.loads(histogram.read_text())
            ours = [
                [mine["customers"], mine["n"], mine["mean_seconds"],
                 mine["median_seconds"], mine["p90_seconds"]],
                [[i, b["customers"]] for i, b in enumerate(bins) if b["customers"]],
            ]  # fmt: skip
            theirs = [theirs[0][:5], theirs[1]]
        if not _close(ours, theirs):
            raise SystemExit(f"{what}: journeymap {ours} != hand {theirs}")
        print(f"# {what}: journeymap and the hand query agree")


def _close(a: object, b: object) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


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
            if name not in median or theirs not in median:
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
    parser.add_argument(
        "--only",
        action="append",
        metavar="COMMAND",
        help="time only these commands (repeatable), e.g. 'read_events parquet' and "
        "'sorted CTAS parquet' at 1e8",
    )
    parser.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="DuckDB memory_limit of ingest and the sorted CTAS, e.g. 6GB (default: "
        "DuckDB's, 80%% of RAM)",
    )
    args = parser.parse_args()
    for size in args.size or [1e7]:
        measure(int(size), args.repeat, args.before, args.only, args.memory_limit)


if __name__ == "__main__":
    main()
