"""`journeymap measure`: the map measured against data, written as measured.json."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from journeymap.cli import _options as opt
from journeymap.cli._common import (
    about,
    column_mapping,
    console,
    err_console,
    written,
)
from journeymap.cli._evidence import Scoping
from journeymap.cli._load import load_map_data, write_measured
from journeymap.cli._output import check_output
from journeymap.errors import IngestError, RenderError

if TYPE_CHECKING:
    from journeymap.model.measured import MeasuredMap

OutputOpt = Annotated[
    Path,
    typer.Option(
        "--output", "-o", metavar="FILE.json", help="Where to write measured.json."
    ),
]
ClustersOpt = Annotated[
    bool | None,
    typer.Option(
        "--clusters/--no-clusters",
        help="Discover behavioural clusters (k-means; extra clusters). "
        "Default: when scikit-learn is installed.",
        show_default=False,
    ),
]


def measure(
    map_path: opt.MapFile,
    data: opt.Data = None,
    surveys: opt.Surveys = None,
    feedback: opt.Feedback = None,
    output: OutputOpt = Path("measured.json"),
    id_col: opt.IdColumn = None,
    time_col: opt.TimeColumn = None,
    event_col: opt.EventColumn = None,
    channel_col: opt.ChannelColumn = None,
    timezone: opt.Timezone = None,
    engine: opt.Engine = None,
    time_format: opt.TimeFormat = None,
    clusters: ClustersOpt = None,
    scope: opt.Scope = None,
    customers: opt.Customers = None,
    customers_id: opt.CustomersId = None,
    since: opt.Since = None,
    until: opt.Until = None,
    where: opt.Where = None,
    persona: opt.Persona = None,
    session_timeout: opt.SessionTimeout = None,
) -> None:
    """Measure a journey map: emotion curve, pain-point verdicts, opportunities, KPIs."""
    scoping = Scoping(
        scope, customers, customers_id, since, until, where, persona, session_timeout
    )
    if output.suffix.lower() != ".json":
        raise RenderError(
            f"unknown output format {output.suffix!r}; known: .json", file=str(output)
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
        measured = loaded.measure(clusters=clusters, **scoping.options())
    if measured is None:
        raise IngestError(
            "no events: pass --data EVENTS or set data.events in the map",
            file=str(map_path),
        )
    write_measured(measured, output)
    _print_summary(measured)
    written(output, "measured map")


def _print_summary(measured: MeasuredMap) -> None:
    from rich.table import Table
    from rich.text import Text

    _print_unmatched(measured)
    if not measured.pain_points:
        console.print("no pain points in the map: nothing to judge")
    else:
        table = Table(title=f"Pain points (unit: {measured.scope})", show_lines=False)
        for column in ("pain point", "verdict", "what the data shows"):
            table.add_column(column, overflow="fold")
        for verdict in measured.pain_points:
            table.add_row(
                *(
                    Text(t)
                    for t in (verdict.id, verdict.verdict, verdict.summary or "—")
                )
            )
        console.print(table)
    for found in measured.suggested_pain_points:
        console.print(
            f"  found in data: {found.get('text')}", soft_wrap=True, markup=False
        )
    for incident in measured.incidents:
        console.print(
            f"  incident: {incident.get('text')}", soft_wrap=True, markup=False
        )
    if measured.candidates:
        top: dict[str, Any] = measured.candidates[0]
        who = top.get("persona") or "all customers"
        console.print(
            f"top-ranked place: {top['kind']} {top['id']} ({who}), "
            f"impact {top['impact']:.1f}",
            markup=False,
        )


def _print_unmatched(measured: MeasuredMap) -> None:
    """How many events no touchpoint matches, and the commonest of them: a map whose
    rules match nothing measures nothing, and said nothing about it."""
    unmatched, events = measured.unmatched_events, measured.events
    if not unmatched:
        return
    top = measured.unmatched_top[:5]
    names = ", ".join(f"{name} {count:,}" for name, count in top)
    line = f"{unmatched:,} of {events:,} events match no touchpoint"
    if top:
        line += f" (the {len(top)} commonest: {names})"
    if unmatched == events:
        line += "; add match rules to the map's touchpoints"
    err_console.print(f"[yellow]note:[/yellow] {escape(line)}", soft_wrap=True)


def _number(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def register(app: typer.Typer) -> None:
    app.command()(measure)
