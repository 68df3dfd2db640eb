"""Time to convert: seconds from a customer's start to its first conversion (docs/reference/metrics.md).

The start is the customer's first event (or its first ``from_event``); the conversion is
the first conversion event at or after the start (0 seconds when the start itself
converts). Customers without a start are not counted; customers with a start but no
conversion count in ``customers`` but not in ``n``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

from journeymap.analytics._sequence import seconds_between
from journeymap.errors import AnalysisError
from journeymap.model.results import HistogramBin, TimeToConvert
from journeymap.model.values import optional_float

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = [
    "histogram_expr",
    "summary_expr",
    "time_to_convert",
    "time_to_convert_expr",
    "time_to_convert_summary_expr",
]


def _names(conversion: str | Sequence[str]) -> tuple[str, ...]:
    names = (conversion,) if isinstance(conversion, str) else tuple(conversion)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise AnalysisError(
            "conversion needs at least one event name", field="conversion"
        )
    return names


def time_to_convert_expr(
    log: EventLog, conversion: str | Sequence[str], *, from_event: str | None = None
) -> ibis.Table:
    """Per customer with a start: ``customer_id`` and ``seconds`` (null: no conversion)."""
    t = log.table
    names = list(_names(conversion))
    converts = t.event.isin(names)
    if from_event is None:
        per = t.group_by("customer_id").aggregate(
            start=t.timestamp.min(), converted=t.timestamp.min(where=converts)
        )
    else:
        per = _after_start(t, names, from_event)
    return per.select("customer_id", seconds=seconds_between(per.converted, per.start))


def _after_start(t: ibis.Table, names: list[str], from_event: str) -> ibis.Table:
    hits = t.filter(t.event == ibis.literal(from_event, type="string"))
    starts = hits.group_by("customer_id").aggregate(start=hits.timestamp.min())
    conv = t.filter(t.event.isin(names)).select(cid=t.customer_id, ts=t.timestamp)
    joined = starts.left_join(
        conv, [starts.customer_id == conv.cid, conv.ts >= starts.start]
    )
    return joined.group_by(["customer_id", "start"]).aggregate(
        converted=joined.ts.min()
    )


def summary_expr(per_customer: ibis.Table) -> ibis.Table:
    """One row: customers, n, mean/median/p90/max seconds over converters."""
    s = per_customer.seconds
    return per_customer.aggregate(
        customers=per_customer.count(),
        n=s.count(),
        mean_seconds=s.mean(),
        median_seconds=s.quantile(0.5),
        p90_seconds=s.quantile(0.9),
        max_seconds=s.max(),
    )


def histogram_expr(per_customer: ibis.Table, *, bins: int) -> ibis.Table:
    """Converters per equal-width bin of ``[0, max]``; the last bin is closed.

    Bin of ``v``: ``min(floor(v * bins / max), bins - 1)``, and 0 when ``max`` is 0.
    """
    rows = per_customer.filter(per_customer.seconds.notnull())
    rows = rows.mutate(high=rows.seconds.max().over(ibis.window()))
    raw = (rows.seconds * bins / rows.high).floor().cast("int64")
    index = ibis.ifelse(rows.high > 0, ibis.least(raw, bins - 1), 0)
    binned = rows.mutate(bin=index)
    return binned.group_by("bin").aggregate(customers=binned.count())


def time_to_convert_summary_expr(
    log: EventLog,
    conversion: str | Sequence[str],
    *,
    from_event: str | None = None,
    bins: int = 20,
) -> ibis.Table:
    """Summary and histogram in one query: one row with ``bin = -1`` holding the
    statistics, then one row per non-empty bin (statistics null)."""
    per = time_to_convert_expr(log, conversion, from_event=from_event)
    summary = summary_expr(per).mutate(bin=ibis.literal(-1, type="int64"))
    histogram = histogram_expr(per, bins=bins)
    stats = {c: ibis.null(t) for c, t in summary.schema().items() if c not in ("bin",)}
    histogram = histogram.select("bin", **{**stats, "customers": histogram.customers})
    summary = summary.select("bin", *stats)
    return ibis.union(summary, histogram, distinct=False).order_by("bin")


def time_to_convert(
    log: EventLog,
    conversion: str | Sequence[str],
    *,
    from_event: str | None = None,
    bins: int = 20,
) -> TimeToConvert:
    """Measure the seconds customers take to convert.

    Parameters
    ----------
    log
        The events.
    conversion
        The conversion event name (or names: the first of any counts).
    from_event
        Measure from the customer's first ``from_event`` instead of its first event.
    bins
        Equal-width histogram bins from 0 to the slowest conversion.

    Returns
    -------
    TimeToConvert
        ``customers`` (with a start), ``n`` converters, mean/median/p90 seconds (linear
        interpolation) and the histogram.

    Examples
    --------
    >>> import journeymap as jm
    >>> log = jm.examples.events()
    >>> result = time_to_convert(log, "purchase", bins=2)
    >>> (result.customers, result.n, result.median_seconds)
    (3, 2, 240.0)
    >>> [(b.low, b.high, b.customers) for b in result.histogram]
    [(0.0, 150.0, 0), (150.0, 300.0, 2)]
    """
    if bins < 1:
        raise AnalysisError(f"bins must be at least 1, not {bins}", field="bins")
    names = _names(conversion)
    expr = time_to_convert_summary_expr(log, names, from_event=from_event, bins=bins)
    frame = log.engine.to_pandas(expr)
    summary = frame.iloc[0]
    n = int(summary["n"])
    high = float(summary["max_seconds"]) if n else 0.0
    counts = {
        int(r.bin): int(r.customers) for r in frame.iloc[1:].itertuples(index=False)
    }
    return TimeToConvert(
        conversion=names,
        from_event=from_event,
        customers=int(summary["customers"]),
        n=n,
        mean_seconds=optional_float(summary["mean_seconds"]),
        median_seconds=optional_float(summary["median_seconds"]),
        p90_seconds=optional_float(summary["p90_seconds"]),
        histogram=_histogram(counts, high=high, bins=bins) if n else (),
    )


def _histogram(
    counts: dict[int, int], *, high: float, bins: int
) -> tuple[HistogramBin, ...]:
    if high <= 0:
        return (HistogramBin(low=0.0, high=0.0, customers=counts.get(0, 0)),)
    return tuple(_bin(i, high, bins, counts.get(i, 0)) for i in range(bins))


def _bin(i: int, high: float, bins: int, customers: int) -> HistogramBin:
    return HistogramBin(
        low=high * i / bins, high=high * (i + 1) / bins, customers=customers
    )
