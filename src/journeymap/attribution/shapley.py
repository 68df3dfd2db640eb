"""Shapley attribution from coalition conversion rates.

The game: the worth of a set S of channels is the conversion rate of the paths whose
channels all lie in S, ``v(S) = conv(⊆S) / paths(⊆S)`` (0 when no path does). A
channel's Shapley value is its mean marginal worth over all orders in which channels
join; the values sum to ``v(all) = conversions / paths`` (efficiency), so
``attributed_c = conversions · φ_c / v(all)`` sums to the conversions. A channel no
path touches gets 0 (null player); two channels that always appear together get the
same value (symmetry). A channel whose presence lowers the rate gets a negative value.

Up to 15 channels the values are exact (all 2^n coalitions, a subset-sum transform);
beyond, a seeded sample of permutations gives the estimate and a normal 95 % interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EXACT_MAX",
    "Coalitions",
    "sampled_shapley",
    "exact_shapley",
]

EXACT_MAX = 15
SAMPLES = 2000
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Coalitions:
    """Observed channel sets: ``members[i]`` are the channel indices of set i."""

    channels: tuple[str, ...]
    members: tuple[frozenset[int], ...]
    paths: np.ndarray
    conversions: np.ndarray
    value: np.ndarray

    def worth_all(self) -> float:
        total = self.paths.sum()
        return float(self.conversions.sum() / total) if total else 0.0


def exact_shapley(coalitions: Coalitions) -> np.ndarray:
    """Exact Shapley values (``n <= EXACT_MAX`` channels)."""
    n = len(coalitions.channels)
    if n == 0:
        return np.zeros(0)
    size = 1 << n
    paths, convs = np.zeros(size), np.zeros(size)
    masks = np.array([sum(1 << i for i in m) for m in coalitions.members], np.int64)
    np.add.at(paths, masks, coalitions.paths)
    np.add.at(convs, masks, coalitions.conversions)
    idx = np.arange(size)
    for i in range(n):  # subset sums: totals over every T ⊆ S
        has = (idx >> i) & 1 == 1
        paths[has] += paths[idx[has] ^ (1 << i)]
        convs[has] += convs[idx[has] ^ (1 << i)]
    worth = np.divide(convs, paths, out=np.zeros(size), where=paths > 0)
    members = np.array([bin(s).count("1") for s in range(size)])
    weight = np.array(
        [
            math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            for s in range(n)
        ]
    )
    phi = np.zeros(n)
    for c in range(n):
        without = idx[(idx >> c) & 1 == 0]
        phi[c] = np.sum(
            weight[members[without]] * (worth[without | (1 << c)] - worth[without])
        )
    return phi


def sampled_shapley(
    coalitions: Coalitions, *, samples: int = SAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values from ``samples`` seeded random orders, and their standard errors.

    Every order's marginal worths sum to ``v(all)``, so the estimate is efficient
    exactly, not only on average.
    """
    n = len(coalitions.channels)
    rng = np.random.default_rng(seed)
    containing: list[list[int]] = [[] for _ in range(n)]
    for s, members in enumerate(coalitions.members):
        for c in members:
            containing[c].append(s)
    holders = [np.array(c, np.int64) for c in containing]
    sizes = np.array([len(m) for m in coalitions.members], np.int64)
    total = np.zeros(n)
    squares = np.zeros(n)
    for _ in range(samples):
        missing = sizes.copy()
        paths = convs = 0.0
        before = 0.0
        draws = np.zeros(n)
        for c in rng.permutation(n):
            held = holders[c]
            missing[held] -= 1
            done = held[missing[held] == 0]
            paths += coalitions.paths[done].sum()
            convs += coalitions.conversions[done].sum()
            worth = convs / paths if paths else 0.0
            draws[c] = worth - before
            before = worth
        total += draws
        squares += draws * draws
    mean = total / samples
    variance = np.maximum(squares / samples - mean * mean, 0.0)
    return mean, np.sqrt(variance / max(samples - 1, 1))


def coalitions_from_masks(
    channels: Sequence[str],
    masks: np.ndarray,
    paths: np.ndarray,
    conversions: np.ndarray,
    value: np.ndarray,
    block: int,
) -> Coalitions:
    """Coalitions from the engine's per-block bit masks (rows × blocks)."""
    members = tuple(
        frozenset(
            b * block + i
            for b, mask in enumerate(row)
            for i in range(block)
            if int(mask) >> i & 1
        )
        for row in masks
    )
    return Coalitions(
        tuple(channels),
        members,
        paths.astype(float),
        conversions.astype(float),
        value.astype(float),
    )
