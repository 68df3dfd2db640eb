"""One contrast: an exposed group against a comparison group on a yes/no outcome.

Every verdict, suggestion and incident is such a contrast. The claim under test is
directional (a pain point says things are *worse* for the exposed group), so the test
is one-sided: the pooled two-proportion z test, or Fisher's exact test when an expected
cell count is below 5. The effect is the difference of the two rates with a Newcombe
hybrid score interval (method 10 of Newcombe 1998, built from two Wilson intervals;
it keeps its coverage for small groups and rates near 0 or 1).

A contrast is *practically relevant* when the difference is at least
``min_difference`` (default 2 percentage points) **and** the exposed rate is at least
``min_relative`` (default 10 %) above the comparison rate: with a million customers a
0.1-point difference is significant and still not worth a card on the map.

Two refinements keep the test honest when rows are not independent customers:

- **Clustered rows.** When one customer contributes several rows (sessions, or a
  customer's visits to a stage), the rows of one customer are correlated and the
  pooled variance understates the noise. The variance of the difference is then the
  cluster-robust (sandwich) variance of the two ratio estimators, clustered by
  customer, computed from per-cluster sums in the engine (:func:`cluster_sums_expr`);
  the test is the one-sided z test on that variance, the interval a Wald interval.
- **Times.** ``slow`` compares time to move on, not a rate: the Mann–Whitney rank-sum
  test (one-sided, tie-corrected, continuity-corrected), with the effect as the
  probability that an exposed stay takes longer than a comparison stay (``P(slower)``,
  0.5 when the two are alike) and the ratio of the geometric means of ``1 + seconds``
  (a scale change moves it exactly; a median can move the wrong way when times are
  a mixture of same-visit and later-visit moves). Such a contrast is practical when
  ``P(slower) - 0.5 >= min_difference`` and the exposed geometric mean is at least
  ``min_relative`` above the comparison's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import ibis
from scipy import stats as _scipy_stats

from journeymap.analytics.stats import wilson_interval
from journeymap.model.values import optional_float

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "Contrast",
    "Group",
    "Thresholds",
    "Times",
    "cluster_sums_expr",
    "clustered_variance",
    "newcombe_interval",
    "one_sided_p",
    "rank_sums_expr",
]

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Group:
    """One side of a contrast: who it is, how many units, how many had the outcome."""

    label: str
    units: int
    events: int

    @property
    def rate(self) -> float | None:
        return self.events / self.units if self.units else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "units": self.units,
            "events": self.events,
            "rate": self.rate,
        }


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What a verdict needs: significance, a practical effect and enough units."""

    alpha: float = 0.05
    min_difference: float = 0.02
    min_relative: float = 0.10
    min_units: int = 30

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "min_difference": self.min_difference,
            "min_relative": self.min_relative,
            "min_units": self.min_units,
        }


