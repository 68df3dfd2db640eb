"""The event table in content order, built by one sort straight from the source.

Measured at 1e7 Parquet rows (issue 10), the sort is the price of ingest; everything
else has to ride along with it or touch only a few rows:

- typed sources (Parquet, typed tables) are cast, checked and sorted in one query (no
  staging table: staging, then sorting, read and wrote every row twice); the rows
  that fail a check are found by a second query only when the good rows do not add
  up to the rows the source holds (a count from metadata or a cheap count), so a
  clean file is scanned once;
- sources whose times are text (CSV, JSON) are staged first: parsing a time is the
  cost there, and a filter over the source would parse it once per check;
- exact duplicates sit next to each other in content order, so one streaming pass
  (``lag`` over the stored order) finds them, where grouping fingerprints of every row
  took 1.1 s; they are left out by a view, not by a copy.

``event_seq`` is the rank in content order: ``rowid + 1`` of the sorted table, less
the duplicates left out before the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeymap.engine import Engine, fresh_name
from journeymap.ingest.canonical import KIND_COLUMN, NUMBER_ROLES, Verdict
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
)


def sort_good_rows(
    engine: Engine,
    source: Source,
    select: str,
    verdict: Verdict,
    names: Sequence[str],
    *,
    payload: Sequence[str] = (),
    stage: str | None = None,
) -> str:
    """The good rows, sorted by content, in a new table.

    They come from ``stage`` (a staging table) when given, else straight from
    ``select`` (the staging SELECT). ``names`` are the quoted content columns;
    ``payload`` extra staging columns kept for later checks (how numeric times were
    read, raw numbers of a ``;`` file).
    """
    columns = [*names, ROW_COLUMN, *payload]
    rows = f"({select}) AS s" if stage is None else quote_ident(stage)
    return create_temp_table(
        engine,
        f"SELECT {', '.join(columns)} FROM {rows} WHERE {verdict.good} "
        f"ORDER BY {content_order(names)}",
        source.params if stage is None else (),
        prefix="events_data",
    )


def needs_stage(types: Mapping[str, str], mapping: Mapping[str, str]) -> bool:
    """Whether to stage the source before the sort: when times are parsed from text.

    The checks name the timestamp several times; in a filter over the source DuckDB
    parses it once per mention (at 1e6 CSV rows the fused query took 7.2 s against
    3.6 s for staging, then sorting). Typed times cost nothing to mention again, and
    there one query is fastest (1e7 Parquet rows: 24 s against 29 s, under load).
    """
    ts_type = types[mapping["timestamp"]].upper()
    return not ts_type.startswith(("TIMESTAMP", "DATE"))


def stage_rows(engine: Engine, source: Source, select: str) -> str:
    """Every row of the source, cast and ready for the checks, in a table."""
    return create_temp_table(engine, select, source.params, prefix="stage")


def keep_bad_rows(engine: Engine, stage: str, verdict: Verdict, good: str) -> str:
    """A table of the staging rows that fail a check; the staging table is dropped.

    Once the good rows are sorted into their own table (``good``), the staging table
    would only hold memory (a second copy of every row) until the quarantine is
    built. When the two hold as many rows (table sizes, not scans) none is bad, and
    the table is empty without a pass over the stage (0.6 s at 1e7 rows).
    """
    sizes = engine.sql_rows(
        f"SELECT (SELECT count(*) FROM {quote_ident(stage)}), "
        f"(SELECT count(*) FROM {quote_ident(good)})"
    )[0]
    where = "false" if sizes[0] == sizes[1] else f"NOT ({verdict.good})"
    bad = create_temp_table(
        engine, f"SELECT * FROM {quote_ident(stage)} WHERE {where}", prefix="stage"
    )
    engine.sql_rows(drop_sql(stage))
    return bad


def content_order(names: Sequence[str]) -> str:
    return f"{', '.join(f'{name} NULLS FIRST' for name in names)}, {ROW_COLUMN}"


def payload_columns(
    select: str, mapping: Mapping[str, str], source: Source
) -> list[str]:
    """Staging columns the checks after the sort read (see :func:`sort_good_rows`)."""
    payload: list[str] = []
    if KIND_COLUMN in select:  # raw text only where a number was read as a time
        payload += [
            KIND_COLUMN,
            f"CASE WHEN {KIND_COLUMN} IS NOT NULL THEN _jm_raw_timestamp END "
            "AS _jm_raw_timestamp",
        ]
    if source.delimiter == ";":
        payload += [f"_jm_raw_{role}" for role in NUMBER_ROLES if role in mapping]
    return payload


def resort(engine: Engine, table: str, names: Sequence[str]) -> str:
    """Sort ``table`` again after values in it changed; the old table is dropped."""
    ordered = create_temp_table(
        engine,
        f"SELECT * FROM {quote_ident(table)} ORDER BY {content_order(names)}",
        prefix="events_data",
    )
    engine.sql_rows(drop_sql(table))
    return ordered


def repeated_rows(engine: Engine, table: str, names: Sequence[str]) -> str | None:
    """A temp table ``(r)`` of the rowids repeating the row before, or ``None``.

    ``table`` is in content order, so exact duplicates are neighbours and the first of
    each run (the lowest input row) is kept. The streaming ``lag`` reads the stored
    order; the pass also checks that it saw consecutive rowids, and falls back to an
    explicit ``ORDER BY rowid`` if it ever did not.
    """
    same = " AND ".join(f"{n} IS NOT DISTINCT FROM lag({n}) OVER w" for n in names)
    streamed = create_temp_table(
        engine,
        f"SELECT r, same FROM (SELECT rowid AS r, lag(rowid) OVER w AS p, {same} AS "
        f"same FROM {quote_ident(table)} WINDOW w AS ()) WHERE same OR p <> r - 1",
        prefix="repeated",
    )
    out_of_order = engine.sql_rows(
        f"SELECT count(*) FILTER (WHERE NOT same), count(*) FROM {quote_ident(streamed)}"
    )[0]
    if out_of_order[0]:
        engine.sql_rows(drop_sql(streamed))
        streamed = create_temp_table(
            engine,
            f"SELECT r, true AS same FROM (SELECT rowid AS r, {same} AS same FROM "
            f"{quote_ident(table)} WINDOW w AS (ORDER BY rowid)) WHERE same",
            prefix="repeated",
        )
    elif not out_of_order[1]:
        engine.sql_rows(drop_sql(streamed))
        return None
    return streamed


def number_events(
    engine: Engine,
    table: str,
    columns: Sequence[str],
    repeated: str | None,
) -> tuple[str, str]:
    """The canonical view (``columns`` SQL, ``row_number``, ``event_seq``) and the
    table behind it.

    ``event_seq`` is the dense rank in content order: ``rowid + 1`` less the duplicates
    before the row. A few duplicates (the usual case) are left out by the view with
    their rowids written into it; many are left out by one copy of the table.
    """
    skipped: list[int] = []
    if repeated is not None:
        skipped = [
            int(row[0])
            for row in engine.sql_rows(
                f"SELECT r FROM {quote_ident(repeated)} ORDER BY r LIMIT ?",
                [_INLINE_DUPLICATES + 1],
            )
        ]
    seq = "rowid + 1"
    where = ""
    if len(skipped) > _INLINE_DUPLICATES:
        kept = create_temp_table(
            engine,
            f"SELECT * FROM {quote_ident(table)} WHERE rowid NOT IN "
            f"(SELECT r FROM {quote_ident(repeated or '')})",
            prefix="events_data",
        )
        engine.sql_rows(drop_sql(table))
        table = kept
    elif skipped:
        before = " + ".join(f"CAST(rowid > {r} AS BIGINT)" for r in skipped)
        seq = f"rowid + 1 - ({before})"
        where = f" WHERE rowid NOT IN ({', '.join(str(r) for r in skipped)})"
    view = fresh_name("events")
    engine.sql_rows(
        f"CREATE TEMP VIEW {quote_ident(view)} AS SELECT {', '.join(columns)}, "
        f"{ROW_COLUMN} AS row_number, {seq} AS event_seq "
        f"FROM {quote_ident(table)}{where}"
    )
    return view, table


_INLINE_DUPLICATES = 64  # more are dropped by a copy (1.5 s at 1e7 rows)


def relation_rows(engine: Engine, source: Source) -> int:
    """Rows the source relation yields, counted without casting or checking them."""
    scan = source.lines
    if scan is not None:  # CSV: records less those quarantined before or by DuckDB
        rejected = 0
        if source.rejects is not None:
            rejected = int(
                engine.sql_rows(
                    f"SELECT count(DISTINCT line) FROM {quote_ident(source.rejects)}"
                )[0][0]
            )
        return scan.records - len(scan.bad) - rejected
    sql = source.count_sql or f"SELECT count(*) FROM {source.relation}"
    params = source.count_params if source.count_sql else source.params
    return int(engine.sql_rows(sql, params)[0][0])


def bad_rows(
    engine: Engine,
    source: Source,
    select: str,
    verdict: Verdict,
    good: int,
    *,
    stage: str | None = None,
) -> str | None:
    """The staging table to find bad rows in, or None when there are none.

    With a ``stage`` that is the stage itself; without one, the source is scanned
    again for the bad rows only when the good rows fall short of its row count.
    """
    if stage is not None:
        return stage
    if relation_rows(engine, source) == good:
        return None
    return create_temp_table(
        engine,
        f"SELECT * FROM ({select}) AS s WHERE NOT ({verdict.good})",
        source.params,
        prefix="stage",
    )
