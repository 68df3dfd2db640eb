"""The tests behind verdicts, checked against direct computations and calibrated.

- the cluster-robust variance computed in the engine from per-customer moments
  equals the sandwich variance computed row by row in numpy;
- the clustered z test keeps its size when customers contribute many correlated
  rows (where the pooled test does not);
- the Mann-Whitney statistic computed in the engine (mid-ranks, tie correction)
  matches scipy's on data with ties, and detects a scale change in a mixture.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeymap.evidence.contrasts import (
    Contrast,
    Group,
    cluster_sums_expr,
    clustered_variance,
    rank_sums_expr,
)


def _sandwich(frame: pd.DataFrame) -> float:
    """Var(rate_e - rate_c), clustered by customer, straight from the definition."""
    e, c = frame[frame.side == "e"], frame[frame.side == "c"]
    r_e, r_c = e.outcome.mean(), c.outcome.mean()
    n_e, n_c = len(e), len(c)
    frame = frame.assign(
        d=np.where(
            frame.side == "e",
            (frame.outcome - r_e) / n_e,
            -(frame.outcome - r_c) / n_c,
        )
    )
    per = frame.groupby("cluster_id").d.sum()
    k = len(per)
    return float(k / (k - 1) * (per**2).sum())


def _clustered(
    rng: np.random.Generator, customers: int, effect: float, *, trait: bool = False
) -> pd.DataFrame:
    """Customers with 1-12 sessions; a customer's propensity is shared by its rows.

    ``trait``: exposure is a property of the customer (all its rows or none).
    """
    sessions = rng.integers(1, 13, customers)
    cluster = np.repeat(np.arange(customers), sessions)
    base = rng.beta(1, 6, customers)[cluster]  # strong within-customer correlation
    if trait:
        exposed = (rng.random(customers) < 0.3)[cluster]
    else:
        exposed = rng.random(len(cluster)) < 0.3
    hit = rng.random(len(cluster)) < np.clip(base + effect * exposed, 0, 1)
    return pd.DataFrame(
        {
            "cluster_id": cluster.astype(str),
            "side": np.where(exposed, "e", "c"),
            "outcome": hit.astype(int),
        }
    )


def _moments(frame: pd.DataFrame) -> dict[str, float]:
    """What :func:`cluster_sums_expr` computes, in pandas (fast for many repeats)."""
    e = (frame.side == "e").astype(int)
    per = (
        pd.DataFrame(
            {
                "ne": e,
                "xe": e * frame.outcome,
                "nc": 1 - e,
                "xc": (1 - e) * frame.outcome,
                "cluster_id": frame.cluster_id,
            }
        )
        .groupby("cluster_id")
        .sum()
    )
    ne, xe, nc, xc = (per[k].astype(float) for k in ("ne", "xe", "nc", "xc"))
    return {
        "n_e": ne.sum(), "x_e": xe.sum(), "n_c": nc.sum(), "x_c": xc.sum(),
        "clusters": len(per), "widest": (ne + nc).max(),
        "ee": (xe * xe).sum(), "en": (xe * ne).sum(), "nn": (ne * ne).sum(),
        "cc": (xc * xc).sum(), "cm": (xc * nc).sum(), "mm": (nc * nc).sum(),
        "ec": (xe * xc).sum(), "em": (xe * nc).sum(), "nc": (ne * xc).sum(),
        "nm": (ne * nc).sum(),
    }  # fmt: skip


def _contrast(frame: pd.DataFrame, *, clustered: bool) -> Contrast:
    row = _moments(frame)
    return Contrast.of(
        "loop",
        Group("e", int(row["n_e"]), int(row["x_e"])),
        Group("c", int(row["n_c"]), int(row["x_c"])),
        variance=clustered_variance(row) if clustered else None,
    )


def test_engine_moments_give_the_sandwich_variance() -> None:
    frame = _clustered(np.random.default_rng(3), 300, 0.05)
    sums = ibis.duckdb.connect().execute(cluster_sums_expr(ibis.memtable(frame), []))
    row = sums.to_dict("records")[0]
    assert clustered_variance(row) == pytest.approx(_sandwich(frame), rel=1e-9)
    assert clustered_variance(_moments(frame)) == pytest.approx(
        _sandwich(frame), rel=1e-9
    )


def test_independent_rows_keep_the_pooled_test() -> None:
    frame = pd.DataFrame(
        {
            "cluster_id": [f"c{i}" for i in range(200)],
            "side": ["e", "c"] * 100,
            "outcome": [1, 0, 0, 0] * 50,
        }
    )
    assert _contrast(frame, clustered=True).test == "z"


def test_clustered_test_keeps_its_size_where_the_pooled_test_does_not() -> None:
    rng = np.random.default_rng(11)
    runs = 400
    pooled = clustered = 0
    for _ in range(runs):
        # the exposure is a customer trait: exposed customers have all rows exposed
        frame = _clustered(rng, 120, 0.0, trait=True)
        pooled += _contrast(frame, clustered=False).p_value <= 0.05
        clustered += _contrast(frame, clustered=True).p_value <= 0.05
    assert clustered / runs <= 0.08, clustered / runs
    assert pooled / runs >= 0.10, pooled / runs  # why clustering matters


def test_clustered_test_finds_a_planted_effect() -> None:
    frame = _clustered(np.random.default_rng(5), 600, 0.10)
    contrast = _contrast(frame, clustered=True)
    assert contrast.test == "z-clustered"
    assert contrast.p_value < 1e-4
    assert contrast.ci_low < contrast.difference < contrast.ci_high  # type: ignore[operator]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rank_sums_match_scipy_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    e = np.round(rng.exponential(3.0, 150))  # rounded: many ties
    c = np.round(rng.exponential(2.5, 400))
    frame = pd.DataFrame(
        {
            "side": ["e"] * len(e) + ["c"] * len(c),
            "seconds": np.concatenate([e, c]),
        }
    )
    sums = ibis.duckdb.connect().execute(rank_sums_expr(ibis.memtable(frame)))
    contrast = Contrast.of_times(
        "slow",
        Group("e", 150, 0),
        Group("c", 400, 0),
        sums.iloc[0].to_dict(),
        (None, None),
    )
    ref = stats.mannwhitneyu(e, c, alternative="greater", use_continuity=True)
    assert contrast.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert contrast.times is not None
    assert contrast.times.superiority == pytest.approx(ref.statistic / (150 * 400))


def test_a_scale_change_in_a_mixture_is_found_and_practical() -> None:
    """Same-visit moves (minutes) and later-visit moves (days), all x2 for the
    exposed group: the medians can say nothing, the rank test and geometric mean do."""
    rng = np.random.default_rng(8)

    def times(n: int, scale: float) -> np.ndarray:
        same = rng.random(n) < 0.5
        return (
            np.where(
                same, rng.exponential(300, n), 86400 + rng.exponential(3 * 86400, n)
            )
            * scale
        )

    e, c = times(400, 2.0), times(1600, 1.0)
    frame = pd.DataFrame(
        {"side": ["e"] * 400 + ["c"] * 1600, "seconds": np.concatenate([e, c])}
    )
    sums = ibis.duckdb.connect().execute(rank_sums_expr(ibis.memtable(frame)))
    contrast = Contrast.of_times(
        "slow", Group("e", 400, 0), Group("c", 1600, 0), sums.iloc[0].to_dict(),
        (float(np.median(e)), float(np.median(c))),
    ).with_q(1e-6)  # fmt: skip
    assert contrast.p_value < 1e-6
    # x2 in both modes: the geometric mean of 1 + seconds grows by about half (the
    # +1 damps the shortest times), while the medians sit between the modes
    assert contrast.relative is not None and contrast.relative > 0.3
    from journeymap.evidence.contrasts import Thresholds

    assert contrast.holds(Thresholds())


def test_times_under_the_null_are_not_practical_differences() -> None:
    rng = np.random.default_rng(9)
    frames = []
    for run in range(120):
        x = np.round(rng.lognormal(5, 2, 300))
        frames.append(
            pd.DataFrame({"run": run, "side": ["e"] * 100 + ["c"] * 200, "seconds": x})
        )
    con = ibis.duckdb.connect()
    table = ibis.memtable(pd.concat(frames))
    hits = 0
    for run in range(120):
        sums = con.execute(rank_sums_expr(table.filter(table.run == run)))
        contrast = Contrast.of_times(
            "slow", Group("e", 100, 0), Group("c", 200, 0), sums.iloc[0].to_dict(),
            (None, None),
        )  # fmt: skip
        hits += contrast.p_value <= 0.05
    assert hits / 120 <= 0.1, hits / 120


def _weekly(
    rng: np.random.Generator, weeks: int, bump: dict[int, float]
) -> pd.DataFrame:
    """A weekly drop-off series whose true rate wanders (overdispersed), n=400/week."""
    rows = []
    for w in range(weeks):
        rate = float(np.clip(rng.normal(0.30, 0.04), 0.01, 0.99)) + bump.get(w, 0.0)
        units = 400
        rows.append(
            {
                "level": "stage",
                "id": "checkout",
                "persona": None,
                "metric": "dropoff",
                "period_start": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=w),
                "units": units,
                "events": int(rng.binomial(units, rate)),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.assign(rate=frame.events / frame.units)


def test_incidents_allow_for_weeks_that_wander() -> None:
    from journeymap.evidence.incidents import find_incidents

    rng = np.random.default_rng(21)
    alarms = sum(bool(find_incidents(_weekly(rng, 20, {})).items) for _ in range(60))
    assert alarms / 60 <= 0.1, alarms  # binomial tests alone alarm far more often
    found = find_incidents(_weekly(rng, 20, {8: 0.25, 9: 0.25, 10: 0.25}))
    assert found.items, "a +25 point three-week incident is found"
    item = found.items[0]
    assert item["from"] <= "2026-03-09" and item["to"] >= "2026-03-08"