def one_sided_p(exposed: Group, comparison: Group) -> tuple[float, str]:
    """P-value of "the exposed rate is higher", and the test used.

    Fisher's exact test (``alternative="greater"``) when an expected cell is below 5,
    else the pooled z test. NaN for an empty group.

    Examples
    --------
    >>> p, test = one_sided_p(Group("a", 1000, 260), Group("b", 1000, 200))
    >>> test, round(p, 4)
    ('z', 0.0007)
    >>> one_sided_p(Group("a", 10, 3), Group("b", 10, 0))[1]
    'fisher'
    """
    n1, x1, n2, x2 = exposed.units, exposed.events, comparison.units, comparison.events
    if n1 == 0 or n2 == 0:
        return (math.nan, "none")
    total = x1 + x2
    share = total / (n1 + n2)
    expected = [n * s for n in (n1, n2) for s in (share, 1 - share)]
    if min(expected) < 5:
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        result = _scipy_stats.fisher_exact(table, alternative="greater")
        return (float(min(1.0, result.pvalue)), "fisher")
    variance = share * (1 - share) * (1 / n1 + 1 / n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return (float(_scipy_stats.norm.sf(z)), "z")


def newcombe_interval(
    exposed: Group, comparison: Group, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``rate(exposed) - rate(comparison)``.

    Examples
    --------
    >>> low, high = newcombe_interval(Group("a", 100, 40), Group("b", 100, 20))
    >>> round(low, 3), round(high, 3)
    (0.073, 0.319)
    """
    p1, p2 = exposed.rate, comparison.rate
    if p1 is None or p2 is None:
        return (math.nan, math.nan)
    l1, u1 = wilson_interval(exposed.events, exposed.units, confidence=confidence)
    l2, u2 = wilson_interval(comparison.events, comparison.units, confidence=confidence)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))


def clustered_variance(sums: dict[str, Any]) -> float | None:
    """Cluster-robust variance of ``rate(e) - rate(c)`` from :func:`cluster_sums_expr`.

    None when every cluster holds one row (independent units: the pooled test
    applies) or when a side is empty.

    Examples
    --------
    Two customers with two sessions each, one session of each exposed:

    >>> sums = {"n_e": 2, "x_e": 2, "n_c": 2, "x_c": 0, "clusters": 2, "widest": 2,
    ...         "ee": 2, "en": 2, "nn": 2, "cc": 0, "cm": 0, "mm": 2,
    ...         "ec": 0, "em": 2, "nc": 0, "nm": 2}
    >>> clustered_variance(sums)
    0.0
    """
    n_e, n_c = float(sums["n_e"] or 0), float(sums["n_c"] or 0)
    clusters = int(sums["clusters"] or 0)
    if n_e == 0 or n_c == 0 or clusters < 2 or int(sums["widest"] or 0) <= 1:
        return None
    r_e, r_c = float(sums["x_e"]) / n_e, float(sums["x_c"]) / n_c
    # sum over clusters of a_c^2, b_c^2 and a_c b_c, where a_c = x_ec - r_e n_ec and
    # b_c = x_cc - r_c n_cc, from the per-cluster moments
    f = {k: float(sums[k] or 0) for k in ("ee", "en", "nn", "cc", "cm", "mm")}
    g = {k: float(sums[k] or 0) for k in ("ec", "em", "nc", "nm")}
    aa = f["ee"] - 2 * r_e * f["en"] + r_e**2 * f["nn"]
    bb = f["cc"] - 2 * r_c * f["cm"] + r_c**2 * f["mm"]
    ab = g["ec"] - r_c * g["em"] - r_e * g["nc"] + r_e * r_c * g["nm"]
    total = aa / n_e**2 + bb / n_c**2 - 2 * ab / (n_e * n_c)
    return max(0.0, clusters / (clusters - 1) * total)


def cluster_sums_expr(table: ir.Table, keys: list[str]) -> ir.Table:
    """Per ``keys``: each side's units and events, and the per-customer moments.

    ``table`` has ``side`` (``e``, ``c`` or null), ``outcome`` (0/1) and
    ``cluster_id`` (the customer). Column names: ``n_e, x_e, n_c, x_c`` (rows and
    outcomes per side), ``clusters``, ``widest`` (most rows of one cluster) and the
    sums over clusters of the products of the cluster's counts (``ee`` = x_e², ``en`` =
    x_e·n_e, ``nn`` = n_e², ``cc``, ``cm``, ``mm`` likewise for the comparison side,
    ``ec``, ``em``, ``nc``, ``nm`` the cross products) for :func:`clustered_variance`.
    """
    t = table.filter(table.side.notnull())
    e = (t.side == "e").cast("int64")
    c = (t.side == "c").cast("int64")
    y = t.outcome.cast("int64")
    per = t.group_by([*keys, "cluster_id"]).agg(
        ne=e.sum(), xe=(e * y).sum(), nc=c.sum(), xc=(c * y).sum()
    )
    ne, xe = per.ne.cast("float64"), per.xe.cast("float64")
    nc, xc = per.nc.cast("float64"), per.xc.cast("float64")
    aggs = {
        "n_e": per.ne.sum(),
        "x_e": per.xe.sum(),
        "n_c": per.nc.sum(),
        "x_c": per.xc.sum(),
        "clusters": per.count(),
        "widest": (per.ne + per.nc).max(),
        "ee": (xe * xe).sum(),
        "en": (xe * ne).sum(),
        "nn": (ne * ne).sum(),
        "cc": (xc * xc).sum(),
        "cm": (xc * nc).sum(),
        "mm": (nc * nc).sum(),
        "ec": (xe * xc).sum(),
        "em": (xe * nc).sum(),
        "nc": (ne * xc).sum(),
        "nm": (ne * nc).sum(),
    }
    return per.group_by(keys).agg(**aggs) if keys else per.aggregate(**aggs)


@dataclass(frozen=True, slots=True)
class Times:
    """A Mann–Whitney comparison of two groups' times (seconds)."""

    median_exposed: float | None
    median_comparison: float | None
    geomean_exposed: float | None  # exp(mean(ln(1 + seconds))) - 1
    geomean_comparison: float | None
    superiority: float  # P(exposed time > comparison time) + 0.5 P(tie)
    # the share of each group's stays that did not move on within the stage's horizon
    # (counted as slowest): "slow" partly or wholly made of stays that never moved on
    # is a drop-off as much as a delay, and the reader has to see which
    not_moved_exposed: float | None = None
    not_moved_comparison: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_seconds_exposed": self.median_exposed,
            "median_seconds_comparison": self.median_comparison,
            "geometric_mean_seconds_exposed": self.geomean_exposed,
            "geometric_mean_seconds_comparison": self.geomean_comparison,
            "probability_slower": self.superiority,
            "share_not_moved_on_exposed": self.not_moved_exposed,
            "share_not_moved_on_comparison": self.not_moved_comparison,
        }


