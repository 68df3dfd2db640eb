"""`journeymap forecast`: conversions and revenue for the next periods, backtested."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import journeymap as jm
from journeymap.cli import _options as opt
from journeymap.cli._common import column_mapping, console, written
from journeymap.cli._load import read_source
from journeymap.cli._output import check_output
from journeymap.errors import AnalysisError, IngestError

FORMATS = (".csv", ".parquet", ".json")


def forecast(
    events: Annotated[
        str, typer.Argument(help="Events file (CSV, Parquet, JSONL) or table.")
    ],
    map_file: Annotated[
        Path,
        typer.Option(
            "--map", metavar="MAP.yaml", help="Journey map: stages and conversion."
        ),
    ],
    periods: Annotated[
        int,
        typer.Option(
            "--periods", min=1, max=1000, help="Periods to forecast (a count)."
        ),
    ] = 4,
    period: Annotated[
        str, typer.Option("--period", metavar="week|day", help="Period length.")
    ] = "week",
    conversion: Annotated[
        str | None,
        typer.Option(
            "--conversion",
            metavar="EVENT[,EVENT]",
            help="Conversion event(s) (default: the map's conversion.event).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the forecast to .csv/.parquet (periods) or .json (all).",
        ),
    ] = None,
    id_col: opt.IdColumn = None,
    time_col: opt.TimeColumn = None,
    event_col: opt.EventColumn = None,
    channel_col: opt.ChannelColumn = None,
    timezone: opt.Timezone = None,
    time_format: opt.TimeFormat = None,
) -> None:
    """Forecast conversions and revenue from the customers now in each stage, with a
    backtest on held-out periods (MAPE against a naive forecast)."""
    from journeymap.cli.analyze import warn_absent_events, write_result

    if period not in ("week", "day"):
        raise AnalysisError(f"--period: unknown {period!r}; known: week, day")
    if output is not None:
        if output.suffix.lower() not in FORMATS:
            raise AnalysisError(
                f"--output: unknown output format {output.suffix!r}; known: "
                + ", ".join(FORMATS),
                file=str(output),
            )
        check_output(output, option="--output")
    journey = jm.load_map(map_file)
    names = [n.strip() for n in (conversion or "").split(",") if n.strip()]
    columns = column_mapping(id_col, time_col, event_col, channel_col)
    spec = journey.data  # the events are read the way measure reads them
    if spec is not None:  # the options on the command line win
        own = spec.file("events") or spec.file_settings()  # data.events' own first
        columns = {**own.columns, **columns}
        timezone = timezone or own.timezone
        time_format = time_format or own.time_format
    log = read_source(events, columns, timezone, time_format)
    assert log is not None  # None only for no path
    if log.report is not None:
        if log.report.loaded == 0:
            raise IngestError("no events to forecast (0 rows loaded)", file=events)
    conversion_events = names or list(
        journey.conversion.event if journey.conversion else ()
    )
    warn_absent_events(log, conversion_events, "conversion event")
    result = jm.forecast_conversions(
        log, journey, periods=periods, period=period, conversion=names or None
    )
    print_forecast(result)
    if output is not None:
        write_result(result, output)
        written(output, "forecast")


def print_forecast(result: Any) -> None:
    table = Table(title=Text(result.summary()))
    for name in ("period", "conversions", "revenue"):
        table.add_column(name, justify="left" if name == "period" else "right")
    for p in result.periods:
        revenue = "—" if p.revenue is None else f"{p.revenue:,.2f}"
        table.add_row(p.start, f"{p.conversions:,.1f}", revenue)
    console.print(table)
    occupancy = ", ".join(f"{k} {v:,}" for k, v in result.occupancy.items())
    console.print(f"customers per current stage at {result.origin}: {occupancy}")
    backtest = result.backtest
    if backtest is not None:
        held = Table(title=f"backtest: the last {len(backtest.periods)} complete "
                     f"{result.period}s held out")  # fmt: skip
        for name in ("period", "forecast", "actual", "naive"):
            held.add_column(name, justify="left" if name == "period" else "right")
        for p in backtest.periods:
            held.add_row(
                p.start,
                f"{p.conversions:,.1f}",
                f"{p.actual_conversions:,.0f}",
                f"{p.naive_conversions:,.0f}",
            )
        console.print(held)
        console.print(
            f"backtest MAPE {_percent(backtest.mape)} against naive "
            f"{_percent(backtest.naive_mape)} ({backtest.scored} periods scored)"
        )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
