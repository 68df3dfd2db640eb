"""Turn counts into evidence: outcome tests, impact, Benjamini–Hochberg, ranking.

A *candidate* pain point (a touchpoint, a stage or a stage transition, for all
customers or for one persona) carries one or more *outcomes*, each an exposed group
against a comparison group:

- proportions (``dropoff``, ``regression``, ``slow`` against the other customers at
  the same place; ``dropoff_vs_journey`` and ``regression_vs_journey`` against the rest
  of the journey): ``events / customers`` against ``base_events / base_customers``. Two-sided pooled two-proportion z test, or Fisher's
  exact test when an expected cell count is below 5.
- ``sentiment``: mean emotion (−1..1) against the comparison's mean, Welch's t test
  from the two samples' moments.

Impact is in *customer equivalents*: for each proportion outcome,
``customers × max(0, rate − base_rate) × weight`` (weights: dropoff 1, regression 0.5,
slow 0.25; the ``*_vs_journey`` outcomes weigh 0: stages and touchpoints differ by
design — browsing naturally loses more people than paying — so comparing one with the
rest of the journey is evidence, not impact), and for sentiment ``customers × max(0, base_mean − mean) / 2 × 0.5``
(a drop of 2 emotion points, the whole scale, counts as half a lost customer). The
candidate's impact is the sum. A stage contains its touchpoints, so a stage candidate
ranks by its *residual* impact: its impact minus the largest impact of a touchpoint
candidate of the same stage and group (all customers, or the same persona); the full
figure stays in ``full_impact``. All p-values of all candidates form one family for the
Benjamini–Hochberg correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from scipy import stats as _scipy_stats

from journeymap.analytics.stats import (
    benjamini_hochberg,
    fisher_exact_p,
    two_proportion_ztest,
)
from journeymap.voc.moments import Moments

WEIGHTS = {
    "dropoff": 1.0,
    "regression": 0.5,
    "slow": 0.25,
    "sentiment": 0.5,
    "dropoff_vs_journey": 0.0,
    "regression_vs_journey": 0.0,
}


@dataclass(frozen=True, slots=True)
class Proportion:
    """Counts of one adverse outcome in the exposed and the comparison group."""

    name: str
    events: int
    customers: int
    base_events: int
    base_customers: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place where customers may be in pain, with the counts to judge it."""

    kind: str  # touchpoint | stage | transition
    id: str  # touchpoint id, stage id, or "from_stage->to_stage"
    stage_id: str
    customers: int
    touchpoint_id: str | None = None
    persona: str | None = None
    proportions: tuple[Proportion, ...] = ()
    emotion: Moments | None = None
    base_emotion: Moments | None = None
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutcomeTest:
    """One outcome's effect, test and impact component."""

    name: str
    n: int
    base_n: int
    value: float | None  # rate, or mean emotion
    base_value: float | None
    excess: float | None  # adverse direction positive
    p_value: float
    test: str  # z | fisher | welch | none
    component: float
    q_value: float = math.nan


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """A candidate with its tests, impact and rank (1 = most impact)."""

    candidate: Candidate
    tests: tuple[OutcomeTest, ...]
    impact: float
    rank: int = 0
    full_impact: float = 0.0

    @property
    def main(self) -> OutcomeTest | None:
        """The first proportion outcome (drop-off or regression), else sentiment."""
        return self.tests[0] if self.tests else None

    def significant(self, *, alpha: float, min_customers: int) -> list[OutcomeTest]:
        """Tests with q < alpha, an adverse effect and enough customers on both sides."""
        return [
            t
            for t in self.tests
            if t.q_value < alpha
            and (t.excess or 0) > 0
            and min(t.n, t.base_n) >= min_customers
        ]

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        main = self.main
        return {
            "rank": self.rank,
            "kind": c.kind,
            "id": c.id,
            "stage_id": c.stage_id,
            "touchpoint_id": c.touchpoint_id,
            "persona": c.persona,
            "customers": c.customers,
            "impact": self.impact,
            "full_impact": self.full_impact,
            "p_value": None if main is None else main.p_value,
            "q_value": None if main is None else main.q_value,
            "outcomes": {t.name: _test_dict(t) for t in self.tests},
            "quotes": list(c.quotes),
        }