def _share(count: Any, n: int) -> float | None:
    """``count / n``, or None when ``count`` was not computed."""
    return None if count is None or count != count else int(count) / n


def rank_sums_expr(table: ir.Table, *, horizon: float | None = None) -> ir.Table:
    """``n_e, n_c, rank_sum_e, ties, log_e, log_c`` over rows with ``side`` and ``seconds``.

    Mid-ranks (1-based) over both sides pooled; ``ties`` is the sum over tied groups
    of t³ - t (the tie correction of the rank-sum variance); ``log_e``/``log_c`` the
    mean of ``ln(1 + seconds)`` per side. With ``horizon`` (seconds) also
    ``late_e``/``late_c``: the rows beyond it per side (stays that did not move on).
    """
    t = table.filter(table.side.notnull() & table.seconds.notnull())
    tied = t.seconds.count().over(ibis.window(group_by=t.seconds))
    ranked = t.mutate(
        _rank=ibis.rank().over(order_by=t.seconds).cast("float64")
        + (tied.cast("float64") + 1) / 2,
        _tied=tied.cast("float64"),
    )
    is_e = ranked.side == "e"
    late: dict[str, ir.Value] = {}
    if horizon is not None:
        beyond = (ranked.seconds > horizon).cast("int64")
        late = {"late_e": beyond.sum(where=is_e), "late_c": beyond.sum(where=~is_e)}
    return ranked.aggregate(
        n_e=is_e.cast("int64").sum(),
        n_c=(~is_e).cast("int64").sum(),
        rank_sum_e=ranked._rank.sum(where=is_e),
        ties=(ranked._tied * ranked._tied - 1).sum(),
        log_e=(ranked.seconds.clip(lower=0) + 1).ln().mean(where=is_e),
        log_c=(ranked.seconds.clip(lower=0) + 1).ln().mean(where=~is_e),
        **late,
    )


def _mann_whitney(
    n_e: int, n_c: int, rank_sum_e: float, ties: float
) -> tuple[float, float, float]:
    """One-sided p (exposed slower), P(slower), and its standard error."""
    n = n_e + n_c
    u = rank_sum_e - n_e * (n_e + 1) / 2
    variance = n_e * n_c / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return (math.nan, u / (n_e * n_c), math.nan)
    z = (u - n_e * n_c / 2 - 0.5) / math.sqrt(variance)
    se = math.sqrt(variance) / (n_e * n_c)
    return (float(_scipy_stats.norm.sf(z)), u / (n_e * n_c), se)


def _geomean(mean_log: Any) -> float | None:
    if mean_log is None or mean_log != mean_log:
        return None
    return math.exp(float(mean_log)) - 1


