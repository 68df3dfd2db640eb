"""Read events into the canonical schema through DuckDB; quarantine what cannot load.

Large files never pass through pandas: DuckDB reads them, casts them and writes the
canonical table itself. Every input row ends up loaded, quarantined (with its row number
and reason) or dropped as an exact duplicate, and the counts are reported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.engine import CANONICAL_COLUMNS, Engine, EventLog, connect
from journeymap.engine.eventlog import REQUIRED_COLUMNS
from journeymap.errors import IngestError
from journeymap.model.results import IngestReport

if TYPE_CHECKING:
    pass

# Common names seen in exports, per canonical role, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "user_id", "userid", "client_id", "account_id", "distinct_id",
                    "person_id", "visitor_id", "uid", "case_id", "case:concept:name", "customer", "user"),
    "timestamp": ("timestamp", "ts", "event_time", "time", "datetime", "date", "created_at",
                  "event_timestamp", "time:timestamp", "occurred_at"),
    "event": ("event", "event_name", "event_type", "action", "activity", "concept:name", "name"),
    "channel": ("channel", "source", "medium", "utm_medium", "platform"),
    "session_id": ("session_id", "session", "sessionid"),
    "value": ("value", "revenue", "amount", "price", "order_value"),
    "score": ("score", "rating", "survey_score"),
    "score_kind": ("score_kind", "survey", "survey_type", "metric"),
    "text": ("text", "feedback", "comment", "verbatim", "message"),
}

READERS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "json", ".ndjson": "json", ".json": "json", ".xlsx": "excel"}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def detect_columns(available: list[str], given: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Canonical role -> source column: explicit mapping first, then common names."""
    given = {k: v for k, v in (given or {}).items() if v}
    lower = {c.lower(): c for c in available}
    mapping: dict[str, str] = {}
    for role, column in given.items():
        if role not in CANONICAL_COLUMNS:
            raise IngestError(f"unknown column role {role!r}; known: {', '.join(CANONICAL_COLUMNS)}")
        if column not in available:
            raise IngestError(
                f"column {column!r} (for {role}) not found; available: {', '.join(available)}",
                field=role,
            )
        mapping[role] = column
    taken = set(mapping.values())
    for role in CANONICAL_COLUMNS:
        if role in mapping:
            continue
        for alias in ALIASES[role]:
            column = lower.get(alias)
            if column is not None and column not in taken:
                mapping[role] = column
                taken.add(column)
                break
    missing = [r for r in REQUIRED_COLUMNS if r not in mapping]
    if missing:
        flags = " ".join(f"--{r.replace('customer_id', 'id').replace('timestamp', 'time')} COL" for r in missing)
        raise IngestError(
            f"cannot find column(s) for {', '.join(missing)} among {', '.join(available)}; pass {flags}"
        )
    return mapping


def _source_sql(path: Path, *, delimiter: str | None = None) -> tuple[str, list[Any]]:
    suffix = path.suffix.lower()
    if path.is_dir():
        return "read_parquet(?, union_by_name = true)", [str(path / "**" / "*.parquet")]
    kind = READERS.get(suffix)
    if kind == "csv":
        if delimiter is None and suffix == ".tsv":
            delimiter = "\t"
        if delimiter:
            return "read_csv(?, delim = ?, header = true, all_varchar = true)", [str(path), delimiter]
        return "read_csv(?, header = true, all_varchar = true)", [str(path)]
    if kind == "parquet":
        return "read_parquet(?)", [str(path)]
    if kind == "json":
        return "read_json_auto(?, format = 'newline_delimited')", [str(path)]
    raise IngestError(
        f"unknown file type {suffix!r}; known: {', '.join(sorted(READERS))} or a folder of parquet",
        file=str(path),
    )


