"""Verdict thresholds, suggestions and the what-if, on hand-built rankings."""

from __future__ import annotations

import pytest

from journeymap.model.journey import JourneyMap
from journeymap.voc.evidence import Candidate, Proportion, rank_pain_points
from journeymap.voc.opportunities import prioritise_opportunities
from journeymap.voc.outcomes import ALL, OutcomeCounts
from journeymap.voc.painpoints import judge_pain_points, suggest_pain_points

MAP = JourneyMap.model_validate(
    {
        "name": "m",
        "personas": [{"id": "p", "name": "P", "segment": "x == 1"}],
        "stages": [
            {
                "id": "buy",
                "name": "Buy",
                "touchpoints": [
                    {"id": "pay", "name": "Pay", "match": {"event": "pay"}},
                    {"id": "cart", "name": "Cart", "match": {"event": "cart"}},
                    {"id": "tiny", "name": "Tiny", "match": {"event": "tiny"}},
                    {"id": "other", "name": "Other", "match": {"event": "o"}},
                ],
                "pain_points": [
                    {"id": "pay-pain", "text": "a", "touchpoint": "pay"},
                    {"id": "cart-pain", "text": "b", "touchpoint": "cart"},
                    {"id": "tiny-pain", "text": "c", "touchpoint": "tiny"},
                ],
                "opportunities": [
                    {
                        "id": "fix-pay",
                        "text": "x",
                        "addresses": ["pay-pain"],
                        "value": 4,
                        "effort": 2,
                    },
                    {"id": "fix-cart", "text": "y", "addresses": ["cart-pain"]},
                ],
            },
            {"id": "after", "name": "After"},
        ],
    }
)


def _tp(
    tp: str, persona: str | None, events: int, n: int, base: int, base_n: int
) -> Candidate:
    return Candidate(
        "touchpoint",
        tp,
        "buy",
        n,
        tp,
        persona,
        (Proportion("dropoff", events, n, base, base_n),),
    )


@pytest.fixture
def ranking():
    return rank_pain_points(
        [
            _tp("pay", None, 30, 400, 60, 600),  # no worse than the rest
            _tp("pay", "p", 40, 100, 20, 300),  # persona: 40% vs 6.7%
            _tp("cart", None, 20, 400, 30, 600),
            _tp("cart", "p", 6, 100, 14, 300),
            _tp("tiny", None, 10, 20, 5, 600),  # big effect, 20 customers only
            _tp("other", "p", 30, 100, 15, 300),  # not on the map
        ]
    )


def test_verdicts_apply_the_documented_thresholds(ranking) -> None:
    verdicts = {v.id: v for v in judge_pain_points(MAP, ranking)}
    pay = verdicts["pay-pain"]
    assert pay.verdict == "supported"
    assert pay.evidence["persona"] == "p" and pay.q_value < 0.05
    assert pay.impact == pytest.approx(100 * (0.4 - 20 / 300))
    assert verdicts["cart-pain"].verdict == "not_supported"
    assert verdicts["tiny-pain"].verdict == "insufficient_data"


def test_suggestions_skip_what_the_map_covers(ranking) -> None:
    suggested = suggest_pain_points(MAP, ranking)
    assert [(s["id"], s["persona"]) for s in suggested] == [("other", "p")]
    assert "p customers drop off 0.30 vs 0.05" in suggested[0]["text"]


def test_priority_and_what_if(ranking) -> None:
    verdicts = judge_pain_points(MAP, ranking)
    counts = OutcomeCounts(
        customers={ALL: 1000},
        converted={ALL: 300},
        # at pay for persona p: 60 carried on, 45 of them converted; 40 dropped, 0 converted
        carried_on={("pay", "p"): (60, 45, 40, 0)},
    )
    fix_pay, fix_cart = prioritise_opportunities(MAP, verdicts, ranking, counts)
    impact = 100 * (0.4 - 20 / 300)
    assert fix_pay["id"] == "fix-pay"
    assert fix_pay["priority"] == pytest.approx(impact * 4 / 2)
    recovered = 100 * (0.4 - 20 / 300)
    assert fix_pay["what_if"]["recovered_customers"] == pytest.approx(recovered)
    assert fix_pay["what_if"]["if_removed"] == pytest.approx(
        (300 + recovered * 0.75) / 1000
    )
    assert fix_pay["what_if"]["change"] == pytest.approx(recovered * 0.75 / 1000)
    assert fix_cart["priority"] == 0 and fix_cart["what_if"]["change"] == 0
