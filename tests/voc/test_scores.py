"""Survey scores against scipy/numpy on small samples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeymap.engine import EventLog, connect
from journeymap.voc.moments import Moments
from journeymap.voc.scores import score_ces, score_csat, score_nps, score_surveys


def test_nps_interval_is_normal_interval_of_per_answer_values() -> None:
    answers = np.array([10, 9, 9, 8, 7, 6, 3, 10, 0, 9, 5, 10])
    values = np.where(answers >= 9, 1.0, np.where(answers <= 6, -1.0, 0.0))
    promoters, detractors = int((values == 1).sum()), int((values == -1).sum())
    s = score_nps(promoters, len(values) - promoters - detractors, detractors)
    scale = values.std(ddof=0) / math.sqrt(len(values))
    low, high = stats.norm.interval(0.95, loc=values.mean(), scale=scale)
    assert s.value == pytest.approx(100 * values.mean())
    assert s.ci_low == pytest.approx(100 * low)
    assert s.ci_high == pytest.approx(100 * high)
    assert s.n == 12


def test_nps_interval_clipped_and_empty() -> None:
    assert score_nps(5, 0, 0).ci_high == 100.0
    assert score_nps(0, 0, 0).value is None


def test_csat_wilson_and_t_interval_match_scipy() -> None:
    answers = [5.0, 4.0, 2.0, 5.0, 3.0, 1.0, 4.0, 4.0, 5.0]
    top2 = sum(a >= 4 for a in answers)
    s = score_csat(Moments.of(answers), top2)
    wilson = stats.binomtest(top2, len(answers)).proportion_ci(method="wilson")
    t_low, t_high = stats.t.interval(
        0.95, len(answers) - 1, loc=np.mean(answers), scale=stats.sem(answers)
    )
    assert s.value == pytest.approx(top2 / len(answers))
    assert (s.ci_low, s.ci_high) == pytest.approx((wilson.low, wilson.high))
    assert (s.mean_ci_low, s.mean_ci_high) == pytest.approx((t_low, t_high))


def test_ces_mean_and_t_interval_match_scipy() -> None:
    answers = [2.0, 6.0, 7.0, 3.0, 5.0]
    s = score_ces(Moments.of(answers))
    low, high = stats.t.interval(
        0.95, 4, loc=np.mean(answers), scale=stats.sem(answers)
    )
    assert s.value == pytest.approx(5.0 - 0.4 * 1)  # mean 4.6
    assert (s.ci_low, s.ci_high) == pytest.approx((low, high))


def test_moments_merge_equals_pooled_sample() -> None:
    a, b = [0.1, -0.4, 0.9], [0.3, 0.3, -1.0, 0.5]
    merged = Moments.of(a) + Moments.of(b)
    assert merged.mean == pytest.approx(np.mean(a + b))
    assert merged.variance == pytest.approx(np.var(a + b, ddof=1))
    assert Moments.of([1.0]).interval() == (None, None)


def test_score_surveys_groups_in_the_engine() -> None:
    engine = connect()
    rows = pd.DataFrame(
        {
            "touchpoint_id": ["a"] * 5 + ["b"] * 4,
            "score": [10, 9, 6, 8, 99, 5, 3, 4, 2],
            "score_kind": ["nps"] * 4 + ["NPS"] + ["csat"] * 3 + ["ces"],
            "timestamp": pd.to_datetime(["2026-01-05"] * 6 + ["2026-02-01"] * 3),
        }
    )
    log = EventLog(engine.register_arrow(rows), engine)
    found = score_surveys(log, log.table, by=["touchpoint_id"])
    assert [(s.group["touchpoint_id"], s.kind, s.n) for s in found] == [
        ("a", "nps", 4),  # the answer 99 is out of range and ignored
        ("b", "ces", 1),
        ("b", "csat", 3),
    ]
    assert found[0].value == pytest.approx(25.0)
    assert found[2].value == pytest.approx(2 / 3)
    monthly = score_surveys(log, log.table, period="month")
    assert [(s.group["period"], s.kind, s.n) for s in monthly] == [
        ("2026-01-01", "csat", 1),
        ("2026-01-01", "nps", 4),
        ("2026-02-01", "ces", 1),
        ("2026-02-01", "csat", 2),
    ]
