"""Moments: n, sum and sum of squares — a mean and its t interval, mergeable.

Scores are aggregated in the engine as ``(n, Σx, Σx²)`` per group; comment sentiment is
aggregated the same way in Python. Adding moments is exact, so the emotion curve can
combine both sources without pulling survey rows out of the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _scipy_stats


@dataclass(frozen=True, slots=True)
class Moments:
    """Sufficient statistics of a sample for its mean and variance."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.n + other.n, self.total + other.total, self.total_sq + other.total_sq
        )

    def __sub__(self, other: Moments) -> Moments:
        """The moments of the rest of a sample once a sub-sample is removed."""
        return Moments(
            self.n - other.n, self.total - other.total, self.total_sq - other.total_sq
        )

    @classmethod
    def of(cls, values: list[float]) -> Moments:
        return cls(len(values), float(sum(values)), float(sum(v * v for v in values)))

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (ddof=1); None below two observations."""
        if self.n < 2:
            return None
        centred = self.total_sq - self.total * self.total / self.n
        return max(0.0, centred / (self.n - 1))

    def interval(self, confidence: float = 0.95) -> tuple[float | None, float | None]:
        """Student t interval of the mean, ``(None, None)`` below two observations.

        Examples
        --------
        >>> low, high = Moments.of([1.0, 2.0, 3.0]).interval()
        >>> round(low, 4), round(high, 4)
        (-0.4841, 4.4841)
        """
        variance = self.variance
        if variance is None or self.mean is None:
            return (None, None)
        half = _scipy_stats.t.ppf(0.5 + confidence / 2, self.n - 1) * math.sqrt(
            variance / self.n
        )
        return (self.mean - float(half), self.mean + float(half))
