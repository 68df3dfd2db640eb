"""`journeymap measure`: the map measured against data, written as measured.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
from journeymap.errors import IngestError, RenderError

if TYPE_CHECKING:
    from journeymap.model.measured import MeasuredMap

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Events to measure the map with (default: the map's data.events).",
    ),
]
SurveysOpt = Annotated[
    Path | None,
    typer.Option("--surveys", help="Survey answers (score, score_kind columns)."),
]
FeedbackOpt = Annotated[
    Path | None, typer.Option("--feedback", help="Free-text feedback (text column).")
]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help="Where to write measured.json.")
]
ClustersOpt = Annotated[
    bool,
    typer.Option(
        "--clusters/--no-clusters", help="Discover behavioural clusters (k-means)."
    ),
]


def _source(
    given: Path | None, map_path: Path, key: str, journey: jm.JourneyMap
) -> Path | None:
    """An explicit path, else the map's ``data.<key>`` relative to the map file."""
    if given is not None:
        return given
    named = None if journey.data is None else getattr(journey.data, key)
    return None if named is None else map_path.parent / named


def _read_extra(
    path: Path | None, log: Any, columns: dict[str, str], timezone: str | None
) -> Any:
    if path is None:
        return None
    extra = jm.read_events(path, columns=columns, timezone=timezone, engine=log.engine)
    echo_ingest(extra)
    return extra


def measure(
    map_path: Annotated[Path, typer.Argument(help="Journey map (YAML).")],
    data: DataOpt = None,
    surveys: SurveysOpt = None,
    feedback: FeedbackOpt = None,
    output: OutputOpt = Path("measured.json"),
    id_col: IdOpt = None,
    time_col: TimeOpt = None,
    event_col: EventOpt = None,
    channel_col: ChannelOpt = None,
    timezone: TimezoneOpt = None,
    clusters: ClustersOpt = True,
) -> None:
    """Measure a journey map: emotion curve, pain-point verdicts, opportunities, KPIs."""
    if output.suffix.lower() != ".json":
        raise RenderError(
            f"unknown output format {output.suffix!r}; known: .json", file=str(output)
        )
    journey = jm.load_map(map_path)
    source = _source(data, map_path, "events", journey)
    if source is None:
        raise IngestError(
            "no events: pass --data EVENTS or set data.events in the map",
            file=str(map_path),
        )
    columns = dict(journey.data.columns) if journey.data else {}
    columns.update(column_mapping(id_col, time_col, event_col, channel_col))
    zone = timezone or (journey.data.timezone if journey.data else None)
    log = jm.read_events(source, columns=columns, timezone=zone)
    echo_ingest(log)
    extra = {
        "surveys": _read_extra(
            _source(surveys, map_path, "surveys", journey), log, columns, zone
        ),
        "feedback": _read_extra(
            _source(feedback, map_path, "feedback", journey), log, columns, zone
        ),
    }
    measured = jm.measure(journey, log, clusters=clusters, **extra)
    output.write_text(
        json.dumps(measured.to_dict(), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    _print_summary(measured)
    written(output, "measured map")


def _print_summary(measured: MeasuredMap) -> None:
    from rich.table import Table

    table = Table(title="Pain points", show_lines=False)
    for column in ("pain point", "verdict", "impact", "outcome", "excess", "q", "who"):
        table.add_column(column)
    for verdict in measured.pain_points:
        evidence = verdict.evidence
        outcome = evidence.get("outcome")
        excess = evidence.get("outcomes", {}).get(outcome, {}).get("excess")
        table.add_row(
            verdict.id,
            verdict.verdict,
            _number(verdict.impact),
            str(outcome or "—"),
            _number(excess, "{:+.3f}"),
            _number(verdict.q_value, "{:.2g}"),
            str(evidence.get("persona") or "all customers"),
        )
    console.print(table)
    if measured.candidates:
        top: dict[str, Any] = measured.candidates[0]
        who = top.get("persona") or "all customers"
        console.print(
            f"top-ranked: {top['kind']} {top['id']} ({who}), impact {top['impact']:.1f}"
        )


def _number(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def register(app: typer.Typer) -> None:
    app.command()(measure)
