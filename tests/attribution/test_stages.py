from __future__ import annotations

import pytest

import journeymap as jm
from journeymap.attribution.stages import attribute_stage_moves
from journeymap.errors import AnalysisError


def _map(*events):
    return jm.JourneyMap.model_validate(
        {
            "name": "t",
            "stages": [
                {
                    "id": f"s{i}",
                    "name": f"S{i}",
                    "touchpoints": [
                        {"id": f"t{i}", "name": "T", "match": {"event": e}}
                    ],
                }
                for i, e in enumerate(events, start=1)
            ],
        }
    )


def test_hand_computed_moves(make_log):
    log = make_log(
        [
            ("x", 0, "a", "web"),
            ("x", 1, "a", "mail"),
            ("x", 2, "b", "web"),
            ("x", 3, "c", "app"),
            ("y", 0, "a", "mail"),
        ]
    )
    result = attribute_stage_moves(log, _map("a", "b", "c"))
    first, second = result.steps
    assert (first.from_stage, first.to_stage) == ("s1", "s2")
    got = {c.channel: c for c in first.result.credits}
    # start web 1/2, mail 1/2; web→mail; mail→move 1/2: P = 1/2, without web 1/4
    assert got["web"].removal_effect == pytest.approx(0.5, abs=1e-12)
    assert got["mail"].removal_effect == pytest.approx(1.0, abs=1e-12)
    assert got["web"].attributed_conversions == pytest.approx(1 / 3, abs=1e-12)
    assert (first.result.paths, first.result.conversions) == (2, 1)
    assert [(c.channel, c.attributed_conversions) for c in second.result.credits] == [
        ("web", pytest.approx(1.0))
    ]
    frame = result.to_pandas()
    assert list(frame.columns[:3]) == ["from_stage", "to_stage", "channel"]


def test_heuristic_moves_sum_to_the_moves(make_log):
    log = make_log([("x", 0, "a", "web"), ("x", 1, "a", "mail"), ("x", 2, "c", "app")])
    result = attribute_stage_moves(log, _map("a", "b", "c"), model="linear")
    first = result.steps[0].result
    # skipping b still moves x on from a
    assert first.conversions == 1
    assert sum(c.attributed_conversions for c in first.credits) == pytest.approx(1.0)


def test_one_stage_map_is_refused(make_log):
    with pytest.raises(AnalysisError, match="at least two stages"):
        attribute_stage_moves(make_log([("x", 0, "a", "web")]), _map("a"))
