"""The quarantine: every input row that could not be loaded, with its row and reason.

Rows fail a :class:`~journeymap.ingest.canonical.Check` (missing id, unparsable time,
...) or, for CSV, cannot even be split into fields (DuckDB's rejects table). Both end up
in one table with the columns ``row_number`` (1-based data row), ``line`` (file line,
CSV/JSONL/Excel), ``column`` (source column at fault), ``reason``, ``value`` (the raw
offending text) and ``customer_id`` (raw, when known).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.engine import Engine, EventLog
from journeymap.errors import IngestError
from journeymap.ingest.canonical import Verdict
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
)

if TYPE_CHECKING:
    import ibis


def renumber_after_rejects(engine: Engine, stage: str, source: Source) -> None:
    """Shift the row numbers of good CSV rows past the malformed lines before them.

    DuckDB numbers only the rows it could parse; a rejected line at data row r pushes
    every later row one further. With the rejected rows r_1 < r_2 < ... and
    s_j = r_j - j (good rows before r_j), good row g becomes g + #{j : s_j < g}.
    Then lines quarantined before DuckDB read the file (see
    :mod:`~journeymap.ingest.lines`) push later rows further, by a step table.
    """
    table = quote_ident(stage)
    if source.rejects is not None and _count(engine, source.rejects):
        rejected = (
            f"(SELECT r - row_number() OVER (ORDER BY r) AS s FROM "
            f"(SELECT DISTINCT line - 1 AS r FROM {quote_ident(source.rejects)}))"
        )
        engine.sql_rows(
            f"UPDATE {table} SET {ROW_COLUMN} = {ROW_COLUMN} + "
            f"(SELECT count(*) FROM {rejected} AS j WHERE j.s < {table}.{ROW_COLUMN})"
        )
    steps = source.lines.unit_steps if source.lines is not None else ()
    if any(shift for _, shift in steps):
        shifts = steps_table(engine, steps)
        engine.sql_rows(
            f"UPDATE {table} SET {ROW_COLUMN} = {table}.{ROW_COLUMN} + m.shift FROM "
            f"(SELECT s.{ROW_COLUMN} AS unit, t.shift FROM {table} AS s ASOF JOIN "
            f"{quote_ident(shifts)} AS t ON s.{ROW_COLUMN} >= t.start) AS m "
            f"WHERE {table}.{ROW_COLUMN} = m.unit"
        )
        engine.sql_rows(drop_sql(shifts))


def steps_table(engine: Engine, steps: tuple[tuple[int, int], ...]) -> str:
    """A temp table ``(start, shift)`` of a step function (from a line scan)."""
    values = ", ".join("(?, ?)" for _ in steps)
    params = [number for step in steps for number in step]
    return create_temp_table(
        engine,
        f"SELECT * FROM (VALUES {values}) AS t(start, shift)",
        params,
        prefix="steps",
    )


def build_quarantine(
    engine: Engine, stage: str | None, source: Source, verdict: Verdict
) -> str:
    """Create the quarantine table from the staging table of bad rows (None: there
    are none), the CSV rejects and the reader's own findings."""
    scan = source.lines
    line = (
        f"{ROW_COLUMN} + {source.line_offset}"
        if source.line_offset is not None
        else "NULL"
    )
    parts = [
        "SELECT CAST(NULL AS BIGINT) AS row_number, CAST(NULL AS BIGINT) AS line, "
        'CAST(NULL AS VARCHAR) AS "column", CAST(NULL AS VARCHAR) AS reason, '
        "CAST(NULL AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS customer_id "
        "WHERE false"
    ]
    if stage is not None:
        parts.append(
            f"SELECT {ROW_COLUMN}, {line}, {verdict.column}, {verdict.reason}, "
            f"{verdict.value}, customer_id "
            f"FROM {quote_ident(stage)} WHERE NOT ({verdict.good})"
        )
    scratch: list[str] = []
    if source.rejects is not None:
        unit = "CAST(line - 1 AS BIGINT)"
        rejects = quote_ident(source.rejects)
        if scan is not None and any(shift for _, shift in scan.unit_steps):
            scratch.append(steps_table(engine, scan.unit_steps))
            rejects = (
                f"(SELECT r.* REPLACE (r.line + t.shift AS line) FROM {rejects} AS r "
                f"ASOF JOIN {quote_ident(scratch[-1])} AS t ON r.line - 1 >= t.start)"
            )
        parts.append(
            f"SELECT {unit}, CAST(NULL AS BIGINT), NULL, "
            "'malformed line: ' || lower(CAST(min(error_type) AS VARCHAR)), "
            f"min(csv_line), NULL FROM {rejects} GROUP BY line"
        )
    query = " UNION ALL ".join(parts)
    if scan is not None:
        scratch.append(steps_table(engine, scan.line_steps))
        query = (
            f"SELECT q.* REPLACE (q.row_number + t.shift AS line) FROM ({query}) AS q "
            f"ASOF JOIN {quote_ident(scratch[-1])} AS t ON q.row_number >= t.start"
        )
        if scan.bad:
            values = ", ".join("(?, ?, NULL, ?, ?, NULL)" for _ in scan.bad)
            query += f" UNION ALL SELECT * FROM (VALUES {values})"
    if source.extra_quarantine is not None:
        query += f" UNION ALL {source.extra_quarantine}"
    params = [
        item
        for bad in (scan.bad if scan is not None else ())
        for item in (bad.row, bad.line, bad.reason, bad.text)
    ]
    name = create_temp_table(engine, query, params, prefix="quarantine")
    for table in scratch:
        engine.sql_rows(drop_sql(table))
    return name


