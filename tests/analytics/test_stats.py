"""Statistics helpers against hand-computed values and scipy."""

from __future__ import annotations

import doctest
import importlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from journeymap.analytics.stats import (
    benjamini_hochberg,
    fisher_exact_p,
    normal_quantile,
    odds_ratio,
    two_proportion_ztest,
    wilson_interval,
)

from . import reference


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # published values (Newcombe 1998, table I; Wilson without continuity corr.)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (20, 20, 0.8389, 1.0),
    ],
)
def test_wilson_matches_published_values(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_empty_group_is_nan():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError, match="exceed"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match="non-negative"):
        wilson_interval(-1, 2)


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_estimate(successes, n):
    successes = min(successes, n)
    low, high = wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1


def test_normal_quantile():
    assert normal_quantile(0.95) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError):
        normal_quantile(1.0)


def test_two_proportion_ztest_by_hand():
    # p1 = .3, p2 = .45, pooled .375, se = sqrt(.375*.625*.02) = .0684653
    test = two_proportion_ztest(30, 100, 45, 100)
    assert test.z == pytest.approx(0.15 / math.sqrt(0.375 * 0.625 * 0.02))
    assert test.p_value == pytest.approx(2 * scipy_stats.norm.sf(test.z))
    assert test.diff == pytest.approx(0.15)


def test_two_proportion_ztest_symmetric():
    forward = two_proportion_ztest(12, 40, 30, 50)
    backward = two_proportion_ztest(30, 50, 12, 40)
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.z == pytest.approx(-backward.z)


def test_two_proportion_ztest_degenerate():
    assert two_proportion_ztest(10, 10, 5, 5).p_value == 1.0
    assert math.isnan(two_proportion_ztest(0, 0, 5, 5).p_value)


@pytest.mark.parametrize(
    "table", [(8, 2, 1, 5), (3, 1, 1, 3), (0, 5, 5, 0), (10, 20, 30, 40), (1, 0, 0, 0)]
)
def test_fisher_matches_scipy(table):
    a, b, c, d = table
    expected = scipy_stats.fisher_exact([[a, b], [c, d]]).pvalue
    assert fisher_exact_p(*table) == pytest.approx(expected)


def test_fisher_tea_tasting_by_hand():
    # lady tasting tea, 3 of 4 right: two-sided p = 34/70
    assert fisher_exact_p(3, 1, 1, 3) == pytest.approx(34 / 70)


def test_odds_ratio_woolf_by_hand():
    ratio = odds_ratio(10, 20, 30, 40)
    se = math.sqrt(1 / 10 + 1 / 20 + 1 / 30 + 1 / 40)
    assert ratio.estimate == pytest.approx(400 / 600)
    assert ratio.ci_low == pytest.approx(math.exp(math.log(400 / 600) - 1.959964 * se))
    assert ratio.ci_high == pytest.approx(math.exp(math.log(400 / 600) + 1.959964 * se))
    assert not ratio.corrected


def test_odds_ratio_haldane_correction_for_zero_cell():
    ratio = odds_ratio(5, 0, 2, 3)
    assert ratio.corrected
    assert ratio.estimate == pytest.approx(5.5 * 3.5 / (0.5 * 2.5))
    assert math.isfinite(ratio.ci_high)
    assert ratio.ci_low < ratio.estimate < ratio.ci_high


def test_odds_ratio_matches_scipy_sample_estimate():
    expected = scipy_stats.contingency.odds_ratio([[12, 5], [7, 9]], kind="sample")
    assert odds_ratio(12, 5, 7, 9).estimate == pytest.approx(expected.statistic)


def test_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted .005 .01 .03 .04 -> .02 .02 .04 .04
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_matches_scipy():
    p = [0.2, 0.001, 0.04, 0.04, 0.9, 0.011]
    assert benjamini_hochberg(p) == pytest.approx(
        list(scipy_stats.false_discovery_control(p))
    )


def test_benjamini_hochberg_skips_nan():
    q = benjamini_hochberg([0.01, math.nan, 0.02])
    assert math.isnan(q[1])
    assert q[0] == pytest.approx(0.02) and q[2] == pytest.approx(0.02)
    assert benjamini_hochberg([]) == []


@given(
    st.lists(
        st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.05, 1.0, math.nan])),
        max_size=40,
    )
)
def test_benjamini_hochberg_equals_the_published_step_up(p_values):
    """scipy behind the project's name: the same q-values as the textbook procedure,
    NaN kept in place and not counted as a test."""
    q = benjamini_hochberg(p_values)
    expected = reference.benjamini_hochberg(p_values)
    assert [math.isnan(x) for x in q] == [math.isnan(p) for p in p_values]
    for got, want in zip(q, expected, strict=True):
        if not math.isnan(want):
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


@given(st.lists(st.floats(0, 1), max_size=30), st.randoms())
def test_benjamini_hochberg_properties(p_values, rnd):
    q = benjamini_hochberg(p_values)
    assert all(p <= x <= 1 for p, x in zip(p_values, q, strict=True))
    order = list(range(len(p_values)))
    rnd.shuffle(order)
    shuffled = benjamini_hochberg([p_values[i] for i in order])
    assert shuffled == pytest.approx([q[i] for i in order])


@pytest.mark.parametrize(
    "module", ["stats", "matching", "stages", "retention", "drivers", "compare"]
)
def test_docstring_examples_run(module):
    found = importlib.import_module(f"journeymap.analytics.{module}")
    result = doctest.testmod(found, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
