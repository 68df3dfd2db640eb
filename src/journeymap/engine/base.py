"""Engine: one Ibis backend behind the interface every layer uses (ADR 0010).

Each backend is a small subclass (:mod:`~journeymap.engine.duckdb_engine`,
:mod:`~journeymap.engine.spark`, :mod:`~journeymap.engine.postgres`) that knows how
to keep a temporary table, how to drop one and how to close; everything else (running
expressions, scratch scopes, tables owned by an EventLog) is shared here, so no caller
branches on the kind of engine. :func:`connect` picks the class from the URL scheme.

Lifetime: what journeymap creates on a connection is temporary (a DuckDB or
PostgreSQL temporary table, a Spark temporary view) and never outlives the
connection; inside :meth:`Engine.scratch` it is dropped when the scope ends, and
tables handed to :meth:`Engine.own` are dropped once the object owning them is gone.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from journeymap.errors import EngineError

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa

__all__ = ["Engine", "Owned", "connect", "engine_url", "fresh_name"]

_names = itertools.count()
_lock = threading.Lock()


def fresh_name(prefix: str) -> str:
    """A table or view name no other object of this process uses.

    Examples
    --------
    >>> fresh_name("stage").startswith("_jm_stage_")
    True
    """
    with _lock:
        return f"_jm_{prefix}_{next(_names)}"


class Owned:
    """Tables that belong to one object (an EventLog's events and quarantine).

    When the last reference to it is gone, the names are queued on the engine, which
    drops them before its next statement (never from the garbage collector's thread).
    ``parents`` are the owners of the tables these are built on: kept alive as long.
    """

    __slots__ = ("__weakref__", "names", "parents")

    def __init__(
        self, engine: Engine, names: Iterable[str], parents: Iterable[Owned | None] = ()
    ) -> None:
        self.names = tuple(_bare(name) for name in names)
        self.parents = tuple(p for p in parents if p is not None)
        if self.names:
            weakref.finalize(self, engine._doomed.extend, self.names)


class Engine:
    """A live connection. Analytics build Ibis expressions; the engine runs them.

    Subclasses implement ``_store_arrow``, ``_store_expr``, ``_drop`` and
    ``_disconnect``; ``kind`` names the backend (``duckdb``, ``spark``, ``postgres``).
    """

    kind: ClassVar[str] = "engine"

    def __init__(self, backend: Any, *, url: str | None = None) -> None:
        self.backend = backend
        self.url = url
        self._scopes: list[list[str]] = []
        self._doomed: list[str] = []  # owned tables whose owner is gone
        self._closed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url or self.kind}>"

    # -- running expressions ----------------------------------------------------------
    def to_pandas(self, expr: ibis.Expr) -> pd.DataFrame:
        self._collect()
        return self.backend.execute(expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        self._collect()
        return self.backend.to_pyarrow(expr)

    def scalar(self, expr: ibis.Expr) -> Any:
        self._collect()
        return self.backend.execute(expr)

    # -- tables -----------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def register_arrow(
        self, data: pa.Table | pd.DataFrame, *, prefix: str = "t"
    ) -> ibis.Table:
        """Store in-memory data as a temporary table and return it as an expression.

        An Arrow column holding only nulls (type ``null``, e.g. a survey file's empty
        ``text``) is stored as a string column: no engine has null-typed columns.
        """
        self._collect()
        name = self._track(fresh_name(prefix))
        return self._store_arrow(name, _typed_nulls(_arrow(data)))

    def materialize(self, expr: ibis.Table, *, prefix: str = "m") -> ibis.Table:
        """Compute ``expr`` once into a temporary table, so later expressions reuse it."""
        self._collect()
        name = self._track(fresh_name(prefix))
        return self._store_expr(name, expr)

    def drop(self, name: str) -> None:
        """Drop a temporary table or view this engine made (missing is fine)."""
        self._drop(_bare(name))

    @contextlib.contextmanager
    def scratch(self) -> Iterator[None]:
        """A scope whose temporary tables are dropped when it ends.

        Examples
        --------
        >>> import pandas as pd
        >>> engine = connect()
        >>> with engine.scratch():
        ...     t = engine.register_arrow(pd.DataFrame({"x": [1, 2]}))
        ...     engine.scalar(t.x.sum())
        3
        >>> engine.temp_tables()
        []
        """
        names: list[str] = []
        self._scopes.append(names)
        try:
            yield
        finally:
            self._scopes.remove(names)
            if not self._closed:
                for name in reversed(names):
                    self._drop(name)

    def own(self, names: Iterable[str], *parents: Owned | None) -> Owned:
        """Tie tables to an owner: they are dropped once the owner is collected."""
        return Owned(self, names, parents)

    @property
    def in_scratch(self) -> bool:
        """Whether a :meth:`scratch` scope is open (its tables die with it)."""
        return bool(self._scopes)

    def temp_tables(self) -> list[str]:
        """The temporary tables and views journeymap has on this connection now."""
        self._collect()
        return sorted(self._temp_names())

    # -- raw SQL (DuckDB only; values always bound as parameters) -----------------------
    def sql_rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        raise EngineError(f"raw SQL is only supported on duckdb, not {self.kind}")

    @property
    def duckdb_connection(self) -> Any:
        """The raw duckdb connection (ingest streams files through it)."""
        raise EngineError(f"no duckdb connection on a {self.kind} engine")

    @property
    def reads_files(self) -> bool:
        """Whether ingest's file readers run on this engine (DuckDB only)."""
        return False

    @property
    def streams_stored_order(self) -> bool:
        """Whether a window with neither partition nor order (``OVER ()``) reads the
        rows of a plain scan in their stored order, in one streaming pass (DuckDB).

        Nothing may assume that order: a query that rides it checks it in the same
        pass and is run again the ordinary way when the check fails (attribution's
        order-1 counts do). Engines that scatter rows (Spark) or whose plain windows
        sort anyway say no.
        """
        return False

    def close(self) -> None:
        """Drop what this engine made and disconnect (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._disconnect()

    # -- what a backend class provides -------------------------------------------------
    def _store_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        raise NotImplementedError

    def _store_expr(self, name: str, expr: ibis.Table) -> ibis.Table:
        raise NotImplementedError

    def _drop(self, name: str) -> None:
        raise NotImplementedError

    def _temp_names(self) -> list[str]:
        raise NotImplementedError

    def _disconnect(self) -> None:
        self.backend.disconnect()

    # -- bookkeeping --------------------------------------------------------------------
    def _track(self, name: str) -> str:
        if self._scopes:
            self._scopes[-1].append(name)
        return name

    def _collect(self) -> None:
        """Drop tables whose owners were garbage collected (see :class:`Owned`)."""
        while self._doomed and not self._closed:
            self._drop(self._doomed.pop())


def _bare(name: str) -> str:
    """``temp.main._jm_x_1`` (DuckDB's ``get_name()``) is ``_jm_x_1``."""
    return name.rsplit(".", 1)[-1]


def _arrow(data: pa.Table | pd.DataFrame) -> pa.Table:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    return pa.Table.from_pandas(data, preserve_index=False)


def _typed_nulls(data: pa.Table) -> pa.Table:
    import pyarrow as pa

    for index, field in enumerate(data.schema):
        if pa.types.is_null(field.type):
            column = data.column(index).cast(pa.string())
            data = data.set_column(index, field.with_type(pa.string()), column)
    return data


# scheme -> (module, class): imported only when that engine is asked for
ENGINES: dict[str, tuple[str, str]] = {
    "duckdb": ("journeymap.engine.duckdb_engine", "DuckDBEngine"),
    "spark": ("journeymap.engine.spark", "SparkEngine"),
    "sc": ("journeymap.engine.spark", "SparkEngine"),  # Spark Connect
    "postgresql": ("journeymap.engine.postgres", "PostgresEngine"),
    "postgres": ("journeymap.engine.postgres", "PostgresEngine"),
}
# what a bare engine name means as a URL
SHORT_NAMES = {
    "duckdb": "duckdb://",
    "spark": "spark://",  # SPARK_REMOTE or spark-submit's master, else local
    "postgres": "postgresql://",
    "postgresql": "postgresql://",
}
KNOWN = "duckdb://[path], spark://local, postgresql://user@host:port/db"


def engine_url(name_or_url: str) -> str:
    """The connection URL of ``duckdb``, ``spark``, ``postgres`` or a URL.

    Examples
    --------
    >>> engine_url("spark")
    'spark://'
    >>> engine_url("postgresql://jm@db:5432/shop")
    'postgresql://jm@db:5432/shop'
    >>> engine_url("oracle")
    Traceback (most recent call last):
    ...
    journeymap.errors.EngineError: unknown engine 'oracle'; use duckdb, spark, postgres or a URL (duckdb://[path], spark://local, postgresql://user@host:port/db)
    """
    text = name_or_url.strip()
    if text.lower() in SHORT_NAMES:
        return SHORT_NAMES[text.lower()]
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ENGINES:
        return text
    raise EngineError(
        f"unknown engine {name_or_url!r}; use duckdb, spark, postgres or a URL ({KNOWN})"
    )


def connect(
    url: str | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Engine:
    """Open an engine from a URL (or the name ``duckdb``, ``spark``, ``postgres``).

    Parameters
    ----------
    url
        ``None`` or ``"duckdb://"``: an in-memory DuckDB database (the default);
        ``"duckdb:///path.duckdb"``: a DuckDB file; ``"spark://local"`` (or
        ``local[N]``): local Spark, ``"spark://host:7077"`` a standalone master,
        ``"sc://host:15002"`` Spark Connect; ``"postgresql://user@host:5432/db"``:
        a PostgreSQL server (bare ``postgresql://`` uses the libpq ``PG*``
        environment variables).
    threads, memory_limit
        DuckDB resource settings.

    Raises
    ------
    EngineError
        One line: an unknown URL, a missing JVM, an unreachable server.
    MissingExtraError
        The engine's extra is not installed (``spark``, ``postgres``).
    """
    import importlib

    text = engine_url(url or "duckdb://")
    module, name = ENGINES[text.split("://", 1)[0].lower()]
    cls = getattr(importlib.import_module(module), name)
    engine: Engine = cls.open(text, threads=threads, memory_limit=memory_limit)
    return engine
