"""Transitions: how customers move from one event (or channel) to the next.

docs/reference/metrics.md: for consecutive events ``e_i, e_{i+1}`` of the same customer, in
``(timestamp, event_seq)`` order, count ``(value_i, value_{i+1})``, the distinct customers
and the median / 90th percentile of the seconds between them (linear interpolation). No
artificial start or end edges: the first and last value of each journey are reported
separately, as ``starts`` and ``ends``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics._sequence import (
    customer_window,
    require_column,
    seconds_between,
)
from journeymap.model.results import EndpointCount, Transition, TransitionTable
from journeymap.model.values import plain

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = ["count_transitions", "endpoints_expr", "transitions_expr"]


def _steps(log: EventLog, by: str) -> ibis.Table:
    """Each event with the value and time of the customer's next event (null at the end)."""
    t = log.table
    w = customer_window(t)
    return t.select(
        customer_id=t.customer_id,
        source=t[by],
        timestamp=t.timestamp,
        target=t[by].lead().over(w),
        next_timestamp=t.timestamp.lead().over(w),
    )


def transitions_expr(log: EventLog, *, by: str = "event") -> ibis.Table:
    """Transition counts as an unexecuted Ibis table.

    Columns ``source, target, count, customers, median_seconds, p90_seconds``, ordered by
    ``count`` descending, then ``source`` and ``target`` (nulls last).
    """
    steps = _steps(log, by)
    # the next timestamp is never null inside a journey, even when the value is
    edges = steps.filter(steps.next_timestamp.notnull())
    edges = edges.mutate(seconds=seconds_between(edges.next_timestamp, edges.timestamp))
    table = edges.group_by(["source", "target"]).aggregate(
        count=edges.count(),
        customers=edges.customer_id.nunique(),
        median_seconds=edges.seconds.quantile(0.5),
        p90_seconds=edges.seconds.quantile(0.9),
    )
    return table.order_by(
        [
            ibis.desc("count"),
            table.source.asc(nulls_first=False),
            table.target.asc(nulls_first=False),
        ]
    )


def endpoints_expr(log: EventLog, *, by: str = "event") -> ibis.Table:
    """Customers per first (``kind="start"``) and last (``kind="end"``) value.

    Ordered by ``kind``, ``customers`` descending, then ``value`` (nulls last).
    """
    t = log.table
    w = customer_window(t)
    marked = t.select(
        value=t[by],
        first=t.timestamp.lag().over(w).isnull(),
        last=t.timestamp.lead().over(w).isnull(),
    )
    kinds = [
        marked.filter(marked["first"]).select("value", kind=ibis.literal("start")),
        marked.filter(marked["last"]).select("value", kind=ibis.literal("end")),
    ]
    rows = ibis.union(*kinds, distinct=False)
    table = rows.group_by(["kind", "value"]).aggregate(customers=rows.count())
    return table.order_by(
        [ibis.desc("kind"), ibis.desc("customers"), table.value.asc(nulls_first=False)]
    )


def count_transitions(log: EventLog, *, by: str = "event") -> TransitionTable:
    """Count transitions between consecutive events of each customer.

    Parameters
    ----------
    log
        The events.
    by
        The column whose consecutive values make the edges: ``"event"`` (default),
        ``"channel"`` or any property column.

    Returns
    -------
    TransitionTable
        One :class:`~journeymap.model.results.Transition` per ``(source, target)`` with
        ``count``, distinct ``customers`` and ``median_seconds``/``p90_seconds`` (linear
        interpolation), plus ``starts`` and ``ends`` (customers per first/last value).

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01",
    ...                                  "2024-01-01 10:00", "2024-01-01 10:03"]),
    ...     "event": ["visit", "buy", "visit", "buy"]}))
    >>> table = count_transitions(log)
    >>> table.transitions[0]
    Transition(source='visit', target='buy', count=2, customers=2, median_seconds=120.0, p90_seconds=168.0)
    >>> [(s.value, s.customers) for s in table.starts]
    [('visit', 2)]
    """
    require_column(log, by, field="by")
    frame = log.engine.to_pandas(transitions_expr(log, by=by))
    ends = log.engine.to_pandas(endpoints_expr(log, by=by))
    return TransitionTable(
        by=by,
        transitions=tuple(_transition(row) for row in frame.itertuples(index=False)),
        starts=_endpoints(ends, "start"),
        ends=_endpoints(ends, "end"),
    )


def _transition(row: Any) -> Transition:
    return Transition(
        source=plain(row.source),
        target=plain(row.target),
        count=int(row.count),
        customers=int(row.customers),
        median_seconds=float(row.median_seconds),
        p90_seconds=float(row.p90_seconds),
    )


def _endpoints(frame: Any, kind: str) -> tuple[EndpointCount, ...]:
    rows = frame[frame["kind"] == kind]
    return tuple(
        EndpointCount(value=plain(row.value), customers=int(row.customers))
        for row in rows.itertuples(index=False)
    )
