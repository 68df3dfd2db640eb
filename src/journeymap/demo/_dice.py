"""Cheap scalar random draws from one seeded numpy Generator.

The simulator makes a few hundred thousand small decisions in a Python loop. Calling
``Generator.random()`` once per decision costs about a microsecond; drawing blocks of
uniforms and normals up front and handing them out one by one is several times faster
and stays exactly reproducible: the same seed gives the same sequence of draws.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 1 << 16


class Dice:
    """Scalar draws (uniform, normal, exponential, choices) from a seeded Generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._uniforms: list[float] = []
        self._normals: list[float] = []

    def uniform(self) -> float:
        """A draw from U[0, 1)."""
        if not self._uniforms:
            self._uniforms = self._rng.random(_BLOCK).tolist()[::-1]
        return self._uniforms.pop()

    def normal(self) -> float:
        """A draw from the standard normal distribution."""
        if not self._normals:
            self._normals = self._rng.standard_normal(_BLOCK).tolist()[::-1]
        return self._normals.pop()

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.uniform() < probability

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``, both ends included."""
        return low + int(self.uniform() * (high - low + 1))

    def exponential(self, mean: float) -> float:
        """An exponential draw with the given mean."""
        return -mean * math.log1p(-self.uniform())

    def lognormal(self, median: float, sigma: float) -> float:
        """A log-normal draw with the given median and log-scale spread."""
        return median * math.exp(sigma * self.normal())

    def pick(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[int(self.uniform() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        """One item, with ``cumulative`` the running sum of the weights."""
        index = bisect.bisect_right(cumulative, self.uniform() * cumulative[-1])
        return items[min(index, len(items) - 1)]
