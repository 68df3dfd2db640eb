"""JSON lines, read line by line so that one bad line is quarantined, not the file.

DuckDB's ``read_json`` refuses a whole file for one malformed line, and types columns
from a sample of the first rows, so a valid type change later also fails (issue 10).
Here DuckDB splits the file into lines (one text column, no quoting), every line is
judged on its own and the column types are decided on every line:

- blank lines are skipped (they are not rows), as in CSV;
- a line that is not valid JSON, not a JSON object, or not valid UTF-8 is quarantined
  with its line number and the reason;
- keys become columns in name order (the same columns under any order of lines);
  a key whose values are all strings is text, all integers ``BIGINT``, all numbers
  ``DOUBLE``, all booleans ``BOOLEAN``; mixed or nested values stay ``JSON``.

The row number of a JSON line is its line number. The lines DuckDB split are checked
against an independent count of the file's newlines.
"""

from __future__ import annotations

from pathlib import Path

from journeymap.engine import Engine
from journeymap.errors import IngestError
from journeymap.ingest.lines import (
    SHOWN_TEXT,
    blanked_copy,
    find_lines,
    not_utf8_reason,
)
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
)

_SPLIT = (
    "SELECT row_number() OVER () AS line, j FROM read_csv(?, columns = "
    "{'j': 'VARCHAR'}, header = false, delim = chr(31), quote = '', escape = '', "
    "new_line = '\\r\\n', auto_detect = false, strict_mode = false, "
    "max_line_size = 100000000)"
)
# Why a line is not a row: NULL for an object (a row), 'blank' for a skipped line.
_VERDICT = (
    "CASE WHEN j IS NULL OR trim(j) = '' THEN 'blank' "
    "WHEN NOT json_valid(j) THEN 'not valid JSON' "
    "WHEN json_type(j) <> 'OBJECT' THEN 'not a JSON object: ' || lower(json_type(j)) "
    "END"
)


def read_jsonl(engine: Engine, path: Path) -> Source:
    """A Source for a JSON-lines file (see the module docstring)."""
    found = find_lines(path)
    unreadable = {line: not_utf8_reason(path, at) for line, at in found.invalid}
    readable = blanked_copy(path, set(unreadable)) if unreadable else None
    try:
        lines = create_temp_table(
            engine,
            f"SELECT line, CASE WHEN line IN ({_marks(unreadable)}) THEN NULL "
            f"ELSE ltrim(rtrim(j, chr(13)), chr(65279)) END AS j, "
            f"CASE WHEN line IN ({_marks(unreadable)}) THEN 'unreadable' END AS bad "
            f"FROM ({_SPLIT})",
            [*unreadable, *unreadable, str(readable or path)],
            prefix="jsonl",
        )
    except Exception as exc:
        _drop_copy(readable)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise IngestError(f"cannot read JSON lines: {first}", file=str(path)) from exc
    _drop_copy(readable)
    table = quote_ident(lines)
    try:
        _judge(engine, table, found.lines, path)
        columns = _column_types(engine, table)
    except BaseException:
        engine.sql_rows(drop_sql(lines))
        raise
    selects = [f"line AS {ROW_COLUMN}"] + [
        f"{_extract(key, sql_type)} AS {quote_ident(key)}"
        for key, sql_type in columns.items()
    ]
    return Source(
        label=str(path),
        relation=f"(SELECT {', '.join(selects)} FROM {table} WHERE bad IS NULL)",
        line_offset=0,
        cleanup=(drop_sql(lines),),
        extra_quarantine=_bad_lines_sql(table, unreadable),
        count_sql=f"SELECT count(*) FROM {table} WHERE bad IS NULL",
        expected_rows=int(
            engine.sql_rows(
                f"SELECT count(*) FROM {table} WHERE bad IS DISTINCT FROM 'blank'"
            )[0][0]
        ),
    )


def _marks(values: dict[int, str]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _drop_copy(copy: Path | None) -> None:
    if copy is not None:
        copy.unlink(missing_ok=True)


def _judge(engine: Engine, table: str, lines: int, path: Path) -> None:
    """Mark each line's verdict; refuse a file DuckDB split differently from us."""
    split = int(engine.sql_rows(f"SELECT count(*) FROM {table}")[0][0])
    if split != lines:
        raise IngestError(
            f"line accounting failed: the file has {lines:,} lines, but {split:,} "
            "were read (a lone carriage return?); nothing is loaded",
            file=str(path),
        )
    engine.sql_rows(f"UPDATE {table} SET bad = {_VERDICT} WHERE bad IS NULL")


def _column_types(engine: Engine, table: str) -> dict[str, str]:
    """Key -> SQL type, decided on every object line; keys in name order."""
    rows = engine.sql_rows(
        "SELECT e.key, list(DISTINCT e.type) FILTER (WHERE e.type <> 'NULL'), "
        "bool_and(e.type <> 'UBIGINT' OR TRY_CAST(e.atom ->> '$' AS BIGINT) "
        "IS NOT NULL) "
        f"FROM {table} AS t, json_each(t.j) AS e WHERE t.bad IS NULL "
        "GROUP BY e.key ORDER BY e.key"
    )
    return {
        str(key): _sql_type(set(kinds or ()), bool(fits)) for key, kinds, fits in rows
    }


def _sql_type(kinds: set[str], fits_bigint: bool) -> str:
    integers = {"BIGINT", "UBIGINT"}
    if not kinds or kinds == {"VARCHAR"}:
        return "VARCHAR"
    if kinds <= integers and fits_bigint:
        return "BIGINT"
    if kinds <= integers | {"DOUBLE"}:
        return "DOUBLE"
    if kinds == {"BOOLEAN"}:
        return "BOOLEAN"
    return "JSON"


def _extract(key: str, sql_type: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    path = "'$.\"" + escaped.replace("'", "''") + "\"'"
    if sql_type == "JSON":
        return (
            f"(CASE WHEN json_type(j, {path}) = 'NULL' THEN NULL "
            f"ELSE json_extract(j, {path}) END)"
        )
    text = f"json_extract_string(j, {path})"
    return text if sql_type == "VARCHAR" else f"CAST({text} AS {sql_type})"


def _bad_lines_sql(table: str, unreadable: dict[int, str]) -> str:
    """SELECT of the quarantine rows for lines that are not rows (6 columns)."""
    reasons = " ".join(
        f"WHEN {line} THEN '{reason.replace(chr(39), chr(39) * 2)}'"
        for line, reason in unreadable.items()
    )
    reason = f"(CASE line {reasons} END)" if reasons else "NULL"
    return (
        'SELECT line AS row_number, line, CAST(NULL AS VARCHAR) AS "column", '
        f"CASE WHEN bad = 'unreadable' THEN {reason} ELSE bad END AS reason, "
        f"left(j, {SHOWN_TEXT}) AS value, CAST(NULL AS VARCHAR) AS customer_id "
        f"FROM {table} WHERE bad IS NOT NULL AND bad <> 'blank'"
    )
