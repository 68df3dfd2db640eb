"""How ``journeymap measure`` grows with the size of the map (issue 9).

Writes one event log (``--events`` rows, default 1e6; 400 distinct event names, 20,000
customers over 12 weeks, seeded) and maps of 8 stages with 25, 50, 100 and 200
touchpoints over those events (each touchpoint matches two event names; stages take
consecutive blocks of names, so every event matches). Each map is measured as a whole
process (``journeymap measure map.yaml -o measured.json``: ingest, journey table,
verdicts, suggestions, incidents, voice of the customer, attribution), in the same run
and interleaved so machine load hits all alike. Prints seconds per map and the ratio
of each to the smallest map: linear growth in touchpoints would be 2, 4 and 8; the
issue's bound is 200 touchpoints over 1e6 events in under a minute.

    python bench/bench_touchpoints.py
    python bench/bench_touchpoints.py --events 200000 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

NAMES = 400
STAGES = 8
SIZES = (25, 50, 100, 200)


def write_events(path: Path, events: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    customers = 20_000
    cust = rng.integers(0, customers, events)
    # each customer drifts through the name blocks: later events, later stages
    start = rng.random(customers) * 84 * 86400
    ts = start[cust] + rng.exponential(3 * 86400, events)
    stage = np.minimum((ts - start[cust]) / (12 * 86400) * STAGES, STAGES - 1)
    per_stage = NAMES // STAGES
    name = stage.astype(int) * per_stage + rng.integers(0, per_stage, events)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{c:05d}" for c in cust],
            "timestamp": pd.Timestamp("2026-01-05") + pd.to_timedelta(ts, unit="s"),
            "event": [f"e{n:03d}" for n in name],
            "channel": rng.choice(["web", "app", "email"], events),
        }
    )
    frame.to_parquet(path, index=False)


def write_map(path: Path, touchpoints: int, events: str) -> None:
    per_stage = touchpoints // STAGES
    names_per_stage = NAMES // STAGES
    lines = [
        "journeymap: 1",
        f"name: {touchpoints} touchpoints",
        "personas:",
        "  - {id: app, name: App users, segment: \"channel == 'app'\"}",
        "stages:",
    ]
    for s in range(STAGES):
        lines += [f"  - id: s{s}", f"    name: Stage {s}", "    touchpoints:"]
        for t in range(per_stage):
            a = s * names_per_stage + (2 * t) % names_per_stage
            b = s * names_per_stage + (2 * t + 1) % names_per_stage
            lines.append(
                f"      - {{id: t{s}-{t}, name: Touchpoint {s}.{t}, "
                f"match: {{event: [e{a:03d}, e{b:03d}]}}}}"
            )
        lines += [
            "    pain_points:",
            f"      - {{id: p{s}, text: App users leave, persona: app}}",
        ]
    lines += ["data:", f"  events: {events}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jm-touchpoints-") as tmp:
        folder = Path(tmp)
        write_events(folder / "events.parquet", options.events)
        for size in SIZES:
            write_map(folder / f"map{size}.yaml", size, "events.parquet")
        times: dict[int, list[float]] = {size: [] for size in SIZES}
        for _ in range(options.repeat):
            for size in SIZES:
                out = folder / f"measured{size}.json"
                cmd = [sys.executable, "-m", "journeymap", "measure",
                       str(folder / f"map{size}.yaml"), "-o", str(out)]  # fmt: skip
                times[size].append(run(cmd))
        base = statistics.median(times[SIZES[0]])
        print(f"events: {options.events:,}; median of {options.repeat} runs")
        print(f"{'touchpoints':>11}  {'seconds':>8}  {'x smallest':>10}")
        for size in SIZES:
            median = statistics.median(times[size])
            print(f"{size:>11}  {median:>8.1f}  {median / base:>10.2f}")


if __name__ == "__main__":
    main()
