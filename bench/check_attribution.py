"""Check journeymap's attribution on any events file against the plain reference.

Runs every model through the CLI (`journeymap analyze --what attribution`) and compares
each credit (and each Markov removal effect) with ``tests/attribution/reference.py``:
paths built one customer at a time in Python, Markov absorption by dense matrix powers
(no linear solve). Prints the largest difference per model. Meant for logs the project
has never seen (bench/RESULTS.md, "A foreign log"):

    python bench/check_attribution.py ecom.csv --id user_id --by event --conversion purchase
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.attribution import reference

import journeymap as jm

HEURISTICS = ("first", "last", "last-non-direct", "linear", "position", "time-decay")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events")
    parser.add_argument("--id", default=None, help="customer id column")
    parser.add_argument("--by", default="channel")
    parser.add_argument("--conversion", required=True)
    parser.add_argument("--orders", default="1,2", help="Markov orders to check")
    parser.add_argument("--direct", default="direct")
    args = parser.parse_args()
    columns = {"customer_id": args.id} if args.id else None
    log = jm.read_events(args.events, columns=columns)
    events = [
        {k: (None if v is pd.NA or v != v else v) for k, v in row.items()}
        for row in log.to_pandas().to_dict("records")
    ]
    found, empty = reference.paths(events, [args.conversion], by=args.by)
    common = ["analyze", args.events, "--what", "attribution", "--by", args.by,
              "--conversion", args.conversion]  # fmt: skip
    if args.id:
        common += ["--id", args.id]
    worst: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for order in args.orders.split(","):
            out = Path(folder) / f"markov{order}.csv"
            run(common + ["--model", "markov", "--order", order, "-o", str(out)])
            got = pd.read_csv(out).set_index("channel")
            worst[f"markov order {order}"] = max(
                max(
                    abs(got.loc[c, "removal_effect"] - effect),
                    abs(got.loc[c, "attributed_conversions"] - attributed),
                )
                for c, (effect, attributed) in reference.markov(
                    found, int(order)
                ).items()
            )
        for model in HEURISTICS:
            out = Path(folder) / f"{model}.csv"
            run(common + ["--model", model, "--direct", args.direct, "-o", str(out)])
            got = pd.read_csv(out).set_index("channel")["attributed_conversions"]
            want = reference.heuristic(found, model, direct=[args.direct])
            worst[model] = max(
                abs(got.get(c, 0.0) - want.get(c, 0.0)) for c in {*got.index, *want}
            )
    converted = sum(p[1] for p in found)
    print(f"paths {len(found):,}, conversions {converted:,}, empty paths {empty:,}")
    print(json.dumps(worst, indent=1))


def run(args: list[str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "journeymap", *args], check=True, capture_output=True
    )


if __name__ == "__main__":
    main()
