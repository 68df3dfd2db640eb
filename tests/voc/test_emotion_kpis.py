"""The emotion scale, emotion intervals, KPI targets and clustering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeymap.engine import EventLog, connect
from journeymap.model.cards import Kpi
from journeymap.model.journey import Stage
from journeymap.model.measured import StageFigures
from journeymap.voc.emotion import emotion_of, score_emotion_expr
from journeymap.voc.kpis import KpiInputs, compute_kpi, target_met
from journeymap.voc.moments import Moments
from journeymap.voc.personas import _best_k
from journeymap.voc.scores import score_csat


def test_scores_map_onto_minus_one_to_one() -> None:
    engine = connect()
    rows = pd.DataFrame(
        {
            "score": [0.0, 10.0, 5.0, 1.0, 5.0, 1.0, 7.0, 4.0, 11.0, 3.0],
            "score_kind": [
                "nps",
                "nps",
                "NPS",
                "csat",
                "csat",
                "ces",
                "ces",
                "ces",
                "nps",
                "stars",
            ],
        }
    )
    log = EventLog(engine.register_arrow(rows), engine)
    values = log.execute(score_emotion_expr(log.table)).emotion.tolist()
    assert values == pytest.approx([-1, 1, 0, -1, 1, -1, 1, 0])  # 11 and stars dropped


def test_emotion_interval_is_t_interval_clipped() -> None:
    values = [0.9, 0.4, -0.2, 0.7, 0.1]
    e = emotion_of(Moments.of(values), assumed=0.5)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(values), scale=stats.sem(values))
    assert (e.ci_low, e.ci_high) == pytest.approx((low, min(high, 1.0)))
    assert e.assumed == 0.5 and e.n == 5
    assert emotion_of(None, assumed=0.1).measured is None


def _inputs() -> KpiInputs:
    figures = StageFigures(
        "pay", reached=40, conversion_next=0.5, dropoff=0.25, median_time_s=600.0
    )
    csat = score_csat(Moments.of([5.0, 4.0, 2.0, 4.0]), top2=3)
    return KpiInputs(
        customers=100,
        converted=30,
        revenue=2500.0,
        stages={"pay": figures},
        regressed={"pay": 10},
        touchpoint_reach={"cart": 25},
        scores={("tp", "cart", "csat"): csat},
        comments={("stage", "pay"): Moments.of([0.5, -0.1])},
    )


@pytest.mark.parametrize(
    ("metric", "extra", "expected"),
    [
        ("stage_reach", {}, 0.4),
        ("stage_conversion", {}, 0.5),
        ("stage_dropoff", {}, 0.25),
        ("median_time_in_stage_s", {}, 600.0),
        ("conversion_rate", {}, 0.3),
        ("revenue_per_customer", {}, 25.0),
        ("regression_rate", {}, 0.25),
        ("touchpoint_reach", {"touchpoint": "cart"}, 0.25),
        ("csat", {"touchpoint": "cart", "target": ">= 4"}, 3.75),  # the mean
        ("csat", {"touchpoint": "cart", "target": ">= 0.8"}, 0.75),  # top-2 share
        ("sentiment", {}, 0.2),
    ],
)
def test_kpi_metrics(metric: str, extra: dict, expected: float) -> None:
    kpi = Kpi(id="k", metric=metric, **extra)
    value, _ = compute_kpi(kpi, Stage(id="pay", name="Pay"), _inputs())
    assert value == pytest.approx(expected)


def test_target_met() -> None:
    kpi = Kpi(id="k", metric="ces", target="< 3")
    assert target_met(2.9, kpi.target, kpi) is True
    assert target_met(3.0, kpi.target, kpi) is False
    assert target_met(1.0, None, Kpi(id="k", metric="ces")) is None


def test_clusters_recover_two_obvious_groups() -> None:
    rng = np.random.default_rng(0)
    a = (rng.random((60, 12)) < [0.97] * 6 + [0.02] * 6).astype(float)
    b = (rng.random((40, 12)) < [0.02] * 6 + [0.97] * 6).astype(float)
    k, score, labels = _best_k(np.vstack([a, b]), range(2, 5))
    assert k == 2 and score > 0.5
    assert labels[:60].tolist() == [0] * 60 and labels[60:].tolist() == [1] * 40


def test_clusters_without_scikit_learn_name_the_extra(monkeypatch) -> None:
    """Core-only installs: asked for, clustering is one line naming the extra."""
    import sys

    from journeymap.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    with pytest.raises(
        MissingExtraError, match=r'pip install "journeymap\[clusters\]"'
    ):
        _best_k(np.zeros((10, 2)), range(2, 3))
