"""Small statistics helpers shared by analytics and voc.

Wilson score interval for a proportion, the pooled two-proportion z test, Fisher's
exact test, the odds ratio with a Woolf (log) confidence interval and the
Benjamini–Hochberg false discovery rate. Plain Python on counts: the heavy lifting
(counting customers) happens in Ibis; these turn counts into evidence.

A 2×2 table is always written ``(a, b, c, d)``::

                 outcome   no outcome
    exposed         a          b
    not exposed     c          d
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "OddsRatio",
    "ZTest",
    "benjamini_hochberg",
    "exact_sum",
    "fisher_exact_p",
    "normal_quantile",
    "odds_ratio",
    "two_proportion_ztest",
    "wilson_interval",
]


def exact_sum(values: Any, *, scale: int = 12) -> Any:
    """The sum of a float column, the same under any row order or thread split.

    A float sum's last digits depend on the order the engine adds in, and a parallel
    aggregate picks the order anew on each run (a forecast's revenue differed in its
    15th digit between two runs). The values are added as ``DECIMAL(38, 12)``, which
    is exact, and the total comes back as a float. Values must be finite and below
    1e26 in magnitude (ingest quarantines non-finite numbers); ``scale=18`` keeps 18
    decimals for shares below 1e20 (attribution credits).

    ``values`` is an Ibis numeric column; the result an Ibis float64 scalar.
    """
    import ibis.expr.datatypes as dt

    return values.cast(dt.Decimal(38, scale)).sum().cast("float64")


def _scipy_stats() -> Any:
    """``scipy.stats``, imported on first use: commands that test nothing (stage
    figures, funnels) skip its import (about half a second)."""
    from scipy import stats

    return stats


@dataclass(frozen=True, slots=True)
class ZTest:
    """Result of a two-proportion z test: ``diff = p2 - p1``."""

    p1: float
    p2: float
    diff: float
    z: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OddsRatio:
    """Odds ratio ``(a·d)/(b·c)`` with its confidence interval.

    ``corrected`` tells whether 0.5 was added to every cell (Haldane) because one
    cell was zero.
    """

    estimate: float
    ci_low: float
    ci_high: float
    corrected: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.lru_cache(maxsize=64)
def normal_quantile(confidence: float) -> float:
    """Two-sided critical value of the standard normal (1.959964 for 0.95).

    Remembered per ``confidence``: every interval of a map asks for the same few
    (thousands of calls through scipy's argument checks cost half a second).

    Examples
    --------
    >>> round(normal_quantile(0.95), 4)
    1.96
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return float(_scipy_stats().norm.ppf(0.5 + confidence / 2))


def _check_counts(*counts: int) -> None:
    for count in counts:
        if count < 0:
            raise ValueError(f"counts must be non-negative, got {counts}")


def wilson_interval(
    successes: int, n: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``.

    Returns ``(nan, nan)`` when ``n`` is 0 (no evidence either way).

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 4), round(high, 4)
    (0.4902, 0.9433)
    """
    _check_counts(successes, n)
    if successes > n:
        raise ValueError(f"successes ({successes}) exceed n ({n})")
    if n == 0:
        return (math.nan, math.nan)
    z = normal_quantile(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def two_proportion_ztest(x1: int, n1: int, x2: int, n2: int) -> ZTest:
    """Pooled two-sided z test of ``x1/n1`` against ``x2/n2``.

    When both groups are all successes or all failures the pooled variance is 0;
    the proportions are then equal and ``p_value`` is 1. An empty group gives NaN.

    Examples
    --------
    >>> test = two_proportion_ztest(30, 100, 45, 100)
    >>> round(test.diff, 2), round(test.p_value, 4)
    (0.15, 0.0285)
    """
    _check_counts(x1, n1, x2, n2)
    if x1 > n1 or x2 > n2:
        raise ValueError("successes exceed group size")
    if n1 == 0 or n2 == 0:
        nan = math.nan
        return ZTest(x1 / n1 if n1 else nan, x2 / n2 if n2 else nan, nan, nan, nan)
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return ZTest(p1, p2, p2 - p1, 0.0, 1.0)
    z = (p2 - p1) / math.sqrt(variance)
    p_value = float(2 * _scipy_stats().norm.sf(abs(z)))
    return ZTest(p1, p2, p2 - p1, z, min(1.0, p_value))


def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the 2×2 table ``(a, b, c, d)``.

    Examples
    --------
    >>> round(fisher_exact_p(8, 2, 1, 5), 4)
    0.035
    """
    _check_counts(a, b, c, d)
    result = _scipy_stats().fisher_exact([[a, b], [c, d]], alternative="two-sided")
    return float(min(1.0, result.pvalue))


def odds_ratio(
    a: int, b: int, c: int, d: int, *, confidence: float = 0.95
) -> OddsRatio:
    """Odds ratio of the 2×2 table with a Woolf (log-scale) confidence interval.

    If any cell is zero, 0.5 is added to every cell (Haldane correction) so that
    the estimate and interval stay finite.

    Examples
    --------
    >>> ratio = odds_ratio(8, 2, 1, 5)
    >>> round(ratio.estimate, 1)
    20.0
    >>> odds_ratio(5, 0, 2, 3).corrected
    True
    """
    _check_counts(a, b, c, d)
    cells = [float(a), float(b), float(c), float(d)]
    corrected = min(cells) == 0
    if corrected:
        cells = [x + 0.5 for x in cells]
    fa, fb, fc, fd = cells
    log_or = math.log(fa * fd / (fb * fc))
    se = math.sqrt(sum(1 / x for x in cells))
    z = normal_quantile(confidence)
    return OddsRatio(
        estimate=math.exp(log_or),
        ci_low=math.exp(log_or - z * se),
        ci_high=math.exp(log_or + z * se),
        corrected=corrected,
    )


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg q-values (adjusted p-values), in the input order.

    scipy's ``false_discovery_control`` computes them; this wrapper keeps NaN
    p-values NaN without counting them towards the number of tests (scipy rejects
    NaN). Ties and input order do not change the result.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03])
    [0.03, 0.04, 0.04]
    >>> benjamini_hochberg([0.01, float("nan"), 0.04])
    [0.02, nan, 0.04]
    """
    present = [i for i, p in enumerate(p_values) if not math.isnan(p)]
    for i in present:
        if not 0 <= p_values[i] <= 1:
            raise ValueError(f"p-values must be in [0, 1], got {p_values[i]}")
    out = [math.nan] * len(p_values)
    if present:
        q_values = _scipy_stats().false_discovery_control(
            [p_values[i] for i in present]
        )
        for i, q in zip(present, q_values.tolist(), strict=True):
            out[i] = max(float(p_values[i]), q)  # q >= p; guards against a rounding ulp
    return out
