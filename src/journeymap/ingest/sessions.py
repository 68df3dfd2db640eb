"""Sessionization: split each customer's events into sessions by inactivity.

Built from Ibis window functions (``lag``, a running sum), so the same expression runs
on DuckDB and Spark. Events are ordered by ``(timestamp, event_seq)``, the canonical
total order (docs/reference/events.md), so session ids never depend on the engine's sort.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.engine import EventLog
from journeymap.errors import IngestError

if TYPE_CHECKING:
    import ibis


def sessionize(
    log: EventLog,
    *,
    timeout_s: float = 1800,
    boundary_events: Iterable[str] = (),
    overwrite: bool = False,
) -> EventLog:
    """Return a new EventLog with a ``session_id`` column derived from inactivity gaps.

    A session starts at a customer's first event, after more than ``timeout_s``
    seconds without events, and at every event named in ``boundary_events`` (e.g.
    ``app_open``). Derived ids are ``"<customer_id>#<n>"`` with ``n`` counting from 1.

    Parameters
    ----------
    log
        Canonical events.
    timeout_s
        Inactivity, in seconds, that ends a session (default 30 minutes).
    boundary_events
        Events that always start a new session.
    overwrite
        Replace an existing ``session_id`` column. By default existing ids are kept
        and the rows where it is null take the given id of the inactivity session they
        fall in (derived ids only where that session has none).

    Returns
    -------
    EventLog
        The same events with ``session_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "timestamp": ["2024-01-01 10:00", "2024-01-01 10:10", "2024-01-01 12:00"],
    ...     "event": ["visit", "cart", "visit"]}))
    >>> sessionize(log).to_pandas()["session_id"].tolist()
    ['a#1', 'a#1', 'a#2']
    """
    if timeout_s <= 0:
        raise IngestError(
            f"timeout_s must be positive, not {timeout_s}", field="timeout_s"
        )
    import ibis

    table = session_expr(
        log, timeout_s=timeout_s, boundary_events=tuple(boundary_events)
    )
    if log.has("session_id") and not overwrite:
        # a row without an id (a survey answer appended from its own file) joins the
        # given session of the visit it falls in by the inactivity rule; only a stretch
        # with no given id at all gets the derived one (a phantom session per answer
        # left answers outside the visits they were given in)
        given = table.session_id.cast("string")
        inherited = given.max().over(
            ibis.window(group_by=[table.customer_id, table._jm_derived])
        )
        table = table.mutate(session_id=given.coalesce(inherited, table._jm_derived))
    else:
        table = table.mutate(session_id=table._jm_derived)
    return log.with_table(table.drop("_jm_derived"))


def session_expr(
    log: EventLog, *, timeout_s: float, boundary_events: tuple[str, ...]
) -> ibis.Table:
    """The log's table plus ``_jm_derived``: the inactivity-based session id."""
    import ibis

    table = log.table
    window = ibis.window(group_by=table.customer_id, order_by=_order(table, log))
    previous = table.timestamp.lag().over(window)
    gap_s = table.timestamp.epoch_seconds() - previous.epoch_seconds()
    starts = previous.isnull() | (gap_s > timeout_s)
    if boundary_events:
        starts = starts | table.event.isin(list(boundary_events))
    marked = table.mutate(_jm_start=starts.cast("int64"))
    number = marked._jm_start.cumsum(
        group_by=marked.customer_id, order_by=_order(marked, log)
    )
    numbered = marked.mutate(_jm_number=number)
    derived = (
        numbered.customer_id.cast("string") + "#" + numbered._jm_number.cast("string")
    )
    return numbered.mutate(_jm_derived=derived).drop("_jm_start", "_jm_number")


def _order(table: ibis.Table, log: EventLog) -> list[ibis.Column]:
    return [table.timestamp] + ([table.event_seq] if log.has("event_seq") else [])
