"""journeymap: customer journey maps as code, measured against real data.

The facade: the public names of the model, engine, analytics and render layers. Heavy
modules (ibis, duckdb, pandas) load on first use, so ``import journeymap`` stays light.

>>> import journeymap as jm
>>> jm.get_framework("5es").stages[0].name
'Entice'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import examples
from journeymap._display import register as _register_display
from journeymap.engine import Engine, EventLog
from journeymap.errors import (
    AnalysisError,
    EngineError,
    IngestError,
    JourneymapError,
    MapError,
    MissingExtraError,
    RenderError,
)
from journeymap.model import (
    JourneyMap,
    Kpi,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)

_register_display()  # notebooks show maps and tables inline (ADR 0007)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence
    from pathlib import Path

    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.model.analysis import (
        DriverTable,
        PeriodComparison,
        RetentionMatrix,
        StageTable,
        StageTransitions,
        UnmatchedReport,
    )
    from journeymap.model.attribution import (
        AttributionResult,
        ForecastResult,
        StageAttribution,
    )
    from journeymap.model.flows import JourneyFlows
    from journeymap.model.frameworks import Framework
    from journeymap.model.measured import MeasuredMap
    from journeymap.model.results import (
        FunnelResult,
        PathTable,
        TimeToConvert,
        TransitionTable,
        VariantTable,
    )

__version__ = "0.1.0"

__all__ = [
    "AnalysisError",
    "Engine",
    "EngineError",
    "EventLog",
    "IngestError",
    "JourneyMap",
    "JourneymapError",
    "Kpi",
    "MapError",
    "MissingExtraError",
    "Opportunity",
    "PainPoint",
    "Persona",
    "RenderError",
    "Stage",
    "Touchpoint",
    "__version__",
    "attach_customers",
    "attribute_conversions",
    "attribute_stage_moves",
    "check_personas",
    "compare_periods",
    "connect",
    "count_transitions",
    "count_variants",
    "dump_map",
    "examples",
    "filter_persona",
    "filter_segment",
    "filter_time",
    "find_drivers",
    "find_incidents",
    "find_paths",
    "forecast_conversions",
    "format_duration",
    "get_framework",
    "list_frameworks",
    "load_map",
    "loads_map",
    "map_json_schema",
    "measure",
    "measure_flows",
    "measure_funnel",
    "measure_stages",
    "output_format",
    "quarantine",
    "rate_series",
    "read_events",
    "render_map_svg",
    "retention_matrix",
    "sample_customers",
    "save",
    "save_report",
    "sessionize",
    "stage_transitions",
    "time_to_convert",
    "unmatched_events",
    "validate_map",
]


def load_map(path: str | Path) -> JourneyMap:
    """Load and validate a journey map file; errors name file, line and field."""
    from journeymap.model.spec import load_map as _load_map

    return _load_map(path)


def loads_map(text: str, *, file: str = "<string>") -> JourneyMap:
    """Load a journey map from YAML text."""
    from journeymap.model.spec import loads_map as _loads_map

    return _loads_map(text, file=file)


def dump_map(journey: JourneyMap, path: str | Path | None = None) -> str:
    """Write a journey map as YAML (and to `path` when given); returns the text."""
    from journeymap.model.spec import dump_map as _dump_map

    return _dump_map(journey, path)


def validate_map(path: str | Path) -> list[MapError]:
    """Every problem of a map file (empty when it is valid)."""
    from journeymap.model.spec import validate_map as _validate_map

    return _validate_map(path)


def map_json_schema() -> dict[str, Any]:
    """The JSON Schema of the journey file."""
    from journeymap.model.spec import map_json_schema as _schema

    return _schema()


def list_frameworks() -> tuple[Framework, ...]:
    """The stage-framework presets."""
    from journeymap.model.frameworks import list_frameworks as _list

    return _list()


def get_framework(framework_id: str) -> Framework:
    """One stage-framework preset by id (did-you-mean on a typo)."""
    from journeymap.model.frameworks import get_framework as _get

    return _get(framework_id)


def connect(url: str | None = None, **options: Any) -> Engine:
    """Open an engine (in-memory DuckDB by default); see :func:`journeymap.engine.connect`."""
    from journeymap.engine import connect as _connect

    return _connect(url, **options)


def read_events(source: Any, **options: Any) -> EventLog:
    """Read events into a canonical EventLog; see :func:`journeymap.ingest.read_events`."""
    from journeymap.ingest import read_events as _read_events

    return _read_events(source, **options)


def measure_stages(log: EventLog, journey: JourneyMap) -> StageTable:
    """Stage figures of a map on an event log; see :mod:`journeymap.analytics.stages`."""
    from journeymap.analytics.stages import measure_stages as _measure_stages

    return _measure_stages(log, journey)


def count_transitions(log: EventLog, **options: Any) -> TransitionTable:
    """Event-to-event transitions; see :mod:`journeymap.analytics.transitions`."""
    from journeymap.analytics.transitions import count_transitions as _count

    return _count(log, **options)


def measure_funnel(log: EventLog, steps: Sequence[Any], **options: Any) -> FunnelResult:
    """An ordered, strict or any-order funnel; see :mod:`journeymap.analytics.funnels`."""
    from journeymap.analytics.funnels import measure_funnel as _funnel

    return _funnel(log, steps, **options)


def time_to_convert(
    log: EventLog, conversion: str | Sequence[str], **options: Any
) -> TimeToConvert:
    """Seconds from first event to conversion; see :mod:`journeymap.analytics.conversion`."""
    from journeymap.analytics.conversion import time_to_convert as _ttc

    return _ttc(log, conversion, **options)


def attach_customers(
    log: EventLog, source: Any, *, id_col: str = "customer_id"
) -> EventLog:
    """The events with customer attributes (a file or frame, one row per customer)
    joined on the customer id; see :mod:`journeymap.ingest.customers`."""
    from journeymap.ingest.customers import join_customers, read_customers

    return join_customers(log, read_customers(source, id_col=id_col))


def check_personas(journey: JourneyMap, log: EventLog) -> list[str]:
    """Why persona rules cannot be evaluated on ``log``'s columns (one line each);
    a column ingest read under its canonical name is named as such. See
    :func:`journeymap.evidence.members.missing_columns`."""
    from journeymap.evidence.members import missing_columns
    from journeymap.model.rules import parse_rule

    columns = [str(c) for c in log.table.columns]
    renamed = {} if log.report is None else dict(log.report.columns)
    problems = []
    for persona in journey.personas:
        if persona.segment is None:
            continue
        needed = sorted(set(parse_rule(persona.segment).columns()))
        problem = missing_columns(persona.id, needed, columns, renamed)
        if problem is not None:
            problems.append(problem)
    return problems


def rate_series(journey: JourneyMap, log: EventLog, **options: Any) -> pd.DataFrame:
    """Weekly (``period="day"``: daily) rates per stage, touchpoint and persona as a
    DataFrame; see :mod:`journeymap.evidence.series`."""
    from journeymap.pipeline import measure_series

    return measure_series(journey, log, **options)


def find_incidents(
    journey: JourneyMap, log: EventLog, **options: Any
) -> tuple[dict[str, Any], ...]:
    """Periods where a rate departs from its baseline (BH across all series); see
    :mod:`journeymap.evidence.incidents`."""
    from journeymap.pipeline import measure_incidents

    return measure_incidents(journey, log, **options)


def measure(journey: JourneyMap, log: EventLog, **options: Any) -> MeasuredMap:
    """Measure every stage, touchpoint, emotion, pain point and KPI of a map."""
    from journeymap.pipeline import measure_map

    return measure_map(journey, log, **options)


def render_map_svg(
    journey: JourneyMap, measured: MeasuredMap | None = None, **options: Any
) -> str:
    """The swim-lane journey map as an SVG document (string)."""
    from journeymap.layout import layout_map
    from journeymap.render import render_svg

    return render_svg(layout_map(journey, measured, **options))


def save(
    obj: JourneyMap | MeasuredMap,
    path: str | Path,
    *,
    format: str | None = None,
    theme: str = "default",
    lanes: Sequence[str] | None = None,
    persona: str | None = None,
    data_as_of: str | None = None,
    paper: str = "fit",
    stages_per_page: int | None = None,
    scale: float = 2.0,
    department: str | None = None,
    compare: JourneyMap | MeasuredMap | None = None,
    previous: MeasuredMap | None = None,
) -> Path:
    """Write a map (measured or not) in the format its suffix names.

    ``.svg .png .pdf .pptx .html`` draw it; ``.json .yaml`` write its data; ``.csv
    .xlsx`` its measured tables; ``.md`` a summary; ``.mmd`` a Mermaid ``journey``.
    ``format=`` overrides the suffix. For PDF, ``paper`` is ``fit``, ``a4``, ``a3``
    or ``a2`` and ``stages_per_page`` splits a large map; ``scale`` sets PNG density.
    ``persona`` and ``department`` draw one persona's or one department's view;
    ``compare`` (the current-state map) is drawn on the left of ``obj`` (the future
    state) in SVG, PNG, PDF or HTML; ``previous`` (the map measured over an earlier
    period) adds a period-over-period overlay.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import journeymap as jm
    >>> journey = jm.JourneyMap(name="Demo", stages=[jm.Stage(id="a", name="A")])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = jm.save(journey, pathlib.Path(folder) / "map.svg")
    ...     path.read_text(encoding="utf-8").startswith("<svg")
    True
    """
    from journeymap.model.measured import MeasuredMap
    from journeymap.render import get_theme
    from journeymap.render.save import MapOutput, save_map

    if isinstance(obj, MeasuredMap):
        journey, measured = obj.journey, obj
    else:
        journey, measured = obj, None
    out = MapOutput(
        journey=journey,
        measured=measured,
        theme=get_theme(theme),
        lanes=tuple(lanes) if lanes is not None else None,
        persona=persona,
        data_as_of=data_as_of,
        paper=paper,
        stages_per_page=stages_per_page,
        png_scale=scale,
        department=department,
        compare=compare,
        previous=previous,
    )
    return save_map(out, path, format=format)


def save_report(
    measured: MeasuredMap, path: str | Path, *, flows: JourneyFlows | None = None
) -> Path:
    """Write the self-contained report of a measured map (``.html`` or ``.pdf``);
    ``flows`` (from :func:`measure_flows`) adds the Sankey of stage and touchpoint
    flows."""
    from journeymap.report import save_report as _save_report

    return _save_report(measured, path, flows=flows)


def measure_flows(journey: JourneyMap, log: EventLog) -> JourneyFlows:
    """Stage-to-stage and touchpoint-to-touchpoint flows (loops back flagged); see
    :mod:`journeymap.analytics.flows`."""
    from journeymap.analytics.flows import measure_flows as _measure_flows

    return _measure_flows(log, journey)


def output_format(path: str | Path, format: str | None = None) -> str:
    """The format :func:`save` writes for ``path``; an unknown suffix lists the known."""
    from journeymap.render.save import output_format as _output_format

    return _output_format(path, format)


def count_variants(log: EventLog, **options: Any) -> VariantTable:
    """Distinct paths (variants) with coverage; see :mod:`journeymap.analytics.variants`."""
    from journeymap.analytics.variants import count_variants as _variants

    return _variants(log, **options)


def find_paths(log: EventLog, **options: Any) -> PathTable:
    """Paths from, to or between events; see :mod:`journeymap.analytics.paths`."""
    from journeymap.analytics.paths import find_paths as _paths

    return _paths(log, **options)


def find_drivers(
    log: EventLog, conversion_event: str | Sequence[str], **options: Any
) -> DriverTable:
    """Events and properties associated with conversion (odds ratios, BH q-values)."""
    from journeymap.analytics.drivers import find_drivers as _drivers

    return _drivers(log, conversion_event, **options)


def retention_matrix(log: EventLog, **options: Any) -> RetentionMatrix:
    """Cohort retention matrix; see :mod:`journeymap.analytics.retention`."""
    from journeymap.analytics.retention import retention_matrix as _retention

    return _retention(log, **options)


def compare_periods(
    log: EventLog,
    journey: JourneyMap,
    period_a: tuple[dt.datetime, dt.datetime],
    period_b: tuple[dt.datetime, dt.datetime],
) -> PeriodComparison:
    """Stage figures for two time ranges with differences and significance."""
    from journeymap.analytics.compare import compare_periods as _compare

    return _compare(log, journey, period_a, period_b)


def attribute_conversions(
    log: EventLog, conversion: str | Sequence[str], **options: Any
) -> AttributionResult:
    """Credit the conversions to channels: first, last, last-non-direct, linear,
    time-decay, position, markov (exact, order 1-4 or ``"auto"``) or shapley; see
    :mod:`journeymap.attribution`."""
    from journeymap.attribution import attribute_conversions as _attribute

    return _attribute(log, conversion, **options)


def attribute_stage_moves(
    log: EventLog, journey: JourneyMap, **options: Any
) -> StageAttribution:
    """Credit for moving customers from each stage to the next, per channel."""
    from journeymap.attribution.stages import attribute_stage_moves as _moves

    return _moves(log, journey, **options)


def forecast_conversions(
    log: EventLog, journey: JourneyMap, **options: Any
) -> ForecastResult:
    """Conversions and revenue for the next periods from the current stage
    occupancy, with a backtest (MAPE against a naive forecast)."""
    from journeymap.attribution.forecast import forecast_conversions as _forecast

    return _forecast(log, journey, **options)


def stage_transitions(log: EventLog, journey: JourneyMap) -> StageTransitions:
    """Stage-to-stage moves, regressions included; see :mod:`journeymap.analytics.stages`."""
    from journeymap.analytics.stages import stage_transitions as _moves

    return _moves(log, journey)


def unmatched_events(
    log: EventLog, journey: JourneyMap, **options: Any
) -> UnmatchedReport:
    """Events no touchpoint of the map matches, most frequent first."""
    from journeymap.analytics.matching import unmatched_events as _unmatched

    return _unmatched(log, journey, **options)


def sessionize(log: EventLog, **options: Any) -> EventLog:
    """Derive sessions by inactivity timeout or boundary events."""
    from journeymap.ingest import sessionize as _sessionize

    return _sessionize(log, **options)


def filter_time(log: EventLog, start: Any = None, end: Any = None) -> EventLog:
    """Events in ``[start, end)`` (UTC)."""
    from journeymap.ingest import filter_time as _filter_time

    return _filter_time(log, start, end)


def filter_segment(log: EventLog, rule: str, **options: Any) -> EventLog:
    """Customers (or events) selected by a segment rule such as ``"plan == 'pro'"``."""
    from journeymap.ingest import filter_segment as _filter_segment

    return _filter_segment(log, rule, **options)


def filter_persona(log: EventLog, journey: JourneyMap, persona_id: str) -> EventLog:
    """The customers of one persona of the map."""
    from journeymap.ingest import filter_persona as _filter_persona

    return _filter_persona(log, journey, persona_id)


def sample_customers(log: EventLog, **options: Any) -> EventLog:
    """A seeded, deterministic sample of customers (``fraction=`` or ``n=``)."""
    from journeymap.ingest import sample_customers as _sample

    return _sample(log, **options)


def quarantine(log: EventLog) -> ir.Table:
    """The rows ingest could not load, with row number, line, column and reason."""
    from journeymap.ingest import quarantine as _quarantine

    return _quarantine(log)


def format_duration(seconds: float) -> str:
    """A duration as the map draws it: ``8280`` → ``"2.3 h"``."""
    from journeymap.layout.formats import format_duration as _format_duration

    return _format_duration(seconds)
