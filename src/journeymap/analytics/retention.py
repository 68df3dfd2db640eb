"""Cohort retention: of the customers who started in a period, how many came back.

A customer's cohort is the period (day, week or month, truncated in UTC; weeks start
on Monday) of its first event, or of its first ``cohort_event``. A cell (cohort,
offset k) counts the cohort's customers active in the k-th period after the cohort
period: any event, or a ``return_event``, at or after the customer's cohort moment.
Active customers at k ≥ 1 split into *continuing* (also active at k-1) and
*returning* (active at k after a gap). Cells the data cannot have seen yet (past the
period of the log's last event) are ``None``, not 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import ibis
import ibis.expr.types as ir

from journeymap.errors import AnalysisError
from journeymap.model.analysis import RetentionCell, RetentionMatrix

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = [
    "RetentionCell",
    "RetentionMatrix",
    "cohort_sizes_expr",
    "retention_expr",
    "retention_matrix",
]

Period = Literal["day", "week", "month"]
_UNITS = {"day": "D", "week": "W", "month": "M"}


def _names(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _offset(start: ir.TimestampValue, cohort: ir.TimestampValue, period: Period) -> Any:
    if period == "month":
        return (start.year() - cohort.year()) * 12 + (start.month() - cohort.month())
    days = start.delta(cohort, unit="day")
    return days if period == "day" else days // 7


def retention_expr(
    log: EventLog,
    *,
    period: Period = "week",
    cohort_event: str | Sequence[str] | None = None,
    return_event: str | Sequence[str] | None = None,
    periods: int = 8,
) -> ir.Table:
    """Long retention table: ``cohort_start``, ``offset``, ``active``, ``continuing``.

    Only cells with activity appear; cohort sizes come from ``cohort_sizes_expr``.
    """
    if period not in _UNITS:
        raise AnalysisError(f"period must be day, week or month, not {period!r}")
    if periods < 1:
        raise AnalysisError(f"periods must be at least 1, got {periods}")
    active = _activity(log, period, cohort_event, return_event)
    active = active.filter((active.offset >= 0) & (active.offset < periods))
    window = ibis.window(group_by="customer_id", order_by="offset")
    active = active.mutate(prev=active.offset.lag().over(window))
    return active.group_by("cohort_start", "offset").agg(
        active=active.count(),
        continuing=(active.prev == active.offset - 1).fill_null(False).sum(),
    )


def _cohorts(
    log: EventLog, period: Period, cohort_event: str | Sequence[str] | None
) -> ir.Table:
    table = log.table
    names = _names(cohort_event)
    if names is not None:
        table = table.filter(table.event.isin(names))
    cohorts = table.group_by("customer_id").agg(cohort_ts=table.timestamp.min())
    return cohorts.mutate(cohort_start=cohorts.cohort_ts.truncate(_UNITS[period]))


def cohort_sizes_expr(
    log: EventLog,
    *,
    period: Period = "week",
    cohort_event: str | Sequence[str] | None = None,
) -> ir.Table:
    """Customers per cohort: ``cohort_start``, ``size``."""
    cohorts = _cohorts(log, period, cohort_event)
    return cohorts.group_by("cohort_start").agg(size=cohorts.count())


def _activity(
    log: EventLog,
    period: Period,
    cohort_event: str | Sequence[str] | None,
    return_event: str | Sequence[str] | None,
) -> ir.Table:
    """Distinct (customer, cohort_start, offset) where the customer was active."""
    table = log.table
    names = _names(return_event)
    if names is not None:
        table = table.filter(table.event.isin(names))
    cohorts = _cohorts(log, period, cohort_event)
    joined = table.join(cohorts, "customer_id")
    joined = joined.filter(joined.timestamp >= joined.cohort_ts)
    start = joined.timestamp.truncate(_UNITS[period])
    return joined.select(
        "customer_id",
        "cohort_start",
        offset=_offset(start, joined.cohort_start, period),
    ).distinct()


def _add_periods(start: dt.date, k: int, period: Period) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=k)
    if period == "week":
        return start + dt.timedelta(weeks=k)
    month = start.month - 1 + k
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _as_date(value: Any) -> dt.date:
    day: dt.date = value.date() if hasattr(value, "date") else value
    return day


def retention_matrix(
    log: EventLog,
    *,
    period: Period = "week",
    cohort_event: str | Sequence[str] | None = None,
    return_event: str | Sequence[str] | None = None,
    periods: int = 8,
) -> RetentionMatrix:
    """Share of each cohort active in each of the ``periods`` periods after it started.

    Parameters
    ----------
    log
        The events.
    period
        ``"day"``, ``"week"`` (Monday start) or ``"month"``.
    cohort_event
        Event name(s) that start a customer's cohort (default: any first event).
        Customers without one are left out.
    return_event
        Event name(s) that count as being active (default: any event).
    periods
        Number of offsets (0 = the cohort period itself).

    Returns
    -------
    RetentionMatrix
        Cohorts oldest first; a cell is ``None`` when its period lies after the
        period of the log's last event.

    Examples
    --------
    >>> import journeymap as jm
    >>> log = jm.examples.events()
    >>> matrix = retention_matrix(log, period="day", periods=2)
    >>> matrix.sizes, matrix.cells[0][1]
    ((3,), None)
    """
    expr = retention_expr(
        log,
        period=period,
        cohort_event=cohort_event,
        return_event=return_event,
        periods=periods,
    )
    cells = log.engine.to_pandas(expr)
    sizes = log.engine.to_pandas(
        cohort_sizes_expr(log, period=period, cohort_event=cohort_event)
    )
    last_ts = log.engine.scalar(log.table.timestamp.max())
    # an empty log gives NaT (pandas' null), which is not None
    known = last_ts is not None and last_ts == last_ts
    last = _as_date(_truncate_py(last_ts, period)) if known else None
    found = {
        (_as_date(r["cohort_start"]), int(r["offset"])): r
        for r in cells.to_dict("records")
    }
    cohorts = sorted(
        (_as_date(c), int(n))
        for c, n in zip(sizes.cohort_start, sizes["size"], strict=True)
    )
    rows = tuple(
        tuple(
            _cell(
                found.get((start, k)),
                size,
                k,
                last is not None and _add_periods(start, k, period) <= last,
            )
            for k in range(periods)
        )
        for start, size in cohorts
    )
    return RetentionMatrix(
        period=period,
        cohorts=tuple(c for c, _ in cohorts),
        sizes=tuple(n for _, n in cohorts),
        cells=rows,
    )


def _truncate_py(value: Any, period: Period) -> dt.date:
    day = _as_date(value)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _cell(
    row: dict[str, Any] | None, size: int, k: int, observed: bool
) -> RetentionCell | None:
    if not observed:
        return None
    if row is None:
        return RetentionCell(active=0, share=0.0)
    active = int(row["active"])
    continuing = int(row["continuing"]) if k > 0 else 0
    returning = active - continuing if k > 0 else 0
    return RetentionCell(
        active=active, share=active / size, continuing=continuing, returning=returning
    )
