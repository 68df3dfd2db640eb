"""One contrast: an exposed group against a comparison group on a yes/no outcome.

Every verdict, suggestion and incident is such a contrast. The claim under test is
directional (a pain point says things are *worse* for the exposed group), so the test
is one-sided: the pooled two-proportion z test, or Fisher's exact test when an expected
cell count is below 5. The effect is the difference of the two rates with a Newcombe
hybrid score interval (method 10 of Newcombe 1998, built from two Wilson intervals;
it keeps its coverage for small groups and rates near 0 or 1).

A contrast is *practically relevant* when the difference is at least
``min_difference`` (default 2 percentage points) **and** the exposed rate is at least
``min_relative`` (default 10 %) above the comparison rate: with a million customers a
0.1-point difference is significant and still not worth a card on the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from scipy import stats as _scipy_stats

from journeymap.analytics.stats import wilson_interval

__all__ = ["Contrast", "Group", "Thresholds", "newcombe_interval", "one_sided_p"]


@dataclass(frozen=True, slots=True)
class Group:
    """One side of a contrast: who it is, how many units, how many had the outcome."""

    label: str
    units: int
    events: int

    @property
    def rate(self) -> float | None:
        return self.events / self.units if self.units else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "units": self.units,
            "events": self.events,
            "rate": self.rate,
        }


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What a verdict needs: significance, a practical effect and enough units."""

    alpha: float = 0.05
    min_difference: float = 0.02
    min_relative: float = 0.10
    min_units: int = 30

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "min_difference": self.min_difference,
            "min_relative": self.min_relative,
            "min_units": self.min_units,
        }


def one_sided_p(exposed: Group, comparison: Group) -> tuple[float, str]:
    """P-value of "the exposed rate is higher", and the test used.

    Fisher's exact test (``alternative="greater"``) when an expected cell is below 5,
    else the pooled z test. NaN for an empty group.

    Examples
    --------
    >>> p, test = one_sided_p(Group("a", 1000, 260), Group("b", 1000, 200))
    >>> test, round(p, 4)
    ('z', 0.0006)
    >>> one_sided_p(Group("a", 10, 3), Group("b", 10, 0))[1]
    'fisher'
    """
    n1, x1, n2, x2 = exposed.units, exposed.events, comparison.units, comparison.events
    if n1 == 0 or n2 == 0:
        return (math.nan, "none")
    total = x1 + x2
    share = total / (n1 + n2)
    expected = [n * s for n in (n1, n2) for s in (share, 1 - share)]
    if min(expected) < 5:
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        result = _scipy_stats.fisher_exact(table, alternative="greater")
        return (float(min(1.0, result.pvalue)), "fisher")
    variance = share * (1 - share) * (1 / n1 + 1 / n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return (float(_scipy_stats.norm.sf(z)), "z")


def newcombe_interval(
    exposed: Group, comparison: Group, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``rate(exposed) - rate(comparison)``.

    Examples
    --------
    >>> low, high = newcombe_interval(Group("a", 100, 40), Group("b", 100, 20))
    >>> round(low, 3), round(high, 3)
    (0.071, 0.319)
    """
    p1, p2 = exposed.rate, comparison.rate
    if p1 is None or p2 is None:
        return (math.nan, math.nan)
    l1, u1 = wilson_interval(exposed.events, exposed.units, confidence=confidence)
    l2, u2 = wilson_interval(comparison.events, comparison.units, confidence=confidence)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))


@dataclass(frozen=True, slots=True)
class Contrast:
    """An exposed group against a comparison group, with its test and effect."""

    outcome: str
    exposed: Group
    comparison: Group
    p_value: float
    test: str
    ci_low: float
    ci_high: float
    q_value: float = math.nan

    @classmethod
    def of(cls, outcome: str, exposed: Group, comparison: Group) -> Contrast:
        p_value, test = one_sided_p(exposed, comparison)
        low, high = newcombe_interval(exposed, comparison)
        return cls(outcome, exposed, comparison, p_value, test, low, high)

    @property
    def difference(self) -> float | None:
        a, b = self.exposed.rate, self.comparison.rate
        return None if a is None or b is None else a - b

    @property
    def relative(self) -> float | None:
        """``rate(exposed) / rate(comparison) - 1``; infinite when the comparison is 0."""
        a, b = self.exposed.rate, self.comparison.rate
        if a is None or b is None:
            return None
        if b == 0:
            return math.inf if a > 0 else 0.0
        return a / b - 1

    def with_q(self, q_value: float) -> Contrast:
        """The same contrast with its q-value (from the family it was corrected in)."""
        return replace(self, q_value=q_value)

    def enough(self, thresholds: Thresholds) -> bool:
        return min(self.exposed.units, self.comparison.units) >= thresholds.min_units

    def practical(self, thresholds: Thresholds) -> bool:
        diff, rel = self.difference, self.relative
        return (
            diff is not None
            and rel is not None
            and diff >= thresholds.min_difference
            and rel >= thresholds.min_relative
        )

    def holds(self, thresholds: Thresholds) -> bool:
        """Significant (q ≤ alpha), practically relevant, and enough units each side."""
        return (
            self.enough(thresholds)
            and not math.isnan(self.q_value)
            and self.q_value <= thresholds.alpha
            and self.practical(thresholds)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "test": _TEST_NAMES.get(self.test, self.test),
            "exposed": self.exposed.to_dict(),
            "comparison": self.comparison.to_dict(),
            "difference": self.difference,
            "relative": None
            if self.relative is None or math.isinf(self.relative)
            else self.relative,
            "ci_low": _finite(self.ci_low),
            "ci_high": _finite(self.ci_high),
            "p_value": _finite(self.p_value),
            "q_value": _finite(self.q_value),
        }


_TEST_NAMES = {
    "z": "one-sided pooled two-proportion z test",
    "fisher": "one-sided Fisher exact test",
    "none": "not tested",
}


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else value
