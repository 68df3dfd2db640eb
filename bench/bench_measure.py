"""Benchmark ``journeymap measure`` end to end: whole processes against plain DuckDB.

Simulates the demo journey (``journeymap demo --customers N``, Parquet in a
temporary folder), then times, as separate whole processes in the same run and
interleaved so machine load hits all alike:

- ``journeymap measure map.yaml`` (everything: ingest, journey table, verdicts,
  suggestions, incidents, voice of the customer, clusters, attribution, KPIs);
- ``journeymap analyze events.parquet --map map.yaml --what stages``;
- one Python process running a hand-written DuckDB query over the same Parquet file
  computing the same stage numbers (reached, entries, conversion to the next and any
  later stage, drop-off, median/p90 time in stage, regressions, current, events,
  closed stays). The numbers are checked against ``measured.json`` on every run;
- Python start-up (``import journeymap.cli, duckdb``), shown for scale.

With ``--before SRC`` the journeymap commands are also run with ``PYTHONPATH=SRC``
(e.g. an exported older commit's ``src``) and the "before" ratios printed beside
the current ones, same run, same files. ``measured.json`` of both must be equal
(apart from fields the older code did not have). No thresholds here: the numbers go
to ``bench/RESULTS.md``.

``--commands`` times the commands people run, as whole processes (start to file
written, ingest included), each once per round, rounds interleaved: ``measure MAP
--data EVENTS -o measured.json``, ``report ... -o report.html``, ``render ... -o
map.svg`` and ``demo --customers N`` (simulation, measuring and every export). With
``--before SRC`` each runs under both trees in the same round; measured.json, map.svg
and report.html of both are compared byte for byte (report.html also differs between
two runs of one tree: the forecast's revenue is a parallel sum of doubles, its last
digits vary). The load average is printed before
and after, since the machine may be shared.

    python bench/bench_measure.py                          # 5,000 and 30,000 customers
    python bench/bench_measure.py --customers 30000 --repeat 5
    python bench/bench_measure.py --before /tmp/old/src
    python bench/bench_measure.py --commands --customers 30000 --before /tmp/old/src
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PYTHON = sys.executable
JOURNEYMAP = [PYTHON, "-m", "journeymap"]
STARTUP = "import journeymap.cli, duckdb"

# the demo map's touchpoint rules by stage, as an analyst would write them (first
# match wins: payment calls belong to checkout's helpline, other calls to delivery)
STAGE_CASE = """CASE
  WHEN event IN ('ad_impression', 'ad_click') AND channel = 'social' THEN 0
  WHEN event IN ('search_click', 'flyer_scan', 'tv_response', 'referral_link_open',
                 'store_visit') THEN 0
  WHEN event IN ('landing_view', 'app_install', 'app_open', 'product_search',
                 'product_view', 'price_compare_view', 'coupon_view',
                 'phone_enquiry') THEN 1
  WHEN event IN ('add_to_cart', 'remove_from_cart', 'checkout_start',
                 'payment_submitted', 'payment_failed', 'checkout_survey') THEN 2
  WHEN event IN ('support_call', 'support_survey') AND reason = 'payment' THEN 2
  WHEN event IN ('purchase', 'order_confirmation_email') THEN 2
  WHEN event IN ('delivery_slot_view', 'delivery_scheduled', 'slot_survey',
                 'order_picked', 'delivery_eta_sms', 'delivery_tracking_view',
                 'delivery_completed', 'delivery_late', 'delivery_survey',
                 'support_call', 'support_survey') THEN 3
  WHEN event IN ('email_open', 'email_click', 'coupon_redeemed',
                 'loyalty_points_redeemed', 'review_posted', 'referral_sent') THEN 4
