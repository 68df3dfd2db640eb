"""EventLog: the canonical events of one data set, as an Ibis table on an engine.

Canonical columns (docs/reference/events.md): ``customer_id`` (string), ``timestamp`` (naive UTC
timestamp), ``event`` (string), ``event_seq`` (int64), ``row_number`` (int64, the input row)
and the optional ``channel``, ``session_id``, ``value``, ``score``, ``score_kind``, ``text``;
every other column is a property.

``event_seq`` is the rank of the event in the content order
``(customer_id, timestamp, event, channel, ...all columns)``, assigned at ingest after
exact duplicates are dropped. Ordering by ``(customer_id, timestamp, event_seq)`` is
therefore total and does not depend on input row order (see ADR 0001).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from journeymap.engine.base import Engine, Owned
from journeymap.model.results import IngestReport

if TYPE_CHECKING:
    import ibis
    import ibis.expr.datatypes as dt
    import pandas as pd

REQUIRED_COLUMNS = ("customer_id", "timestamp", "event")
OPTIONAL_COLUMNS = ("channel", "session_id", "value", "score", "score_kind", "text")
CANONICAL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
INTERNAL_COLUMNS = ("event_seq", "row_number")
ORDER = ("customer_id", "timestamp", "event_seq")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class EventLog:
    """Immutable handle on canonical events. Transformations return a new EventLog.

    What belongs to the log lives on it (no registry elsewhere): ``quarantine`` is the
    table of rows ingest could not load, and ``owned`` holds the engine tables made
    for it, dropped once no log derived from it is left (see ADR 0010).
    """

    table: ibis.Table
    engine: Engine
    report: IngestReport | None = None
    quarantine: ibis.Table | None = field(default=None, repr=False, compare=False)
    owned: Owned | None = field(default=None, repr=False, compare=False)

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
        ``event_seq``, the ingest report and the quarantine are kept.
        """
        data = self.engine.to_arrow(self.table)
        table = engine.register_arrow(data, prefix="events")
        quarantine = None
        if self.quarantine is not None:
            moved = self.engine.to_arrow(self.quarantine)
            quarantine = engine.register_arrow(moved, prefix="quarantine")
        names = [t.get_name() for t in (table, quarantine) if t is not None]
        return EventLog(
            table=table,
            engine=engine,
            report=self.report,
            quarantine=quarantine,
            owned=engine.own(names),
        )

    def materialize(self) -> EventLog:
        """The events computed once into a temporary table (dropped with the log,
        or when the engine's current :meth:`~Engine.scratch` scope ends)."""
        table = self.engine.materialize(self.table, prefix="events")
        names = [] if self.engine.in_scratch else [table.get_name()]
        owned = self.engine.own(names, self.owned)
        return EventLog(table, self.engine, self.report, self.quarantine, owned)

    def append(self, *others: EventLog | None) -> EventLog:
        """These events and the rows of ``others`` as one log (``None`` is skipped).

        Survey and feedback files hold events like any other (issue 8): appended, their
        rows count exactly as the same rows inside the events file would. Columns are the
        union (null where a log lacks one or has only nulls; a column typed differently
        becomes float64 when both are numeric, else string); ``event_seq`` is numbered again in content
        order, as ingest numbers one file, so the order of every customer's events is
        the one a single file gives. Rows on another engine are copied over. Exact
        duplicates across logs are kept (ingest drops those within one file).

        Examples
        --------
        >>> import pandas as pd
        >>> from journeymap.engine import connect
        >>> engine = connect()
        >>> def log(rows):
        ...     frame = pd.DataFrame(rows, columns=["customer_id", "event", "event_seq"])
        ...     frame["timestamp"] = pd.Timestamp("2026-01-01")
        ...     return EventLog(engine.register_arrow(frame), engine)
        >>> both = log([("a", "visit", 1)]).append(log([("a", "survey", 1)]), None)
        >>> both.to_pandas()[["event", "event_seq"]].values.tolist()
        [['survey', 1], ['visit', 2]]
        """
        import ibis

        logs = [self, *(other for other in others if other is not None)]
        if len(logs) == 1:
            return self
        copies = [
            log.to_engine(self.engine) for log in logs if log.engine is not self.engine
        ]
        if copies:
            # rows copied over from another engine live as long as this log: callers
            # keep expressions over the union (observations, matched events) after
            # the appended log itself is gone
            owners = [copy.owned for copy in copies]
            object.__setattr__(self, "owned", self.engine.own([], self.owned, *owners))
        moved = iter(copies)
        logs = [log if log.engine is self.engine else next(moved) for log in logs]
        tables = [log.table for log in logs]
        stacked = _union_all(tables)
        content = [c for c in stacked.columns if c != "event_seq"]
        window = ibis.window(
            order_by=[ibis.asc(stacked[c], nulls_first=True) for c in content]
        )
        numbered = stacked.mutate(event_seq=ibis.row_number().over(window) + 1)
        return EventLog(
            table=numbered.select(*stacked.columns),
            engine=self.engine,
            report=_added_reports([log.report for log in logs]),
            owned=self.engine.own([], *(log.owned for log in logs)),
        )

    def count(self) -> int:
        return int(self.engine.scalar(self.table.count()))

    def customers(self) -> int:
        return int(self.engine.scalar(self.table.customer_id.nunique()))

    def to_pandas(self, *, order: bool = True) -> pd.DataFrame:
        table = self.table.order_by(list(ORDER)) if order else self.table
        return self.engine.to_pandas(table)

    def execute(self, expr: Any) -> Any:
        return self.engine.to_pandas(expr)


