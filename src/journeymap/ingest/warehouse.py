"""Events for an engine that does not read files: in place, or moved there.

DuckDB reads files and streams foreign tables itself (:mod:`~journeymap.ingest.events`).
On Spark and PostgreSQL (issue 11) a source goes one of two ways:

* a table in the very PostgreSQL database the engine is connected to is read **in
  place**: the canonical columns, the quarantine rules, the duplicate check and
  ``event_seq`` are Ibis expressions the server runs into temporary tables; only counts
  come back, never event rows;
* anything else (files, folders, frames, other databases) is read on a private DuckDB
  by the one reader every engine shares and moved over as Arrow
  (:meth:`EventLog.to_engine`), so each engine measures the same canonical rows.

A table read in place needs typed columns (a timestamp or date column for the time,
numbers for ``value``/``score``): text that would have to be parsed is refused with a
one-line hint, since the server cannot quarantine what it fails to cast.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from journeymap.engine import Engine, EventLog, connect
from journeymap.errors import IngestError
from journeymap.ingest.canonical import NUMBER_ROLES, SCORE_RANGES, TEXT_ROLES
from journeymap.ingest.columns import detect_columns
from journeymap.ingest.databases import TableAddress, parse_table_address
from journeymap.ingest.properties import property_names
from journeymap.ingest.timestamps import YEARS
from journeymap.model.results import IngestReport

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["read_elsewhere", "read_in_place"]

ROW = "_jm_row"
REASON = "_jm_reason"


def read_elsewhere(engine: Engine, source: Any, **options: Any) -> EventLog:
    """Events on ``engine`` (Spark, PostgreSQL): in place when the table lives there.

    ``options`` are :func:`~journeymap.ingest.read_events`' keywords.
    """
    from journeymap.ingest.events import read_events

    address = _address(source)
    if address is not None and _same_database(engine, address):
        unsupported = [
            k for k in ("delimiter", "encoding", "time_format") if options.get(k)
        ]
        if unsupported:
            raise IngestError(
                f"{', '.join(unsupported)} apply to files, not to a table read in place",
                file=address.label,
            )
        return read_in_place(
            engine,
            address,
            columns=options.get("columns"),
            timezone=options.get("timezone"),
            quarantine_path=options.get("quarantine_path"),
        )
    local = connect()
    try:
        return read_events(source, engine=local, **options).to_engine(engine)
    finally:
        local.close()


def _address(source: Any) -> TableAddress | None:
    if not isinstance(source, str | os.PathLike):
        return None
    return parse_table_address(os.fspath(source))


def _same_database(engine: Engine, address: TableAddress) -> bool:
    """Whether ``address`` is a table of the PostgreSQL database ``engine`` is on."""
    if engine.kind != "postgres" or address.kind != "postgresql" or not engine.url:
        return False
    ours, theirs = urlsplit(engine.url), urlsplit(address.location)
    return (ours.hostname, ours.port or 5432, ours.path) == (
        theirs.hostname,
        theirs.port or 5432,
        theirs.path,
    )


def read_in_place(
    engine: Engine,
    address: TableAddress,
    *,
    columns: Mapping[str, str | None] | None = None,
    timezone: str | None = None,
    quarantine_path: str | os.PathLike[str] | None = None,
) -> EventLog:
    """Canonical events from a table of the engine's own database, built by the server.

    Parameters
    ----------
    engine
        A PostgreSQL engine connected to the table's database.
    address
        The table (``schema.table`` or ``table``).
    columns
        Canonical role -> source column; roles not given are detected by name.
    timezone
        The zone of a ``timestamp`` (without time zone) or ``date`` column's wall-clock
        times, converted to UTC by the server; a ``timestamptz`` column already says
        its instant and is read as it is. Default UTC.
    quarantine_path
        Also write the quarantined rows to this ``.csv`` or ``.parquet`` file.

    Returns
    -------
    EventLog
        Columns as :func:`~journeymap.ingest.read_events` gives them; the events
        and the quarantine are temporary tables on the server, owned by the log.
    """
    zone = _server_zone(engine, timezone, label=address.label)
    raw = _open_table(engine, address)
    mapping = _map_columns(raw, columns, label=address.label)
    properties = property_names(list(raw.columns), mapping)
    staged = _staged(raw, mapping, properties, zone=zone, label=address.label)
    stage = engine.materialize(staged, prefix="stage")
    try:
        events = engine.materialize(
            _events(stage, mapping, properties), prefix="events"
        )
        quarantine = engine.materialize(
            _quarantine(stage, mapping), prefix="quarantine"
        )
        read = int(engine.scalar(stage.count()))
    finally:
        engine.drop(stage.get_name())
    report = _report(engine, address, mapping, events, quarantine, read)
    if quarantine_path is not None and report.quarantined:
        written = _write(engine, quarantine, quarantine_path, label=address.label)
        report = replace(report, quarantine_file=written)
    return EventLog(
        table=events,
        engine=engine,
        report=report,
        quarantine=quarantine,
        owned=engine.own([events.get_name(), quarantine.get_name()]),
    )


def _open_table(engine: Engine, address: TableAddress) -> ir.Table:
    schema, _, name = address.table.rpartition(".")
    try:
        return engine.backend.table(name, database=schema or None)
    except Exception as exc:
        raise IngestError(f"no table {address.table!r}", file=address.label) from exc


def _map_columns(
    raw: ir.Table, columns: Mapping[str, str | None] | None, *, label: str
) -> dict[str, str]:
    try:
        return detect_columns(list(raw.columns), columns)
    except IngestError as exc:
        raise IngestError(exc.message, file=label, field=exc.field) from None


def _text(column: ir.Value) -> ir.StringValue:
    text = column.cast("string").strip()
    return text.nullif("")


def _customer_id(column: ir.Value) -> ir.StringValue:
    """Text; an integral float loses ``.0`` so ``1.0`` is customer ``1`` (as ingest)."""
    dtype = column.type()
    if dtype.is_floating() or dtype.is_decimal():
        whole = (column == column.floor()) & (column.abs() < 1e18)
        return whole.ifelse(column.cast("int64").cast("string"), column.cast("string"))
    return _text(column)


def _server_zone(engine: Engine, timezone: str | None, *, label: str) -> str:
    """The server's spelling of ``timezone`` (an IANA name), or a one-line error."""
    if timezone is None or timezone.upper() in ("UTC", "ETC/UTC"):
        return "UTC"
    names = engine.backend.sql("SELECT name FROM pg_timezone_names").execute()["name"]
    known = {str(n).lower(): str(n) for n in names}
    if timezone.lower() not in known:
        raise IngestError(
            f"unknown time zone {timezone!r}; use an IANA name such as 'Europe/Berlin'",
            file=label,
            field="timezone",
        )
    return known[timezone.lower()]