END"""
STAGES = 5

# per stage: one window pass over the matched events (in each customer's order,
# the file's row number breaking timestamp ties), per-customer aggregates, unnest
HAND_STAGES = """
import json, sys, duckdb
con = duckdb.connect(config={{"threads": 2}})
con.execute("SET enable_progress_bar = false")
rows = con.execute('''
WITH seq AS (
  SELECT customer_id, timestamp, s,
         row_number() OVER w AS pos, lag(s) OVER w AS prev, lead(s) OVER w AS nxt
  FROM (SELECT customer_id, timestamp, file_row_number AS event_seq,
               {case} AS s
        FROM read_parquet('{path}', file_row_number = true))
  WHERE s IS NOT NULL
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_seq)
), firsts AS (
  SELECT customer_id, {firsts} FROM seq GROUP BY customer_id
), per_customer AS (
  SELECT q.customer_id, {any_firsts}, {per_customer},
         arg_max(q.s, q.pos) AS cur, max(q.s) AS furthest
  FROM seq q JOIN firsts f USING (customer_id) GROUP BY q.customer_id
), long AS (
  SELECT unnest(range({stages})) AS k, unnest([{f}]) AS f, unnest([{t}]) AS t,
         unnest([{x}]) AS x, unnest([{n}]) AS nxt_ok, unnest([{e}]) AS e,
         unnest([{r}]) AS r, unnest([{v}]) AS v, cur, furthest
  FROM per_customer
)
SELECT k, count(f) AS reached, sum(e) AS entries,
       count(*) FILTER (WHERE nxt_ok) AS converted_next,
       count(x) AS converted_later,
       count(*) FILTER (WHERE f IS NOT NULL AND furthest = k) AS furthest,
       sum(r) AS regressions_out, count(*) FILTER (WHERE cur = k) AS current,
       sum(v) AS events, count(x) AS closed_stays,
       quantile_cont(date_diff('millisecond', t, x) / 1000, 0.5) AS median_time_s,
       quantile_cont(date_diff('millisecond', t, x) / 1000, 0.9) AS p90_time_s
FROM long GROUP BY k ORDER BY k
''').fetchall()
json.dump([list(r) for r in rows], sys.stdout)
"""


def hand_script(path: Path) -> str:
    ks = range(STAGES)

    def each(template: str, sep: str = ", ") -> str:
        return sep.join(template.format(k=k, k1=k + 1) for k in ks)

    per_customer = each(
        "min(q.timestamp) FILTER (WHERE q.s > {k} AND q.pos > f.f{k}) AS x{k}, "
        "count(*) FILTER (WHERE q.s = {k1} AND q.pos > f.f{k}) > 0 AS n{k}, "
        "count(*) FILTER (WHERE q.s = {k} AND (q.prev IS NULL OR q.prev <> {k})) "
        "AS e{k}, count(*) FILTER (WHERE q.s = {k} AND q.nxt < {k}) AS r{k}, "
        "count(*) FILTER (WHERE q.s = {k}) AS v{k}"
    )
    return HAND_STAGES.format(
        case=STAGE_CASE,
        path=str(path).replace("'", "''"),
        stages=STAGES,
        firsts=each(
            "min(pos) FILTER (WHERE s = {k}) AS f{k}, "
            "min(timestamp) FILTER (WHERE s = {k}) AS t{k}"
        ),
        any_firsts=each("any_value(f.f{k}) AS f{k}, any_value(f.t{k}) AS t{k}"),
        per_customer=per_customer,
        **{c: each(c + "{k}") for c in "ftxnerv"},
    )


def run(
    command: list[str], env: dict[str, str], *, capture: bool = False
) -> tuple[float, float, bytes]:
    """Seconds, peak RSS (MB) and standard output of one whole process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out if capture else subprocess.DEVNULL, stderr=err, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"failed: {' '.join(command)}\n{err.read().decode()}")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read()


