"""Engine: one wrapped Ibis backend. DuckDB (embedded) by default, Spark on request."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.errors import EngineError

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa

_names = itertools.count()
_lock = threading.Lock()


# DuckDB fetches a "known" extension from the internet the first time a query needs it;
# journeymap never downloads anything (issue 8), so every connection turns that off and a
# missing extension becomes one clear line (see _extension_error)
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
_MISSING_EXTENSION = (
    re.compile(r'Extension "(\w+)" is an existing extension'),
    re.compile(r"exists in the (\w+) extension"),
    re.compile(r"requires the extension (\w+) to be loaded"),
)


def fresh_name(prefix: str) -> str:
    """A table or view name no other object of this process uses.

    Examples
    --------
    >>> fresh_name("stage").startswith("_jm_stage_")
    True
    """
    with _lock:
        return f"_jm_{prefix}_{next(_names)}"


def _extension_error(exc: Exception) -> EngineError | None:
    """The one-line error for a DuckDB extension that is not installed, else None."""
    text = str(exc)
    for pattern in _MISSING_EXTENSION:
        found = pattern.search(text)
        if found:
            name = found.group(1)
            return EngineError(
                f"the DuckDB extension {name!r} is not installed and journeymap never "
                f'downloads one; install it once with: python -c "import duckdb; '
                f"duckdb.install_extension('{name}')\""
            )
    return None


@dataclass
class Engine:
    """A live connection. Analytics build Ibis expressions; the engine runs them."""

    backend: Any
    kind: str = "duckdb"
    url: str | None = None

    # -- running expressions ----------------------------------------------------------
    def to_pandas(self, expr: ibis.Expr) -> pd.DataFrame:
        return self.backend.execute(expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self.backend.to_pyarrow(expr)

    def scalar(self, expr: ibis.Expr) -> Any:
        return self.backend.execute(expr)

    # -- tables -----------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def register_arrow(
        self, data: pa.Table | pd.DataFrame, *, prefix: str = "t"
    ) -> ibis.Table:
        """Store in-memory data as a temporary table and return it as an expression.

        An Arrow column holding only nulls (type ``null``, e.g. a survey file's empty
        ``text``) is stored as a string column: DuckDB has no null-typed columns.
        """
        name = fresh_name(prefix)
        data = _typed_nulls(data)
        if self.kind == "spark":  # pyspark has no temp tables: a temporary view
            from journeymap.engine.spark import register_view

            table = register_view(self.backend, name, data)
        else:
            table = self.backend.create_table(name, data, temp=self.kind == "duckdb")
        return table

    def materialize(self, expr: ibis.Table, *, prefix: str = "m") -> ibis.Table:
        """Compute `expr` once into a table, so later expressions reuse it."""
        name = fresh_name(prefix)
        if self.kind == "duckdb":
            table = self.backend.create_table(name, expr, temp=True)
        elif self.kind == "spark":  # a cached temporary view, not a warehouse table
            from journeymap.engine.spark import cache_view

            table = cache_view(self.backend, name, expr)
        else:
            table = self.backend.create_table(name, expr)
        return table

    # -- raw SQL (DuckDB only; values always bound as parameters) -----------------------
    def sql_rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        if self.kind != "duckdb":
            raise EngineError(f"raw SQL is only supported on duckdb, not {self.kind}")
        try:
            cursor = self.backend.con.execute(sql, params)
            return list(cursor.fetchall())
        except Exception as exc:
            missing = _extension_error(exc)
            if missing is not None:
                raise missing from exc
            raise

    @property
    def duckdb_connection(self) -> Any:
        """The raw duckdb connection (ingest streams files through it)."""
        if self.kind != "duckdb":
            raise EngineError(f"no duckdb connection on a {self.kind} engine")
        return self.backend.con

    def close(self) -> None:
        if self.kind == "spark":  # also removes the temporary warehouse folder
            from journeymap.engine.spark import close_spark

            close_spark(self.backend)
        else:
            self.backend.disconnect()


def _typed_nulls(data: pa.Table | pd.DataFrame) -> pa.Table | pd.DataFrame:
    import pyarrow as pa

    if not isinstance(data, pa.Table):
        return data
    for index, field in enumerate(data.schema):
        if pa.types.is_null(field.type):
            column = data.column(index).cast(pa.string())
            data = data.set_column(index, field.with_type(pa.string()), column)
    return data


def connect(
    url: str | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Engine:
    """Open an engine: ``None``/``"duckdb://"`` (memory), ``"duckdb:///path.duckdb"``, or ``"spark://local"``.

    Parameters
    ----------
    url
        Where the events live. Default: an in-memory DuckDB database.
    threads, memory_limit
        DuckDB resource settings.
    """
    import ibis

    url = url or "duckdb://"
    if url.startswith("duckdb://"):
        path = url[len("duckdb://") :] or ":memory:"
        if path.startswith("/") and path != "/":
            path = path[1:] if path.startswith("//") else path
        config: dict[str, Any] = dict(DUCKDB_CONFIG)
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        try:
            backend = ibis.duckdb.connect(path, **config)
        except Exception as exc:  # noqa: BLE001 - shown as one line
            raise EngineError(f"cannot open duckdb database {path!r}: {exc}") from exc
        backend.raw_sql("SET TimeZone = 'UTC'")
        # progress goes through rich in the CLI; DuckDB's own bar would garble it
        backend.raw_sql("SET enable_progress_bar = false")
        return Engine(backend=backend, kind="duckdb", url=url)
    if url.startswith("spark://"):
        from journeymap.engine.spark import connect_spark

        return Engine(backend=connect_spark(), kind="spark", url=url)
    raise EngineError(
        f"unknown engine url {url!r}; use duckdb://[path] or spark://local"
    )
