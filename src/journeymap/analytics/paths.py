"""Paths: the most common sequences of events around an anchor event.

The anchor of a customer is its first ``from_event`` (or, with only ``to_event``, its
first ``to_event``; with neither, its first event). The path runs from ``steps_before``
events before the anchor to ``steps_after`` events after it; with both ``from_event`` and
``to_event`` it runs from the first ``from_event`` to the first ``to_event`` after it
(inclusive), extended by ``steps_before``/``steps_after``. A path stops at the start and
end of the journey. Customers without the anchor have no path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics._sequence import (
    customer_window,
    require_top,
    tag_events,
    untag,
)
from journeymap.analytics.variants import rank_sequences
from journeymap.errors import AnalysisError
from journeymap.model.results import PathCount, PathTable

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = ["find_paths", "paths_expr"]


def _positioned(log: EventLog) -> ibis.Table:
    t = log.table
    return t.select(
        t.customer_id, t.event, position=ibis.row_number().over(customer_window(t))
    )


def _first_position(events: ibis.Table, name: str, column: str) -> ibis.Table:
    hits = events.filter(events.event == ibis.literal(name, type="string"))
    return hits.group_by("customer_id").aggregate(**{column: hits.position.min()})


def _bounds(
    events: ibis.Table, from_event: str | None, to_event: str | None
) -> ibis.Table:
    """Per customer: ``start`` (anchor position) and ``stop`` (last anchored position)."""
    if from_event is None and to_event is None:
        return events.group_by("customer_id").aggregate(
            start=ibis.literal(0, type="int64"), stop=ibis.literal(0, type="int64")
        )
    if from_event is None:
        first = _first_position(events, to_event, "start")  # type: ignore[arg-type]
        return first.mutate(stop=first.start)
    first = _first_position(events, from_event, "start")
    if to_event is None:
        return first.mutate(stop=first.start)
    hits = events.filter(events.event == ibis.literal(to_event, type="string"))
    joined = first.join(
        hits, [first.customer_id == hits.customer_id, hits.position > first.start]
    )
    return joined.group_by(["customer_id", "start"]).aggregate(
        stop=joined.position.min()
    )


def paths_expr(
    log: EventLog,
    *,
    from_event: str | None = None,
    to_event: str | None = None,
    steps_before: int = 0,
    steps_after: int = 3,
    top: int | None = 50,
) -> ibis.Table:
    """The ``top`` paths as an unexecuted Ibis table (columns as in ``variants_expr``)."""
    events = _positioned(log)
    bounds = _bounds(events, from_event, to_event)
    bounds = bounds.select(
        customer_id=bounds.customer_id,
        low=ibis.greatest(bounds.start - steps_before, 0),
        high=bounds.stop + steps_after,
    )
    inside = events.join(
        bounds,
        [
            events.customer_id == bounds.customer_id,
            events.position >= bounds.low,
            events.position <= bounds.high,
        ],
    )
    tagged = inside.select(
        inside.customer_id, tag=tag_events(inside.position - inside.low, inside.event)
    )
    sequences = tagged.group_by("customer_id").aggregate(
        path=tagged.tag.collect().sort()
    )
    return rank_sequences(sequences, top=top)


def find_paths(
    log: EventLog,
    *,
    from_event: str | None = None,
    to_event: str | None = None,
    steps_before: int = 0,
    steps_after: int = 3,
    top: int | None = 50,
) -> PathTable:
    """Find the most common paths from, to or between anchor events.

    Parameters
    ----------
    log
        The events.
    from_event, to_event
        Anchor event names (see the module docstring); with neither, paths start at
        each customer's first event.
    steps_before, steps_after
        Events kept before the anchor and after the end of the anchored span.
    top
        How many paths to return (most customers first); ``None`` for all.

    Returns
    -------
    PathTable
        Paths with ``customers`` and ``share`` of the customers that have the anchor;
        ``total`` counts all distinct paths.

    Examples
    --------
    >>> import journeymap as jm
    >>> log = jm.examples.events()
    >>> found = find_paths(log, from_event="ad_view", steps_after=1)
    >>> [(p.path, p.customers) for p in found.paths]
    [(('ad_view', 'purchase'), 2), (('ad_view', 'newsletter'), 1)]
    """
    _check(steps_before, steps_after, top)
    expr = paths_expr(
        log,
        from_event=from_event,
        to_event=to_event,
        steps_before=steps_before,
        steps_after=steps_after,
        top=top,
    )
    frame = log.engine.to_pandas(expr)
    paths = tuple(_path(row) for row in frame.itertuples(index=False))
    total, customers = _totals(frame)
    return PathTable(
        paths=paths,
        total=total,
        customers=customers,
        from_event=from_event,
        to_event=to_event,
    )


def _check(steps_before: int, steps_after: int, top: int | None) -> None:
    require_top(top)
    if steps_before < 0 or steps_after < 0:
        raise AnalysisError("steps_before and steps_after must not be negative")


def _path(row: Any) -> PathCount:
    return PathCount(
        path=untag(row.path),
        customers=int(row.customers),
        share=int(row.customers) / int(row.all_customers),
    )


def _totals(frame: Any) -> tuple[int, int]:
    if len(frame):
        return int(frame.total.iloc[0]), int(frame.all_customers.iloc[0])
    return 0, 0  # nobody has the anchor
