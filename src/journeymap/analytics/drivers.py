"""Conversion drivers: which events and first-touch attributes go with converting.

For every event name, and every value of a categorical column (``channel`` and
text properties) on the customer's first event, customers split into a 2×2 table:
with / without the feature × converted / not. A converter's features come only from
its events *before* its first conversion event (so the conversion cannot explain
itself); a non-converter's from all its events. Each table gets an odds ratio with
a 95% Woolf interval, Fisher's exact p-value and a Benjamini–Hochberg q-value.
Association, not causation: the report says "goes with", never "causes".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from journeymap.analytics.stats import benjamini_hochberg, fisher_exact_p, odds_ratio
from journeymap.errors import AnalysisError
from journeymap.model.analysis import Driver, DriverTable

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = ["Driver", "DriverTable", "driver_counts_expr", "find_drivers"]

ORDER = ("timestamp", "event_seq")


def _names(value: str | Sequence[str]) -> list[str]:
    names = [value] if isinstance(value, str) else list(value)
    if not names:
        raise AnalysisError("conversion_event needs at least one event name")
    return names


def _categorical_columns(log: EventLog) -> list[str]:
    columns = ["channel"] if log.has("channel") else []
    schema = log.table.schema()
    for name in log.properties():
        dtype = schema[name]
        if dtype.is_string() or dtype.is_boolean():
            columns.append(name)
    return columns


def _before_conversion(log: EventLog, names: list[str]) -> ir.Table:
    """Events before each customer's first conversion (all, for non-converters)."""
    table = log.table
    window = ibis.window(group_by="customer_id", order_by=list(ORDER))
    ranked = table.mutate(_pos=ibis.row_number().over(window))
    hits = ranked.filter(ranked.event.isin(names))
    first = hits.group_by("customer_id").agg(_conv_pos=hits._pos.min())
    joined = ranked.left_join(first, "customer_id").drop("customer_id_right")
    return joined.filter(joined._conv_pos.isnull() | (joined._pos < joined._conv_pos))


def _features(log: EventLog, names: list[str]) -> ir.Table:
    """Distinct (customer_id, kind, column, value) observed before conversion."""
    before = _before_conversion(log, names)
    parts = [
        before.select(
            "customer_id",
            kind=ibis.literal("event"),
            column=ibis.literal("event"),
            value=before.event,
        )
    ]
    first = before.filter(before._pos == 0)
    for column in _categorical_columns(log):
        valued = first.filter(first[column].notnull())
        parts.append(
            valued.select(
                "customer_id",
                kind=ibis.literal("first_touch"),
                column=ibis.literal(column),
                value=valued[column].cast("string"),
            )
        )
    # union of a single table is the table itself, so dedupe explicitly
    return ibis.union(*parts).distinct()


def _converters(log: EventLog, names: list[str]) -> ir.Table:
    table = log.table
    hits = table.filter(table.event.isin(names))
    return hits.select("customer_id").distinct().mutate(converted=ibis.literal(1))


def driver_counts_expr(
    log: EventLog, conversion_event: str | Sequence[str]
) -> ir.Table:
    """Per feature: ``kind``, ``column``, ``value``, ``customers``, ``converted``.

    ``customers`` have the feature (before converting); ``converted`` of them
    converted later.
    """
    names = _names(conversion_event)
    features = _features(log, names)
    flagged = features.left_join(_converters(log, names), "customer_id")
    flagged = flagged.mutate(converted=flagged.converted.fill_null(0))
    return flagged.group_by("kind", "column", "value").agg(
        customers=flagged.count(), converted=flagged.converted.sum()
    )


def _driver(row: dict[str, Any], customers: int, converted: int) -> Driver:
    a = int(row["converted"])
    b = int(row["customers"]) - a
    c = converted - a
    d = customers - converted - b
    ratio = odds_ratio(a, b, c, d)
    kind, column, value = str(row["kind"]), str(row["column"]), str(row["value"])
    feature = f"event: {value}" if kind == "event" else f"first {column}: {value}"
    return Driver(
        feature=feature,
        kind=kind,
        column=column,
        value=value,
        with_customers=a + b,
        with_converted=a,
        without_customers=c + d,
        without_converted=c,
        odds_ratio=ratio.estimate,
        ci_low=ratio.ci_low,
        ci_high=ratio.ci_high,
        p_value=fisher_exact_p(a, b, c, d),
        q_value=math.nan,
        on_path=kind == "event" and converted > 0 and c == 0,
    )


def _sort_key(driver: Driver) -> tuple[float, float, str]:
    return (driver.q_value, -abs(math.log(driver.odds_ratio)), driver.feature)


def find_drivers(
    log: EventLog,
    conversion_event: str | Sequence[str],
    *,
    min_customers: int = 20,
    top: int = 30,
) -> DriverTable:
    """Rank events and first-touch attributes by their association with converting.

    Parameters
    ----------
    log
        The events.
    conversion_event
        Event name(s) that count as converting.
    min_customers
        Features seen by fewer customers are not tested (nor counted in N).
    top
        How many drivers to keep ("top 30 of N").

    Returns
    -------
    DriverTable
        Drivers sorted by q-value, then |log odds ratio|, then name. An event every
        converter had before converting is flagged ``on_path``: a step on the way to
        conversion by construction, whose odds ratio says little.

    Examples
    --------
    >>> import journeymap as jm
    >>> table = find_drivers(jm.examples.events(), "purchase", min_customers=1)
    >>> table.label, [(d.feature, d.with_customers) for d in table.drivers][:2]
    ('top 5 of 5', [('event: unsubscribe', 1), ('event: newsletter', 2)])
    >>> table.on_path  # both converters saw an ad first
    ('event: ad_view',)
    """
    names = _names(conversion_event)
    frame = log.engine.to_pandas(driver_counts_expr(log, names))
    customers = log.customers()
    converted = int(log.engine.scalar(_converters(log, names).count()))
    rows = [r for r in frame.to_dict("records") if int(r["customers"]) >= min_customers]
    drivers = [_driver(r, customers, converted) for r in rows]
    q_values = benjamini_hochberg([d.p_value for d in drivers])
    ranked = sorted(
        (_with_q(d, q) for d, q in zip(drivers, q_values, strict=True)), key=_sort_key
    )
    return DriverTable(
        conversion_event=tuple(names),
        customers=customers,
        converted=converted,
        tested=len(ranked),
        drivers=tuple(ranked[: max(top, 0)]),
    )


def _with_q(driver: Driver, q_value: float) -> Driver:
    return replace(driver, q_value=q_value)
