"""SQL tables as event sources: DuckDB files, SQLite files and PostgreSQL.

Forms accepted (the table may be ``schema.table``)::

    duckdb:///abs/path.duckdb?table=events    path.duckdb::events
    sqlite:///abs/path.db?table=events        path.db::events  (.sqlite, .sqlite3)
    postgresql://user@host/db?table=events

DuckDB files are attached read-only and scanned in place. SQLite and PostgreSQL rows
are streamed in batches through Python's DB-API (sqlite3, psycopg) into an Arrow reader
that DuckDB scans once: DuckDB's sqlite/postgres extensions need a download, which an
offline install cannot do. Values arrive as text and are typed like CSV cells.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from journeymap.engine import Engine, fresh_name
from journeymap.errors import IngestError, MissingExtraError
from journeymap.ingest.readers import cell_text
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
)

SCHEMES = ("duckdb", "sqlite", "postgresql", "postgres")
DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db.duckdb")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
BATCH_ROWS = 50_000
# Path("duckdb:///a/b.duckdb?table=t") is "duckdb:/a/b.duckdb?table=t"
_COLLAPSED = re.compile(r"^(duckdb|sqlite):/(?!/)", re.IGNORECASE)


@dataclass(frozen=True)
class TableAddress:
    """Where a table lives: ``kind`` (duckdb/sqlite/postgresql), ``location``, ``table``."""

    kind: str
    location: str
    table: str

    @property
    def label(self) -> str:
        """How reports and errors name the table (never with a password)."""
        return f"{_hide_password(self.location)}::{self.table}"


def parse_table_address(text: str) -> TableAddress | None:
    """Parse a table URL or ``file::table``; ``None`` when ``text`` names a plain file.

    Examples
    --------
    >>> parse_table_address("sqlite:///tmp/shop.db?table=events")
    TableAddress(kind='sqlite', location='/tmp/shop.db', table='events')
    >>> parse_table_address("shop.duckdb::main.events")
    TableAddress(kind='duckdb', location='shop.duckdb', table='main.events')
    >>> parse_table_address("events.csv") is None
    True
    >>> parse_table_address("duckdb:/tmp/shop.duckdb?table=events").location
    '/tmp/shop.duckdb'
    """
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in SCHEMES:
        return _parse_url(text, scheme)
    collapsed = _COLLAPSED.match(text)  # a URL that went through pathlib.Path
    if collapsed:
        return _parse_url(
            f"{collapsed[1]}://{text[collapsed.end() - 1 :]}", collapsed[1]
        )
    if "::" in text:
        location, table = text.rsplit("::", 1)
        if location.lower().endswith(EXCEL_SUFFIXES):
            return None  # a sheet of a workbook: the file reader's (book.xlsx::Events)
        if location.lower().endswith(DUCKDB_SUFFIXES):
            return TableAddress("duckdb", location, table)
        if location.lower().endswith(SQLITE_SUFFIXES):
            return TableAddress("sqlite", location, table)
        raise IngestError(
            "cannot tell the database type; use a .duckdb/.db/.sqlite file or a "
            "duckdb://, sqlite:// or postgresql:// URL",
            file=location,
        )
    return None


def _parse_url(text: str, scheme: str) -> TableAddress:
    parts = urlsplit(text)
    tables = parse_qs(parts.query).get("table")
    if not tables:
        raise IngestError("add ?table=NAME to the URL", file=_hide_password(text))
    if scheme.startswith("postgres"):
        query = "&".join(
            p for p in parts.query.split("&") if not p.startswith("table=")
        )
        location = parts._replace(query=query).geturl()
        return TableAddress("postgresql", location, tables[0])
    path = text.split("://", 1)[1].split("?", 1)[0]
    if path.startswith("//"):
        path = path[1:]  # duckdb:////abs and duckdb:///abs are both absolute
    return TableAddress(scheme, path, tables[0])


def _hide_password(url: str) -> str:
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def _redact(message: str, url: str) -> str:
    password = urlsplit(url).password if "://" in url else None
    return message.replace(password, "***") if password else message


def read_table(engine: Engine, address: TableAddress) -> Source:
    """A Source scanning one database table."""
    if address.kind == "duckdb":
        return read_duckdb_table(engine, address)
    if address.kind == "sqlite":
        return read_sqlite_table(engine, address)
    return read_postgres_table(engine, address)


def _split_table(table: str) -> tuple[str | None, str]:
    schema, _, name = table.rpartition(".")
    return (schema or None), name


def read_duckdb_table(engine: Engine, address: TableAddress) -> Source:
    """Attach a DuckDB file read-only and scan the table in place."""
    path = Path(address.location)
    if not path.exists():
        raise IngestError("database file not found", file=str(path))
    alias = fresh_name("db")
    try:
        engine.sql_rows(f"ATTACH ? AS {quote_ident(alias)} (READ_ONLY)", [str(path)])
    except Exception as exc:
        raise IngestError(f"cannot open: {_first_line(exc)}", file=str(path)) from exc
    schema, name = _split_table(address.table)
    found = engine.sql_rows(
        "SELECT schema_name FROM duckdb_tables() WHERE database_name = ? "
        "AND table_name = ? AND (? IS NULL OR schema_name = ?) UNION ALL "
        "SELECT schema_name FROM duckdb_views() WHERE database_name = ? "
        "AND view_name = ? AND (? IS NULL OR schema_name = ?)",
        [alias, name, schema, schema] * 2,
    )
    if not found:
        engine.sql_rows(f"DETACH {quote_ident(alias)}")
        raise IngestError(f"no table {address.table!r}", file=str(path))
    qualified = ".".join(quote_ident(p) for p in (alias, found[0][0], name))
    relation = f"(SELECT *, row_number() OVER () AS {ROW_COLUMN} FROM {qualified})"
    return Source(
        label=address.label,
        relation=relation,
        cleanup=(f"DETACH {quote_ident(alias)}",),
    )


def read_sqlite_table(engine: Engine, address: TableAddress) -> Source:
    """Stream a SQLite table through Python's sqlite3 (no DuckDB extension needed)."""
    import sqlite3

    path = Path(address.location)
    if not path.exists():
        raise IngestError("database file not found", file=str(path))
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )  # DuckDB pulls the batches from its own threads
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        ).fetchall()
    except sqlite3.Error as exc:
        raise IngestError(f"cannot open: {exc}", file=str(path)) from exc
    names = sorted(str(row[0]) for row in tables)
    if address.table not in names:
        connection.close()
        raise IngestError(
            f"no table {address.table!r}; tables: {', '.join(names) or '(none)'}",
            file=str(path),
        )
    return stream_dbapi(engine, connection, address)