def _test_dict(test: OutcomeTest) -> dict[str, Any]:
    return {
        "n": test.n,
        "base_n": test.base_n,
        "value": test.value,
        "base_value": test.base_value,
        "excess": test.excess,
        "p_value": test.p_value,
        "q_value": test.q_value,
        "test": test.test,
        "impact": test.component,
    }


def proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Two-sided p of ``x1/n1`` vs ``x2/n2``: Fisher if an expected cell is < 5, else z.

    Parameters
    ----------
    x1, n1
        Adverse outcomes and customers in the exposed group.
    x2, n2
        The same in the comparison group.

    Returns
    -------
    tuple of (float, str)
        The p-value (NaN when a group is empty) and the test used: ``z``, ``fisher`` or ``none``.

    Examples
    --------
    >>> round(proportion_p_value(30, 100, 45, 100)[0], 4)
    0.0285
    >>> proportion_p_value(3, 10, 0, 8)[1]
    'fisher'
    """
    if n1 == 0 or n2 == 0:
        return (math.nan, "none")
    total = x1 + x2
    expected = [
        n * share
        for n in (n1, n2)
        for share in (total / (n1 + n2), 1 - total / (n1 + n2))
    ]
    if min(expected) < 5:
        return (fisher_exact_p(x1, n1 - x1, x2, n2 - x2), "fisher")
    return (two_proportion_ztest(x1, n1, x2, n2).p_value, "z")


def welch_p_value(a: Moments, b: Moments) -> float:
    """Two-sided Welch t test of the means of two samples given by their moments.

    Parameters
    ----------
    a, b
        Moments of the two samples.

    Returns
    -------
    float
        The p-value; NaN below two observations in a sample.
    """
    var_a, var_b = a.variance, b.variance
    if var_a is None or var_b is None or a.mean is None or b.mean is None:
        return math.nan
    if var_a == 0 and var_b == 0:
        return 1.0 if a.mean == b.mean else 0.0
    result = _scipy_stats.ttest_ind_from_stats(
        a.mean, math.sqrt(var_a), a.n, b.mean, math.sqrt(var_b), b.n, equal_var=False
    )
    return float(result.pvalue)


def assess_proportion(outcome: Proportion, *, customers: int) -> OutcomeTest:
    """Rate, excess over the comparison, p-value and impact of one proportion."""
    n, base_n = outcome.customers, outcome.base_customers
    rate = outcome.events / n if n else None
    base = outcome.base_events / base_n if base_n else None
    excess = None if rate is None or base is None else rate - base
    p_value, test = proportion_p_value(outcome.events, n, outcome.base_events, base_n)
    weight = WEIGHTS[outcome.name]
    component = customers * max(0.0, excess or 0.0) * weight
    return OutcomeTest(
        outcome.name, n, base_n, rate, base, excess, p_value, test, component
    )


def assess_sentiment(
    emotion: Moments, base: Moments, *, customers: int, min_observations: int
) -> OutcomeTest:
    """Mean emotion against the comparison: Welch p and the sentiment component."""
    excess = None
    if emotion.mean is not None and base.mean is not None:
        excess = base.mean - emotion.mean  # lower emotion is adverse
    enough = min(emotion.n, base.n) >= min_observations
    p_value = welch_p_value(emotion, base) if enough else math.nan
    component = customers * max(0.0, excess or 0.0) / 2 * WEIGHTS["sentiment"]
    return OutcomeTest(
        "sentiment",
        emotion.n,
        base.n,
        emotion.mean,
        base.mean,
        excess,
        p_value,
        "welch" if enough else "none",
        component if enough else 0.0,
    )


def assess_candidate(
    candidate: Candidate, *, min_observations: int = 20
) -> list[OutcomeTest]:
    """All outcome tests of one candidate (q-values not yet set)."""
    tests = [
        assess_proportion(p, customers=candidate.customers)
        for p in candidate.proportions
    ]
    if candidate.emotion is not None and candidate.base_emotion is not None:
        tests.append(
            assess_sentiment(
                candidate.emotion,
                candidate.base_emotion,
                customers=candidate.customers,
                min_observations=min_observations,
            )
        )
    return tests


@dataclass(frozen=True, slots=True)
class PainPointRanking:
    """Every candidate, most impact first. ``alpha`` and ``min_customers`` are the
    thresholds the verdicts use."""

    candidates: tuple[RankedCandidate, ...]
    alpha: float = 0.05
    min_customers: int = 30
    tests: int = 0  # size of the BH family
    notes: tuple[str, ...] = field(default=())

    def significant(self) -> list[RankedCandidate]:
        return [
            c
            for c in self.candidates
            if c.significant(alpha=self.alpha, min_customers=self.min_customers)
        ]


def rank_pain_points(
    candidates: list[Candidate],
    *,
    alpha: float = 0.05,
    min_customers: int = 30,
    min_observations: int = 20,
) -> PainPointRanking:
    """Test every candidate, correct all p-values together (BH) and rank by impact.

    Order: impact (descending), then main q-value, kind, id and persona (all customers
    before a persona), so the ranking never depends on input order.

    Parameters
    ----------
    candidates
        From :func:`journeymap.voc.painpoints.build_candidates`.
    alpha, min_customers
        Thresholds kept on the ranking for verdicts.
    min_observations
        Fewest observations per side for a sentiment test.

    Returns
    -------
    PainPointRanking
        Every candidate with tests, q-values, impact and rank.

    Examples
    --------
    >>> hot = Candidate("touchpoint", "pay", "buy", 100, touchpoint_id="pay",
    ...     proportions=(Proportion("dropoff", 40, 100, 10, 100),))
    >>> cold = Candidate("touchpoint", "cart", "buy", 100, touchpoint_id="cart",
    ...     proportions=(Proportion("dropoff", 11, 100, 10, 100),))
    >>> [c.candidate.id for c in rank_pain_points([cold, hot]).candidates]
    ['pay', 'cart']
    """
    tested = [
        (c, assess_candidate(c, min_observations=min_observations)) for c in candidates
    ]
    flat = [t.p_value for _, tests in tested for t in tests]
    q_values = iter(benjamini_hochberg(flat))
    ranked = []
    for candidate, tests in tested:
        with_q = tuple(replace(t, q_value=next(q_values)) for t in tests)
        impact = sum(t.component for t in with_q)
        ranked.append(RankedCandidate(candidate, with_q, impact, full_impact=impact))
    ranked = _residual_stage_impact(ranked)
    ranked.sort(key=_rank_key)
    numbered = tuple(replace(r, rank=i + 1) for i, r in enumerate(ranked))
    family = sum(not math.isnan(p) for p in flat)
    return PainPointRanking(numbered, alpha, min_customers, family)


def _residual_stage_impact(ranked: list[RankedCandidate]) -> list[RankedCandidate]:
    best: dict[tuple[str, str | None], float] = {}
    for item in ranked:
        c = item.candidate
        if c.kind == "touchpoint":
            key = (c.stage_id, c.persona)
            best[key] = max(best.get(key, 0.0), item.impact)
    return [
        replace(item, impact=max(0.0, item.impact - best.get(_group(item), 0.0)))
        if item.candidate.kind == "stage"
        else item
        for item in ranked
    ]


def _group(item: RankedCandidate) -> tuple[str, str | None]:
    return (item.candidate.stage_id, item.candidate.persona)


def _rank_key(item: RankedCandidate) -> tuple[Any, ...]:
    main = item.main
    q = main.q_value if main is not None and not math.isnan(main.q_value) else 2.0
    c = item.candidate
    # rounded: float sums differ in the last bit between engines (summation order),
    # and that noise must not reorder tied candidates
    impact, q = round(item.impact, 9), round(q, 9)
    return (-impact, q, c.kind, c.id, c.persona is not None, c.persona or "")