def _timestamp_sql(column: str, kind: str) -> str:
    """SQL turning the source column into a naive UTC timestamp, NULL when unparsable."""
    col = quote_ident(column)
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"({col} AT TIME ZONE 'UTC')"
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        # naive values are wall-clock in the session time zone (UTC unless --timezone)
        return f"(CAST({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
    if kind in {"BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT", "FLOAT", "DECIMAL", "SMALLINT"}:
        return _epoch_sql(f"CAST({col} AS DOUBLE)")
    text = f"trim(CAST({col} AS VARCHAR))"
    epoch = _epoch_sql(f"TRY_CAST({text} AS DOUBLE)")
    return (
        f"CASE WHEN regexp_full_match({text}, '-?[0-9]+(\\.[0-9]+)?') THEN {epoch} "
        f"ELSE (TRY_CAST({text} AS TIMESTAMPTZ) AT TIME ZONE 'UTC') END"
    )


def _epoch_sql(number: str) -> str:
    # > 1e11 cannot be seconds (year 5138): read as milliseconds
    return (
        f"CASE WHEN abs({number}) >= 1e11 THEN (make_timestamp(CAST(({number}) * 1000 AS BIGINT))) "
        f"ELSE make_timestamp(CAST(({number}) * 1000000 AS BIGINT)) END"
    )


