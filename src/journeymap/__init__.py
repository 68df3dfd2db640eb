"""journeymap: customer journey maps as code, measured against real data.

The facade: the public names of the model, engine, analytics and render layers. Heavy
modules (ibis, duckdb, pandas) load on first use, so ``import journeymap`` stays light.

>>> import journeymap as jm
>>> jm.get_framework("5es").stages[0].name
'Entice'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from pathlib import Path

    from journeymap.engine import Engine, EventLog
    from journeymap.model.measured import MeasuredMap

__version__ = "0.1.0"

__all__ = [
    "AnalysisError",
    "EngineError",
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
    "connect",
    "count_transitions",
    "dump_map",
    "get_framework",
    "list_frameworks",
    "load_map",
    "loads_map",
    "map_json_schema",
    "measure",
    "measure_funnel",
    "measure_stages",
    "read_events",
    "render_map_svg",
    "time_to_convert",
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


def list_frameworks() -> Any:
    """The stage-framework presets."""
    from journeymap.model.frameworks import list_frameworks as _list

    return _list()


def get_framework(framework_id: str) -> Any:
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


def measure_stages(log: EventLog, journey: JourneyMap) -> Any:
    """Stage figures of a map on an event log; see :mod:`journeymap.analytics.stages`."""
    from journeymap.analytics.stages import measure_stages as _measure_stages

    return _measure_stages(log, journey)


def count_transitions(log: EventLog, **options: Any) -> Any:
    """Event-to-event transitions; see :mod:`journeymap.analytics.transitions`."""
    from journeymap.analytics.transitions import count_transitions as _count

    return _count(log, **options)


def measure_funnel(log: EventLog, steps: Any, **options: Any) -> Any:
    """An ordered, strict or any-order funnel; see :mod:`journeymap.analytics.funnels`."""
    from journeymap.analytics.funnels import measure_funnel as _funnel

    return _funnel(log, steps, **options)


def time_to_convert(log: EventLog, conversion: Any, **options: Any) -> Any:
    """Seconds from first event to conversion; see :mod:`journeymap.analytics.conversion`."""
    from journeymap.analytics.conversion import time_to_convert as _ttc

    return _ttc(log, conversion, **options)


def measure(journey: JourneyMap, log: EventLog, **options: Any) -> MeasuredMap:
    """Measure every stage, touchpoint, emotion, pain point and KPI of a map."""
    from journeymap.voc.measure import measure_map

    return measure_map(journey, log, **options)


def render_map_svg(journey: JourneyMap, measured: MeasuredMap | None = None, **options: Any) -> str:
    """The swim-lane journey map as an SVG document (string)."""
    from journeymap.layout import layout_map
    from journeymap.render import render_svg

    return render_svg(layout_map(journey, measured, **options))

