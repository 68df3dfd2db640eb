"""Pain-point statistics against scipy on small cases, and the ranking rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from journeymap.voc.evidence import (
    Candidate,
    Proportion,
    proportion_p_value,
    rank_pain_points,
    welch_p_value,
)
from journeymap.voc.moments import Moments


def test_z_test_equals_uncorrected_chi_square() -> None:
    p, method = proportion_p_value(30, 100, 45, 100)
    table = [[30, 70], [45, 55]]
    chi2 = stats.chi2_contingency(table, correction=False)
    assert method == "z"
    assert p == pytest.approx(chi2.pvalue)


def test_fisher_used_for_small_expected_counts() -> None:
    p, method = proportion_p_value(4, 10, 0, 12)
    assert method == "fisher"
    assert p == pytest.approx(stats.fisher_exact([[4, 6], [0, 12]]).pvalue)


def test_welch_from_moments_matches_scipy_on_raw_samples() -> None:
    a = [0.2, -0.5, 0.9, 0.1, -0.3, 0.4]
    b = [0.8, 0.7, 0.95, 0.6, 0.75]
    expected = stats.ttest_ind(a, b, equal_var=False).pvalue
    assert welch_p_value(Moments.of(a), Moments.of(b)) == pytest.approx(expected)
    assert math.isnan(welch_p_value(Moments.of([1.0]), Moments.of(b)))


def _candidate(
    id_: str,
    events: int,
    base: int,
    *,
    kind: str = "touchpoint",
    stage: str = "s",
    persona: str | None = None,
) -> Candidate:
    return Candidate(
        kind,
        id_,
        stage,
        200,
        touchpoint_id=id_ if kind == "touchpoint" else None,
        persona=persona,
        proportions=(Proportion("dropoff", events, 200, base, 400),),
    )


def test_q_values_are_benjamini_hochberg_over_all_tests() -> None:
    candidates = [_candidate(f"t{i}", 20 + 6 * i, 40, stage=f"s{i}") for i in range(5)]
    ranking = rank_pain_points(candidates)
    p_values = [c.tests[0].p_value for c in ranking.candidates]
    expected = stats.false_discovery_control(p_values, method="bh")
    assert [c.tests[0].q_value for c in ranking.candidates] == pytest.approx(
        list(expected)
    )
    assert ranking.tests == 5


def test_impact_is_customers_times_excess_and_ranks_descending() -> None:
    ranking = rank_pain_points(
        [
            _candidate("mild", 30, 40),
            _candidate("bad", 90, 40),
            _candidate("ok", 10, 40),
        ]
    )
    assert [c.candidate.id for c in ranking.candidates] == ["bad", "mild", "ok"]
    bad = ranking.candidates[0]
    assert bad.impact == pytest.approx(200 * (90 / 200 - 40 / 400))
    assert ranking.candidates[-1].impact == 0.0  # a lower rate is no pain
    assert bad.rank == 1


def test_stage_ranks_by_residual_impact_over_its_touchpoints() -> None:
    stage = _candidate("s", 90, 40, kind="stage")
    inside = _candidate("t", 80, 40, stage="s")
    ranking = rank_pain_points([stage, inside])
    by_id = {c.candidate.id: c for c in ranking.candidates}
    assert by_id["s"].full_impact == pytest.approx(200 * (0.45 - 0.1))
    assert by_id["s"].impact == pytest.approx(200 * (0.45 - 0.1) - 200 * (0.4 - 0.1))
    assert ranking.candidates[0].candidate.id == "t"


def test_sentiment_component_and_ranking_is_order_independent() -> None:
    rng = np.random.default_rng(3)
    low = Moments.of(list(rng.normal(-0.4, 0.3, 40)))
    high = Moments.of(list(rng.normal(0.5, 0.3, 400)))
    sad = Candidate(
        "touchpoint", "sad", "s", 100, "sad", emotion=low, base_emotion=high
    )
    ranking = rank_pain_points([sad, _candidate("x", 30, 40)])
    test = ranking.candidates[0].tests[0]
    assert test.name == "sentiment" and test.test == "welch"
    assert test.component == pytest.approx(100 * (high.mean - low.mean) / 2 * 0.5)
    again = rank_pain_points([_candidate("x", 30, 40), sad])
    assert [c.to_dict() for c in again.candidates] == [
        c.to_dict() for c in ranking.candidates
    ]
