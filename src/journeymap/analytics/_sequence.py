"""Building blocks shared by the sequence metrics (transitions, variants, paths, funnels).

A customer's events are ordered by ``(timestamp, event_seq)`` (docs/reference/events.md). Everything here
is a plain Ibis expression, so the same code runs on DuckDB and Spark: window functions
and joins only, never an ordered ``collect`` (it fails on Spark through Ibis).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import ibis

from journeymap.errors import AnalysisError

if TYPE_CHECKING:
    from journeymap.engine import EventLog

# width of the position prefix that makes an unordered collect sortable (see tag_events)
POSITION_WIDTH = 10


def customer_window(table: ibis.Table) -> Any:
    """The window of one customer's events in journey order."""
    return ibis.window(
        group_by=table.customer_id, order_by=[table.timestamp, table.event_seq]
    )


def seconds_between(later: Any, earlier: Any) -> Any:
    """Exact seconds (microsecond precision) from ``earlier`` to ``later``."""
    return later.delta(earlier, unit="microsecond").cast("float64") / 1_000_000


def after_seconds(timestamp: Any, seconds: float) -> Any:
    """``timestamp`` plus ``seconds``, to microsecond precision."""
    return timestamp + ibis.interval(round(seconds * 1_000_000), unit="us")


def tag_events(position: Any, value: Any) -> Any:
    """``0000000003:value``: sorting these strings sorts by position.

    Ibis cannot collect in order portably, so sequences are collected unordered and the
    array is sorted; since every path starts at position 0, two customers with the same
    sequence get identical arrays, so the sorted arrays can be grouped on directly.
    """
    digits = position.cast("string").lpad(POSITION_WIDTH, "0")
    return digits.concat(":", value)


def untag(tags: Iterable[str]) -> tuple[str, ...]:
    """Strip the position prefix added by :func:`tag_events`."""
    return tuple(tag[POSITION_WIDTH + 1 :] for tag in tags)


def require_column(log: EventLog, column: str, *, field: str) -> None:
    if not log.has(column):
        known = ", ".join(log.columns)
        raise AnalysisError(
            f"no column {column!r} in the events; known: {known}", field=field
        )


def require_top(top: int | None) -> None:
    if top is not None and top < 1:
        raise AnalysisError(f"top must be at least 1, not {top}", field="top")
