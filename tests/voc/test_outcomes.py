"""Outcome counts and survey attribution on a tiny hand-checked log."""

from __future__ import annotations

import pytest

from journeymap.voc.observations import feedback_texts, observations_expr
from journeymap.voc.outcomes import ALL, count_outcomes, customer_outcomes_expr
from journeymap.voc.segments import persona_members_expr

ROWS = [
    ("a", 0, "home", 70, None, None, None),
    ("a", 1, "item", 70, None, None, None),
    ("a", 2, "cart", 70, None, None, None),
    ("a", 3, "checkout", 70, None, None, None),
    ("a", 4, "survey", 70, 2.0, "ces", "awful, the card failed"),
    ("b", 0, "home", 30, None, None, None),
    ("b", 1, "item", 30, None, None, None),
    ("b", 2, "cart", 30, None, None, None),
    ("b", 3, "checkout", 30, None, None, None),
    ("b", 4, "buy", 30, 9.0, "nps", None),
    ("b", 10, "mail", 30, None, None, None),
    ("c", 0, "home", 30, None, None, None),
    ("c", 1, "item", 30, None, None, None),
    ("d", 0, "home", 70, None, None, None),
    ("d", 1, "cart", 70, None, None, None),
    ("d", 2, "home", 70, None, None, None),  # regression pay -> look, before buying
    ("d", 3, "cart", 70, None, None, None),
    ("d", 4, "checkout", 70, None, None, None),
    ("d", 5, "buy", 70, None, None, None),
    ("d", 6, "mail", 70, None, None, None),
    ("d", 7, "home", 70, None, None, None),  # after buying: a repeat visit, not counted
    ("e", 0, "home", 30, None, None, None),
    ("e", 1, "feedback", 30, None, None, "lovely site"),
]
COLUMNS = ["age", "score", "score_kind", "text"]


@pytest.fixture
def tiny(make_log, shop_map):
    log = make_log(ROWS, COLUMNS)
    members = persona_members_expr(log.table, shop_map)
    customers = customer_outcomes_expr(log, shop_map)
    return log, shop_map, members, customers


def test_exits_dropoffs_and_regressions(tiny) -> None:
    log, journey, members, customers = tiny
    counts = count_outcomes(log, journey, customers, members)
    tp = counts.touchpoints
    assert tp[("home", ALL)] == (5, 1)  # e's journey ends at home
    assert tp[("item", ALL)] == (3, 1)  # c's at the item page
    assert tp[("checkout", ALL)] == (3, 1)  # a gave up at checkout
    assert tp[("mail", ALL)] == (2, 0)  # the last stage has no drop-off
    assert tp[("checkout", "old")] == (2, 1)
    stages = counts.stages
    assert [stages[(k, ALL)][:2] for k in range(3)] == [(5, 2), (3, 1), (2, 0)]
    assert counts.regressions == {((1, 0), ALL): 1, ((1, 0), "old"): 1}
    assert counts.customers == {ALL: 5, "old": 2}
    assert counts.converted == {ALL: 2, "old": 1}
    # at checkout: 2 carried on (both converted), 1 exited (not converted)
    assert counts.carried_on[("checkout", ALL)] == (2, 2, 1, 0)


def test_survey_rows_belong_to_the_latest_matched_touchpoint(tiny, make_log) -> None:
    log, journey, _, _ = tiny
    extra = make_log([("c", 5, "feedback", "too slow to load")], ["text"])
    frame = log.execute(observations_expr(log, journey, feedback=extra))
    found = sorted(
        zip(frame.customer_id, frame.event, frame.touchpoint_id, strict=True)
    )
    assert found == [
        ("a", "survey", "checkout"),
        ("b", "buy", "checkout"),  # its own event matches
        ("c", "feedback", "item"),  # from the separate feedback log
        ("e", "feedback", "home"),
    ]
    texts = feedback_texts(log, observations_expr(log, journey, feedback=extra))
    assert list(texts.text) == [
        "awful, the card failed",
        "too slow to load",
        "lovely site",
    ]
    assert texts.sentiment.iloc[0] < 0 < texts.sentiment.iloc[2]


def test_measure_map_on_a_tiny_log_without_surveys(make_log, shop_map) -> None:
    from journeymap.pipeline import measure_map

    rows = [
        (r[0], r[1], r[2], r[3]) for r in ROWS if r[2] not in ("survey", "feedback")
    ]
    log = make_log(rows, ["age"])
    measured = measure_map(shop_map, log)
    (verdict,) = measured.pain_points
    assert verdict.verdict == "insufficient_data"  # 3 customers reached checkout
    assert measured.stage_emotion["pay"].measured is None
    assert measured.stage_emotion["pay"].assumed == 0.4
    assert measured.kpis[0].value == 2 / 5 and measured.kpis[0].met is False
    assert measured.clusters == ()
    assert measured.to_dict()["totals"]["customers"] == 5
    no_personas = measure_map(shop_map.model_copy(update={"personas": ()}), log)
    assert no_personas.personas == ()
    assert all(c["persona"] is None for c in no_personas.candidates)


def test_measure_without_scikit_learn_skips_clusters_with_a_note(
    monkeypatch, make_log, shop_map
) -> None:
    """Core-only installs measure; clustering asked for is one line naming the extra."""
    import sys

    from journeymap.errors import MissingExtraError
    from journeymap.voc.measure import measure_map

    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    log = make_log([r[:4] for r in ROWS if r[2] not in ("survey", "feedback")], ["age"])
    measured = measure_map(shop_map, log)
    assert measured.clusters == ()
    assert any("journeymap[clusters]" in note for note in measured.notes)
    with pytest.raises(MissingExtraError, match=r"journeymap\[clusters\]"):
        measure_map(shop_map, log, clusters=True)
