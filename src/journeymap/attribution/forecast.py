"""What the journey will deliver: conversions and revenue for the next periods.

A customer's *state* at a period boundary is its current stage (the stage of its
latest matched event before the boundary). Per period (UTC day, or ISO week from
Monday) the engine counts, for the customers active in it, the move from the stage at
its start to the stage at its end, their conversion events and the value of those;
inactive customers stay where they are. From the fitted periods:

- states are (stage, idle periods: 0, 1, 2 or more): a customer idle for long
  converts less than one active last period, whatever its stage;
- ``P[s, s']``: share of the customers in state s at a period's start who are in s' at
  its end (an inactive customer stays in its stage, one period more idle);
- ``c[s]``, ``r[s]``: conversions and revenue per customer in s at the start;
- arrivals (customers in no stage at the start): their count per period, a straight
  line fitted over the periods (least squares, never below 0), their stage at the end
  ``d`` and their conversions and revenue per arrival.

From the occupancy ``x₀`` at the origin, period h brings ``c·x_{h−1} + c_new·a_h``
conversions and ``x_h = Pᵀ x_{h−1} + a_h d``. The period that holds the data's last
event is taken as incomplete: the forecast starts where it starts. The backtest fits
on all complete periods but the last H, forecasts those H from the occupancy then,
and reports the mean absolute percentage error (MAPE) next to a naive forecast (the
last fitted period's conversions, repeated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import numpy as np

from journeymap.analytics.matching import match_touchpoints_expr
from journeymap.analytics.stats import exact_sum
from journeymap.errors import AnalysisError
from journeymap.model.attribution import Backtest, ForecastPeriod, ForecastResult

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

__all__ = ["PERIODS", "forecast_conversions", "period_moves_expr"]

PERIODS = {"day": ("D", dt.timedelta(days=1)), "week": ("W", dt.timedelta(days=7))}
NEW = -1  # the "stage" of a customer not yet in any stage
RECENCY = 3  # idle buckets: active in the previous period, 1 idle period, 2 or more


def period_moves_expr(
    log: EventLog, journey: JourneyMap, conversion: Sequence[str], *, period: str
) -> ir.Table:
    """Per (period, next active period, start stage, end stage): ``customers``,
    ``conversions`` and ``revenue`` of the customers active in the period."""
    unit, _ = PERIODS[period]
    t = match_touchpoints_expr(log, journey)
    t = t.mutate(_period=t.timestamp.truncate(unit))
    matched = t.filter(t.stage_index.notnull())
    latest = ibis.window(
        group_by=[matched.customer_id, matched._period],
        order_by=[ibis.desc(matched.timestamp), ibis.desc(matched.event_seq)],
    )
    ends = matched.mutate(_rn=ibis.row_number().over(latest))
    ends = ends.filter(ends._rn == 0).select(
        "customer_id", "_period", _stage=ends.stage_index
    )
    value = t.value.cast("float64").fill_null(0.0) if "value" in t.columns else 0.0
    converts = t.filter(t.event.isin(list(conversion))).mutate(_value=value)
    sales = converts.group_by(["customer_id", "_period"]).aggregate(
        _conversions=converts.count(), _revenue=exact_sum(converts._value)
    )
    keys = ibis.union(
        ends.select("customer_id", "_period"),
        sales.select("customer_id", "_period"),
        distinct=True,
    )
    rows = keys.left_join(ends, ["customer_id", "_period"]).select(
        "customer_id", "_period", "_stage"
    )
    rows = rows.left_join(sales, ["customer_id", "_period"]).select(
        "customer_id", "_period", "_stage", "_conversions", "_revenue"
    )
    ordered = ibis.window(group_by=rows.customer_id, order_by=rows._period)
    upto = ibis.window(group_by=rows.customer_id, order_by=rows._period, rows=(None, 0))
    # a period with conversions but no matched event keeps the stage it started in
    rows = rows.mutate(
        _last=ibis.cases((rows._stage.notnull(), rows._period)).max().over(upto)
    )
    stage_at = ends.select(_last="_period", _end="_stage", _cid="customer_id")
    rows = rows.left_join(
        stage_at,
        [rows.customer_id == stage_at._cid, rows._last == stage_at._last],
    )
    rows = rows.select(
        "customer_id",
        "_period",
        end_stage=rows._end.fill_null(NEW),
        conversions=rows._conversions.fill_null(0),
        revenue=rows._revenue.fill_null(0.0),
    )
    rows = rows.mutate(
        start_stage=rows.end_stage.lag().over(ordered).fill_null(NEW),
        next_period=rows._period.lead().over(ordered),
        prev_period=rows._period.lag().over(ordered),
    )
    return rows.group_by(
        [
            rows._period.name("period"),
            "prev_period",
            "next_period",
            "start_stage",
            "end_stage",
        ]
    ).aggregate(
        customers=rows.count(),
        conversions=rows.conversions.sum(),
        revenue=exact_sum(rows.revenue),
    )


@dataclass(frozen=True)
class _Periods:
    """The counts of every period over states ``stage × recency`` (index = stage ·
    RECENCY + recency; the last row of ``moves``/``conversions``: arrivals)."""

    starts: list[dt.datetime]
    occupancy: np.ndarray  # (periods + 1) × states: customers at each period's start
    moves: np.ndarray  # periods × (states + 1) × states: active customers' moves
    conversions: np.ndarray  # periods × (states + 1)
    revenue: np.ndarray  # periods × (states + 1)


def _state(stage: int, idle: int) -> int:
    """The state of a customer in ``stage`` whose last activity was ``idle`` whole
    periods before the current one (0: active in the previous period)."""
    return stage * RECENCY + min(idle, RECENCY - 1)


def _tabulate(frame: pd.DataFrame, stages: int, period: str) -> _Periods:
    step = PERIODS[period][1]
    first = min(_naive(p) for p in frame["period"])
    last = max(_naive(p) for p in frame["period"])
    starts = []
    moment = first
    while moment <= last:
        starts.append(moment)
        moment += step
    index = {s: i for i, s in enumerate(starts)}
    n, states = len(starts), stages * RECENCY
    occupancy = np.zeros((n + 1, states))
    moves = np.zeros((n, states + 1, states))
    conversions = np.zeros((n, states + 1))
    revenue = np.zeros((n, states + 1))
    for row in frame.itertuples(index=False):
        p = index[_naive(row.period)]
        nxt = n if _missing(row.next_period) else index[_naive(row.next_period)]
        if row.start_stage == NEW:
            start = states
        else:
            start = _state(int(row.start_stage), p - index[_naive(row.prev_period)] - 1)
        end = int(row.end_stage)
        if end != NEW:  # in `end` from the end of p until its next active period
            for i in range(p + 1, nxt + 1):
                occupancy[i, _state(end, i - p - 1)] += row.customers
            moves[p, start, _state(end, 0)] += row.customers
        conversions[p, start] += row.conversions
        revenue[p, start] += row.revenue
    return _Periods(starts, occupancy, moves, conversions, revenue)


def _naive(value: Any) -> dt.datetime:
    import pandas as pd

    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()  # type: ignore[no-any-return]


def _missing(value: Any) -> bool:
    return value is None or value != value  # None, NaN or NaT


@dataclass(frozen=True)
class _Model:
    moves: np.ndarray  # states × states, row-stochastic over one period
    conv: (
        np.ndarray
    )  # states + 1: conversions per customer at the start (last: arrival)
    rev: np.ndarray
    arrivals: np.ndarray  # per fitted period
    landing: np.ndarray  # states: where arrivals are at the end of their first period


def _idle_step(states: int) -> np.ndarray:
    """Where an inactive customer goes: the same stage, one period more idle."""
    step = np.zeros((states, states))
    for i in range(states):
        stage, idle = divmod(i, RECENCY)
        step[i, _state(stage, idle + 1)] = 1.0
    return step


def _fit(data: _Periods, fit: range) -> _Model:
    states = data.occupancy.shape[1]
    chosen = list(fit)
    occ = data.occupancy[chosen].sum(axis=0)  # customers at the starts, per state
    moved = data.moves[chosen].sum(axis=0)  # (states + 1) × states
    idle = np.maximum(occ - moved[:states].sum(axis=1), 0.0)
    counts = moved[:states] + idle[:, None] * _idle_step(states)
    rows = counts.sum(axis=1, keepdims=True)
    moves = np.divide(counts, rows, out=_idle_step(states), where=rows > 0)
    arrivals = data.moves[chosen, states].sum(axis=1)
    exposure = np.append(occ, arrivals.sum())
    conv = _per(data.conversions[chosen].sum(axis=0), exposure)
    rev = _per(data.revenue[chosen].sum(axis=0), exposure)
    landed = moved[states]
    landing = landed / landed.sum() if landed.sum() > 0 else np.zeros(states)
    return _Model(moves, conv, rev, arrivals, landing)


def _per(total: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    share: np.ndarray = np.divide(
        total, exposure, out=np.zeros_like(total), where=exposure > 0
    )
    return share


def _arrivals_ahead(arrivals: np.ndarray, horizon: int) -> np.ndarray:
    """A straight line through the fitted periods' arrivals, continued (>= 0)."""
    n = arrivals.size
    if n < 3:
        return np.full(horizon, arrivals.mean() if n else 0.0)
    slope, intercept = np.polyfit(np.arange(n, dtype=float), arrivals, 1)
    ahead = intercept + slope * np.arange(n, n + horizon, dtype=float)
    clipped: np.ndarray = np.maximum(ahead, 0.0)
    return clipped


