"""`journeymap demo`: generate data and a map, measure it, draw it — in under a minute."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import journeymap as jm
from journeymap.cli._common import (
    console,
    duration_text,
    echo_ingest,
    spinner,
    written,
)
from journeymap.cli._load import write_measured
from journeymap.cli._output import (
    check_output,
    replacing,
    staging_folder,
    write_text,
)
from journeymap.errors import MapError, MissingExtraError, RenderError

# the drawings and tables demo writes beside the map: (file, what it is); a format
# whose optional extra is not installed is skipped with a one-line note
EXPORTS = (
    ("map.svg", "map (SVG)"),
    ("map.png", "map (PNG)"),
    ("map.pdf", "map (PDF)"),
    ("map.pptx", "slide deck (PPTX)"),
    ("report.html", "report (HTML)"),
    ("report.pdf", "report (PDF)"),
    ("measured.csv", "measured tables (CSV)"),
    ("measured.xlsx", "measured tables (Excel)"),
    ("summary.md", "summary (Markdown)"),
    ("map.mmd", "Mermaid journey"),
)
# the files demo writes into --out, besides the data folder
OUTPUTS = ("map.yaml", "measured.json", *(name for name, _ in EXPORTS))


def demo(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FOLDER", help="Folder to write into."),
    ] = Path("journeymap-demo"),
    customers: Annotated[
        int,
        typer.Option(
            "--customers",
            "-n",
            metavar="N",
            min=50,
            max=2_000_000,
            help="Simulated customers (a count).",
        ),
    ] = 5000,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", metavar="N", min=0, max=2**32 - 1, help="Seed of the simulation."
        ),
    ] = 7,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite a map.yaml edited since the demo."),
    ] = False,
) -> None:
    """Simulate a multi-channel journey, measure its map and draw it."""
    from journeymap.demo import demo_map_text, write_demo_data

    started = time.perf_counter()
    map_text = demo_map_text()
    _check_out(out, map_text, force=force)
    out.mkdir(parents=True, exist_ok=True)
    with spinner(console) as progress:
        step = progress.add_task(f"simulating {customers:,} customers", total=None)
        with staging_folder(out / "data") as staging:
            staged = write_demo_data(staging, customers=customers, seed=seed)
        files = {kind: out / "data" / path.name for kind, path in staged.items()}
        progress.update(step, description="validating the map")
        map_path = write_text(out / "map.yaml", map_text)
        journey = jm.load_map(map_path)
        progress.update(step, description="loading events into DuckDB")
        log = jm.read_events(files["parquet"])
        progress.update(step, description="measuring stages, emotions and pain points")
        measured = jm.measure(journey, log)
        flows = jm.measure_flows(journey, log)
        progress.update(step, description="drawing the map, the deck and the report")
        exported, skipped = _export(out, measured, flows)
    write_measured(measured, out / "measured.json")
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
        *exported,
    ]:
        written(path, what)
    for note in skipped:
        console.print(f"  [yellow]skipped[/yellow] {escape(note)}")


def _export(
    out: Path, measured: Any, flows: Any
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Write every format of ``EXPORTS``; a missing extra skips its file with a note."""
    exported: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for name, what in EXPORTS:
        target = out / name
        try:
            with replacing(target) as temp:
                if name.startswith("report."):
                    jm.save_report(measured, temp, flows=flows)
                else:
                    jm.save(measured, temp)
        except MissingExtraError as error:
            skipped.append(f"{name}: {error}")
            continue
        exported.append((what, target))
    return exported, skipped


def _check_out(out: Path, map_text: str, *, force: bool) -> None:
    """Before simulating: --out is a usable folder, and an edited map is kept."""
    if out.exists() and not out.is_dir():
        raise RenderError("--out: is a file; give a folder", file=str(out))
    data = out / "data"
    if data.exists() and not data.is_dir():
        raise RenderError("--out: is a file, demo needs a folder here", file=str(data))
    if not out.exists():
        return  # created with its parents
    for name in OUTPUTS:
        check_output(out / name, option="--out")
    map_path = out / "map.yaml"
    # compare sizes first: an edited map is never read whole just to be refused
    expected = map_text.encode("utf-8")
    if (
        map_path.exists()
        and not force
        and (
            map_path.stat().st_size != len(expected)
            or map_path.read_bytes() != expected
        )
    ):
        raise MapError(
            "edited since the demo wrote it; pass --force to overwrite",
            file=str(map_path),
        )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


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
            duration_text(fig.median_time_s),
            duration_text(fig.p90_time_s),
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
