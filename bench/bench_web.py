"""Load on the web app: concurrent clients against `journeymap serve` on loopback.

    python bench/bench_web.py [--events 1e6] [--clients 20] [--seconds 30]

Builds a workspace in a temporary folder with the demo map and demo events (about 29
events per customer, so ``--events 1e6`` simulates ~34,500 customers), ingests them
through the app's upload code, starts ``journeymap serve`` as a separate process,
measures each page once cold (the first measurement of the map), then runs N clients
that request the map page, the dashboard, the map's JSON and the maps list in turn for
the given time. The baseline, measured in the same run under the same load, is a static
file (the CSS): the ratio says what the app's own work costs over serving bytes.

Traffic goes to 127.0.0.1 only; the request loop stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOKEN = "jm_bench-token-0123456789"
PAGES = {
    "map page": "/maps/demo",
    "dashboard": "/maps/demo/dashboard",
    "map JSON": "/api/maps/demo",
    "maps list": "/maps",
    "static CSS (baseline)": "/static/app.css",
}


def build_workspace(folder: Path, events: int) -> dict[str, float]:
    """The demo map and ~``events`` demo events in a new workspace; returns timings."""
    from journeymap.demo import demo_map_text, write_demo_data
    from journeymap.web.app import create_app
    from journeymap.web.auth import digest
    from journeymap.web.datasets import ingest_upload
    from journeymap.web.db import ApiToken, User
    from journeymap.web.settings import WebSettings

    app = create_app(WebSettings(workspace=folder / "ws"))
    state = app.state.web
    with state.sessions() as db:
        admin = User(username="admin", role="admin")
        db.add(admin)
        db.flush()
        db.add(ApiToken(user_id=admin.id, name="bench", token_hash=digest(TOKEN)))
        db.commit()
    state.workspace.save("demo", demo_map_text(), author="admin", message="bench")
    started = time.perf_counter()
    files = write_demo_data(
        folder / "demo", customers=max(50, round(events / 29)), seed=7
    )
    simulated = time.perf_counter() - started
    started = time.perf_counter()
    dataset = ingest_upload(
        state.workspace,
        files["parquet"],
        filename="events.parquet",
        columns={},
        uploaded_by="admin",
        uploaded_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return {
        "simulate_s": simulated,
        "ingest_s": time.perf_counter() - started,
        "events": float(dataset.report["loaded"]),
        "customers": float(dataset.report["customers"]),
    }


def start_server(workspace: Path, port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeymap",
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert server.stdout is not None
    for line in server.stdout:
        if "serving" in line:
            break
    return server


async def cold_times(base: str) -> dict[str, float]:
    import httpx

    times = {}
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        for label, path in PAGES.items():
            started = time.perf_counter()
            response = await client.get(
                path, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            response.raise_for_status()
            times[label] = time.perf_counter() - started
    return times


async def load(base: str, clients: int, seconds: float) -> dict[str, list[float]]:
    import httpx

    latencies: dict[str, list[float]] = {label: [] for label in PAGES}
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    labels = list(PAGES)

    async def client_loop(number: int) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            turn = number
            while time.monotonic() < deadline:
                label = labels[turn % len(labels)]
                turn += 1
                started = time.perf_counter()
                try:
                    response = await client.get(PAGES[label], headers=headers)
                    ok = response.status_code == 200
                except httpx.HTTPError as exc:
                    ok, response = False, None
                    errors.append(f"{label}: {exc!r}")
                if ok:
                    latencies[label].append(time.perf_counter() - started)
                elif response is not None:
                    errors.append(f"{label}: HTTP {response.status_code}")

    await asyncio.gather(*(client_loop(n) for n in range(clients)))
    latencies["errors"] = [float(len(errors))]
    if errors:
        print("errors (first 5):", *errors[:5], sep="\n  ")
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=float, default=1e6)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8777)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="build the workspace in DIR and reuse it next time",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jm-bench-web-") as temp:
        folder = Path(args.keep or temp)
        if not (folder / "ws" / "data").is_dir():
            built = build_workspace(folder, int(args.events))
            print(
                f"workspace: {built['events']:,.0f} events, {built['customers']:,.0f} "
                f"customers (simulated in {built['simulate_s']:.1f} s, uploaded and "
                f"ingested in {built['ingest_s']:.1f} s)"
            )
        server = start_server(folder / "ws", args.port)
        base = f"http://127.0.0.1:{args.port}"
        try:
            cold = asyncio.run(cold_times(base))
            result = asyncio.run(load(base, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
    errors = int(result.pop("errors")[0])
    baseline = percentile(result["static CSS (baseline)"], 0.95)
    total = sum(len(v) for v in result.values())
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s, {total:,} requests "
        f"({total / args.seconds:,.1f}/s), {errors} errors\n"
    )
    print(
        "| page | first (cold) s | requests | p50 ms | p95 ms | max ms | p95 / baseline |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, values in result.items():
        p95 = percentile(values, 0.95)
        print(
            f"| {label} | {cold[label]:.2f} | {len(values):,} | "
            f"{statistics.median(values) * 1000:.0f} | {p95 * 1000:.0f} | "
            f"{max(values) * 1000:.0f} | {p95 / baseline:.1f}x |"
        )


if __name__ == "__main__":
    main()
