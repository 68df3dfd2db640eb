"""Benchmark `journeymap analyze --what attribution --model markov` as a user runs it.

Generates a synthetic multi-channel log with DuckDB into Parquet (a temporary folder),
then times whole processes, from command start to file written, interleaved so the
machine's load hits both alike:

- journeymap: ``journeymap analyze EVENTS.parquet --what attribution --model markov
  --conversion purchase -o out.csv`` (ingest included: validation, quarantine,
  ``event_seq``);
- baseline: a hand-written Python script, one DuckDB query over the same Parquet file
  for the order-1 transition counts (first conversion cut, repeats collapsed) and one
  exact sparse solve per channel with scipy, writing the same CSV.

Startup (the interpreter plus every module each side imports, timed as separate
processes) is subtracted on both sides; one more run splits journeymap's time into
ingest (``read_events``) and attribution. Both outputs are asserted equal to
1e-9. With ``--channel-attribution PYTHON`` (an interpreter that has the
ChannelAttribution package, in a separate environment) its simulated removal effects
are timed and compared too.

    python bench/bench_attribution.py                  # 1e6 and 1e7 events
    python bench/bench_attribution.py --size 1e6 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd

CHANNELS = ["web", "app", "email", "social", "search", "display", "sms", "direct"]
EVENTS_PER_CUSTOMER = 20

BASELINE = textwrap.dedent(
    '''
    import sys, time
    import duckdb, numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu
    if sys.argv[1] == "--imports-only":
        raise SystemExit(0)
    source, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    rows = con.execute("""
    WITH w AS (
      SELECT coalesce(channel, '(none)') AS touch, event = 'purchase' AS conv,
        coalesce(sum((event = 'purchase')::INT) OVER (PARTITION BY customer_id
          ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
          AS before,
        lag(coalesce(channel, '(none)')) OVER o AS prev,
        lead(coalesce(channel, '(none)')) OVER o AS nxt,
        lead(event = 'purchase') OVER o AS nxt_conv,
        lead(value) OVER o AS nxt_value
      FROM read_parquet(?) WINDOW o AS (PARTITION BY customer_id ORDER BY timestamp)
    )
    SELECT touch, prev IS NULL AS first,
      CASE WHEN nxt_conv THEN '\\x00conv' WHEN nxt IS NULL THEN '\\x00null'
           WHEN nxt = touch THEN NULL ELSE nxt END AS nxt,
      count(*) AS n,
      sum(CASE WHEN nxt_conv THEN coalesce(nxt_value, 0) ELSE 0 END) AS value
    FROM w WHERE before = 0 AND NOT conv GROUP BY ALL
    """, [source]).fetchall()
    states = sorted({r[0] for r in rows})
    ix = {s: i for i, s in enumerate(states)}
    n = len(states)
    start, conv, null = np.zeros(n), np.zeros(n), np.zeros(n)
    src, dst, w = [], [], []
    value = 0.0
    for touch, first, nxt, count, val in rows:
        i = ix[touch]
        if first:
            start[i] += count
        if nxt == '\\x00conv':
            conv[i] += count
            value += val
        elif nxt == '\\x00null':
            null[i] += count
        elif nxt is not None:
            src.append(i); dst.append(ix[nxt]); w.append(count)
    edges = sparse.csr_matrix((w, (src, dst)), shape=(n, n))
    out_total = np.asarray(edges.sum(axis=1)).ravel() + conv + null
    q = sparse.diags(1 / out_total) @ edges
    r = conv / out_total
    s = start / start.sum()
    def p_conv(keep):
        idx = np.flatnonzero(keep)
        a = (sparse.identity(idx.size, format="csc") - q[idx][:, idx]).tocsc()
        return float(s[idx] @ splu(a).solve(r[idx]))
    total = p_conv(np.ones(n, bool))
    effects = {c: 1 - p_conv(np.array([x != c for x in states])) / total
               for c in states}
    norm = sum(effects.values())
    conversions = float(conv.sum())
    with open(out, "w") as f:
        f.write("channel,attributed_conversions,attributed_value,removal_effect\\n")
        for c in sorted(states, key=lambda c: -effects[c]):
            share = effects[c] / norm
            f.write(f"{c},{conversions * share!r},{value * share!r},{effects[c]!r}\\n")
    '''
)


def generate(path: Path, n: int) -> None:
    """``n`` events: 20 per customer, 8 channels, purchases rarer later, strictly
    increasing timestamps per customer (so plain ``ORDER BY timestamp`` is total)."""
    customers = max(1, n // EVENTS_PER_CUSTOMER)
    channels = "[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
          SELECT 'c' || lpad(c::VARCHAR, 8, '0') AS customer_id,
            TIMESTAMP '2026-01-01' + to_seconds(c * 7 + i * 3600 + hash(c, i) % 600)
              AS timestamp,
            CASE WHEN hash(c, i, 1) % 100 < 2 + i / 4 THEN 'purchase'
                 ELSE 'touch' END AS event,
            {channels}[1 + (hash(c, i, 2) % 8)::INT] AS channel,
            CASE WHEN hash(c, i, 1) % 100 < 2 + i / 4
                 THEN 10 + hash(c, i, 3) % 90 ELSE NULL END::DOUBLE AS value
          FROM range({customers}) r(c), range({EVENTS_PER_CUSTOMER}) s(i)
        ) TO '{path}' (FORMAT parquet)
        """
    )
    con.close()


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {done.stderr.strip()[-500:]}")
    return elapsed


# journeymap's startup: the interpreter and every module the command imports (lazily,
# so `journeymap --version` alone would leave them in journeymap's share)
IMPORTS = (
    "import journeymap.cli, journeymap.cli.analyze, journeymap.ingest, "
    "journeymap.attribution.channels, ibis, duckdb, pandas, pyarrow, "
    "scipy.sparse.linalg"
)
BREAKDOWN = textwrap.dedent(
    """
    import sys, time
    import journeymap as jm
    from journeymap.attribution import attribute_conversions
    started = time.perf_counter()
    log = jm.read_events(sys.argv[1])
    read = time.perf_counter() - started
    started = time.perf_counter()
    attribute_conversions(log, "purchase", model="markov")
    print(f"{read:.2f} {time.perf_counter() - started:.2f}")
    """
)


def journeymap_cli() -> list[str]:
    return [sys.executable, "-m", "journeymap"]


def compare(ours: Path, theirs: Path) -> None:
    a = pd.read_csv(ours).set_index("channel").sort_index()
    b = pd.read_csv(theirs).set_index("channel").sort_index()
    assert list(a.index) == list(b.index), (a.index, b.index)
    for column in ("attributed_conversions", "attributed_value", "removal_effect"):
        diff = (a[column] - b[column]).abs().max()
        assert diff <= 1e-9 * max(1.0, b[column].abs().max()), (column, diff)


def channel_attribution(python: str, source: Path, folder: Path) -> tuple[float, str]:
    """ChannelAttribution's simulated Markov model on the same paths (its own format:
    one row per distinct path, ``a > b > c``, conversions and nulls)."""
    con = duckdb.connect()
    paths = con.execute(
        """
        WITH w AS (
          SELECT customer_id, timestamp, channel, event = 'purchase' AS conv,
            coalesce(sum((event = 'purchase')::INT) OVER (PARTITION BY customer_id
              ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
              AS before
          FROM read_parquet(?)
        ), p AS (
          SELECT customer_id, string_agg(channel, ' > ' ORDER BY timestamp)
              FILTER (WHERE NOT conv) AS path, bool_or(conv)::INT AS converted
          FROM w WHERE before = 0 GROUP BY customer_id
        )
        SELECT path, sum(converted) AS total_conversions,
               sum(1 - converted) AS total_null
        FROM p WHERE path IS NOT NULL GROUP BY path
        """,
        [str(source)],
    ).df()
    table = folder / "ca_paths.csv"
    paths.to_csv(table, index=False)
    script = textwrap.dedent(
        f"""
        import pandas as pd
        from ChannelAttribution import markov_model
        data = pd.read_csv({str(table)!r})
        res = markov_model(data, "path", "total_conversions", var_null="total_null",
                           order=1, out_more=True, verbose=0)
        print("#####")  # the package prints banners first
        print(res["removal_effects"].to_csv(index=False))
        """
    )
    started = time.perf_counter()
    done = subprocess.run([python, "-c", script], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return elapsed, "failed: " + done.stderr.strip()[-300:]
    return elapsed, done.stdout.split("#####\n", 1)[-1]


def run(size: float, repeat: int, ca_python: str | None) -> None:
    n = int(size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "events.parquet"
        started = time.perf_counter()
        generate(source, n)
        print(f"\n{n:,} events generated in {time.perf_counter() - started:.1f} s")
        baseline = folder / "baseline.py"
        baseline.write_text(BASELINE, encoding="utf-8")
        ours_out, theirs_out = folder / "ours.csv", folder / "theirs.csv"
        ours = journeymap_cli() + [
            "analyze", str(source), "--what", "attribution", "--model", "markov",
            "--conversion", "purchase", "-o", str(ours_out),
        ]  # fmt: skip
        theirs = [sys.executable, str(baseline), str(source), str(theirs_out)]
        starts_ours, starts_theirs, runs_ours, runs_theirs = [], [], [], []
        for _ in range(repeat):
            starts_ours.append(timed([sys.executable, "-c", IMPORTS]))
            starts_theirs.append(
                timed([sys.executable, str(baseline), "--imports-only"])
            )
            ours_out.unlink(missing_ok=True)
            runs_ours.append(timed(ours))
            runs_theirs.append(timed(theirs))
        compare(ours_out, theirs_out)
        split = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(source)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        print(
            f"inside journeymap (one run): read_events {split[0]} s, "
            f"attribute_conversions {split[1]} s"
        )
        s_ours, s_theirs = (
            statistics.median(starts_ours),
            statistics.median(starts_theirs),
        )
        t_ours, t_theirs = statistics.median(runs_ours), statistics.median(runs_theirs)
        net_ours, net_theirs = t_ours - s_ours, t_theirs - s_theirs
        print(f"startup: journeymap {s_ours:.2f} s, baseline {s_theirs:.2f} s")
        print(
            f"whole process: journeymap {t_ours:.2f} s, baseline {t_theirs:.2f} s "
            f"(ratio {t_ours / t_theirs:.2f}x)"
        )
        print(
            f"startup subtracted: journeymap {net_ours:.2f} s, baseline "
            f"{net_theirs:.2f} s, ratio {net_ours / net_theirs:.2f}x (target <= 1.5x); "
            "outputs equal to 1e-9"
        )
        if ca_python:
            elapsed, text = channel_attribution(ca_python, source, folder)
            print(f"ChannelAttribution markov_model (simulation, paths prepared): "
                  f"{elapsed:.2f} s")  # fmt: skip
            theirs_re = pd.read_csv(theirs_out).set_index("channel")["removal_effect"]
            if text.startswith("failed"):
                print("  " + text)
            else:
                from io import StringIO

                ca = pd.read_csv(StringIO(text))
                ca = ca.set_index(ca.columns[0])[ca.columns[1]]
                # ChannelAttribution normalises removal effects differently per
                # version; compare the shares
                ours_share = theirs_re / theirs_re.sum()
                ca_share = ca / ca.sum()
                worst = max(abs(ca_share[c] - ours_share[c]) for c in ours_share.index)
                raw = max(abs(ca[c] - theirs_re[c]) for c in theirs_re.index)
                print(f"  largest difference vs the exact solve: removal effect "
                      f"{raw:.4f}, share of removal effects {worst:.4f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", type=float)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--channel-attribution", metavar="PYTHON", default=None)
    args = parser.parse_args()
    for size in args.size or [1e6, 1e7]:
        if not math.isfinite(size) or size < 100:
            raise SystemExit("--size must be at least 100")
        run(size, args.repeat, args.channel_attribution)


if __name__ == "__main__":
    main()
