"""PostgreSQL through Ibis' postgres backend; psycopg imported lazily (extra ``postgres``).

The analytics are Ibis expressions, so the server runs them: windows, joins and
aggregates happen inside PostgreSQL and only their results come back. Everything
journeymap stores on the server is a ``TEMPORARY`` table of its own session, so
nothing outlives the connection in the user's database (ADR 0010); scratch scopes
drop theirs earlier. The session time zone is UTC (Ibis sets it), so ``timestamp``
columns hold the same naive UTC wall-clock values as DuckDB's.

In-memory data (an EventLog moved here with :meth:`EventLog.to_engine`) goes in with
``COPY ... FROM STDIN`` in CSV batches written by Arrow: Ibis' own path inserts row by
row, which took minutes for a million events.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from journeymap._importers import import_psycopg
from journeymap.engine.base import Engine
from journeymap.errors import EngineError

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

__all__ = ["PostgresEngine", "hide_password", "server_url"]

COPY_BATCH_ROWS = 200_000
CONNECT_TIMEOUT_S = 10
SERVER_HINT = (
    "start the server or check host, port, database and user "
    "(a password goes in the URL or PGPASSWORD)"
)


class PostgresEngine(Engine):
    """A PostgreSQL database; scratch data are temporary tables of this session."""

    kind: ClassVar[str] = "postgres"

    @classmethod
    def open(cls, url: str, **_: Any) -> PostgresEngine:
        """``postgresql://user[:password]@host[:port]/database`` (``?table=`` ignored)."""
        psycopg = import_psycopg()

        server = server_url(url)
        try:
            con = psycopg.connect(
                server, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except Exception as exc:
            first = _first_line(exc)
            password = urlsplit(server).password
            if password:
                first = first.replace(password, "***")
            raise EngineError(
                f"cannot connect to PostgreSQL at {hide_password(server)}: {first}; "
                + SERVER_HINT
            ) from exc
        return cls(_backend_class().from_connection(con), url=server)

    def _store_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        import ibis
        import pyarrow.csv as pacsv

        schema = ibis.Schema.from_pyarrow(data.schema)
        columns = ", ".join(
            f"{_quote(column)} {dtype}"
            for column, dtype in zip(schema.names, _sql_types(schema), strict=True)
        )
        con = self.backend.con
        options = pacsv.WriteOptions(include_header=False)
        with con.cursor() as cursor, con.transaction():
            cursor.execute(f"CREATE TEMPORARY TABLE {_quote(name)} ({columns})")
            with cursor.copy(
                f"COPY {_quote(name)} FROM STDIN (FORMAT csv, NULL '')"
            ) as copy:
                for batch in data.to_batches(max_chunksize=COPY_BATCH_ROWS):
                    buffer = io.BytesIO()
                    pacsv.write_csv(batch, buffer, write_options=options)
                    copy.write(buffer.getvalue())
        self._analyze(name)
        return self.backend.table(name)

    def _store_expr(self, name: str, expr: ibis.Table) -> ibis.Table:
        table = self.backend.create_table(name, expr, temp=True)
        self._analyze(name)
        return table

    def _analyze(self, name: str) -> None:
        # autovacuum never analyzes temporary tables: without statistics the planner
        # guessed a nested loop for the funnel's step join (220 s instead of 0.3 s
        # on 1e5 events, bench/bench_engines.py)
        with self.backend.con.cursor() as cursor:
            cursor.execute(f"ANALYZE {_quote(name)}")

    def _drop(self, name: str) -> None:
        with self.backend.con.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_quote(name)}")

    def _temp_names(self) -> list[str]:
        with self.backend.con.cursor() as cursor:
            rows = cursor.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = "
                "pg_my_temp_schema() AND relkind IN ('r', 'v') "
                "AND starts_with(relname, '_jm_')"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def _disconnect(self) -> None:
        # closing the session drops every temporary table it still has
        self.backend.disconnect()


@functools.cache
def _backend_class() -> Any:
    """Ibis' postgres backend with one cast PostgreSQL lacks: boolean to bigint.

    The analytics count flags with ``flag.cast("int64").sum()``; DuckDB and Spark
    cast booleans to any number, PostgreSQL only to ``integer``, so the compiled
    SQL goes through it (``CAST(CAST(flag AS INT) AS BIGINT)``).
    """
    import ibis.expr.datatypes as dt
    from ibis.backends.postgres import Backend
    from ibis.backends.sql.compilers.postgres import PostgresCompiler

    class Compiler(PostgresCompiler):  # type: ignore[misc]
        def visit_Cast(self, op: Any, *, arg: Any, to: Any) -> Any:
            if op.arg.dtype.is_boolean() and to.is_numeric() and not to.is_int32():
                arg = self.cast(arg, dt.int32)
            return super().visit_Cast(op, arg=arg, to=to)

    class JourneymapBackend(Backend):  # type: ignore[misc]
        compiler = Compiler()

    return JourneymapBackend


def _sql_types(schema: Any) -> list[str]:
    """Column types of a CREATE TABLE, as Ibis writes them for PostgreSQL."""
    return [
        definition.args["kind"].sql("postgres")
        for definition in schema.to_sqlglot_column_defs("postgres")
    ]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def server_url(url: str) -> str:
    """The server part of a PostgreSQL URL: ``table=`` is a journeymap parameter.

    Examples
    --------
    >>> server_url("postgresql://jm@db:5432/shop?table=events&sslmode=require")
    'postgresql://jm@db:5432/shop?sslmode=require'
    >>> server_url("postgres://jm@db/shop")
    'postgresql://jm@db/shop'
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "table"]
    return parts._replace(scheme="postgresql", query=urlencode(query)).geturl()


def hide_password(url: str) -> str:
    """A URL fit for messages: the password replaced by ``***``.

    Examples
    --------
    >>> hide_password("postgresql://jm:secret@db/shop")
    'postgresql://jm:***@db/shop'
    """
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