def with_scratch(func: F) -> F:
    """Run ``func`` in a :meth:`~Engine.scratch` scope of its EventLog's engine.

    Whatever it materialises on the way (journey tables, observations) is dropped
    when it returns, so a call leaves no table behind; it must return plain data.
    """

    @functools.wraps(func)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        logs = [a for a in (*args, *kwargs.values()) if isinstance(a, EventLog)]
        if not logs:
            return func(*args, **kwargs)
        with logs[0].engine.scratch():
            return func(*args, **kwargs)

    return scoped  # type: ignore[return-value]


def _union_all(tables: list[ibis.Table]) -> ibis.Table:
    """One table of all rows; columns in first-seen order, types reconciled."""
    import ibis

    types: dict[str, dt.DataType] = {}
    for table in tables:
        for name, dtype in table.schema().items():
            known = types.setdefault(name, dtype)
            if known.is_null():  # an all-empty column takes the other side's type
                types[name] = dtype
            elif known != dtype and not dtype.is_null():
                numeric = known.is_numeric() and dtype.is_numeric()
                types[name] = ibis.dtype("float64" if numeric else "string")
    for name, dtype in types.items():
        if dtype.is_null():
            types[name] = ibis.dtype("string")
    aligned = [
        table.select(
            **{
                name: table[name].cast(dtype)
                if name in table.columns
                else ibis.null(dtype)
                for name, dtype in types.items()
            }
        )
        for table in tables
    ]
    return ibis.union(*aligned, distinct=False)


def _added_reports(reports: list[IngestReport | None]) -> IngestReport | None:
    """The reports of appended logs added up (``None`` when no log has one)."""
    known = [r for r in reports if r is not None]
    if not known:
        return None
    reasons: Counter[str] = Counter()
    columns: dict[str, str] = {}
    for report in known:
        reasons.update(report.reasons)
        for role, column in report.columns.items():
            columns.setdefault(role, column)
    return IngestReport(
        source=" + ".join(r.source for r in known),
        read=sum(r.read for r in known),
        loaded=sum(r.loaded for r in known),
        quarantined=sum(r.quarantined for r in known),
        duplicates=sum(r.duplicates for r in known),
        columns=columns,
        reasons=dict(reasons),
        quarantine_file=next(
            (r.quarantine_file for r in known if r.quarantine_file), None
        ),
    )