def read_postgres_table(engine: Engine, address: TableAddress) -> Source:
    """Scan a PostgreSQL table: DuckDB's postgres extension if installed, else psycopg."""
    if _extension_loads(engine, "postgres"):
        return _attach_postgres(engine, address)
    try:
        psycopg = importlib.import_module("psycopg")
    except ImportError as exc:
        raise MissingExtraError(
            'reading PostgreSQL tables needs psycopg; run: pip install "psycopg[binary]"'
        ) from exc
    try:
        connection = psycopg.connect(address.location)
    except Exception as exc:
        message = _redact(_first_line(exc), address.location)
        raise IngestError(f"cannot connect: {message}", file=address.label) from exc
    return stream_dbapi(engine, connection, address, cursor_name="journeymap_ingest")


def _extension_loads(engine: Engine, name: str) -> bool:
    """Whether a DuckDB extension is already installed (LOAD never downloads)."""
    try:
        engine.sql_rows(f"LOAD {name}")
    except Exception:  # noqa: BLE001 - not installed: use the fallback
        return False
    return True


def _attach_postgres(engine: Engine, address: TableAddress) -> Source:
    alias = fresh_name("pg")
    label = _hide_password(address.location)
    try:
        engine.sql_rows(
            f"ATTACH ? AS {quote_ident(alias)} (TYPE postgres, READ_ONLY)",
            [address.location],
        )
    except Exception as exc:
        message = _redact(_first_line(exc), address.location)
        raise IngestError(f"cannot connect: {message}", file=label) from exc
    schema, name = _split_table(address.table)
    qualified = ".".join(quote_ident(p) for p in (alias, schema or "public", name))
    relation = f"(SELECT *, row_number() OVER () AS {ROW_COLUMN} FROM {qualified})"
    return Source(
        label=address.label,
        relation=relation,
        cleanup=(f"DETACH {quote_ident(alias)}",),
    )


def stream_dbapi(
    engine: Engine,
    connection: Any,
    address: TableAddress,
    *,
    cursor_name: str | None = None,
) -> Source:
    """Register a DB-API table as a one-shot Arrow stream of text columns."""
    import pyarrow as pa

    cursor = connection.cursor(cursor_name) if cursor_name else connection.cursor()
    schema, name = _split_table(address.table)
    qualified = ".".join(quote_ident(p) for p in (schema, name) if p)
    try:
        cursor.execute(f"SELECT * FROM {qualified}")  # identifiers quoted, no values
    except Exception as exc:
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=address.label
        ) from exc
    header = [str(d[0]) for d in cursor.description]
    arrow_schema = pa.schema(
        [(c, pa.string()) for c in header] + [(ROW_COLUMN, pa.int64())]
    )
    batches = _batches(cursor, connection, header, arrow_schema)
    reader = pa.RecordBatchReader.from_batches(arrow_schema, batches)
    view = fresh_name("stream")
    engine.duckdb_connection.register(view, reader)
    try:  # a stream is read once; ingest may scan its rows twice (bad rows apart)
        table = create_temp_table(
            engine, f"SELECT * FROM {quote_ident(view)}", prefix="table"
        )
    except Exception as exc:
        raise IngestError(
            f"cannot read: {_first_line(exc)}", file=address.label
        ) from exc
    finally:
        engine.duckdb_connection.unregister(view)
    return Source(
        label=address.label,
        relation=quote_ident(table),
        text=True,
        cleanup=(drop_sql(table),),
    )


def _batches(
    cursor: Any, connection: Any, header: list[str], schema: Any
) -> Iterator[Any]:
    import pyarrow as pa

    first = 1
    try:
        while rows := cursor.fetchmany(BATCH_ROWS):
            columns = [[cell_text(row[i]) for row in rows] for i in range(len(header))]
            numbers = list(range(first, first + len(rows)))
            first += len(rows)
            arrays = [pa.array(c, type=pa.string()) for c in columns]
            yield pa.record_batch(
                [*arrays, pa.array(numbers, pa.int64())], schema=schema
            )
    finally:
        connection.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
