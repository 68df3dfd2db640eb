"""Spark (local or cluster) through Ibis' PySpark backend; pyspark imported lazily.

The analytics are Ibis expressions, so they run here unchanged (docs/adr/0001-ibis-over-duckdb.md). Events
are read on DuckDB (the reader streams files through it) and then moved to Spark with
:meth:`EventLog.to_engine`: the canonical Arrow table becomes a Spark temporary
view (``Engine.register_arrow``).

Timestamps stay naive UTC: the session time zone is UTC, so Spark's ``TIMESTAMP``
(instants shown in the session zone) reads and writes the same wall-clock values as
DuckDB's ``TIMESTAMP``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from journeymap._importers import import_pyspark
from journeymap.engine.base import Engine
from journeymap.errors import EngineError

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "SparkEngine",
    "cache_view",
    "close_spark",
    "connect_spark",
    "find_java",
    "register_view",
]

WAREHOUSE_PREFIX = "journeymap-spark-warehouse-"
JAVA_HINT = (
    "Spark needs a Java runtime (17 or newer): JAVA_HOME is not set and there is no "
    "java on PATH; install one (e.g. apt-get install openjdk-17-jre-headless, or "
    "brew install openjdk@17) or set JAVA_HOME"
)
# temporary warehouse folders made by connect_spark: removed when the engine closes,
# or at exit for sessions never closed (issue 8: runs left them in the temp folder)
_warehouses: list[str] = []

# small, local-mode friendly settings; nothing is downloaded (no spark.jars.packages)
SESSION_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Arrow moves data both ways and keeps timestamps exact (no local-zone round trip)
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    # naive Parquet timestamps read as TIMESTAMP (UTC session), as from Arrow, not NTZ
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
}


class SparkEngine(Engine):
    """A Spark session; scratch data are (cached) temporary views, never tables."""

    kind: ClassVar[str] = "spark"

    @classmethod
    def open(cls, url: str, **_: Any) -> SparkEngine:
        """``spark://local`` / ``spark://local[N]`` (this process' JVM),
        ``spark://host:7077`` (a standalone master), ``sc://host:15002`` (Spark
        Connect), or ``spark://`` (whatever ``SPARK_REMOTE`` or spark-submit set,
        else local)."""
        return cls(connect_spark(**spark_target(url)), url=url)

    def _store_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        return register_view(self.backend, name, data)

    def _store_expr(self, name: str, expr: ibis.Table) -> ibis.Table:
        return cache_view(self.backend, name, expr)

    def _drop(self, name: str) -> None:
        # dropping a cached temporary view also frees its cache
        session = self.backend._session
        session.catalog.dropTempView(name)
        folder = _scratch_folder(session)
        if folder is not None:  # the Parquet file behind a large registered table
            _parquet_path(folder, name).unlink(missing_ok=True)

    def _temp_names(self) -> list[str]:
        catalog = self.backend._session.catalog
        return [
            t.name
            for t in catalog.listTables()
            if t.isTemporary and t.name.startswith("_jm_")
        ]

    def _disconnect(self) -> None:  # also removes the temporary warehouse folder
        close_spark(self.backend)


def spark_target(url: str) -> dict[str, Any]:
    """``connect_spark`` arguments for a Spark URL.

    Examples
    --------
    >>> spark_target("spark://local")
    {'master': 'local[2]'}
    >>> spark_target("spark://local[4]")
    {'master': 'local[4]'}
    >>> spark_target("spark://node1:7077")
    {'master': 'spark://node1:7077'}
    >>> spark_target("sc://node1:15002")
    {'remote': 'sc://node1:15002'}
    """
    if url.lower().startswith("sc://"):
        return {"remote": url}
    where = url.split("://", 1)[1].strip("/")
    if not where:
        remote = os.environ.get("SPARK_REMOTE")
        if remote:
            return {"remote": remote}
        # started by spark-submit: the master comes from its configuration
        launched = "PYSPARK_GATEWAY_PORT" in os.environ
        return {"master": None} if launched else {"master": "local[2]"}
    if where == "local":
        return {"master": "local[2]"}
    if where.startswith("local["):
        return {"master": where}
    return {"master": f"spark://{where}"}


def connect_spark(
    *,
    master: str | None = "local[2]",
    remote: str | None = None,
    warehouse_dir: str | None = None,
    app_name: str = "journeymap",
) -> Any:
    """Start (or reuse) a Spark session and wrap it in an Ibis PySpark backend.

    Parameters
    ----------
    master
        The Spark master: ``"local[2]"`` (default) runs in this process' JVM;
        ``None`` takes it from the environment (spark-submit).
    remote
        A Spark Connect URL (``sc://host:15002``); no local JVM is started.
    warehouse_dir
        Where Spark may write managed tables; default: a fresh temporary directory,
        removed by :func:`close_spark` (``Engine.close``) or at exit.
    app_name
        The Spark application name.

    Returns
    -------
    ibis backend
        ``ibis.pyspark`` connected to the session (time zone UTC).

    Raises
    ------
    MissingExtraError
        If pyspark is not installed (``pip install "journeymap[spark]"``).
    EngineError
        One line when no Java runtime is found or the JVM does not start.
    """
    import_pyspark()
    import ibis
    from pyspark.sql import SparkSession

    if remote is not None:
        return _connect_remote(remote, app_name)
    if find_java() is None:
        raise EngineError(JAVA_HINT)
    # the engine edge may set the environment: local mode binds to loopback by default
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # a running session is reused as it is: a new warehouse folder would stay unused
    if warehouse_dir is None and SparkSession.getActiveSession() is None:
        warehouse_dir = tempfile.mkdtemp(prefix=WAREHOUSE_PREFIX)
        _warehouses.append(warehouse_dir)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    if warehouse_dir is not None:
        builder = builder.config("spark.sql.warehouse.dir", warehouse_dir)
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:
        _remove_warehouses()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EngineError(
            f"cannot start Spark ({master or 'spark-submit'}): {first}"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def _connect_remote(remote: str, app_name: str) -> Any:
    import ibis
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote(remote).appName(app_name)
    for key, value in SESSION_CONFIG.items():
        if key.startswith("spark.sql.session") or key.startswith("spark.sql.shuffle"):
            builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EngineError(f"cannot reach Spark Connect at {remote}: {first}") from exc
    return ibis.pyspark.connect(session)


def find_java() -> str | None:
    """The java executable Spark would start: ``$JAVA_HOME/bin/java``, else on PATH.

    Returns
    -------
    str or None
        None when neither exists (then Spark cannot start).
    """
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if java.is_file() else None
    return shutil.which("java")


def close_spark(backend: Any) -> None:
    """Stop the session and remove the warehouse folders connect_spark made."""
    try:
        backend.disconnect()
    finally:
        _remove_warehouses()


@atexit.register
def _remove_warehouses() -> None:
    while _warehouses:
        shutil.rmtree(_warehouses.pop(), ignore_errors=True)


# above this many rows, local mode reads a Parquet file instead of taking the Arrow
# table through the driver: createDataFrame holds all of it in the JVM heap (1e6
# events did not fit in local mode's default 1 GB, bench/bench_engines.py)
ARROW_ROWS = 200_000


def register_view(backend: Any, name: str, data: pa.Table | pd.DataFrame) -> Any:
    """In-memory data as a Spark temporary view (pyspark has no temporary tables).

    Large tables in local mode go through a Parquet file in the session's temporary
    warehouse folder (removed with the view, and with the folder at close).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(data, pa.Table):
        data = pa.Table.from_pandas(data, preserve_index=False)
    session = backend._session
    folder = _scratch_folder(session)
    if folder is not None and data.num_rows > ARROW_ROWS:
        path = _parquet_path(folder, name)
        pq.write_table(data, path, row_group_size=ARROW_ROWS)  # one task each
        session.read.parquet(path.as_uri()).createOrReplaceTempView(name)
    else:
        session.createDataFrame(data).createOrReplaceTempView(name)
    return backend.table(name)


def _parquet_path(folder: Path, name: str) -> Path:
    # Spark skips files whose names start with "_" or "." as hidden
    return folder / f"{name.lstrip('_')}.parquet"


def _scratch_folder(session: Any) -> Path | None:
    """The temporary warehouse folder of a local session journeymap started, else None."""
    if not session.sparkContext.master.startswith("local"):
        return None
    where = session.conf.get("spark.sql.warehouse.dir", "")
    folder = Path(where.removeprefix("file:"))
    owned = any(Path(w).name == folder.name for w in _warehouses)
    return folder if owned and folder.is_dir() else None


def cache_view(backend: Any, name: str, expr: ibis.Table) -> Any:
    """Compute ``expr`` once into a cached temporary view (``CACHE TABLE`` is eager)."""
    backend.create_view(name, expr)
    backend.raw_sql(f"CACHE TABLE `{name}`")
    return backend.table(name)