def reason_counts(engine: Engine, table: str) -> dict[str, int]:
    rows = engine.sql_rows(
        f"SELECT reason, count(*) FROM {quote_ident(table)} GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    return {str(reason): int(n) for reason, n in rows}


def write_quarantine(engine: Engine, table: str, path: str | os.PathLike[str]) -> str:
    """Write the quarantine, ordered by row, as CSV or Parquet (by suffix)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise IngestError(
            "quarantine file must end in .csv or .parquet", file=str(target),
            field="quarantine_path",
        )  # fmt: skip
    options = "FORMAT PARQUET" if suffix == ".parquet" else "FORMAT CSV, HEADER"
    try:
        engine.sql_rows(
            f"COPY (SELECT * FROM {quote_ident(table)} ORDER BY row_number, reason) "
            f"TO ? ({options})",
            [str(target)],
        )
    except Exception as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(
            f"cannot write quarantine: {first}", file=str(target)
        ) from exc
    return str(target)


def quarantine(log: EventLog) -> ibis.Table:
    """The rows of ``log``'s input that were not loaded, with row numbers and reasons.

    Parameters
    ----------
    log
        An EventLog returned by :func:`read_events` (or derived from one).

    Returns
    -------
    ibis.Table
        Columns ``row_number``, ``line``, ``column``, ``reason``, ``value``,
        ``customer_id``; ordered by ``row_number`` when executed with ``order_by``.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({"customer_id": ["a", None],
    ...     "timestamp": ["2024-01-01", "2024-01-02"], "event": ["x", "y"]}))
    >>> quarantine(log).to_pandas()[["row_number", "reason"]].to_dict("records")
    [{'row_number': 2, 'reason': 'missing customer_id'}]
    """
    if log.quarantine is None:
        raise IngestError("this event log was not made by read_events; no quarantine")
    return log.quarantine


def _count(engine: Engine, table: str) -> int:
    return int(engine.sql_rows(f"SELECT count(*) FROM {quote_ident(table)}")[0][0])


def count_rows(engine: Engine, table: str, where: str | None = None) -> int:
    sql = f"SELECT count(*) FROM {quote_ident(table)}"
    return int(engine.sql_rows(sql + (f" WHERE {where}" if where else ""))[0][0])
