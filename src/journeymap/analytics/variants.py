"""Variants: the distinct full journeys (event sequences) and how many customers take each.

The sequence of a customer is built without an ordered ``collect`` (which fails on Spark
through Ibis): each event is tagged with its zero-padded position, the tags are collected
unordered and the array is sorted (see ``_sequence.tag_events``).
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
from journeymap.model.results import Variant, VariantTable

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = ["count_variants", "rank_sequences", "variants_expr"]


def _customer_sequences(log: EventLog) -> ibis.Table:
    t = log.table
    positioned = t.select(
        t.customer_id, t.event, position=ibis.row_number().over(customer_window(t))
    )
    tagged = positioned.select(
        positioned.customer_id, tag=tag_events(positioned.position, positioned.event)
    )
    return tagged.group_by("customer_id").aggregate(path=tagged.tag.collect().sort())


def rank_sequences(sequences: ibis.Table, *, top: int | None) -> ibis.Table:
    """Group customers by sorted tag array ``path``; rank, share and total per path.

    Ties in ``customers`` are broken by the path itself (lexicographic over the events),
    so the order never depends on the engine.
    """
    counts = sequences.group_by("path").aggregate(customers=sequences.count())
    order = [ibis.desc(counts.customers), counts.path.asc()]
    everyone = ibis.window()
    ranked = counts.mutate(
        rank=ibis.row_number().over(ibis.window(order_by=order)),
        total=counts.count().over(everyone),
        all_customers=counts.customers.sum().over(everyone),
        running=counts.customers.sum().over(ibis.cumulative_window(order_by=order)),
    )
    if top is not None:
        ranked = ranked.filter(ranked["rank"] < top)
    return ranked.order_by("rank")


def variants_expr(log: EventLog, *, top: int | None = 50) -> ibis.Table:
    """The ``top`` variants as an unexecuted Ibis table.

    Columns ``path`` (sorted position-tagged events), ``customers``, ``rank`` (0-based),
    ``total`` (distinct variants), ``all_customers`` and ``running`` (cumulative
    customers in rank order).
    """
    return rank_sequences(_customer_sequences(log), top=top)


def count_variants(log: EventLog, *, top: int | None = 50) -> VariantTable:
    """Count the distinct full journeys (variants) of the customers.

    Parameters
    ----------
    log
        The events.
    top
        How many variants to return (most customers first); ``None`` for all. The
        result always carries ``total``, the number of distinct variants.

    Returns
    -------
    VariantTable
        Variants with ``customers``, ``share`` of all customers and
        ``cumulative_share`` (coverage of the variants so far).

    Examples
    --------
    >>> import pandas as pd
    >>> import journeymap as jm
    >>> log = jm.read_events(pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01"] * 2
    ...                                 + ["2024-01-01 10:00"]),
    ...     "event": ["visit", "buy", "visit", "buy", "visit"]}))
    >>> table = count_variants(log, top=1)
    >>> table.summary()
    'top 1 of 2 variants, covering 66.7% of 3 customers'
    >>> table.variants[0].path
    ('visit', 'buy')
    """
    require_top(top)
    frame = log.engine.to_pandas(variants_expr(log, top=top))
    variants = tuple(_variant(row) for row in frame.itertuples(index=False))
    total, customers = _totals(frame, log)
    return VariantTable(variants=variants, total=total, customers=customers)


def _variant(row: Any) -> Variant:
    everyone = int(row.all_customers)
    return Variant(
        path=untag(row.path),
        customers=int(row.customers),
        share=int(row.customers) / everyone,
        cumulative_share=int(row.running) / everyone,
    )


def _totals(frame: Any, log: EventLog) -> tuple[int, int]:
    if len(frame):
        return int(frame.total.iloc[0]), int(frame.all_customers.iloc[0])
    return 0, log.customers()
