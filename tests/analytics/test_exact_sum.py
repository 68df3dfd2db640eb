"""Float sums that do not depend on the order the engine adds in."""

from __future__ import annotations

import itertools

import pandas as pd

import journeymap as jm
from journeymap.analytics.stats import exact_sum

VALUES = [1e16, 1.0, -1e16, 1.0, 0.1, 0.2]


def test_exact_sum_is_the_same_in_every_order() -> None:
    engine = jm.connect()
    plain, exact = set(), set()
    for order in itertools.permutations(range(len(VALUES)), 3):
        rest = [i for i in range(len(VALUES)) if i not in order]
        rows = [VALUES[i] for i in (*order, *rest)]
        table = engine.register_arrow(pd.DataFrame({"v": rows}), prefix="t")
        plain.add(engine.scalar(table.v.sum()))
        exact.add(engine.scalar(exact_sum(table.v)))
    engine.close()
    assert len(plain) > 1  # a float sum's result depends on the order: the problem
    assert exact == {2.3}


def test_credits_keep_eighteen_decimals() -> None:
    engine = jm.connect()
    table = engine.register_arrow(pd.DataFrame({"v": [1 / 3] * 3}), prefix="t")
    fine = engine.scalar(exact_sum(table.v, scale=18))
    coarse = engine.scalar(exact_sum(table.v))
    assert abs(fine - 1.0) <= 2**-52  # within a float's spacing of the true sum
    assert abs(coarse - 1.0) > 1e-13  # 12 decimals lose a third's tail
    engine.close()
