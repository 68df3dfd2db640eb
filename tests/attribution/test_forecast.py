from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

import journeymap as jm
from journeymap.attribution.forecast import forecast_conversions
from journeymap.errors import AnalysisError

MONDAY = dt.datetime(2024, 1, 1)  # a Monday


def _map():
    return jm.JourneyMap.model_validate(
        {
            "name": "t",
            "conversion": {"event": "buy"},
            "stages": [
                {
                    "id": sid,
                    "name": sid,
                    "touchpoints": [
                        {"id": f"t{sid}", "name": "T", "match": {"event": events}}
                    ],
                }
                for sid, events in (("a", ["a"]), ("b", ["b"]), ("c", ["c", "buy"]))
            ],
        }
    )


def _log(engine, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event", "value"])
    return jm.read_events(frame).to_engine(engine)


def _week(w, day=0, hour=10):
    return MONDAY + dt.timedelta(weeks=w, days=day, hours=hour)


def test_hand_computed_forecast(engine):
    rows = [
        ("c1", _week(0), "a", 0.0),
        ("c1", _week(1), "b", 0.0),
        ("c1", _week(1, 1), "buy", 30.0),
        ("c2", _week(2), "a", 0.0),
        ("c3", _week(3), "a", 0.0),  # week 3 holds the data's end: incomplete
    ]
    result = forecast_conversions(_log(engine, rows), _map(), periods=2)
    assert result.origin == "2024-01-22"
    assert result.fitted_periods == 3
    # c1 (c, idle 1) and c2 (a, active last week): week 3 brings c[(a,0)] = 1;
    # then c2 sits in (b,0) (converts 0), c1 idles, and the week's 2/3 arrival
    # (the line through 1, 0, 1) lands in (a,0), which converts 1 per customer
    assert [p.conversions for p in result.periods] == pytest.approx([1.0, 2 / 3])
    assert [p.revenue for p in result.periods] == pytest.approx([30.0, 20.0])
    assert result.occupancy == {"a": 1, "b": 0, "c": 1}  # buy is in stage c
    assert result.backtest is not None and len(result.backtest.periods) == 1


def _planted(seed, weeks=20, slope=6):
    """Customers arrive in growing numbers; each week an active customer may move on
    a stage and, in the last stage, buy. The process is the forecast's own."""
    rng = random.Random(seed)
    rows = []
    n = 0
    for w in range(weeks):
        for _ in range(60 + slope * w):
            n += 1
            cid = f"k{n}"
            stage = 0
            rows.append((cid, _week(w, rng.randrange(7)), "a", 0.0))
            for later in range(w + 1, weeks):
                if rng.random() >= 0.6:
                    continue
                day = rng.randrange(7)
                if stage < 2 and rng.random() < 0.5:
                    stage += 1
                rows.append((cid, _week(later, day, 9), "abc"[stage], 0.0))
                if stage == 2 and rng.random() < 0.5:
                    rows.append((cid, _week(later, day, 11), "buy", 25.0))
    rows.append(("end", _week(weeks, 0), "a", 0.0))  # the incomplete last week
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_backtest_beats_naive_on_a_planted_trend(engine, seed):
    result = forecast_conversions(_log(engine, _planted(seed)), _map(), periods=4)
    backtest = result.backtest
    assert backtest is not None and backtest.scored == 4
    assert backtest.mape < 0.1
    assert backtest.mape < backtest.naive_mape
    # the forecast keeps rising with the arrivals
    values = [p.conversions for p in result.periods]
    assert values == sorted(values)


def test_forecast_is_the_same_whatever_the_row_order(engine):
    rows = _planted(3, weeks=8)
    shuffled = list(rows)
    random.Random(0).shuffle(shuffled)
    assert forecast_conversions(_log(engine, rows), _map()) == forecast_conversions(
        _log(engine, shuffled), _map()
    )


def test_bad_requests_are_one_line_errors(engine):
    log = _log(engine, [("c1", _week(0), "a", 0.0)])
    with pytest.raises(AnalysisError, match="unknown period"):
        forecast_conversions(log, _map(), period="month")
    with pytest.raises(AnalysisError, match="less than two weeks"):
        forecast_conversions(log, _map())
    no_conversion = _map().model_copy(update={"conversion": None})
    with pytest.raises(AnalysisError, match="needs a conversion event"):
        forecast_conversions(log, no_conversion)
