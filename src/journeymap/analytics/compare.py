"""Compare stage reach and conversion between two time periods.

Each period ``[start, end)`` is measured on its own events only, with the stage
definitions of ``stages.py``. Reach is the share of the period's customers (any
event in the period) who reached the stage; conversion is the share of the stage's
customers who moved on to the next (or any later) stage within the period. Each
difference gets a pooled two-proportion z test, and the q-values control the false
discovery rate across all rows (Benjamini–Hochberg).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stages import stage_counts_expr
from journeymap.analytics.stats import benjamini_hochberg, two_proportion_ztest
from journeymap.errors import AnalysisError
from journeymap.model.analysis import Period, PeriodComparison, StageDifference
from journeymap.model.journey import JourneyMap
from journeymap.model.values import optional_float

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = [
    "PeriodComparison",
    "StageDifference",
    "compare_periods",
    "period_counts_expr",
]

METRICS = ("reach", "conversion_next", "conversion_later")


def _within(log: EventLog, period: Period) -> EventLog:
    start, end = period
    if end <= start:
        raise AnalysisError(f"period end {end} must be after start {start}")
    table = log.table
    return log.filter_events((table.timestamp >= start) & (table.timestamp < end))


def period_counts_expr(log: EventLog, journey: JourneyMap, period: Period) -> Any:
    """``stage_counts_expr`` over the events of one period ``[start, end)``."""
    return stage_counts_expr(_within(log, period), journey)


def _measure(
    log: EventLog, journey: JourneyMap, period: Period
) -> tuple[int, list[dict[str, Any]]]:
    frame = log.engine.to_pandas(period_counts_expr(log, journey, period))
    customers = _within(log, period).customers()
    return customers, frame.sort_values("stage_index").to_dict("records")


def _counts(row: dict[str, Any], customers: int, metric: str) -> tuple[int, int]:
    if metric == "reach":
        return int(row["reached"]), customers
    return int(row[metric.replace("conversion", "converted")]), int(row["reached"])


def _difference(
    stage_id: str, metric: str, a: tuple[int, int], b: tuple[int, int]
) -> StageDifference:
    test = two_proportion_ztest(a[0], a[1], b[0], b[1])
    return StageDifference(
        stage_id=stage_id,
        metric=metric,
        a_count=a[0],
        a_total=a[1],
        b_count=b[0],
        b_total=b[1],
        a_rate=optional_float(test.p1),
        b_rate=optional_float(test.p2),
        diff=optional_float(test.diff),
        z=optional_float(test.z),
        p_value=optional_float(test.p_value),
    )


def compare_periods(
    log: EventLog, journey: JourneyMap, period_a: Period, period_b: Period
) -> PeriodComparison:
    """Stage reach and conversion in two periods, with z tests and BH q-values.

    Parameters
    ----------
    log
        The events.
    journey
        The map.
    period_a, period_b
        ``(start, end)`` naive UTC datetimes; events with ``start <= t < end``.

    Returns
    -------
    PeriodComparison
        Per stage and metric (reach, conversion_next, conversion_later): counts,
        rates, ``diff = b - a``, z, p-value and q-value. The last stage has no
        conversion rows.

    Examples
    --------
    >>> import journeymap as jm
    >>> log, journey = jm.examples.events(), jm.examples.journey()
    >>> import datetime as dt
    >>> morning = (dt.datetime(2024, 1, 1, 10), dt.datetime(2024, 1, 1, 11))
    >>> later = (dt.datetime(2024, 1, 1, 11), dt.datetime(2024, 1, 2))
    >>> row = compare_periods(log, journey, morning, later).row("buy", "reach")
    >>> row.a_rate, row.b_rate, row.diff
    (1.0, 0.0, -1.0)
    """
    customers_a, rows_a = _measure(log, journey, period_a)
    customers_b, rows_b = _measure(log, journey, period_b)
    last = len(journey.stages) - 1
    rows = [
        _difference(
            stage.id,
            metric,
            _counts(ra, customers_a, metric),
            _counts(rb, customers_b, metric),
        )
        for i, (stage, ra, rb) in enumerate(
            zip(journey.stages, rows_a, rows_b, strict=True)
        )
        for metric in METRICS
        if metric == "reach" or i < last
    ]
    p_values = [math.nan if r.p_value is None else r.p_value for r in rows]
    q_values = benjamini_hochberg(p_values)
    rows = [
        replace(r, q_value=optional_float(q))
        for r, q in zip(rows, q_values, strict=True)
    ]
    return PeriodComparison(
        period_a=period_a,
        period_b=period_b,
        customers_a=customers_a,
        customers_b=customers_b,
        rows=tuple(rows),
    )