def _project(
    model: _Model, occupancy: np.ndarray, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    x = occupancy.astype(float)
    arrivals = _arrivals_ahead(model.arrivals, horizon)
    conversions, revenue = np.zeros(horizon), np.zeros(horizon)
    for h in range(horizon):
        a = arrivals[h]
        conversions[h] = model.conv[:-1] @ x + model.conv[-1] * a
        revenue[h] = model.rev[:-1] @ x + model.rev[-1] * a
        x = model.moves.T @ x + a * model.landing
    return conversions, revenue


def _mape(actual: np.ndarray, predicted: np.ndarray) -> tuple[float | None, int]:
    scored = actual > 0
    if not scored.any():
        return None, 0
    errors = np.abs(predicted[scored] - actual[scored]) / actual[scored]
    return float(errors.mean()), int(scored.sum())


def _backtest(data: _Periods, complete: int, horizon: int) -> Backtest | None:
    held = min(horizon, complete - 2)
    if held < 1:
        return None
    fit = range(0, complete - held)
    model = _fit(data, fit)
    origin = complete - held
    predicted, _ = _project(model, data.occupancy[origin], held)
    actual = data.conversions[origin:complete].sum(axis=1)
    naive = np.full(held, data.conversions[origin - 1].sum())
    mape, scored = _mape(actual, predicted)
    naive_mape, _ = _mape(actual, naive)
    periods = tuple(
        ForecastPeriod(
            start=data.starts[origin + h].date().isoformat(),
            conversions=float(predicted[h]),
            actual_conversions=float(actual[h]),
            naive_conversions=float(naive[h]),
        )
        for h in range(held)
    )
    return Backtest(periods=periods, mape=mape, naive_mape=naive_mape, scored=scored)


def forecast_conversions(
    log: EventLog,
    journey: JourneyMap,
    *,
    periods: int = 4,
    period: str = "week",
    conversion: Sequence[str] | None = None,
) -> ForecastResult:
    """Forecast conversions and revenue for the next ``periods`` periods.

    Parameters
    ----------
    log
        The events.
    journey
        The map: its stages place customers, its ``conversion.event`` names what
        counts as a conversion (unless ``conversion`` is given).
    periods
        How many periods to forecast (and at most how many the backtest holds out).
    period
        ``week`` (ISO weeks, from Monday, UTC) or ``day``.

    Returns
    -------
    ForecastResult
        Forecast per period, the occupancy it starts from and the backtest.
    """
    if period not in PERIODS:
        raise AnalysisError(
            f"unknown period {period!r}; known: day, week", field="period"
        )
    if not 1 <= periods <= 1000:
        raise AnalysisError(
            f"periods must be 1 to 1000, not {periods}", field="periods"
        )
    names = tuple(
        conversion or (journey.conversion.event if journey.conversion else ())
    )
    if not names:
        raise AnalysisError(
            "the forecast needs a conversion event: give the map a conversion.event "
            "or pass --conversion"
        )
    if not journey.stages:
        raise AnalysisError("the forecast needs a map with stages")
    frame = log.execute(period_moves_expr(log, journey, names, period=period))
    if frame.empty:
        raise AnalysisError("no event matches a stage of the map: nothing to forecast")
    data = _tabulate(frame, len(journey.stages), period)
    complete = len(data.starts) - 1  # the last period holds the data's end
    notes = [
        f"conversions: events {', '.join(names)}; {period}s start {_start(period)}"
    ]
    if complete < 1:
        raise AnalysisError(
            f"the events span less than two {period}s: nothing to fit a forecast on"
        )
    model = _fit(data, range(complete))
    origin = complete
    conversions, revenue = _project(model, data.occupancy[origin], periods)
    has_value = log.has("value")
    step = PERIODS[period][1]
    ahead = tuple(
        ForecastPeriod(
            start=(data.starts[origin] + h * step).date().isoformat(),
            conversions=float(conversions[h]),
            revenue=float(revenue[h]) if has_value else None,
        )
        for h in range(periods)
    )
    backtest = _backtest(data, complete, periods)
    if backtest is None:
        notes.append(f"no backtest: it needs at least 3 complete {period}s")
    at_origin = data.occupancy[origin].reshape(len(journey.stages), RECENCY).sum(1)
    occupancy = {
        stage.id: int(round(at_origin[i])) for i, stage in enumerate(journey.stages)
    }
    return ForecastResult(
        period=period,
        origin=data.starts[origin].date().isoformat(),
        occupancy=occupancy,
        periods=ahead,
        backtest=backtest,
        fitted_periods=complete,
        notes=tuple(notes),
    )


def _start(period: str) -> str:
    return "on Monday 00:00 UTC" if period == "week" else "at 00:00 UTC"
