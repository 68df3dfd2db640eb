"""Plain-Python references for attribution, straight from docs/reference/attribution.md.

Paths one customer at a time; Markov absorption by dense matrix powers (no linear
solve); Shapley by enumerating every order of the channels. Slow and obvious on
purpose: the tests compare journeymap's engine expressions and sparse solves to them.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

Path = tuple[tuple[str, ...], bool, float, list[Any], Any]
# touches, converted, value, times of the touches, time of the conversion

CONV, NULL, START = "\x00conv", "\x00null", "\x00start"


def paths(
    events: Iterable[dict[str, Any]],
    conversion: Sequence[str],
    *,
    by: str = "channel",
    exclude: Sequence[str] = (),
    keep_repeats: bool = False,
) -> tuple[list[Path], int]:
    """Each customer's path, and how many customers converted before any touch."""
    journeys: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        journeys[event["customer_id"]].append(event)
    out: list[Path] = []
    empty = 0
    for cid in sorted(journeys):
        evs = sorted(journeys[cid], key=lambda e: (e["timestamp"], e["event_seq"]))
        touches: list[str] = []
        times: list[Any] = []
        converted, value, when = False, 0.0, None
        for e in evs:
            touch = "(none)" if e.get(by) is None else str(e[by])
            if e["event"] in conversion:
                converted = True
                value = float(e.get("value") or 0.0)
                when = e["timestamp"]
                break
            if e["event"] in exclude or touch in exclude:
                continue
            if not keep_repeats and touches and touches[-1] == touch:
                continue
            touches.append(touch)
            times.append(e["timestamp"])
        if not touches:
            empty += converted
            continue
        out.append((tuple(touches), converted, value, times, when))
    return out, empty


def chain(found: list[Path], order: int) -> dict[Any, Counter[Any]]:
    """Transition counts of the order-k chain (states: last k touches)."""
    counts: dict[Any, Counter[Any]] = defaultdict(Counter)
    for touches, converted, *_ in found:
        states = [touches[max(0, i - order + 1) : i + 1] for i in range(len(touches))]
        counts[START][states[0]] += 1
        for a, b in itertools.pairwise(states):
            counts[a][b] += 1
        counts[states[-1]][CONV if converted else NULL] += 1
    return counts


def absorption(counts: dict[Any, Counter[Any]], removed: str | None = None) -> float:
    """P(conv) from the start by squaring the dense transition matrix (no solve)."""
    nodes = sorted(
        {START, CONV, NULL} | set(counts) | {t for c in counts.values() for t in c},
        key=repr,
    )
    index = {n: i for i, n in enumerate(nodes)}
    m = np.zeros((len(nodes), len(nodes)))
    for a, row in counts.items():
        total = sum(row.values())
        for b, n in row.items():
            target = b
            if removed is not None and isinstance(b, tuple) and b[-1] == removed:
                target = NULL
            m[index[a], index[target]] += n / total
    for node in (CONV, NULL):
        m[index[node], index[node]] = 1.0
    for node in nodes:  # a state with no way out (never from counts) stays put
        if m[index[node]].sum() == 0:
            m[index[node], index[node]] = 1.0
    for _ in range(200):  # m^(2^200): far past convergence for any observed chain
        m = m @ m
    return float(m[index[START], index[CONV]])


def markov(found: list[Path], order: int) -> dict[str, tuple[float, float]]:
    """channel -> (removal effect, attributed conversions)."""
    counts = chain(found, order)
    total = absorption(counts)
    channels = sorted({t for p in found for t in p[0]})
    effects = {
        c: (1 - absorption(counts, c) / total) if total > 0 else 0.0 for c in channels
    }
    conversions = sum(p[1] for p in found)
    norm = sum(effects.values())
    return {
        c: (e, conversions * e / norm if norm > 0 else 0.0) for c, e in effects.items()
    }


def heuristic(
    found: list[Path],
    model: str,
    *,
    half_life_s: float = 7 * 86400.0,
    first: float = 0.4,
    last: float = 0.4,
    direct: Sequence[str] = ("direct",),
) -> dict[str, float]:
    credit: dict[str, float] = defaultdict(float)
    for touches, converted, _, times, when in found:
        if not converted:
            continue
        n = len(touches)
        if model == "first":
            weights = [1.0] + [0.0] * (n - 1)
        elif model == "last":
            weights = [0.0] * (n - 1) + [1.0]
        elif model == "linear":
            weights = [1 / n] * n
        elif model == "position":
            if n == 1:
                weights = [1.0]
            elif n == 2:
                weights = [first / (first + last), last / (first + last)]
            else:
                weights = [first] + [(1 - first - last) / (n - 2)] * (n - 2) + [last]
        elif model == "last-non-direct":
            picks = [j for j, t in enumerate(touches) if t not in direct]
            pick = picks[-1] if picks else n - 1
            weights = [1.0 if j == pick else 0.0 for j in range(n)]
        else:
            ages = [(when - t).total_seconds() for t in times]
            raw = [2 ** (-age / half_life_s) for age in ages]
            weights = [w / sum(raw) for w in raw]
        for t, w in zip(touches, weights, strict=True):
            credit[t] += w
    return dict(credit)


def shapley(found: list[Path]) -> dict[str, float]:
    """Shapley values of v(S) = conversion rate of paths inside S, by every order."""
    channels = sorted({t for p in found for t in p[0]})
    sets = [(frozenset(p[0]), p[1]) for p in found]

    def worth(s: frozenset[str]) -> float:
        inside = [conv for members, conv in sets if members <= s]
        return sum(inside) / len(inside) if inside else 0.0

    phi = dict.fromkeys(channels, 0.0)
    orders = list(itertools.permutations(channels))
    for order in orders:
        joined: frozenset[str] = frozenset()
        for c in order:
            phi[c] += worth(joined | {c}) - worth(joined)
            joined = joined | {c}
    return {c: v / math.factorial(len(channels)) for c, v in phi.items()}