def simulate(folder: Path, customers: int) -> Path:
    """The demo's map and events for ``customers`` simulated customers."""
    out = folder / f"demo-{customers}"
    subprocess.run(
        [*JOURNEYMAP, "demo", "--customers", str(customers), "-o", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


def expected(measured: Path) -> list[list[Any]]:
    """The hand query's columns from ``measured.json``'s stages."""
    stages = json.loads(measured.read_text())["stages"]
    return [
        [
            k,
            s["reached"],
            s["entries"],
            s["regressions_out"],
            s["current"],
            s["events"],
            s["closed_stays"],
            s["median_time_s"],
            s["p90_time_s"],
        ]
        for k, s in enumerate(stages)
    ]


def check(hand: list[list[Any]], measured: Path) -> None:
    rows = [
        [k, reached, int(e), int(r), cur, int(v), closed, med, p90]
        for k, reached, e, _, _, _, r, cur, v, closed, med, p90 in hand
    ]
    want = expected(measured)
    for got, row in zip(rows, want, strict=True):
        for a, b in zip(got, row, strict=True):
            same = (
                math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
                if isinstance(a, float) and b is not None
                else a == b
            )
            if not same:
                raise SystemExit(
                    f"hand query and measured.json differ:\n{rows}\n{want}"
                )


def same_measured(a: Path, b: Path) -> bool:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    for key in set(left) ^ set(right):  # fields the older code did not write
        left.pop(key, None)
        right.pop(key, None)
    return bool(left == right)


def bench(folder: Path, customers: int, repeat: int, before: str | None) -> None:
    demo = simulate(folder, customers)
    parquet = demo / "data" / "events.parquet"
    events = json.loads((demo / "measured.json").read_text())["totals"]["events"]
    env_now = dict(os.environ)
    variants = [("now", env_now)]
    if before:
        variants.append(("before", {**env_now, "PYTHONPATH": before}))
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "startup": ([PYTHON, "-c", STARTUP], env_now),
        "hand SQL stages": ([PYTHON, "-c", hand_script(parquet)], env_now),
    }
    for tag, env in variants:
        out = folder / f"measured-{customers}-{tag}.json"
        commands[f"measure ({tag})"] = (
            [*JOURNEYMAP, "measure", str(demo / "map.yaml"), "-o", str(out)],
            env,
        )
        commands[f"analyze stages ({tag})"] = (
            [
                *JOURNEYMAP,
                "analyze",
                str(parquet),
                "--map",
                str(demo / "map.yaml"),
                "--what",
                "stages",
                "-o",
                str(folder / f"stages-{customers}-{tag}.csv"),
            ],
            env,
        )
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(repeat):
        for name, (command, env) in commands.items():
            hand = name == "hand SQL stages"
            seconds, peak, stdout = run(command, env, capture=hand)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
            if hand:
                check(json.loads(stdout), demo / "measured.json")
    if before:
        now = folder / f"measured-{customers}-now.json"
        then = folder / f"measured-{customers}-before.json"
        print(f"measured.json now == before: {same_measured(now, then)}")
    base = statistics.median(times["hand SQL stages"])
    print(f"\n{customers:,} customers, {events:,} events; median of {repeat}")
    print(f"{'command':28s} {'seconds':>8s} {'× hand SQL':>11s} {'peak RSS':>9s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28s} {median:8.2f} {median / base:10.1f}× {peaks[name]:6.0f} MB")


def _demo_bytes(path: Path, tag: str) -> bytes:
    return path.read_bytes().replace(f"demo-{tag}-".encode(), b"demo-")


def bench_commands(
    folder: Path, customers: int, repeat: int, before: str | None
) -> None:
    """``measure``, ``report``, ``render`` and ``demo`` as whole processes."""
    demo = simulate(folder, customers)
    map_path, events = demo / "map.yaml", demo / "data" / "events.parquet"
    env_now = dict(os.environ)
    variants = [("now", env_now)]
    if before:
        variants.append(("before", {**env_now, "PYTHONPATH": before}))
    outputs = {"measure": "measured.json", "report": "report.html", "render": "map.svg"}
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    for verb, output in outputs.items():
        for tag, env in variants:
            out = folder / f"{tag}-{customers}-{output}"
            commands[f"{verb} ({tag})"] = (
                [*JOURNEYMAP, verb, str(map_path), "--data", str(events),
                 "-o", str(out)],
                env,
            )  # fmt: skip
    for tag, env in variants:
        out = folder / f"demo-{tag}-{customers}"
        commands[f"demo ({tag})"] = (
            [*JOURNEYMAP, "demo", "--customers", str(customers), "-o", str(out)],
            env,
        )
    load = os.getloadavg()
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(repeat):
        for name, (command, env) in commands.items():
            if command[3] == "demo":  # a fresh folder: demo keeps an edited map
                subprocess.run(["rm", "-rf", command[-1]], check=True)
            seconds, peak, _ = run(command, env)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    after = os.getloadavg()
    print(f"\n{customers:,} customers; median of {repeat}; load average "
          f"{load[0]:.1f} / {load[1]:.1f} before, {after[0]:.1f} / {after[1]:.1f} after")  # fmt: skip
    if before:
        for output in outputs.values():
            mine = (folder / f"now-{customers}-{output}").read_bytes()
            theirs = (folder / f"before-{customers}-{output}").read_bytes()
            print(f"{output} now == before (bytes): {mine == theirs}")
        # the demos write into different folders, which ingest.source names
        now_demo = folder / f"demo-now-{customers}" / "measured.json"
        then_demo = folder / f"demo-before-{customers}" / "measured.json"
        print(f"demo measured.json now == before (bytes, folder aside): "
              f"{_demo_bytes(now_demo, 'now') == _demo_bytes(then_demo, 'before')}")  # fmt: skip
    print(f"{'command':20s} {'seconds':>8s} {'peak RSS':>9s} {'now / before':>13s}")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = ""
        if before and name.endswith("(now)"):
            then = statistics.median(times[name.replace("(now)", "(before)")])
            ratio = f"{median / then:12.2f}×"
        print(f"{name:20s} {median:8.2f} {peaks[name]:6.0f} MB {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="PYTHONPATH of an older journeymap src")
    parser.add_argument(
        "--commands",
        action="store_true",
        help="time measure, report, render and demo as whole processes",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jm-bench-measure-") as tmp:
        for customers in args.customers or [5000, 30000]:
            if args.commands:
                bench_commands(Path(tmp), customers, args.repeat, args.before)
            else:
                bench(Path(tmp), customers, args.repeat, args.before)


if __name__ == "__main__":
    main()
