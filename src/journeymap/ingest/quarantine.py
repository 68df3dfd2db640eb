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
    quote_ident,
)
from journeymap.model.results import IngestReport

if TYPE_CHECKING:
    import ibis

# id(report) -> (report, engine, table): reports are kept alive so ids are never reused.
_TABLES: dict[int, tuple[IngestReport, Engine, str]] = {}


def renumber_after_rejects(engine: Engine, stage: str, source: Source) -> None:
    """Shift the row numbers of good CSV rows past the malformed lines before them.

    DuckDB numbers only the rows it could parse; a rejected line at data row r pushes
    every later row one further. With the rejected rows r_1 < r_2 < ... and
    s_j = r_j - j (good rows before r_j), good row g becomes g + #{j : s_j < g}.
    """
    if source.rejects is None or not _count(engine, source.rejects):
        return
    rejected = (
        f"(SELECT r - row_number() OVER (ORDER BY r) AS s FROM "
        f"(SELECT DISTINCT line - 1 AS r FROM {quote_ident(source.rejects)}))"
    )
    engine.sql_rows(
        f"UPDATE {quote_ident(stage)} SET {ROW_COLUMN} = {ROW_COLUMN} + "
        f"(SELECT count(*) FROM {rejected} AS j WHERE j.s < {quote_ident(stage)}.{ROW_COLUMN})"
    )


def build_quarantine(
    engine: Engine, stage: str, source: Source, verdict: Verdict
) -> str:
    """Create the quarantine table from the staging table and the CSV rejects."""
    line = (
        f"{ROW_COLUMN} + {source.line_offset}"
        if source.line_offset is not None
        else "NULL"
    )
    parts = [
        f"SELECT {ROW_COLUMN} AS row_number, CAST({line} AS BIGINT) AS line, "
        f'{verdict.column} AS "column", {verdict.reason} AS reason, '
        f"CAST({verdict.value} AS VARCHAR) AS value, customer_id "
        f"FROM {quote_ident(stage)} WHERE NOT ({verdict.good})"
    ]
    if source.rejects is not None:
        parts.append(
            "SELECT CAST(line - 1 AS BIGINT), CAST(line AS BIGINT), NULL, "
            "'malformed line: ' || lower(CAST(min(error_type) AS VARCHAR)), "
            f"min(csv_line), NULL FROM {quote_ident(source.rejects)} GROUP BY line"
        )
    query = " UNION ALL ".join(parts)
    return create_temp_table(engine, query, prefix="quarantine")


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
    except Exception as exc:  # noqa: BLE001 - e.g. a missing folder
        first = str(exc).strip().splitlines()[0]
        raise IngestError(
            f"cannot write quarantine: {first}", file=str(target)
        ) from exc
    return str(target)


def remember(report: IngestReport, engine: Engine, table: str) -> None:
    _TABLES[id(report)] = (report, engine, table)


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
    entry = _TABLES.get(id(log.report)) if log.report is not None else None
    if entry is None:
        raise IngestError("this event log was not made by read_events; no quarantine")
    _, engine, table = entry
    return engine.table(table)


def _count(engine: Engine, table: str) -> int:
    return int(engine.sql_rows(f"SELECT count(*) FROM {quote_ident(table)}")[0][0])


def count_rows(engine: Engine, table: str, where: str | None = None) -> int:
    sql = f"SELECT count(*) FROM {quote_ident(table)}"
    return int(engine.sql_rows(sql + (f" WHERE {where}" if where else ""))[0][0])
