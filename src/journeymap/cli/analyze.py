"""`journeymap analyze`: one metric over an events file, as a table or a file.

A thin adapter: read the events, call one analytics function, print the result with rich
or write it (format from the suffix: .csv, .parquet, .json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import journeymap as jm
from journeymap.cli._common import (
    ChannelOpt,
    EventOpt,
    IdOpt,
    TimeOpt,
    TimezoneOpt,
    column_mapping,
    console,
    echo_ingest,
    written,
)
from journeymap.errors import AnalysisError

WHAT = (
    "transitions",
    "variants",
    "paths",
    "funnel",
    "time-to-convert",
    "stages",
    "drivers",
    "retention",
)
FORMATS = (".csv", ".parquet", ".json")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SHOWN_ROWS = 50  # rich output; files always get every row


def parse_seconds(text: str | None) -> float | None:
    """``"90"``, ``"90s"``, ``"30m"``, ``"2h"``, ``"7d"``, ``"1w"`` -> seconds."""
    if text is None:
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text)
    if not found:
        raise AnalysisError(f"cannot read duration {text!r}; use e.g. 90, 30m, 2h, 7d")
    return float(found.group(1)) * UNITS[found.group(2) or "s"]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@dataclass(frozen=True)
class Request:
    """The parsed options of one `analyze` call."""

    steps: str | None = None
    conversion: str | None = None
    map: Path | None = None
    mode: str = "ordered"
    window: str | None = None
    top: int = 50
    by: str | None = None
    breakdown: str | None = None
    from_event: str | None = None
    to_event: str | None = None

    def conversion_events(self) -> list[str]:
        if self.conversion:
            return _split(self.conversion)
        journey = self.journey()
        if journey is not None and journey.conversion and journey.conversion.event:
            return list(journey.conversion.event)
        raise AnalysisError("pass --conversion EVENT (or --map with a conversion)")

    def journey(self) -> jm.JourneyMap | None:
        return None if self.map is None else jm.load_map(self.map)


def _facade(name: str) -> Callable[..., Any]:
    """A metric from the facade (the CLI reaches no further), or a clear error."""
    function = getattr(jm, name, None)
    if function is None:
        raise AnalysisError(
            f"{name} is not available yet: journeymap does not export it"
        )
    return function  # type: ignore[no-any-return]


def _transitions(log: Any, req: Request) -> Any:
    return _facade("count_transitions")(log, by=req.by or "event")


def _variants(log: Any, req: Request) -> Any:
    return _facade("count_variants")(log, top=req.top)


def _paths(log: Any, req: Request) -> Any:
    find_paths = _facade("find_paths")
    return find_paths(
        log, from_event=req.from_event, to_event=req.to_event, top=req.top
    )


def _funnel(log: Any, req: Request) -> Any:
    steps = _split(req.steps)
    if not steps:
        raise AnalysisError("pass --steps a,b,c for a funnel")
    mode = req.mode.replace("-", "_")
    return jm.measure_funnel(
        log,
        steps,
        mode=mode,
        window_s=parse_seconds(req.window),
        breakdown=req.breakdown,
    )


def _time_to_convert(log: Any, req: Request) -> Any:
    conversion = req.conversion_events()
    return _facade("time_to_convert")(log, conversion, from_event=req.from_event)


def _stages(log: Any, req: Request) -> Any:
    journey = req.journey()
    if journey is None:
        raise AnalysisError("pass --map FILE to measure its stages")
    return _facade("measure_stages")(log, journey)


def _drivers(log: Any, req: Request) -> Any:
    return _facade("find_drivers")(log, req.conversion_events(), top=req.top)


def _retention(log: Any, req: Request) -> Any:
    return _facade("retention_matrix")(log)


METRICS: dict[str, Callable[[Any, Request], Any]] = {
    "transitions": _transitions,
    "variants": _variants,
    "paths": _paths,
    "funnel": _funnel,
    "time-to-convert": _time_to_convert,
    "stages": _stages,
    "drivers": _drivers,
    "retention": _retention,
}


# -- output ---------------------------------------------------------------------------------
def write_result(result: Any, path: Path) -> None:
    """Write a result to ``path``; the suffix picks the format."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(result.to_dict(), indent=2, default=str)
        path.write_text(text + "\n", encoding="utf-8")
    elif suffix == ".csv":
        result.to_pandas().to_csv(path, index=False)
    elif suffix == ".parquet":
        result.to_pandas().to_parquet(path, index=False)
    else:
        known = ", ".join(FORMATS)
        raise AnalysisError(f"unknown output format {suffix!r}; known: {known}")


