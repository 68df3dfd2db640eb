"""DuckDB, embedded: the default engine, and the one ingest reads files through."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from journeymap.engine.base import Engine
from journeymap.errors import EngineError

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

__all__ = ["DUCKDB_CONFIG", "DuckDBEngine"]

# DuckDB fetches a "known" extension from the internet the first time a query needs it;
# journeymap never downloads anything (issue 8), so every connection turns that off and a
# missing extension becomes one clear line (see _extension_error)
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# journeymap's share of the memory DuckDB would take by default (80 % of the machine's
# or the container's memory): 3/8 of it, i.e. 30 % of memory, so ingest and measure at 1e8 events stay
# under 8 GB on a 24 GB machine, spilling sorts to disk (measured no slower: bench/
# RESULTS.md, 1e8 ingest). JOURNEYMAP_MEMORY_LIMIT (e.g. "12GB") overrides it.
MEMORY_SHARE = 0.375
MEMORY_ENV = "JOURNEYMAP_MEMORY_LIMIT"
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip
_MISSING_EXTENSION = (
    re.compile(r'Extension "(\w+)" is an existing extension'),
    re.compile(r"exists in the (\w+) extension"),
    re.compile(r"requires the extension (\w+) to be loaded"),
)


class DuckDBEngine(Engine):
    """An in-memory or file DuckDB database; scratch data are temporary tables."""

    kind: ClassVar[str] = "duckdb"
    _remove_spill: Any = None  # removes the private spill folder (close, or collection)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> DuckDBEngine:
        """``duckdb://`` (memory) or ``duckdb:///path.duckdb``."""
        import ibis

        path = url[len("duckdb://") :] or ":memory:"
        if path.startswith("/") and path != "/":
            path = path[1:] if path.startswith("//") else path
        config: dict[str, Any] = dict(DUCKDB_CONFIG)
        if threads:
            config["threads"] = threads
        memory_limit = memory_limit or os.environ.get(MEMORY_ENV) or None
        if memory_limit:
            config["memory_limit"] = memory_limit
        # sorts that spill go to a private folder, not to .tmp in the working directory
        spill = tempfile.mkdtemp(prefix="journeymap-spill-")
        config["temp_directory"] = spill
        try:
            backend = ibis.duckdb.connect(path, **config)
        except Exception as exc:
            shutil.rmtree(spill, ignore_errors=True)
            if memory_limit and "memory" in str(exc).lower():
                raise EngineError(
                    f"memory limit {memory_limit!r} (from {MEMORY_ENV} or "
                    f"memory_limit=): {exc}"
                ) from exc
            raise EngineError(f"cannot open duckdb database {path!r}: {exc}") from exc
        if not memory_limit:
            _share_memory(backend)
        backend.raw_sql("SET TimeZone = 'UTC'")
        # progress goes through rich in the CLI; DuckDB's own bar would garble it. In
        # Jupyter without ipywidgets the bar is off already and DuckDB refuses any
        # change of the setting, so it is switched off only where it is on.
        setting = "SELECT current_setting('enable_progress_bar')"
        if backend.raw_sql(setting).fetchall()[0][0]:  # fetchone left it pending
            backend.raw_sql("SET enable_progress_bar = false")
        engine = cls(backend, url=url)
        engine._remove_spill = weakref.finalize(
            engine, shutil.rmtree, spill, ignore_errors=True
        )
        return engine

    def _disconnect(self) -> None:
        super()._disconnect()
        if self._remove_spill is not None:
            self._remove_spill()

    @property
    def reads_files(self) -> bool:
        return True

    @property
    def streams_stored_order(self) -> bool:
        # a scan keeps insertion order (preserve_insertion_order, on by default) and
        # lag/lead/running aggregates over () run as a streaming window over it
        return True

    def _store_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        return self.backend.create_table(name, data, temp=True)

    def _store_expr(self, name: str, expr: ibis.Table) -> ibis.Table:
        return self.backend.create_table(name, expr, temp=True)

    def _drop(self, name: str) -> None:
        rows = self.backend.con.execute(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_catalog = 'temp' AND table_name = ?",
            [name],
        ).fetchall()
        for (table_type,) in rows:
            kind = "VIEW" if table_type == "VIEW" else "TABLE"
            self.backend.con.execute(f'DROP {kind} IF EXISTS temp."{name}"')

    def _temp_names(self) -> list[str]:
        rows = self.backend.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = 'temp' AND starts_with(table_name, '_jm_')"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def sql_rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run one statement with bound parameters and fetch its rows."""
        self._collect()
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
        return self.backend.con


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


def _share_memory(backend: Any) -> None:
    """Set DuckDB's memory limit to :data:`MEMORY_SHARE` of its own default."""
    text = backend.raw_sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    found = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?I?B)\s*", str(text).upper())
    if found is None:  # an unexpected spelling: keep DuckDB's default
        return
    limit = float(found[1]) * _UNITS[found[2]] * MEMORY_SHARE
    backend.raw_sql(f"SET memory_limit = '{int(limit // 2**20)}MiB'")
