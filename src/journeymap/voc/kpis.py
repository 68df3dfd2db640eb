"""Every KPI of the map computed from the measurements, with target met or missed.

Metric definitions (``KpiMetric`` in ``journeymap.model.cards``); "the stage" is the
stage the KPI sits on, and ``touchpoint`` narrows survey metrics to one touchpoint:

========================  ===========================================================
metric                    value
========================  ===========================================================
stage_reach               customers who reached the stage / all customers
stage_conversion          share of the stage's customers who reach the next stage
stage_dropoff             share of the stage's customers whose furthest stage it is
median_time_in_stage_s    median time in the stage, closed stays (seconds)
conversion_rate           converted customers / all customers (map ``conversion``)
nps                       NPS (−100..100) of the touchpoint, else of the stage
csat                      CSAT of the touchpoint/stage: the mean score (1–5) when the
                          target is above 1, else the top-2-box share
ces                       mean CES (1–7, high = easy) of the touchpoint/stage
sentiment                 mean VADER compound of the comments at the touchpoint/stage
revenue_per_customer      sum of ``value`` over all events / all customers
regression_rate           customers who moved back from the stage to an earlier one /
                          customers who reached it
touchpoint_reach          customers who reached the touchpoint / all customers
========================  ===========================================================
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from journeymap.model.cards import Kpi
from journeymap.model.journey import JourneyMap, Stage
from journeymap.model.measured import KpiValue, StageFigures
from journeymap.voc.moments import Moments
from journeymap.voc.scores import ScoreSummary

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True, slots=True)
class KpiInputs:
    """What the KPI metrics are computed from (all already aggregated)."""

    customers: int
    converted: int
    revenue: float
    stages: dict[str, StageFigures]
    regressed: dict[str, int]  # stage id -> customers who regressed out of it
    touchpoint_reach: dict[str, int]
    scores: dict[
        tuple[str, str, str], ScoreSummary
    ]  # (level, id, kind) level: tp|stage
    comments: dict[tuple[str, str], Moments] = field(default_factory=dict)


def target_met(value: float | None, target: str | None, kpi: Kpi) -> bool | None:
    """Whether ``value`` meets the KPI's target; None without a value or target.

    Examples
    --------
    >>> k = Kpi(id="x", metric="nps", target=">= 40")
    >>> target_met(42.0, k.target, k), target_met(None, k.target, k)
    (True, None)
    """
    parts = kpi.target_parts()
    if value is None or parts is None:
        return None
    op, number = parts
    return _COMPARE[op](value, number)


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _survey(
    kpi: Kpi, stage: Stage, inputs: KpiInputs
) -> tuple[float | None, int | None]:
    level, key = ("tp", kpi.touchpoint) if kpi.touchpoint else ("stage", stage.id)
    summary = inputs.scores.get((level, key, kpi.metric))
    if summary is None or summary.n == 0:
        return (None, 0)
    if kpi.metric == "csat":
        parts = kpi.target_parts()
        wants_mean = parts is not None and parts[1] > 1
        return (summary.mean if wants_mean else summary.value, summary.n)
    return (summary.value, summary.n)


def _sentiment(kpi: Kpi, stage: Stage, inputs: KpiInputs) -> tuple[float | None, int]:
    key = ("tp", kpi.touchpoint) if kpi.touchpoint else ("stage", stage.id)
    moments = inputs.comments.get(key, Moments())
    return (moments.mean, moments.n)


def compute_kpi(
    kpi: Kpi, stage: Stage, inputs: KpiInputs
) -> tuple[float | None, int | None]:
    """The value of one KPI and the number of customers/answers behind it."""
    figures = inputs.stages.get(stage.id, StageFigures(stage.id))
    metric = kpi.metric
    if metric in ("nps", "csat", "ces"):
        return _survey(kpi, stage, inputs)
    if metric == "sentiment":
        return _sentiment(kpi, stage, inputs)
    if metric == "touchpoint_reach":
        reached = inputs.touchpoint_reach.get(kpi.touchpoint or "", 0)
        return (_share(reached, inputs.customers), inputs.customers)
    simple: dict[str, tuple[float | None, int | None]] = {
        "stage_reach": (_share(figures.reached, inputs.customers), inputs.customers),
        "stage_conversion": (figures.conversion_next, figures.reached),
        "stage_dropoff": (figures.dropoff, figures.reached),
        "median_time_in_stage_s": (figures.median_time_s, figures.reached),
        "conversion_rate": (
            _share(inputs.converted, inputs.customers),
            inputs.customers,
        ),
        "revenue_per_customer": (
            inputs.revenue / inputs.customers if inputs.customers else None,
            inputs.customers,
        ),
        "regression_rate": (
            _share(inputs.regressed.get(stage.id, 0), figures.reached),
            figures.reached,
        ),
    }
    return simple[metric]


def compute_kpis(journey: JourneyMap, inputs: KpiInputs) -> tuple[KpiValue, ...]:
    """Every KPI of the map, in map order, with target met (True/False) or None.

    Parameters
    ----------
    journey
        The map.
    inputs
        The aggregated measurements.

    Returns
    -------
    tuple of KpiValue
        Value, target, met and n per KPI.
    """
    out = []
    for stage, kpi in journey.kpis():
        value, n = compute_kpi(kpi, stage, inputs)
        out.append(
            KpiValue(
                id=kpi.id,
                metric=kpi.metric,
                value=value,
                target=kpi.target,
                met=target_met(value, kpi.target, kpi),
                stage_id=stage.id,
                n=n,
            )
        )
    return tuple(out)
