"""Source: a relation DuckDB can scan, plus what ingest needs to know about it.

Every reader (files, data frames, database tables) produces a :class:`Source` whose
``relation`` yields the source columns plus ``_jm_row``, the 1-based input row number.
The relation is only scanned when the canonical table is built, so large files stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeymap.ingest.lines import LineScan

ROW_COLUMN = "_jm_row"


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (``a"b`` -> ``"a""b"``).

    Examples
    --------
    >>> quote_ident('we"ird')
    '"we""ird"'
    """
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Source:
    """A scannable input. ``relation`` is SQL for a FROM clause with ``?`` params."""

    label: str
    relation: str
    params: tuple[Any, ...] = ()
    text: bool = (
        False  # every column is text (CSV, Excel, SQLite): infer property types
    )
    line_offset: int | None = None  # file line = row + line_offset (None: no lines)
    rejects: str | None = None  # DuckDB table of malformed CSV lines
    encoding: str | None = None
    delimiter: str | None = None
    lines: LineScan | None = None  # CSV: the independent line accounting
    warnings: tuple[str, ...] = ()  # said in the report (e.g. skipped files)
    temp_files: tuple[str, ...] = ()  # deleted once the events are built
    cleanup: tuple[str, ...] = ()  # SQL run once the events are built
    # SELECT of quarantine rows found by the reader itself (row_number, line, column,
    # reason, value, customer_id), e.g. JSON lines that are not objects
    extra_quarantine: str | None = None
    # rows the source holds by an independent count (good, bad and duplicate alike)
    expected_rows: int | None = None
    # SQL counting the rows of ``relation`` cheaply (Parquet metadata); default count(*)
    count_sql: str | None = None
    count_params: tuple[Any, ...] = ()

    def column_sql(self, name: str) -> str:
        """SQL reading source column ``name``."""
        return quote_ident(name)


def drop_sql(table: str) -> str:
    return f"DROP TABLE IF EXISTS {quote_ident(table)}"


def table_name(table: Any) -> str:
    """The bare name of an engine-made table (``temp.main._jm_t_1`` -> ``_jm_t_1``)."""
    return str(table.get_name()).rsplit(".", 1)[-1]


def create_temp_table(
    engine: Any, sql: str, params: tuple[Any, ...] | list[Any] = (), *, prefix: str
) -> str:
    """Run ``CREATE TEMP TABLE <fresh name> AS <sql>``; return the bare name.

    Ingest's scratch tables never need an Ibis expression, so no schema round trip.
    """
    from journeymap.engine import fresh_name

    name = fresh_name(prefix)
    engine.sql_rows(f"CREATE TEMP TABLE {quote_ident(name)} AS {sql}", params)
    return name
