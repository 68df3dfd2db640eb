"""A map and its data, read one way for every command (issue 8).

``measure``, ``render`` and any other command that measures a map read the events,
survey answers and feedback through :func:`load_map_data`: explicit paths win, else the
map's ``data.events`` / ``data.surveys`` / ``data.feedback`` (relative to the map file),
all with the map's column mapping and time zone overridden by the options. So the drawn
map and ``measured.json`` always come from the same rows, measured the same way, and
:func:`write_measured` is the one writer of ``measured.json``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

import journeymap as jm
from journeymap.cli._common import echo_ingest, err_console, open_engine, working
from journeymap.cli._output import write_text
from journeymap.errors import IngestError, MapError
from journeymap.model.references import MAP_VS_DATA

if TYPE_CHECKING:
    from journeymap import EventLog
    from journeymap.model.measured import MeasuredMap


@dataclass(frozen=True)
class MapData:
    """A journey map and the data it is measured with (``events`` None: no data)."""

    journey: jm.JourneyMap
    events: EventLog | None = None
    surveys: EventLog | None = None
    feedback: EventLog | None = None
    customers: Path | None = None  # customer attributes (the map's data.customers)
    customers_id: str = "customer_id"
    path: Path | None = None  # the map file, for warnings about it

    def measure(self, **options: Any) -> MeasuredMap | None:
        """The measured map (``jm.measure`` options), or None without events."""
        if self.events is None:
            return None
        customers = options.pop("customers", None) or self.customers
        with working(f"measuring {self.journey.name}"):
            measured = self._measure(customers, options)
        where = f"{self.path}: " if self.path else ""
        for note in measured.notes:  # a misspelt event in a match rule measures 0
            if note.startswith(MAP_VS_DATA):
                err_console.print(
                    "[yellow]warning:[/yellow] "
                    + escape(f"{where}{note[len(MAP_VS_DATA) :]}"),
                    soft_wrap=True,
                )
        return measured

    def _measure(self, customers: Any, options: dict[str, Any]) -> MeasuredMap:
        assert self.events is not None
        return jm.measure(
            self.journey,
            self.events,
            surveys=self.surveys,
            feedback=self.feedback,
            customers=None if customers is None else str(customers),
            customers_id=options.pop("customers_id", None) or self.customers_id,
            **options,
        )


def load_map_data(
    map_path: Path,
    *,
    data: str | Path | None = None,
    surveys: Path | None = None,
    feedback: Path | None = None,
    columns: dict[str, str] | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
    engine: str | None = None,
) -> MapData:
    """Load a map and read its events, surveys and feedback, echoing each ingest report.

    Parameters
    ----------
    map_path
        The journey map (YAML).
    data, surveys, feedback
        Explicit files (``data`` also a table URL); each falls back to the map's
        ``data`` section.
    columns
        Column roles from the command line; they override the map's ``data.columns``.
    timezone
        Zone of naive timestamps; overrides the map's ``data.timezone``.
    time_format
        How to read the timestamps (``epoch_ms``, ``%d/%m/%Y``...); overrides the
        map's ``data.time_format``.
    engine
        Where the analytics run (``duckdb``, ``spark``, ``postgres`` or a URL);
        overrides the map's ``data.engine``.

    Raises
    ------
    IngestError
        Survey or feedback files without any events to measure them with.
    """
    journey = jm.load_map(map_path)
    events = _source(data, map_path, journey, "events")
    extra = {
        key: _source(given, map_path, journey, key)
        for key, given in (("surveys", surveys), ("feedback", feedback))
    }
    if events is None:
        named = [f"--{key}" for key in ("surveys", "feedback") if extra[key]]
        if named:
            raise IngestError(
                f"{' and '.join(named)} need events: pass --data EVENTS or set "
                "data.events in the map",
                file=str(map_path),
            )
        return MapData(journey)
    spec = journey.data
    mapping = dict(spec.columns) if spec is not None else {}
    mapping.update(columns or {})
    zone = timezone or (spec.timezone if spec is not None else None)
    form = time_format or (spec.time_format if spec is not None else None)
    where = open_engine(engine or (spec.engine if spec is not None else None), events)
    log = read_source(events, mapping, zone, form, engine=where)
    read = {
        key: read_source(path, mapping, zone, form, engine=log.engine if log else None)
        for key, path in extra.items()
    }
    for key, answers in read.items():
        if log is not None and answers is not None:
            _echo_unmatched(answers, log, key)
    attrs = None if spec is None else spec.customers
    customers = (
        None if attrs is None else beside_map(map_path, attrs.path, "data.customers")
    )
    return MapData(
        journey,
        log,
        read["surveys"],
        read["feedback"],
        customers=customers,
        customers_id="customer_id" if attrs is None else attrs.id,
        path=map_path,
    )


def _source(
    given: str | Path | None, map_path: Path, journey: jm.JourneyMap, key: str
) -> str | Path | None:
    """An explicit path or URL, else the map's ``data.<key>`` beside the map file."""
    if given is not None:
        return given if isinstance(given, Path) or "://" in given else Path(given)
    named = None if journey.data is None else getattr(journey.data, key)
    if named and "://" in named:  # a table URL, not a path beside the map
        return str(named)
    return None if not named else beside_map(map_path, named, f"data.{key}")


def beside_map(map_path: Path, named: str, field: str) -> Path:
    """The file a map's ``data`` section names, relative to the map; a missing one is
    a map error at that field's line, with the closest file name there."""
    path = map_path.parent / named
    if path.exists() or any(c in named for c in "*?["):  # globs are the reader's
        return path
    book, _, sheet = str(path).rpartition("::")
    if sheet and Path(book).is_file():  # a sheet of a workbook: events.xlsx::Events
        return path
    from journeymap.model.spec import field_line

    folder = path.parent
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    close = difflib.get_close_matches(path.name, names, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    looked = "" if str(path) == named else f" (looked for {path})"
    raise MapError(
        f"`{named}` not found{looked}{hint}",
        file=str(map_path),
        line=field_line(map_path, field),
        field=field,
    )


def read_source(
    path: str | Path | None,
    columns: dict[str, str],
    timezone: str | None,
    time_format: str | None,
    *,
    engine: jm.Engine | None = None,
) -> EventLog | None:
    """Read one source onto ``engine`` (default: a new DuckDB), with a spinner on a
    terminal; echo its ingest report. Every command reads its data through here."""
    if path is None:
        return None
    with working(f"reading {path}"):
        log = jm.read_events(
            path,
            columns=columns,
            timezone=timezone,
            time_format=time_format,
            engine=engine,
        )
    echo_ingest(log)
    return log


def _echo_unmatched(answers: EventLog, events: EventLog, key: str) -> None:
    """Say how many survey or feedback rows name a customer the events do not know
    (ids ``1.0`` and ``1`` are the same customer already: ingest normalises them)."""
    known = events.table.select("customer_id").distinct()
    orphans = answers.table.anti_join(known, "customer_id")
    count = int(answers.engine.scalar(orphans.count()))
    if count:
        total = answers.report.loaded if answers.report is not None else count
        example = answers.engine.scalar(orphans.customer_id.min())
        err_console.print(
            f"[yellow]  note: {count:,} of {total:,} {key.removesuffix('s')} rows name "
            "a customer with "
            f"no events (first: {escape(repr(example))}); they are left out[/yellow]",
            soft_wrap=True,
        )


def write_measured(measured: MeasuredMap, path: Path) -> Path:
    """Write ``measured.json`` (:meth:`MeasuredMap.to_json`) atomically.

    The one writer of it, for ``measure`` and ``demo``.
    """
    return write_text(path, measured.to_json())
