"""`journeymap demo`: generate data and a map, measure it, draw it — in under a minute."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import journeymap as jm
from journeymap.cli._common import console, echo_ingest, written


def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write into.")
    ] = Path("journeymap-demo"),
    customers: Annotated[
        int,
        typer.Option(
            "--customers", "-n", min=50, max=2_000_000, help="Simulated customers."
        ),
    ] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 7,
) -> None:
    """Simulate a multi-channel journey, measure its map and draw it."""
    from journeymap.demo import demo_map_text, write_demo_data

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with _progress() as progress:
        step = progress.add_task(f"simulating {customers:,} customers", total=None)
        files = write_demo_data(out / "data", customers=customers, seed=seed)
        progress.update(step, description="validating the map")
        map_path = out / "map.yaml"
        map_path.write_text(demo_map_text(), encoding="utf-8")
        journey = jm.load_map(map_path)
        progress.update(step, description="loading events into DuckDB")
        log = jm.read_events(files["parquet"])
        progress.update(step, description="measuring stages, emotions and pain points")
        measured = jm.measure(journey, log)
        progress.update(step, description="drawing the map")
        svg = jm.render_map_svg(journey, measured)
    (out / "map.svg").write_text(svg, encoding="utf-8")
    (out / "measured.json").write_text(
        json.dumps(measured.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
    )
    echo_ingest(log)
    _print_stages(journey, measured)
    _print_pain_points(measured)
    console.print(
        f"\n[bold]{journey.name}[/bold] — done in {time.perf_counter() - started:.1f} s"
    )
    for what, path in [
        ("events (Parquet)", files["parquet"]),
        ("events (CSV)", files["csv"]),
        ("map", map_path),
        ("measured map", out / "measured.json"),
        ("drawing", out / "map.svg"),
    ]:
        written(path, what)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=console,
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _duration(seconds: float | None) -> str:
    # the same wording as the drawn map, so the table and the SVG agree
    return "—" if seconds is None else jm.format_duration(seconds)


def _print_stages(journey: jm.JourneyMap, measured: Any) -> None:
    table = Table(
        title=f"Stages — {measured.customers:,} customers, {measured.events:,} events",
        caption="median, p90: time in stage · assumed, measured: emotion −1..1 (n observations)",
    )
    table.add_column("stage", no_wrap=True)
    for column in (
        "reached",
        "→ next",
        "drop-off",
        "median",
        "p90",
        "regressions",
        "assumed",
        "measured",
        "n",
    ):
        table.add_column(column, justify="right")
    for stage in journey.stages:
        fig = measured.stage_figures(stage.id)
        emo = measured.stage_emotion.get(stage.id)
        assumed = _signed(stage.emotion if emo is None else emo.assumed)
        measured_emotion = _signed(None if emo is None else emo.measured)
        n = "—" if emo is None or emo.measured is None else f"{emo.n:,}"
        table.add_row(
            stage.name,
            f"{fig.reached:,}",
            _pct(fig.conversion_next),
            _pct(fig.dropoff),
            _duration(fig.median_time_s),
            _duration(fig.p90_time_s),
            f"{fig.regressions_out:,}",
            assumed,
            measured_emotion,
            n,
        )
    console.print(table)
    if measured.unmatched_events:
        top = ", ".join(
            f"{name} ({count:,})" for name, count in measured.unmatched_top[:5]
        )
        console.print(
            f"[dim]unmatched events: {measured.unmatched_events:,} — most frequent: {top}[/dim]"
        )


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _print_pain_points(measured: Any) -> None:
    if not measured.pain_points:
        return
    table = Table(title="Assumed pain points, checked against the data")
    for column in ("pain point", "verdict", "impact", "p"):
        table.add_column(column)
    for item in measured.pain_points:
        p = "—" if item.p_value is None else f"{item.p_value:.2g}"
        impact = "—" if item.impact is None else f"{item.impact:,.1f}"
        table.add_row(item.id, item.verdict, impact, p)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(demo)


__all__ = ["demo", "register"]
