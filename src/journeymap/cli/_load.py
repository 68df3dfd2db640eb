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
from journeymap.model.journey import DataFile, DataSource
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
    given = _Given(columns or {}, timezone, time_format)
    where = open_engine(engine or (spec.engine if spec is not None else None), events)
    log = _read(map_path, spec, "events", events, given, where)
    read = {
        key: _read(map_path, spec, key, path, given, log.engine if log else None)
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


@dataclass(frozen=True)
class _Given:
    """Settings from the command line: they win over the map's, for every file."""

    columns: dict[str, str]
    timezone: str | None
    time_format: str | None


def _read(
    map_path: Path,
    spec: DataSource | None,
    key: str,
    path: str | Path | None,
    given: _Given,
    engine: jm.Engine | None,
) -> EventLog | None:
    """Read one of the map's sources with its settings: the section's ``columns``,
    ``timezone`` and ``time_format``, under the file's own (``data.<key>`` written as
    a mapping), under the command line's. A column the map names that the file lacks
    is a map error at that field's line."""
    # an explicit file the map does not name is read with the section's settings
    own = None if spec is None else spec.file(key) or spec.file_settings()
    mapping = {**(own.columns if own else {}), **given.columns}
    zone = given.timezone or (own.timezone if own else None)
    form = given.time_format or (own.time_format if own else None)
    try:
        return read_source(path, mapping, zone, form, engine=engine)
    except IngestError as exc:
        field = _column_field(spec, key, exc.field, given)
        if field is None or not exc.message.startswith(_MAPPING_PROBLEMS):
            raise
        from journeymap.model.spec import field_line

        # the section's mapping fits another file: say how to map this one apart
        apart = (
            f"; map this file's own columns with data.{key}: "
            f"{{path: ..., columns: {{{exc.field}: COLUMN}}}}"
            if field.startswith("data.columns.") and exc.message.startswith("column ")
            else ""
        )
        raise MapError(
            _with_hint(exc.message, path) + apart,
            file=str(map_path),
            line=field_line(map_path, field),
            field=field,
        ) from exc


# ingest's messages about a column mapping (ingest/columns.py)
_MAPPING_PROBLEMS = ("column ", "unknown column role ")


def _column_field(
    spec: DataSource | None, key: str, role: str | None, given: _Given
) -> str | None:
    """Where the map maps ``role`` for ``data.<key>``: ``data.<key>.columns.<role>``,
    else ``data.columns.<role>``; None when the command line (or nothing) mapped it."""
    if spec is None or role is None or role in given.columns:
        return None
    own = getattr(spec, key)
    if isinstance(own, DataFile) and role in own.columns:
        return f"data.{key}.columns.{role}"
    return f"data.columns.{role}" if role in spec.columns else None


def _with_hint(message: str, path: str | Path | None) -> str:
    """Ingest's message naming the file, with the closest of the names it lists as
    a did-you-mean: ``column 'respondant' not found in nps.csv; did you mean
    `respondent`? (available: respondent, submitted_at)``."""
    head, sep, listed = message.partition("; available: ")
    if not sep:
        head, sep, listed = message.partition("; known: ")
    where = f" in {path}" if path is not None else ""
    if not sep or "'" not in head:
        return f"{message}{where}"
    wrong = head.split("'")[1]
    close = difflib.get_close_matches(wrong, listed.split(", "), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"{head}{where}{hint} ({sep.strip('; ')} {listed})"


def _source(
    given: str | Path | None, map_path: Path, journey: jm.JourneyMap, key: str
) -> str | Path | None:
    """An explicit path or URL, else the map's ``data.<key>`` beside the map file."""
    if given is not None:
        return given if isinstance(given, Path) or "://" in given else Path(given)
    spec = journey.data
    named = None if spec is None else spec.path_of(key)
    if named and "://" in named:  # a table URL, not a path beside the map
        return str(named)
    if not named:
        return None
    assert spec is not None
    field = f"data.{key}.path" if isinstance(getattr(spec, key), DataFile) else None
    return beside_map(map_path, named, field or f"data.{key}")


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
