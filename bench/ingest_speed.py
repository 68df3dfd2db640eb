"""How long read_events takes on a generated N-row CSV and Parquet file.

Run: ``python bench/ingest_speed.py [rows]`` (default 1e7). Files go to a temporary
folder that is deleted afterwards. Also checks that CSV row numbers follow file order.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import ibis

from journeymap.engine import connect
from journeymap.ingest import read_events

GENERATE = """
COPY (
  SELECT 'c' || (i % 100000) AS user_id,
         strftime(TIMESTAMP '2024-01-01' + to_seconds(i // 7), '%Y-%m-%dT%H:%M:%SZ') AS ts,
         (['visit', 'search', 'cart', 'buy', 'survey'])[1 + i % 5] AS event,
         ['web', 'app', 'email'][1 + i % 3] AS channel,
         CASE WHEN i % 5 = 3 THEN round(random() * 100, 2) END AS amount,
         i + 1 AS seq
  FROM range(?) AS t(i)
) TO ? ({options})
"""


def generate(rows: int, path: Path, options: str) -> None:
    engine = connect()
    engine.sql_rows(GENERATE.format(options=options), [rows, str(path)])
    engine.close()


def measure(path: Path) -> None:
    engine = connect()
    start = time.perf_counter()
    log = read_events(path, engine=engine, columns={"value": "amount"})
    seconds = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6
    print(f"{path.suffix:9} {size_mb:8.0f} MB  {seconds:6.1f} s  "
          f"{log.report.read / seconds / 1e6:5.2f} M rows/s  {log.report.summary()}")  # fmt: skip
    table = log.table
    shifted = engine.scalar(table.filter(table.seq != table.row_number).count())
    print(
        f"          rows whose row_number differs from their file position: {shifted}"
    )
    content = [c for c in table.columns if c not in ("event_seq", "row_number")]
    order = [table[c].asc(nulls_first=True) for c in content]
    rank = ibis.row_number().over(order_by=order)
    moved = engine.scalar(table.filter(rank + 1 != table.event_seq).count())
    print(f"          rows whose event_seq differs from their content rank: {moved}")
    engine.close()


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory(prefix="journeymap-bench-") as folder:
        for suffix, options in (
            (".csv", "FORMAT CSV, HEADER"),
            (".parquet", "FORMAT PARQUET"),
        ):
            path = Path(folder) / f"events{suffix}"
            generate(rows, path, options)
            measure(path)
            path.unlink()


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
