"""Survey scores: NPS (0–10), CSAT (1–5) and CES (1–7) with n and 95% intervals.

The engine counts per group (``score_moments_expr``); these functions turn counts into
scores. Definitions:

- **NPS** = 100 · (promoters − detractors) / n, promoters 9–10, detractors 0–6. Its
  interval uses the multinomial variance of the per-answer value (+1, 0, −1):
  ``Var = (p_P + p_D − (p_P − p_D)²) / n``, a normal interval, clipped to ±100.
- **CSAT** = top-2-box share (answers 4–5) with a Wilson interval; the mean score is
  also given with a Student t interval.
- **CES** = mean score with a Student t interval. The scale is CES 2.0's 1–7
  agreement with "the company made it easy for me", so **high = easy** (better).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stats import normal_quantile, wilson_interval
from journeymap.voc.moments import Moments

if TYPE_CHECKING:
    import ibis

    from journeymap.engine import EventLog

SCORE_RANGES: dict[str, tuple[float, float]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
}


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """One survey score of one group: the headline value, its interval, the mean.

    ``value`` is NPS (−100..100), the CSAT top-2-box share (0..1) or the CES mean.
    """

    kind: str
    n: int
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    mean: float | None = None
    mean_ci_low: float | None = None
    mean_ci_high: float | None = None
    shares: dict[str, float] = field(default_factory=dict)
    group: dict[str, Any] = field(default_factory=dict)


def score_nps(
    promoters: int, passives: int, detractors: int, *, confidence: float = 0.95
) -> ScoreSummary:
    """Net Promoter Score with the multinomial-variance normal interval.

    Parameters
    ----------
    promoters, passives, detractors
        Answer counts (9–10, 7–8, 0–6).
    confidence
        Interval coverage.

    Returns
    -------
    ScoreSummary
        ``value`` −100..100 with ``ci_low``/``ci_high`` and the three shares.

    Examples
    --------
    >>> s = score_nps(50, 30, 20)
    >>> s.value, round(s.ci_low, 2), round(s.ci_high, 2)
    (30.0, 14.69, 45.31)
    """
    n = promoters + passives + detractors
    if n == 0:
        return ScoreSummary("nps", 0, None)
    p_pro, p_det = promoters / n, detractors / n
    nps = p_pro - p_det
    variance = (p_pro + p_det - nps * nps) / n
    half = normal_quantile(confidence) * math.sqrt(max(variance, 0.0))
    shares = {"promoters": p_pro, "passives": passives / n, "detractors": p_det}
    return ScoreSummary(
        "nps",
        n,
        100 * nps,
        max(-100.0, 100 * (nps - half)),
        min(100.0, 100 * (nps + half)),
        shares=shares,
    )


def score_csat(
    moments: Moments, top2: int, *, confidence: float = 0.95
) -> ScoreSummary:
    """CSAT: top-2-box share (4–5 on 1–5) with Wilson interval, plus the t-interval mean.

    Parameters
    ----------
    moments
        Moments of the 1–5 answers.
    top2
        Answers of 4 or 5.
    confidence
        Interval coverage.

    Returns
    -------
    ScoreSummary
        ``value`` = top-2 share (Wilson interval), ``mean`` with its t interval.

    Examples
    --------
    >>> s = score_csat(Moments.of([5.0, 4.0, 2.0, 5.0]), top2=3)
    >>> s.value, s.mean
    (0.75, 4.0)
    """
    if moments.n == 0:
        return ScoreSummary("csat", 0, None)
    low, high = wilson_interval(top2, moments.n, confidence=confidence)
    mean_low, mean_high = moments.interval(confidence)
    return ScoreSummary(
        "csat",
        moments.n,
        top2 / moments.n,
        low,
        high,
        moments.mean,
        mean_low,
        mean_high,
        shares={"top2": top2 / moments.n},
    )


def score_ces(moments: Moments, *, confidence: float = 0.95) -> ScoreSummary:
    """CES: mean ease score (1–7, high = easy) with a Student t interval.

    Parameters
    ----------
    moments
        Moments of the 1–7 answers.
    confidence
        Interval coverage.

    Returns
    -------
    ScoreSummary
        ``value`` = ``mean`` with its t interval.

    Examples
    --------
    >>> score_ces(Moments.of([2.0, 3.0, 4.0])).value
    3.0
    """
    if moments.n == 0:
        return ScoreSummary("ces", 0, None)
    low, high = moments.interval(confidence)
    return ScoreSummary(
        "ces", moments.n, moments.mean, low, high, moments.mean, low, high
    )


def score_moments_expr(table: ibis.Table, by: Sequence[str]) -> ibis.Table:
    """Per group and score kind: ``n, total, total_sq, promoters, detractors, top2``.

    Rows need ``score`` and ``score_kind``; kinds are matched case-insensitively and
    answers outside the kind's range (``SCORE_RANGES``) are ignored.
    """
    import ibis

    kind = table.score_kind.lower().strip()
    valid = ibis.or_(
        *[
            (kind == name) & table.score.between(low, high)
            for name, (low, high) in SCORE_RANGES.items()
        ]
    )
    rows = table.filter(table.score.notnull() & valid).mutate(kind=kind)
    score = rows.score
    return rows.group_by([*by, "kind"]).aggregate(
        n=rows.count(),
        total=score.sum(),
        total_sq=(score * score).sum(),
        promoters=(score >= 9).cast("int64").sum(),
        detractors=(score <= 6).cast("int64").sum(),
        top2=(score >= 4).cast("int64").sum(),
    )


def summarise_score_row(
    row: dict[str, Any], *, confidence: float = 0.95
) -> ScoreSummary:
    """Turn one row of ``score_moments_expr`` into a ScoreSummary."""
    n = int(row["n"])
    moments = Moments(n, float(row["total"]), float(row["total_sq"]))
    kind = row["kind"]
    if kind == "nps":
        promoters, detractors = int(row["promoters"]), int(row["detractors"])
        return score_nps(
            promoters, n - promoters - detractors, detractors, confidence=confidence
        )
    if kind == "csat":
        return score_csat(moments, int(row["top2"]), confidence=confidence)
    return score_ces(moments, confidence=confidence)


def score_surveys(
    log: EventLog,
    table: ibis.Table,
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    confidence: float = 0.95,
) -> list[ScoreSummary]:
    """NPS, CSAT and CES per group of survey rows, each with n and an interval.

    Parameters
    ----------
    log
        Supplies the engine that runs the aggregation.
    table
        Rows with ``score`` and ``score_kind`` (and the ``by`` columns).
    by
        Grouping columns, e.g. ``("touchpoint_id",)``, ``("stage_id",)`` or a persona
        flag column.
    period
        ``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``: also group by
        the start of the period of ``timestamp`` (column ``period``).

    Returns
    -------
    list of ScoreSummary
        Sorted by group values, then kind.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.engine import EventLog, connect
    >>> engine = connect()
    >>> rows = pd.DataFrame({"score": [10.0, 9.0, 3.0], "score_kind": ["nps"] * 3})
    >>> log = EventLog(engine.register_arrow(rows), engine)
    >>> [round(s.value, 1) for s in score_surveys(log, log.table)]
    [33.3]
    """
    by = list(by)
    if period is not None:
        table = table.mutate(period=table.timestamp.truncate(_PERIODS[period]).date())
        by.append("period")
    frame = log.execute(score_moments_expr(table, by))
    frame = frame.sort_values([*by, "kind"], kind="mergesort")
    out = []
    for row in frame.to_dict("records"):
        summary = summarise_score_row(row, confidence=confidence)
        group = {key: _plain_key(row[key]) for key in by}
        out.append(_with_group(summary, group))
    return out


_PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def _plain_key(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp of a date column
        value = value.to_pydatetime().date()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _with_group(summary: ScoreSummary, group: dict[str, Any]) -> ScoreSummary:
    from dataclasses import replace

    return replace(summary, group=group)