def _in_zone(zone: str, column: ir.TimestampValue) -> ir.TimestampValue:
    """Wall-clock ``column`` read in ``zone``, as a UTC instant (PostgreSQL's
    ``timezone(zone, ts)``, i.e. ``ts AT TIME ZONE zone``)."""
    import ibis
    import ibis.expr.datatypes as dt

    def timezone(zone, ts):  # type: ignore[no-untyped-def]  # typed by the signature
        """PostgreSQL's ``timezone(text, timestamp)``."""

    signature = ((dt.string, dt.timestamp), dt.Timestamp(timezone="UTC"))
    builtin = ibis.udf.scalar.builtin(timezone, name="timezone", signature=signature)
    return builtin(zone, column)


def _timestamp(
    column: ir.Value, *, name: str, zone: str = "UTC", label: str
) -> ir.TimestampValue:
    dtype = column.type()
    if dtype.is_timestamp() or dtype.is_date():
        # the session zone is UTC, so timestamptz becomes its UTC wall-clock time
        aware = dtype.is_timestamp() and dtype.timezone is not None
        if zone == "UTC" or aware:
            return column.cast("timestamp")
        return _in_zone(zone, column.cast("timestamp")).cast("timestamp")
    raise IngestError(
        f"timestamp column {name!r} is {dtype} in the database; a table read in "
        "place needs a timestamp or date column (cast it in a view), or read it with "
        "--engine duckdb, which parses text",
        file=label,
        field="timestamp",
    )


def _number(column: ir.Value, *, role: str, name: str, label: str) -> ir.FloatingValue:
    if column.type().is_numeric():
        return column.cast("float64")
    raise IngestError(
        f"{role} column {name!r} is {column.type()} in the database; a table read in "
        "place needs a number column (cast it in a view)",
        file=label,
        field=role,
    )


def _staged(
    raw: ir.Table,
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    *,
    zone: str = "UTC",
    label: str,
) -> ir.Table:
    """Every row: its number, the canonical columns, properties and the reason it fails."""
    import ibis

    order = [ibis.asc(raw[c], nulls_first=True) for c in raw.columns]
    numbered = raw.mutate(**{ROW: ibis.row_number().over(order_by=order) + 1})
    ts = mapping["timestamp"]
    values: dict[str, ir.Value] = {
        ROW: numbered[ROW],
        "customer_id": _customer_id(numbered[mapping["customer_id"]]),
        "timestamp": _timestamp(numbered[ts], name=ts, zone=zone, label=label),
        "event": _text(numbered[mapping["event"]]),
    }
    for role in TEXT_ROLES:
        if role in mapping:
            text = _text(numbered[mapping[role]])
            values[role] = text.lower() if role == "score_kind" else text
    for role in NUMBER_ROLES:
        if role in mapping:
            column = mapping[role]
            values[role] = _number(
                numbered[column], role=role, name=column, label=label
            )
    for source, target in properties.items():
        values[target] = numbered[source]
    staged = numbered.select(**values)
    return staged.mutate(**{REASON: _reason(staged, mapping)})