def print_result(result: Any, what: str) -> None:
    summary = getattr(result, "summary", None)
    title = summary() if callable(summary) else what
    frame = result.to_pandas()
    if frame.empty:
        console.print(f"{title}: no rows")
        _print_extras(result)
        return
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(
            str(column), justify="right" if _numeric(frame[column]) else "left"
        )
    for row in frame.head(SHOWN_ROWS).itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
    if len(frame) > SHOWN_ROWS:
        console.print(
            f"showing {SHOWN_ROWS} of {len(frame):,} rows; use -o FILE for all"
        )
    _print_extras(result)


def _print_extras(result: Any) -> None:
    if hasattr(result, "median_seconds") and hasattr(result, "n"):
        console.print(
            f"{result.n:,} of {result.customers:,} customers converted; "
            f"mean {_cell(result.mean_seconds)} s, median {_cell(result.median_seconds)} s, "
            f"p90 {_cell(result.p90_seconds)} s"
        )


def _numeric(column: Any) -> bool:
    return column.dtype.kind in "iuf"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# -- command ------------------------------------------------------------------------------
def analyze(
    events: Annotated[Path, typer.Argument(help="Events file (CSV, Parquet, JSONL).")],
    what: Annotated[
        str, typer.Option("--what", "-w", help="Metric: " + ", ".join(WHAT) + ".")
    ] = "transitions",
    id_col: IdOpt = None,
    time_col: TimeOpt = None,
    event_col: EventOpt = None,
    channel_col: ChannelOpt = None,
    timezone: TimezoneOpt = None,
    steps: Annotated[
        str | None, typer.Option("--steps", help="Funnel steps, comma separated.")
    ] = None,
    conversion: Annotated[
        str | None,
        typer.Option("--conversion", help="Conversion event(s), comma separated."),
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Journey map (stages, conversion).")
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="Funnel mode: ordered, strict, any-order.")
    ] = "ordered",
    window: Annotated[
        str | None,
        typer.Option("--window", help="Funnel window from step 1: 90, 30m, 7d."),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Variants/paths to keep.")] = 50,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Transitions between this column's values."),
    ] = None,
    breakdown: Annotated[
        str | None, typer.Option("--breakdown", help="Split the funnel by a column.")
    ] = None,
    from_event: Annotated[
        str | None, typer.Option("--from", help="Start event (paths, time to convert).")
    ] = None,
    to_event: Annotated[
        str | None, typer.Option("--to", help="End event (paths).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write .csv, .parquet or .json."),
    ] = None,
) -> None:
    """Measure transitions, variants, paths, a funnel or time to convert on events."""
    metric = METRICS.get(what)
    if metric is None:
        raise AnalysisError(f"unknown --what {what!r}; known: {', '.join(WHAT)}")
    if output is not None and output.suffix.lower() not in FORMATS:
        known = ", ".join(FORMATS)
        raise AnalysisError(f"unknown output format {output.suffix!r}; known: {known}")
    request = Request(
        steps=steps,
        conversion=conversion,
        map=map_file,
        mode=mode,
        window=window,
        top=top,
        by=by,
        breakdown=breakdown,
        from_event=from_event,
        to_event=to_event,
    )
    columns = column_mapping(id_col, time_col, event_col, channel_col)
    log = jm.read_events(events, columns=columns, timezone=timezone)
    if log.report is not None:
        echo_ingest(log)
    result = metric(log, request)
    if output is None:
        print_result(result, what)
    else:
        write_result(result, output)
        written(output, what)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
