"""`journeymap render`: draw a journey map, measured when data is given."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import journeymap as jm
from journeymap.cli._common import (
    ChannelOpt,
    EventOpt,
    IdOpt,
    TimeOpt,
    TimezoneOpt,
    column_mapping,
    echo_ingest,
    written,
)
from journeymap.errors import RenderError

FORMATS = (".svg",)


def render(
    map_path: Annotated[Path, typer.Argument(help="Journey map (YAML).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Drawing to write (.svg).")
    ] = Path("map.svg"),
    data: Annotated[
        Path | None, typer.Option("--data", help="Events to measure the map with.")
    ] = None,
    id_col: IdOpt = None,
    time_col: TimeOpt = None,
    event_col: EventOpt = None,
    channel_col: ChannelOpt = None,
    timezone: TimezoneOpt = None,
) -> None:
    """Draw the swim-lane map; with --data (or the map's data.events) it is measured first."""
    if output.suffix.lower() not in FORMATS:
        raise RenderError(
            f"unknown output format {output.suffix!r}; known: {', '.join(FORMATS)}",
            file=str(output),
        )
    journey = jm.load_map(map_path)
    source = data
    if source is None and journey.data is not None and journey.data.events:
        source = map_path.parent / journey.data.events
    measured = None
    if source is not None:
        columns = dict(journey.data.columns) if journey.data else {}
        columns.update(column_mapping(id_col, time_col, event_col, channel_col))
        log = jm.read_events(
            source,
            columns=columns,
            timezone=timezone or (journey.data.timezone if journey.data else None),
        )
        echo_ingest(log)
        measured = jm.measure(journey, log)
    output.write_text(jm.render_map_svg(journey, measured), encoding="utf-8")
    written(output, "drawing")


def register(app: typer.Typer) -> None:
    app.command()(render)
