from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given

from journeymap.attribution import attribute_conversions
from journeymap.attribution.shapley import Coalitions, exact_shapley, sampled_shapley

from . import reference
from .conftest import load, records
from .strategies import PROPERTY, random_rows


def _coalitions(n, sets):
    return Coalitions(
        tuple(f"c{i}" for i in range(n)),
        tuple(frozenset(s) for s, _, _ in sets),
        np.array([p for _, p, _ in sets], float),
        np.array([c for _, _, c in sets], float),
        np.zeros(len(sets)),
    )


def _by_orders(coalitions):
    """Shapley by every order (the definition), for small n."""
    n = len(coalitions.channels)

    def worth(s):
        inside = [i for i, m in enumerate(coalitions.members) if m <= s]
        paths = coalitions.paths[inside].sum()
        return coalitions.conversions[inside].sum() / paths if paths else 0.0

    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        joined = frozenset()
        for c in order:
            phi[c] += worth(joined | {c}) - worth(joined)
            joined = joined | {c}
    return phi / math.factorial(n)


@pytest.mark.parametrize("seed", range(8))
def test_exact_matches_every_order_and_is_efficient(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 6)
    sets = [
        (rng.sample(range(n), rng.randint(1, n)), rng.randint(1, 9), 0)
        for _ in range(rng.randint(1, 12))
    ]
    sets = [(s, p, rng.randint(0, p)) for s, p, _ in sets]
    coalitions = _coalitions(n, sets)
    phi = exact_shapley(coalitions)
    assert phi == pytest.approx(_by_orders(coalitions), abs=1e-12)
    assert phi.sum() == pytest.approx(coalitions.worth_all(), abs=1e-12)


def test_symmetry_and_null_player():
    # c0 and c1 always appear together; c3 is in no path at all
    sets = [({0, 1}, 10, 4), ({0, 1, 2}, 5, 3), ({2}, 8, 1)]
    phi = exact_shapley(_coalitions(4, sets))
    assert phi[0] == pytest.approx(phi[1], abs=1e-15)
    assert phi[3] == 0.0


def test_sampled_estimate_covers_the_exact_values_and_is_efficient():
    rng = random.Random(3)
    n = 16  # still small enough for the exact values
    sets = []
    for _ in range(60):
        members = rng.sample(range(n), rng.randint(1, 4))
        paths = rng.randint(1, 20)
        sets.append((members, paths, rng.randint(0, paths)))
    coalitions = _coalitions(n, sets)
    exact = exact_shapley(coalitions)
    mean, error = sampled_shapley(coalitions, samples=3000, seed=11)
    assert mean.sum() == pytest.approx(coalitions.worth_all(), abs=1e-12)
    inside = np.abs(mean - exact) <= 1.96 * error + 1e-12
    assert inside.mean() >= 0.8  # 95 % intervals: most channels covered
    again, _ = sampled_shapley(coalitions, samples=3000, seed=11)
    assert (again == mean).all()  # seeded


@PROPERTY
@given(rows=random_rows())
def test_engine_coalitions_match_the_reference(engine, rows):
    log = load(engine, rows)
    found, _ = reference.paths(records(log), ["buy"])
    result = attribute_conversions(log, "buy", model="shapley")
    want = reference.shapley(found)
    rate = sum(p[1] for p in found) / len(found) if found else 0.0
    got = {c.channel: c.attributed_conversions for c in result.credits}
    assert set(got) == set(want)
    for channel, phi in want.items():
        expected = result.conversions * phi / rate if rate else 0.0
        assert got[channel] == pytest.approx(expected, abs=1e-9)
    assert sum(got.values()) == pytest.approx(
        result.conversions if rate else 0, abs=1e-9
    )


def test_many_channels_are_sampled_with_intervals(make_log):
    rows = []
    rng = random.Random(5)
    for c in range(300):
        for i, ch in enumerate(rng.sample([f"ch{k:02d}" for k in range(18)], 3)):
            rows.append((f"c{c}", i, "v", ch))
        if rng.random() < 0.4:
            rows.append((f"c{c}", 9, "buy", "web"))
    result = attribute_conversions(make_log(rows), "buy", model="shapley", samples=200)
    assert result.samples == 200
    assert "ci_low" in result.columns
    total = sum(c.attributed_conversions for c in result.credits)
    assert total == pytest.approx(result.conversions, abs=1e-9)
    assert all(
        c.ci_low <= c.attributed_conversions <= c.ci_high for c in result.credits
    )


@pytest.mark.parametrize("model", ["shapley", "markov", "linear", "time-decay"])
def test_no_touch_at_all_gives_no_credits(make_log, model):
    log = make_log([("a", 0, "buy", "web"), ("b", 0, "buy", "app")])
    result = attribute_conversions(log, "buy", model=model)
    assert (result.paths, result.conversions, result.empty_paths) == (0, 0, 2)
    assert result.credits == ()
