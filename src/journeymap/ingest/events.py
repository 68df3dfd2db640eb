"""read_events: any source -> canonical EventLog, streamed through DuckDB.

Large files never pass through pandas: DuckDB reads them, casts them and writes the
canonical table itself. Every input row ends up loaded, quarantined (with its row number
and reason) or dropped as an exact duplicate, and the counts are reported:
``read = loaded + quarantined + duplicates``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from journeymap.engine import Engine, EventLog, connect, fresh_name
from journeymap.engine.eventlog import CANONICAL_COLUMNS
from journeymap.errors import IngestError
from journeymap.ingest.canonical import (
    KIND_COLUMN,
    Verdict,
    stage_sql,
    verdict_sql,
)
from journeymap.ingest.columns import detect_columns
from journeymap.ingest.databases import parse_table_address, read_table
from journeymap.ingest.decimals import settle_decimal_commas
from journeymap.ingest.duplicates import repeated_rows
from journeymap.ingest.frames import read_frame
from journeymap.ingest.properties import infer_property_types, property_names
from journeymap.ingest.quarantine import (
    build_quarantine,
    count_rows,
    reason_counts,
    renumber_after_rejects,
    write_quarantine,
)
from journeymap.ingest.readers import read_file
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
)
from journeymap.ingest.timestamps import (
    check_time_format,
    check_time_kinds,
    check_timezone,
    session_is_utc,
)
from journeymap.ingest.warehouse import read_elsewhere
from journeymap.model.results import IngestReport


def read_events(
    source: str | os.PathLike[str] | Any,
    *,
    columns: Mapping[str, str | None] | None = None,
    engine: Engine | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    quarantine_path: str | os.PathLike[str] | None = None,
    time_format: str | None = None,
) -> EventLog:
    """Read events from a file, a database table or a data frame into an EventLog.

    Parameters
    ----------
    source
        A CSV/TSV/TXT, Parquet (file or folder, hive partitions become columns),
        JSON-lines or .xlsx path; a table as ``duckdb:///path.duckdb?table=events``,
        ``path.duckdb::events``, ``sqlite:///path.db?table=events``, ``path.db::events``
        or ``postgresql://...?table=events``; or a pandas/polars/Arrow table.
    columns
        Canonical role -> source column, e.g. ``{"customer_id": "user_id"}``; roles not
        given are detected from common names (see :func:`detect_columns`).
    engine
        Where the canonical table lives (default: a new in-memory DuckDB). On Spark
        or PostgreSQL a table of the engine's own database is read in place, any
        other source is read on DuckDB and moved there.
    timezone
        IANA zone of naive timestamps, e.g. ``"Europe/Berlin"`` (default UTC).
    delimiter, encoding
        For text files; sniffed when not given (``,`` ``;`` tab ``|``; UTF-8 with or
        without BOM, UTF-16, cp1252, latin-1).
    quarantine_path
        Also write the quarantined rows to this ``.csv`` or ``.parquet`` file.
    time_format
        How to read the timestamp column when guessing is not enough: ``epoch_s``,
        ``epoch_ms``, ``epoch_us``, ``epoch_ns``, ``yyyymmdd``, ``yyyymmddhhmmss``,
        ``excel`` or a strptime format such as ``"%d/%m/%Y %H:%M"``.

    Returns
    -------
    EventLog
        Canonical events; ``log.report`` holds the counts, the column mapping and the
        quarantine reasons, and :func:`quarantine` returns the rejected rows.

    Raises
    ------
    IngestError
        A one-line message naming the file and field when the source cannot be read.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"user_id": ["a", "a", "b"],
    ...     "ts": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "oops"],
    ...     "event_name": ["visit", "purchase", "visit"]})
    >>> log = read_events(frame)
    >>> log.report.summary()
    'DataFrame: read 3 = loaded 2 + quarantined 1'
    >>> log.report.columns
    {'customer_id': 'user_id', 'timestamp': 'ts', 'event': 'event_name'}
    """
    engine = engine or connect()
    if not engine.reads_files:  # Spark, PostgreSQL: in place or moved (issue 11)
        return read_elsewhere(
            engine, source, columns=columns, timezone=timezone, delimiter=delimiter,
            encoding=encoding, quarantine_path=quarantine_path, time_format=time_format,
        )  # fmt: skip
    zone = check_timezone(engine, timezone)
    time_format = check_time_format(time_format)
    opened = open_source(engine, source, delimiter=delimiter, encoding=encoding)
    try:
        types = describe(engine, opened)
        mapping = _map_columns(types, columns, label=opened.label)
        return load(
            engine, opened, types, mapping, zone=zone,
            quarantine_path=quarantine_path, time_format=time_format,
        )  # fmt: skip
    finally:
        for statement in opened.cleanup:
            engine.sql_rows(statement)
        for name in opened.temp_files:
            Path(name).unlink(missing_ok=True)


def _map_columns(
    types: Mapping[str, str], columns: Mapping[str, str | None] | None, *, label: str
) -> dict[str, str]:
    try:
        return detect_columns([c for c in types if c != ROW_COLUMN], columns)
    except IngestError as exc:
        if exc.file is not None:
            raise
        raise IngestError(exc.message, file=label, field=exc.field) from None


def open_source(
    engine: Engine,
    source: Any,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Source:
    """The Source for a path, a table address or an in-memory table."""
    if isinstance(source, (str, os.PathLike)):
        address = parse_table_address(os.fspath(source))  # a Path may name a table
        if address is not None:
            return read_table(engine, address)
        return read_file(engine, Path(source), delimiter=delimiter, encoding=encoding)
    return read_frame(engine, source)


def describe(engine: Engine, source: Source) -> dict[str, str]:
    """Source column -> DuckDB type, without reading the data."""
    try:
        rows = engine.sql_rows(
            f"DESCRIBE SELECT * FROM {source.relation}", source.params
        )
    except Exception as exc:  # noqa: BLE001 - a bad file is a user error
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=source.label
        ) from exc
    return {str(row[0]): str(row[1]) for row in rows}


def load(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    *,
    zone: str,
    quarantine_path: str | os.PathLike[str] | None = None,
    time_format: str | None = None,
) -> EventLog:
    """Stage, quarantine, deduplicate and number the events; report the accounting."""
    properties = property_names(list(types), mapping)
    stage, kinds = _stage(engine, source, types, mapping, properties, zone, time_format)
    verdict = verdict_sql(mapping, kinds=kinds)
    notes: list[str] = []
    try:
        renumber_after_rejects(engine, stage, source)
        if kinds:
            notes += check_time_kinds(
                engine, stage, label=source.label, column=mapping["timestamp"]
            )
        if source.delimiter == ";":
            notes += settle_decimal_commas(engine, stage, mapping)
        quarantined_table = build_quarantine(engine, stage, source, verdict)
        property_types = (
            infer_property_types(engine, stage, properties, verdict)
            if source.text
            else {}
        )
        events, ordered, read = _events(
            engine, stage, mapping, properties, property_types, verdict
        )
    finally:
        engine.sql_rows(f"DROP TABLE IF EXISTS {quote_ident(stage)}")
    quarantined = count_rows(engine, quarantined_table)
    _check_lines(source, read + quarantined)
    loaded = count_rows(engine, events)
    report = IngestReport(
        source=source.label,
        read=read + quarantined,
        loaded=loaded,
        quarantined=quarantined,
        duplicates=read - loaded,
        columns=dict(mapping),
        reasons=reason_counts(engine, quarantined_table),
        quarantine_file=(
            write_quarantine(engine, quarantined_table, quarantine_path)
            if quarantine_path is not None and quarantined
            else None
        ),
        encoding=source.encoding,
        warnings=(
            *source.warnings,
            *(source.lines.warnings if source.lines else ()),
            *notes,
        ),
    )
    return EventLog(
        table=engine.table(events),
        engine=engine,
        report=report,
        quarantine=engine.table(quarantined_table),
        owned=engine.own([events, ordered, quarantined_table]),
    )


def _check_lines(source: Source, read: int) -> None:
    """Refuse a source whose rows do not add up to its independently counted records."""
    expected = source.expected_rows
    if expected is not None and read != expected:
        raise IngestError(
            f"row accounting failed: the source holds {expected:,} rows, but "
            f"{read:,} were read; nothing is loaded",
            file=source.label,
        )
    scan = source.lines
    if scan is None or read == scan.records:
        return
    raise IngestError(
        f"line accounting failed: {scan.lines:,} lines hold {scan.records:,} data "
        f"records, but {read:,} rows were read; the file's quoting or line ends are "
        "not understood, so nothing is loaded",
        file=source.label,
    )


def _stage(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    zone: str,
    time_format: str | None,
) -> tuple[str, bool]:
    """The staging table, and whether it says how numeric timestamps were read."""
    utc = session_is_utc(engine)
    select = stage_sql(
        source, types, mapping, properties, zone, session_utc=utc,
        time_format=time_format,
    )  # fmt: skip
    try:
        name = create_temp_table(engine, select, source.params, prefix="stage")
        return name, KIND_COLUMN in select
    except Exception as exc:  # noqa: BLE001 - a file that breaks mid-way is user error
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=source.label
        ) from exc


def _events(
    engine: Engine,
    stage: str,
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    property_types: Mapping[str, str],
    verdict: Verdict,
) -> tuple[str, str, int]:
    """Create the canonical table: duplicates dropped, ``event_seq`` by content rank.

    Returns the view's name, its table's and the number of good rows (before
    duplicates dropped).
    """
    roles = [role for role in CANONICAL_COLUMNS if role in mapping or role in _ALWAYS]
    content = [quote_ident(role) for role in roles]
    for target in properties.values():
        column = quote_ident(target)
        sql_type = property_types.get(target)
        content.append(
            f"CAST({column} AS {sql_type}) AS {column}" if sql_type else column
        )
    names = [quote_ident(role) for role in roles] + [
        quote_ident(t) for t in properties.values()
    ]
    order = f"{', '.join(f'{name} NULLS FIRST' for name in names)}, row_number"
    # The table is stored in content order, so rowid + 1 is the content rank (a view
    # adds event_seq without copying the table); exact duplicates are left out of the
    # one sort (see duplicates.py: a DISTINCT ON over every column cost twice the sort).
    repeated = repeated_rows(engine, stage, names, verdict.good)
    keep = verdict.good
    if repeated is not None:
        keep += f" AND {ROW_COLUMN} NOT IN (SELECT {ROW_COLUMN} FROM {quote_ident(repeated)})"
    try:
        ordered = create_temp_table(
            engine,
            f"SELECT {', '.join(content)}, {ROW_COLUMN} AS row_number "
            f"FROM {quote_ident(stage)} WHERE {keep} ORDER BY {order}",
            prefix="events_data",
        )
        dropped = 0 if repeated is None else count_rows(engine, repeated)
    finally:
        if repeated is not None:
            engine.sql_rows(drop_sql(repeated))
    view = fresh_name("events")
    engine.sql_rows(
        f"CREATE TEMP VIEW {quote_ident(view)} AS "
        f"SELECT *, rowid + 1 AS event_seq FROM {quote_ident(ordered)}"
    )
    return view, ordered, count_rows(engine, ordered) + dropped


_ALWAYS = ("customer_id", "timestamp", "event")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
