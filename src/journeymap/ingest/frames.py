"""In-memory sources: pandas and polars data frames, Arrow tables."""

from __future__ import annotations

from typing import Any

from journeymap.engine import Engine
from journeymap.errors import IngestError
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    drop_sql,
    quote_ident,
    table_name,
)


def to_arrow(data: Any) -> Any:
    """An Arrow table from a pyarrow Table/RecordBatch, polars or pandas DataFrame."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    try:
        return pa.Table.from_pandas(data, preserve_index=False)
    except Exception as exc:
        raise IngestError(
            f"cannot read events from a {type(data).__name__}; pass a path, a URL or "
            "a pandas/polars/Arrow table"
        ) from exc


def read_frame(engine: Engine, data: Any) -> Source:
    """Register a data frame as a temporary table numbered in its row order."""
    import pyarrow as pa

    table = to_arrow(data)
    if ROW_COLUMN in table.column_names:  # a user column: kept, renamed (issue 10)
        names = table.column_names
        target = ROW_COLUMN.lstrip("_")
        while target in names:
            target += "_source"
        table = table.rename_columns([target if n == ROW_COLUMN else n for n in names])
    rows = pa.array(range(1, table.num_rows + 1), type=pa.int64())
    table = table.append_column(ROW_COLUMN, rows)
    name = table_name(engine.register_arrow(table, prefix="input"))
    return Source(
        label=type(data).__name__, relation=quote_ident(name), cleanup=(drop_sql(name),)
    )
