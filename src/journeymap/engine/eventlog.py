"""EventLog: the canonical events of one data set, as an Ibis table on an engine.

Canonical columns (DESIGN.md §3): ``customer_id`` (string), ``timestamp`` (naive UTC
timestamp), ``event`` (string), ``event_seq`` (int64), ``row_number`` (int64, the input row)
and the optional ``channel``, ``session_id``, ``value``, ``score``, ``score_kind``, ``text``;
every other column is a property.

``event_seq`` is the rank of the event in the content order
``(customer_id, timestamp, event, channel, ...all columns)``, assigned at ingest after
exact duplicates are dropped. Ordering by ``(customer_id, timestamp, event_seq)`` is
therefore total and does not depend on input row order (see ADR 0001).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journeymap.engine.base import Engine
from journeymap.model.results import IngestReport

if TYPE_CHECKING:
    import ibis
    import pandas as pd

REQUIRED_COLUMNS = ("customer_id", "timestamp", "event")
OPTIONAL_COLUMNS = ("channel", "session_id", "value", "score", "score_kind", "text")
CANONICAL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
INTERNAL_COLUMNS = ("event_seq", "row_number")
ORDER = ("customer_id", "timestamp", "event_seq")


@dataclass(frozen=True)
class EventLog:
    """Immutable handle on canonical events. Transformations return a new EventLog."""

    table: ibis.Table
    engine: Engine
    report: IngestReport | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.table.columns)

    def has(self, column: str) -> bool:
        return column in self.table.columns

    def properties(self) -> tuple[str, ...]:
        known = set(CANONICAL_COLUMNS) | set(INTERNAL_COLUMNS)
        return tuple(c for c in self.table.columns if c not in known)

    def with_table(self, table: ibis.Table) -> EventLog:
        return replace(self, table=table)

    def filter_events(self, predicate: ibis.ir.BooleanValue) -> EventLog:
        return self.with_table(self.table.filter(predicate))

    def to_engine(self, engine: Engine) -> EventLog:
        """The same events on another engine, moved over as one Arrow table.

        Read the events where the readers are (DuckDB), then measure them elsewhere:
        ``read_events(path).to_engine(connect("spark://local"))``. Columns, types,
        ``event_seq`` and the ingest report are kept.
        """
        data = self.engine.to_arrow(self.table)
        table = engine.register_arrow(data, prefix="events")
        return EventLog(table=table, engine=engine, report=self.report)

    def materialize(self) -> EventLog:
        return self.with_table(self.engine.materialize(self.table, prefix="events"))

    def count(self) -> int:
        return int(self.engine.scalar(self.table.count()))

    def customers(self) -> int:
        return int(self.engine.scalar(self.table.customer_id.nunique()))

    def to_pandas(self, *, order: bool = True) -> pd.DataFrame:
        table = self.table.order_by(list(ORDER)) if order else self.table
        return self.engine.to_pandas(table)

    def execute(self, expr: Any) -> Any:
        return self.engine.to_pandas(expr)
