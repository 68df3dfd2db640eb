"""`journeymap report`: the measured map as a self-contained HTML (or PDF) report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import journeymap as jm
from journeymap.cli import _options as opt
from journeymap.cli._common import about, column_mapping, working, written
from journeymap.cli._load import load_map_data
from journeymap.cli._output import check_output, replacing
from journeymap.errors import RenderError


def report(
    map_path: opt.MapFile,
    data: opt.Data = None,
    surveys: opt.Surveys = None,
    feedback: opt.Feedback = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Report to write (.html or .pdf)."
        ),
    ] = Path("report.html"),
    id_col: opt.IdColumn = None,
    time_col: opt.TimeColumn = None,
    event_col: opt.EventColumn = None,
    channel_col: opt.ChannelColumn = None,
    timezone: opt.Timezone = None,
    engine: opt.Engine = None,
    time_format: opt.TimeFormat = None,
) -> None:
    """Measure the map (--data or its data.events) and write the report."""
    if output.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise RenderError(
            f"unknown report format {output.suffix!r}; known: .html, .pdf",
            file=str(output),
        )
    check_output(output)
    loaded = load_map_data(
        map_path,
        data=data,
        surveys=surveys,
        feedback=feedback,
        columns=column_mapping(id_col, time_col, event_col, channel_col),
        timezone=timezone,
        time_format=time_format,
        engine=engine,
    )
    with about(map_path):
        measured = loaded.measure()
    if measured is None or loaded.events is None:
        raise RenderError("a report needs data: give --data EVENTS", file=str(map_path))
    with about(map_path):
        flows = jm.measure_flows(loaded.journey, loaded.events)
    with replacing(output) as temp, working(f"rendering {output.name}"):
        jm.save_report(measured, temp, flows=flows)
    written(output, "report")


def register(app: typer.Typer) -> None:
    app.command()(report)
