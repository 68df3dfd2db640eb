"""Event names a map expects but the data lacks, and the hint offered for them."""

from __future__ import annotations

from journeymap.model import JourneyMap
from journeymap.model.references import absent_events, did_you_mean

NAMES = ["id_rejected", "id_upload", "checkout_start", "order_confirmed"]


def test_a_close_misspelling_gets_a_hint_and_an_unrelated_name_none() -> None:
    assert did_you_mean("checkout_strat", NAMES) == "; did you mean `checkout_start`?"
    assert did_you_mean("postident_requested", NAMES) == ""


def test_match_events_prefixes_and_conversion_are_checked() -> None:
    journey = JourneyMap.model_validate(
        {
            "name": "x",
            "stages": [
                {
                    "id": "buy",
                    "name": "Buy",
                    "touchpoints": [
                        {"id": "a", "name": "A", "match": {"event": "checkout_start"}},
                        {"id": "b", "name": "B", "match": {"event_prefix": "chat_"}},
                    ],
                }
            ],
            "conversion": {"event": ["order_confirm"]},
        }
    )
    found = {p.loc: p.message for p in absent_events(journey, NAMES)}
    assert set(found) == {
        ("stages", 0, "touchpoints", 1, "match", "event_prefix"),
        ("conversion", "event", 0),
    }
    assert "did you mean `order_confirmed`?" in found[("conversion", "event", 0)]