def _checks(staged: ir.Table, mapping: Mapping[str, str]) -> list[tuple[Any, str, str]]:
    """(condition, reason, source column) in ingest's order; the first failure wins."""
    import ibis

    low, high = YEARS
    ts = staged.timestamp
    checks: list[tuple[Any, str, str]] = [
        (staged.customer_id.isnull(), "missing customer_id", mapping["customer_id"]),
        (ts.isnull(), "missing timestamp", mapping["timestamp"]),
        (
            (ts < ibis.timestamp(f"{low}-01-01 00:00:00"))
            | (ts >= ibis.timestamp(f"{high + 1}-01-01 00:00:00")),
            f"timestamp outside the years {low}-{high}",
            mapping["timestamp"],
        ),
        (staged.event.isnull(), "missing event", mapping["event"]),
    ]
    for role in NUMBER_ROLES:
        if role in mapping:
            number = staged[role]
            bad = number.isinf() | number.isnan()
            checks.append((bad, f"unparsable {role}", mapping[role]))
    if "score" in mapping and "score_kind" in mapping:
        outside = [
            (staged.score_kind == kind) & ~staged.score.between(lo, hi)
            for kind, (lo, hi) in SCORE_RANGES.items()
        ]
        checks.append(
            (
                ibis.or_(*outside),
                "score out of range for its score_kind",
                mapping["score"],
            )
        )
    return checks


def _reason(staged: ir.Table, mapping: Mapping[str, str]) -> ir.StringValue:
    import ibis

    cases = [
        (condition.fill_null(False), reason)
        for condition, reason, _ in _checks(staged, mapping)
    ]
    return ibis.cases(*cases, else_=ibis.null("string"))


def _content(stage: ir.Table, properties: Mapping[str, str]) -> list[str]:
    from journeymap.engine.eventlog import CANONICAL_COLUMNS

    roles = [c for c in CANONICAL_COLUMNS if c in stage.columns]
    return [*roles, *properties.values()]


def _events(
    stage: ir.Table, mapping: Mapping[str, str], properties: Mapping[str, str]
) -> ir.Table:
    """Good rows, exact duplicates dropped, ``event_seq`` the rank in content order."""
    import ibis

    content = _content(stage, properties)
    good = stage.filter(stage[REASON].isnull())
    distinct = good.group_by(content).aggregate(row_number=good[ROW].min())
    order = [ibis.asc(distinct[c], nulls_first=True) for c in content]
    window = ibis.window(order_by=[*order, distinct.row_number])
    return distinct.mutate(event_seq=ibis.row_number().over(window) + 1).select(
        *content, "row_number", "event_seq"
    )


def _quarantine(stage: ir.Table, mapping: Mapping[str, str]) -> ir.Table:
    """Rows that fail a check, in the quarantine's columns (``line`` is null)."""
    import ibis

    bad = stage.filter(stage[REASON].notnull())
    sources = {reason: column for _, reason, column in _checks(stage, mapping)}
    column = ibis.cases(
        *((bad[REASON] == reason, name) for reason, name in sources.items()),
        else_=ibis.null("string"),
    )
    return bad.select(
        row_number=bad[ROW].cast("int64"),
        line=ibis.null("int64"),
        column=column,
        reason=bad[REASON],
        value=ibis.null("string"),
        customer_id=bad.customer_id,
    )


def _report(
    engine: Engine,
    address: TableAddress,
    mapping: Mapping[str, str],
    events: ir.Table,
    quarantine: ir.Table,
    read: int,
) -> IngestReport:
    loaded = int(engine.scalar(events.count()))
    counts = engine.to_pandas(
        quarantine.group_by("reason").aggregate(n=quarantine.count())
    )
    reasons = {
        str(r): int(n)
        for r, n in sorted(
            zip(counts.reason, counts.n, strict=True), key=lambda x: (-x[1], x[0])
        )
    }
    quarantined = sum(reasons.values())
    return IngestReport(
        source=address.label,
        read=read,
        loaded=loaded,
        quarantined=quarantined,
        duplicates=read - quarantined - loaded,
        columns=dict(mapping),
        reasons=reasons,
    )


def _write(
    engine: Engine, quarantine: ir.Table, path: str | os.PathLike[str], *, label: str
) -> str:
    """The quarantined rows (few, by nature) as CSV or Parquet, ordered by row."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise IngestError(
            "quarantine file must end in .csv or .parquet",
            file=str(target),
            field="quarantine_path",
        )
    rows = engine.to_arrow(quarantine.order_by(["row_number", "reason"]))
    try:
        if suffix == ".csv":
            pacsv.write_csv(rows, target)
        else:
            pq.write_table(rows, target)
    except OSError as exc:
        raise IngestError(f"cannot write quarantine: {exc}", file=str(target)) from exc
    return str(target)
