"""read_events: any source -> canonical EventLog, streamed through DuckDB.

Large files never pass through pandas: DuckDB reads them, casts them and writes the
canonical table itself. Every input row ends up loaded, quarantined (with its row number
and reason) or dropped as an exact duplicate, and the counts are reported:
``read = loaded + quarantined + duplicates``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from journeymap.engine import Engine, EventLog, connect
from journeymap.engine.eventlog import CANONICAL_COLUMNS
from journeymap.errors import IngestError
from journeymap.ingest import nested
from journeymap.ingest.canonical import (
    KIND_COLUMN,
    Verdict,
    stage_sql,
    verdict_sql,
)
from journeymap.ingest.columns import detect_columns
from journeymap.ingest.databases import parse_table_address, read_table
from journeymap.ingest.decimals import settle_decimal_commas
from journeymap.ingest.formats import format_note
from journeymap.ingest.frames import read_frame
from journeymap.ingest.ordering import (
    bad_rows,
    keep_bad_rows,
    needs_stage,
    number_events,
    payload_columns,
    repeated_rows,
    resort,
    sort_good_rows,
    stage_rows,
)
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
        try:
            opened, types, mapping = _resolve_columns(engine, opened, types, columns)
        except IngestError as exc:  # how the source was read may explain it (a sheet)
            if exc.field is not None or not opened.warnings:
                raise
            said = "; ".join(opened.warnings)
            raise IngestError(f"{exc.message} ({said})", file=exc.file) from None
        log = load(
            engine, opened, types, mapping, zone=zone,
            quarantine_path=quarantine_path, time_format=time_format,
        )  # fmt: skip
        if time_format is None:
            log = _time_format_hint(log, mapping["timestamp"])
        if (columns or {}).get("customer_id"):
            return log
        return _other_id_hint(engine, opened, types, mapping, log)
    finally:
        for statement in opened.cleanup:
            engine.sql_rows(statement)
        for name in opened.temp_files:
            Path(name).unlink(missing_ok=True)


def _resolve_columns(
    engine: Engine,
    source: Source,
    types: dict[str, str],
    columns: Mapping[str, str | None] | None,
) -> tuple[Source, dict[str, str], dict[str, str]]:
    """The column mapping, with the fields of struct columns as columns, and keys
    inside JSON columns (``properties.time``) exposed as columns when named or needed
    (see :mod:`~journeymap.ingest.nested`)."""
    source, types = nested.flatten_structs(engine, source, types)
    named = [c for c in (columns or {}).values() if c and c not in types]
    source, types = nested.expose(engine, source, types, named)
    try:
        return source, types, _map_columns(types, columns, label=source.label)
    except IngestError as exc:
        if exc.field is not None or not nested.objects(types):
            raise
        top = [c for c in types if c != ROW_COLUMN]
        leaves = nested.leaf_names(nested.nested_names(engine, source, types), top)
        try:
            mapping = {
                role: leaves.get(column, column)
                for role, column in detect_columns([*top, *leaves], columns).items()
            }
        except IngestError:
            hint = f"{nested.objects(types)[0]}.KEY"
            raise IngestError(
                f"{exc.message} (a key inside a JSON column is named {hint})",
                file=exc.file,
            ) from None
    found = [c for c in mapping.values() if c not in types]
    source, types = nested.expose(engine, source, types, found)
    return source, types, mapping


def _time_format_hint(log: EventLog, column: str) -> EventLog:
    """Say which --time-format reads the timestamps quarantined as unparsable."""
    report = log.report
    count = report.reasons.get("unparsable timestamp", 0) if report else 0
    if report is None or not count or log.quarantine is None:
        return log
    bad = log.quarantine
    sample = bad.filter(bad.reason == "unparsable timestamp").order_by("row_number")
    values = [
        str(v) for v in log.execute(sample.select("value").limit(50))["value"] if v
    ]
    note = format_note(column, values, count)
    if note is None:
        return log
    return dataclasses.replace(
        log, report=dataclasses.replace(report, warnings=(*report.warnings, note))
    )


def _other_id_hint(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    log: EventLog,
) -> EventLog:
    """Say which column holds the id when the detected one is often empty.

    A GA4 export has ``user_id`` (signed-in users only) beside ``user_pseudo_id``, a
    Segment one ``userId`` beside ``anonymousId``: the detected ``user_id`` leaves most
    rows quarantined. Only read when rows were quarantined for a missing id.
    """
    report = log.report
    missing = report.reasons.get("missing customer_id", 0) if report else 0
    if report is None or not missing:
        return log
    who = mapping["customer_id"]
    others = [
        name
        for name in types
        if name not in (ROW_COLUMN, *mapping.values()) and _looks_like_an_id(name)
    ]
    if not others:
        return log
    empty = f"NULLIF(trim(CAST({quote_ident(who)} AS VARCHAR)), '') IS NULL"
    counts = ", ".join(
        f"count(NULLIF(trim(CAST({quote_ident(name)} AS VARCHAR)), ''))"
        for name in others
    )
    found = engine.sql_rows(
        f"SELECT {counts} FROM {source.relation} WHERE {empty}", source.params
    )[0]
    full = [name for name, n in zip(others, found, strict=True) if int(n) == missing]
    if not full:
        return log
    note = (
        f"customer_id was detected as {who!r}, which is empty in {missing:,} rows; "
        f"{full[0]!r} has a value in each of them: pass --id {full[0]} "
        "(in the map: data.columns.customer_id)"
    )
    return dataclasses.replace(
        log, report=dataclasses.replace(report, warnings=(*report.warnings, note))
    )


# Words of a column naming a person (not a message, event or row id).
_PERSON = (
    "user", "anonymous", "pseudo", "device", "distinct", "visitor", "person",
    "customer", "client", "account", "contact", "member", "cookie",
)  # fmt: skip


def _looks_like_an_id(name: str) -> bool:
    lower = name.lower()
    return any(word in lower for word in _PERSON) and lower.endswith(("id", "key"))


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
    except Exception as exc:
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
    """Check, sort, deduplicate and number the events; report the accounting.

    One sort of the good rows, straight from a typed source or from the staging table
    of a text one (see :mod:`~journeymap.ingest.ordering`); the rest touches only the
    rows that need it.
    """
    properties = property_names(list(types), mapping)
    select = stage_sql(
        source, types, mapping, properties, zone, session_utc=session_is_utc(engine),
        time_format=time_format,
    )  # fmt: skip
    verdict = verdict_sql(mapping, kinds=KIND_COLUMN in select)
    names = _content_names(mapping, properties)
    staged = _staged(engine, source, select) if needs_stage(types, mapping) else None
    try:
        ordered = _sorted(engine, source, select, verdict, names, mapping, staged)
        owned = [ordered]
        if staged is not None:  # the sorted copy has the good rows: free the rest
            staged = keep_bad_rows(engine, staged, verdict, ordered)
    except BaseException:
        if staged is not None:
            engine.sql_rows(drop_sql(staged))
        raise
    try:
        notes, ordered = _check_sorted(engine, ordered, source, mapping, names)
        owned[0] = ordered
        read = count_rows(engine, ordered)
        stage = bad_rows(engine, source, select, verdict, read, stage=staged)
        try:
            if stage is not None:
                renumber_after_rejects(engine, stage, source)
            quarantined_table = build_quarantine(engine, stage, source, verdict)
        finally:
            if stage is not None:
                engine.sql_rows(drop_sql(stage))
        owned.append(quarantined_table)
        property_types = (
            infer_property_types(engine, ordered, properties) if source.text else {}
        )
        repeated = repeated_rows(engine, ordered, names)
        dropped = 0 if repeated is None else count_rows(engine, repeated)
        columns = _view_columns(mapping, properties, property_types)
        try:
            events, owned[0] = number_events(engine, ordered, columns, repeated)
        finally:
            if repeated is not None:
                engine.sql_rows(drop_sql(repeated))
    except BaseException:
        for name in [*owned, *([staged] if staged else [])]:  # the view comes last:
            engine.sql_rows(drop_sql(name))  # it is made only when all went well
        raise
    quarantined = count_rows(engine, quarantined_table)
    _check_lines(source, read + quarantined)
    report = IngestReport(
        source=source.label,
        read=read + quarantined,
        loaded=read - dropped,
        quarantined=quarantined,
        duplicates=dropped,
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
        owned=engine.own([events, *owned]),
    )


def _staged(engine: Engine, source: Source, select: str) -> str:
    try:
        return stage_rows(engine, source, select)
    except Exception as exc:
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=source.label
        ) from exc


def _sorted(
    engine: Engine,
    source: Source,
    select: str,
    verdict: Verdict,
    names: list[str],
    mapping: Mapping[str, str],
    staged: str | None,
) -> str:
    try:
        return sort_good_rows(
            engine, source, select, verdict, names,
            payload=payload_columns(select, mapping, source), stage=staged,
        )  # fmt: skip
    except Exception as exc:
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=source.label
        ) from exc


def _check_sorted(
    engine: Engine,
    ordered: str,
    source: Source,
    mapping: Mapping[str, str],
    names: list[str],
) -> tuple[list[str], str]:
    """Row numbers past CSV rejects, numeric time formats, decimal commas.

    Returns the notes for the report and the (maybe re-sorted) table.
    """
    renumber_after_rejects(engine, ordered, source)
    notes: list[str] = []
    columns = {
        str(row[0]) for row in engine.sql_rows(f"DESCRIBE {quote_ident(ordered)}")
    }
    if KIND_COLUMN in columns:
        notes += check_time_kinds(
            engine, ordered, label=source.label, column=mapping["timestamp"]
        )
    if source.delimiter == ";":
        settled, changed = settle_decimal_commas(engine, ordered, mapping)
        notes += settled
        if changed:  # values are sort keys: the order must follow them
            ordered = resort(engine, ordered, names)
    return notes, ordered


def _content_names(
    mapping: Mapping[str, str], properties: Mapping[str, str]
) -> list[str]:
    """The quoted columns of the content order: canonical roles, then properties."""
    roles = [role for role in CANONICAL_COLUMNS if role in mapping or role in _ALWAYS]
    return [quote_ident(role) for role in roles] + [
        quote_ident(target) for target in properties.values()
    ]


def _view_columns(
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    property_types: Mapping[str, str],
) -> list[str]:
    """SQL of the canonical columns; text properties get their inferred type."""
    roles = [role for role in CANONICAL_COLUMNS if role in mapping or role in _ALWAYS]
    columns = [quote_ident(role) for role in roles]
    for target in properties.values():
        column = quote_ident(target)
        sql_type = property_types.get(target)
        columns.append(
            f"CAST({column} AS {sql_type}) AS {column}" if sql_type else column
        )
    return columns


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


_ALWAYS = ("customer_id", "timestamp", "event")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
