"""`journeymap render`: draw a journey map, measured when data is given."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import journeymap as jm
from journeymap.cli import _options as opt
from journeymap.cli._common import about, column_mapping, working, written
from journeymap.cli._load import load_map_data
from journeymap.cli._output import check_output, replacing
from journeymap.errors import MapError

PaperOpt = Annotated[
    str,
    typer.Option(
        "--paper",
        metavar="fit|a4|a3|a2",
        help="PDF page: fit (the drawing's own size), a4, a3 or a2 (laid out landscape to fit the sheet).",
    ),
]
StagesPerPageOpt = Annotated[
    int | None,
    typer.Option(
        "--stages-per-page",
        metavar="N",
        min=1,
        help="PDF: split a large map into pages of this many stages.",
    ),
]
ThemeOpt = Annotated[
    str,
    typer.Option(
        "--theme",
        metavar="THEME",
        help="Colour theme: default, colourblind, dark, or a brand theme file (.yaml).",
    ),
]


def render(
    map_path: opt.MapFile,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write; the suffix picks the format: .svg .png .pdf .pptx "
            ".html .json .yaml .csv .xlsx .md .mmd",
        ),
    ] = Path("map.svg"),
    data: opt.Data = None,
    surveys: opt.Surveys = None,
    feedback: opt.Feedback = None,
    id_col: opt.IdColumn = None,
    time_col: opt.TimeColumn = None,
    event_col: opt.EventColumn = None,
    channel_col: opt.ChannelColumn = None,
    timezone: opt.Timezone = None,
    engine: opt.Engine = None,
    time_format: opt.TimeFormat = None,
    paper: PaperOpt = "fit",
    stages_per_page: StagesPerPageOpt = None,
    theme: ThemeOpt = "default",
    persona: opt.Persona = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            metavar="ID",
            help="Draw only the touchpoints and cards this department owns.",
        ),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            metavar="CURRENT_MAP",
            help="Draw this current-state map (measured with --data) beside MAP.",
        ),
    ] = None,
) -> None:
    """Draw the map in the format -o names; with --data (or the map's data.events) it is
    measured first."""
    # reject a bad suffix or an unwritable path before reading any data
    kind = jm.output_format(output)
    check_output(output)
    _check_views(map_path, department=department, persona=persona)
    # the same loader and measurement as `measure`, so the drawing and measured.json
    # show the same numbers (issue 8)
    if compare is not None:
        _render_compared(map_path, compare, output, kind, data=data, paper=paper,
                         theme=theme, department=department)  # fmt: skip
        return
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
    with about(map_path):  # a persona view: that persona's customers only
        measured = loaded.measure(**({"persona": persona} if persona else {}))
    with replacing(output) as temp, working(f"rendering {output.name}"):
        jm.save(
            measured if measured is not None else loaded.journey,
            temp,
            format=kind,
            paper=paper,
            stages_per_page=stages_per_page,
            theme=theme,
            persona=persona,
            department=department,
        )
    written(output, "map")


def _check_views(
    map_path: Path, *, department: str | None, persona: str | None
) -> None:
    """--department and --persona name one of the map's own, checked before any data
    is read."""
    if department is None and persona is None:
        return
    journey = jm.load_map(map_path)
    for kind, given, ids in (
        ("department", department, [d.id for d in journey.departments]),
        ("persona", persona, [p.id for p in journey.personas]),
    ):
        if given is not None and given not in ids:
            known = ", ".join(ids) or "none"
            raise MapError(f"--{kind}: unknown {kind} {given!r}; known: {known}",
                           file=str(map_path))  # fmt: skip


def _render_compared(
    future_path: Path,
    current_path: Path,
    output: Path,
    kind: str,
    *,
    data: str | None,
    paper: str,
    theme: str,
    department: str | None,
) -> None:
    """The current map (measured when there is data) beside the future map as
    designed: the data describes today, not the redesign."""
    future = jm.load_map(future_path)
    loaded = load_map_data(current_path, data=data)
    with about(current_path):
        measured = loaded.measure()
    with replacing(output) as temp, working(f"rendering {output.name}"):
        jm.save(
            future,
            temp,
            format=kind,
            paper=paper,
            theme=theme,
            department=department,
            compare=measured if measured is not None else loaded.journey,
        )
    written(output, "maps side by side")


def register(app: typer.Typer) -> None:
    app.command()(render)