def read_events(
    source: str | os.PathLike[str] | Any,
    *,
    columns: Mapping[str, str | None] | None = None,
    engine: Engine | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
    quarantine_path: str | os.PathLike[str] | None = None,
) -> EventLog:
    """Read events from a file or DataFrame into a canonical EventLog.

    Parameters
    ----------
    source
        CSV/TSV, Parquet (file or folder), JSONL path, or a pandas/Arrow object.
    columns
        Canonical role -> source column (``{"customer_id": "user_id"}``); missing roles are
        detected from common names.
    timezone
        Zone of naive timestamps (default UTC).
    """
    engine = engine or connect()
    con = engine.duckdb_connection
    label = str(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise IngestError("file not found", file=str(path))
        from_sql, params = _source_sql(path, delimiter=delimiter)
    else:
        staged = engine.register_arrow(_to_arrow(source), prefix="input")
        from_sql, params = quote_ident(staged.get_name()), []
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {from_sql}", params).fetchall()
    except Exception as exc:  # noqa: BLE001 - a bad file is a user error
        raise IngestError(f"cannot read: {str(exc).splitlines()[0]}", file=label) from exc
    types = {row[0]: str(row[1]) for row in described}
    mapping = detect_columns(list(types), columns)
    return _load(engine, from_sql, params, types, mapping, label=label, timezone=timezone,
                 quarantine_path=quarantine_path)


def _to_arrow(data: Any) -> Any:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    try:
        return pa.Table.from_pandas(data, preserve_index=False)
    except Exception as exc:  # noqa: BLE001
        raise IngestError(f"cannot read events from a {type(data).__name__}") from exc


def _load(engine: Engine, from_sql: str, params: list[Any], types: dict[str, str],
          mapping: dict[str, str], *, label: str, timezone: str | None,
          quarantine_path: str | os.PathLike[str] | None) -> EventLog:
    con = engine.duckdb_connection
    q = quote_ident
    cid, ts, ev = mapping["customer_id"], mapping["timestamp"], mapping["event"]
    select = [
        f"NULLIF(trim(CAST({q(cid)} AS VARCHAR)), '') AS customer_id",
        f"{_timestamp_sql(ts, types[ts])} AS timestamp",
        f"NULLIF(trim(CAST({q(ev)} AS VARCHAR)), '') AS event",
        f"CAST({q(ts)} AS VARCHAR) AS _raw_timestamp",
    ]
    casts = {"channel": "VARCHAR", "session_id": "VARCHAR", "value": "DOUBLE", "score": "DOUBLE",
             "score_kind": "VARCHAR", "text": "VARCHAR"}
    bad_checks = []
    for role, sql_type in casts.items():
        if role in mapping:
            src = q(mapping[role])
            select.append(f"TRY_CAST({src} AS {sql_type}) AS {role}")
            if sql_type == "DOUBLE":
                select.append(f"{src} AS _raw_{role}")
                bad_checks.append((role, f"_raw_{role} IS NOT NULL AND trim(CAST(_raw_{role} AS VARCHAR)) <> '' AND {role} IS NULL"))
    used = set(mapping.values())
    props = [c for c in types if c not in used and c not in CANONICAL_COLUMNS and not c.startswith("_")]
    select += [q(c) for c in props]
    previous_tz = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    if timezone:
        try:
            con.execute("SET TimeZone = ?", [timezone]) if False else con.execute(f"SET TimeZone = '{_safe_tz(timezone)}'")
        except Exception as exc:  # noqa: BLE001
            raise IngestError(f"unknown time zone {timezone!r}", field="timezone") from exc
    staging = f"_jm_stage_{id(select)}"
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {staging} AS SELECT row_number() OVER () AS row_number, "
            f"{', '.join(select)} FROM {from_sql}",
            params,
        )
    except Exception as exc:  # noqa: BLE001
        raise IngestError(f"cannot read: {str(exc).splitlines()[0]}", file=label) from exc
    finally:
        con.execute(f"SET TimeZone = '{_safe_tz(previous_tz)}'")
    reason_cases = [
        ("customer_id IS NULL", f"missing customer_id (column {cid})"),
        ("event IS NULL", f"missing event (column {ev})"),
        ("_raw_timestamp IS NULL OR trim(_raw_timestamp) = ''", f"missing timestamp (column {ts})"),
        ("timestamp IS NULL", f"unparsable timestamp (column {ts})"),
    ] + [(check, f"unparsable {role} (column {mapping[role]})") for role, check in bad_checks]
    reason_sql = "CASE " + " ".join(f"WHEN {cond} THEN '{why.replace(chr(39), chr(39) * 2)}'" for cond, why in reason_cases) + " END"
    quarantine = f"_jm_quarantine_{id(select)}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quarantine} AS SELECT row_number, {reason_sql} AS reason, "
                f"* EXCLUDE (row_number) FROM {staging} WHERE ({reason_sql}) IS NOT NULL")
    raw_cols = ", ".join(c for c in ["_raw_timestamp"] + [f"_raw_{r}" for r, _ in bad_checks])
    keep_cols = [c for c in ["customer_id", "timestamp", "event", *casts] if c in ("customer_id", "timestamp", "event") or c in mapping] + props
    content = ", ".join(q(c) for c in keep_cols)
    table_name = f"_jm_events_{id(select)}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table_name} AS "
        f"WITH good AS (SELECT * EXCLUDE ({raw_cols}) FROM {staging} WHERE ({reason_sql}) IS NULL), "
        f"dedup AS (SELECT {content}, min(row_number) AS row_number FROM good GROUP BY ALL) "
        f"SELECT *, row_number() OVER (ORDER BY {content} NULLS FIRST, row_number) AS event_seq FROM dedup"
    )
    read = con.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
    quarantined = con.execute(f"SELECT count(*) FROM {quarantine}").fetchone()[0]
    loaded = con.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0]
    reasons = dict(con.execute(f"SELECT reason, count(*) FROM {quarantine} GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    qfile = None
    if quarantine_path is not None and quarantined:
        qfile = str(quarantine_path)
        fmt = "FORMAT PARQUET" if qfile.endswith(".parquet") else "FORMAT CSV, HEADER"
        con.execute(f"COPY (SELECT * FROM {quarantine} ORDER BY row_number) TO '{qfile.replace(chr(39), chr(39) * 2)}' ({fmt})")
    con.execute(f"DROP TABLE {staging}")
    report = IngestReport(source=label, read=int(read), loaded=int(loaded), quarantined=int(quarantined),
                          duplicates=int(read - loaded - quarantined), columns=mapping, reasons=reasons,
                          quarantine_file=qfile)
    return EventLog(table=engine.table(table_name), engine=engine, report=report)


def _safe_tz(name: str) -> str:
    if not all(ch.isalnum() or ch in "/_+-:" for ch in name):
        raise IngestError(f"unknown time zone {name!r}", field="timezone")
    return name
