"""Spark (local or cluster) through Ibis' PySpark backend; pyspark imported lazily.

The analytics are Ibis expressions, so they run here unchanged (DESIGN.md §6). Events
are read on DuckDB (the reader streams files through it) and then moved to Spark with
:meth:`EventLog.to_engine`: the canonical Arrow table becomes a Spark temporary
view (``Engine.register_arrow``).

Timestamps stay naive UTC: the session time zone is UTC, so Spark's ``TIMESTAMP``
(instants shown in the session zone) reads and writes the same wall-clock values as
DuckDB's ``TIMESTAMP``.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

from journeymap._importers import import_pyspark

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa

__all__ = ["cache_view", "connect_spark", "register_view"]

# small, local-mode friendly settings; nothing is downloaded (no spark.jars.packages)
SESSION_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Arrow moves data both ways and keeps timestamps exact (no local-zone round trip)
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}


def connect_spark(
    *,
    master: str = "local[2]",
    warehouse_dir: str | None = None,
    app_name: str = "journeymap",
) -> Any:
    """Start (or reuse) a Spark session and wrap it in an Ibis PySpark backend.

    Parameters
    ----------
    master
        The Spark master: ``"local[2]"`` (default) runs in this process' JVM.
    warehouse_dir
        Where Spark may write managed tables; default: a fresh temporary directory.
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
    """
    import_pyspark()
    import ibis
    from pyspark.sql import SparkSession

    # the engine edge may set the environment: local mode binds to loopback by default
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if warehouse_dir is None:
        warehouse_dir = tempfile.mkdtemp(prefix="journeymap-spark-warehouse-")
    builder = SparkSession.builder.master(master).appName(app_name)
    builder = builder.config("spark.sql.warehouse.dir", warehouse_dir)
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def register_view(backend: Any, name: str, data: pa.Table | pd.DataFrame) -> Any:
    """In-memory data as a Spark temporary view (pyspark has no temporary tables)."""
    import pyarrow as pa

    if not isinstance(data, pa.Table):
        data = pa.Table.from_pandas(data, preserve_index=False)
    backend._session.createDataFrame(data).createOrReplaceTempView(name)
    return backend.table(name)


def cache_view(backend: Any, name: str, expr: ibis.Table) -> Any:
    """Compute ``expr`` once into a cached temporary view (``CACHE TABLE`` is eager)."""
    backend.create_view(name, expr)
    backend.raw_sql(f"CACHE TABLE `{name}`")
    return backend.table(name)