@dataclass(frozen=True, slots=True)
class Contrast:
    """An exposed group against a comparison group, with its test and effect."""

    outcome: str
    exposed: Group
    comparison: Group
    p_value: float
    test: str
    ci_low: float
    ci_high: float
    q_value: float = math.nan
    times: Times | None = None

    @classmethod
    def of(
        cls,
        outcome: str,
        exposed: Group,
        comparison: Group,
        *,
        variance: float | None = None,
        variance_kind: str = "z-clustered",
    ) -> Contrast:
        """A contrast of two rates; ``variance`` is the variance of the difference
        when rows are not independent: clustered (:func:`clustered_variance`), or
        scaled for overdispersion (``variance_kind="z-overdispersed"``)."""
        p_value, test = one_sided_p(exposed, comparison)
        low, high = newcombe_interval(exposed, comparison)
        if variance is not None and variance > 0 and test == "z":
            diff = (exposed.rate or 0.0) - (comparison.rate or 0.0)
            se = math.sqrt(variance)
            p_value, test = float(_scipy_stats.norm.sf(diff / se)), variance_kind
            low, high = max(-1.0, diff - Z95 * se), min(1.0, diff + Z95 * se)
        return cls(outcome, exposed, comparison, p_value, test, low, high)

    @classmethod
    def of_times(
        cls,
        outcome: str,
        exposed: Group,
        comparison: Group,
        sums: dict[str, Any],
        medians: tuple[float | None, float | None],
    ) -> Contrast:
        """A contrast of times from :func:`rank_sums_expr` (Mann–Whitney).

        ``exposed`` and ``comparison`` count the timed stays (``units``) and those
        slower than the stage median (``events``), for display; ``late_e``/``late_c``
        in ``sums`` (when there) give each side's share that did not move on.
        """
        n_e, n_c = int(sums["n_e"] or 0), int(sums["n_c"] or 0)
        if n_e == 0 or n_c == 0:
            return cls(
                outcome, exposed, comparison, math.nan, "none", math.nan, math.nan
            )
        p_value, ps, se = _mann_whitney(
            n_e, n_c, float(sums["rank_sum_e"] or 0.0), float(sums["ties"] or 0.0)
        )
        low = high = math.nan
        if not math.isnan(se):
            low, high = ps - 0.5 - Z95 * se, ps - 0.5 + Z95 * se
        times = Times(
            medians[0],
            medians[1],
            _geomean(sums.get("log_e")),
            _geomean(sums.get("log_c")),
            ps,
            _share(sums.get("late_e"), n_e),
            _share(sums.get("late_c"), n_c),
        )
        return cls(
            outcome, exposed, comparison, p_value, "mann-whitney", low, high,
            times=times,
        )  # fmt: skip

    @property
    def difference(self) -> float | None:
        """``rate(e) - rate(c)``; for times ``P(slower) - 0.5``."""
        if self.times is not None:
            return self.times.superiority - 0.5
        a, b = self.exposed.rate, self.comparison.rate
        return None if a is None or b is None else a - b

    @property
    def relative(self) -> float | None:
        """``rate(exposed) / rate(comparison) - 1``; infinite when the comparison is 0.

        For times: the ratio of the geometric means of ``1 + seconds``, minus 1.
        """
        if self.times is not None:
            a, b = self.times.geomean_exposed, self.times.geomean_comparison
            a, b = (None if a is None else a + 1), (None if b is None else b + 1)
        else:
            a, b = self.exposed.rate, self.comparison.rate
        if a is None or b is None:
            return None
        if b == 0:
            return math.inf if a > 0 else 0.0
        return a / b - 1

    def with_q(self, q_value: float) -> Contrast:
        """The same contrast with its q-value (from the family it was corrected in)."""
        return replace(self, q_value=q_value)

    def enough(self, thresholds: Thresholds) -> bool:
        return min(self.exposed.units, self.comparison.units) >= thresholds.min_units

    def practical(self, thresholds: Thresholds) -> bool:
        diff, rel = self.difference, self.relative
        return (
            diff is not None
            and rel is not None
            and diff >= thresholds.min_difference
            and rel >= thresholds.min_relative
        )

    def holds(self, thresholds: Thresholds) -> bool:
        """Significant (q ≤ alpha), practically relevant, and enough units each side."""
        return (
            self.enough(thresholds)
            and not math.isnan(self.q_value)
            and self.q_value <= thresholds.alpha
            and self.practical(thresholds)
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "test": _TEST_NAMES.get(self.test, self.test),
            "exposed": self.exposed.to_dict(),
            "comparison": self.comparison.to_dict(),
            "difference": self.difference,
            "relative": None
            if self.relative is None or math.isinf(self.relative)
            else self.relative,
            "ci_low": optional_float(self.ci_low),
            "ci_high": optional_float(self.ci_high),
            "p_value": optional_float(self.p_value),
            "q_value": optional_float(self.q_value),
        }
        if self.times is not None:
            out["times"] = self.times.to_dict()
        return out


_TEST_NAMES = {
    "z": "one-sided pooled two-proportion z test",
    "z-clustered": "one-sided two-proportion z test, variance clustered by customer",
    "z-overdispersed": "one-sided two-proportion z test, variance scaled for the "
    "overdispersion between periods (Laney)",
    "mann-whitney": "one-sided Mann-Whitney rank-sum test (tie-corrected)",
    "fisher": "one-sided Fisher exact test",
    "none": "not tested",
}
