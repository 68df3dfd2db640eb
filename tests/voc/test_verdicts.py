"""Opportunity priority and the what-if, on hand-built verdicts."""

from __future__ import annotations

import pytest

from journeymap.model.journey import JourneyMap
from journeymap.model.measured import PainPointVerdict
from journeymap.voc.opportunities import prioritise_opportunities
from journeymap.voc.outcomes import ALL, OutcomeCounts

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


def _verdict(
    pain: str, verdict: str, impact: float, difference: float
) -> PainPointVerdict:
    """A drop-off verdict as journeymap.evidence writes it: persona p, 100 units."""
    return PainPointVerdict(
        pain,
        verdict,
        impact=impact,
        stage_id="buy",
        hypothesis={"persona": "p", "outcome": "dropoff"},
        test={
            "outcome": "dropoff",
            "difference": difference,
            "exposed": {"units": 100},
        },
    )


def test_priority_and_what_if() -> None:
    verdicts = (
        _verdict("pay-pain", "supported", 30.0, 0.3),
        _verdict("cart-pain", "not_supported", 0.0, 0.01),
    )
    counts = OutcomeCounts(
        customers={ALL: 1000},
        converted={ALL: 300},
        # at buy for persona p: 60 carried on, 45 of them converted; 40 dropped, 0 converted
        carried_on_stage={(0, "p"): (60, 45, 40, 0)},
    )
    fix_pay, fix_cart = prioritise_opportunities(MAP, verdicts, counts)
    assert fix_pay["id"] == "fix-pay"
    assert fix_pay["priority"] == pytest.approx(30.0 * 4 / 2)
    recovered = 100 * 0.3
    assert fix_pay["what_if"]["recovered_customers"] == pytest.approx(recovered)
    assert fix_pay["what_if"]["if_removed"] == pytest.approx(
        (300 + recovered * 0.75) / 1000
    )
    assert fix_pay["what_if"]["change"] == pytest.approx(recovered * 0.75 / 1000)
    assert fix_cart["priority"] == 0 and fix_cart["what_if"]["change"] == 0
