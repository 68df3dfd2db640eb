"""Incidents: periods where a rate departs from its own baseline.

Method. For every series of :func:`journeymap.evidence.series.rate_series` with at
least ``min_periods`` periods of ``min_units`` units, every period is contrasted with
the rest of its series pooled (one-sided: worse than usual — more drop-off, loops,
low scores, negative comments or signal events, less reach). All these tests, across
all series, form **one** Benjamini–Hochberg family: with hundreds of series × weeks,
testing each at 5 % would raise dozens of false alarms per data set, while BH keeps
the expected share of false incidents among those reported at alpha (and, when
nothing happened at all, the chance of any alarm at about alpha). A period is flagged
when its q ≤ alpha and its effect is practical (the same thresholds as verdicts).
Periods are not independent samples (the same customers return week after week), so
each series' tests carry Laney's overdispersion factor (:func:`dispersion`): without
it a customer trait that happens to cluster in one week raises an alarm.
Consecutive flagged periods merge into one incident; its edges then grow by adjacent
periods that are worse than the rest on their own (one-sided at alpha, practical) and
closer to the window's rate than to the rest's, so a three-week incident whose middle
week alone passed the family-wide bar is reported as three weeks. It is reported with the pooled rate in the window against the rest of
the series (difference, Newcombe 95 % CI, p) and the largest q of its periods.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stats import benjamini_hochberg
from journeymap.evidence.contrasts import Contrast, Group, Thresholds
from journeymap.evidence.series import rate_series, series_key

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units

__all__ = ["Incidents", "detect_incidents", "find_incidents"]

STEP = {"week": dt.timedelta(days=7), "day": dt.timedelta(days=1)}


@dataclass(frozen=True)
class Incidents:
    items: tuple[dict[str, Any], ...]
    tests: int
    note: str | None = None


def detect_incidents(
    units: Units,
    memberships: dict[str, Membership] | None = None,
    *,
    thresholds: Thresholds = Thresholds(),
    period: str = "week",
    min_periods: int = 4,
) -> Incidents:
    """Incidents in every rate series of the journey table (see module docs)."""
    series = rate_series(units, memberships, period=period)
    return find_incidents(
        series, thresholds=thresholds, period=period, min_periods=min_periods
    )


def find_incidents(
    series: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),
    period: str = "week",
    min_periods: int = 4,
) -> Incidents:
    """Incidents in a long series frame (``SERIES_COLUMNS``)."""
    tests: list[tuple[tuple[str, str, str, str], Any, Contrast]] = []
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    dispersions: dict[tuple[str, str, str, str], float] = {}
    for row in series.to_dict("records"):
        groups.setdefault(series_key(row), []).append(row)
    for key in sorted(groups):
        rows = [r for r in groups[key] if r["units"] >= thresholds.min_units]
        if len(rows) < min_periods:
            continue
        adverse = [_adverse(r, key[3]) for r in rows]
        total_units = sum(r["units"] for r in rows)
        total_bad = sum(adverse)
        phi = dispersion(rows, key[3])
        dispersions[key] = phi
        for r, bad in zip(rows, adverse, strict=True):
            exposed = Group(_day(r["period_start"]), int(r["units"]), bad)
            rest = Group("rest", total_units - int(r["units"]), total_bad - bad)
            tests.append(
                (key, r["period_start"], _contrast(key[3], exposed, rest, phi))
            )
    qs = benjamini_hochberg([c.p_value for _, _, c in tests])
    flagged: dict[tuple[str, str, str, str], list[tuple[Any, Contrast]]] = {}
    for (key, start, contrast), q in zip(tests, qs, strict=True):
        judged = contrast.with_q(q)
        if judged.holds(thresholds):
            flagged.setdefault(key, []).append((start, judged))
    items = []
    for key in sorted(flagged):
        rows = [r for r in groups[key] if r["units"] >= thresholds.min_units]
        for window in _windows(flagged[key], STEP[period]):
            phi = dispersions[key]
            window = _grown(window, rows, key[3], STEP[period], thresholds, phi)
            items.append(_incident(key, window, rows, period, phi))
    items.sort(
        key=lambda i: (i["q_value"], -i["difference"], i["level"], i["id"], i["from"])
    )
    note = (
        f"incidents: {len(items)} found in {len(tests):,} {period}ly tests over "
        f"{len(groups):,} series (Benjamini-Hochberg, q <= {thresholds.alpha})"
    )
    return Incidents(tuple(items), len(tests), note)


def dispersion(rows: list[dict[str, Any]], metric: str) -> float:
    """Laney's overdispersion factor of a series (1 when binomial or less).

    Periods are not independent draws of units: the same customers come back week
    after week, campaigns shift who arrives. The spread of the periods' standardised
    rates (z-scores against the series' pooled rate) beyond 1 is estimated from the
    median moving range (robust to a few incident periods: median / 0.954 estimates
    sigma for normal data), and every test's variance is multiplied by its square.

    Examples
    --------
    >>> rows = [{"period_start": i, "units": 1000, "events": e}
    ...         for i, e in enumerate([100, 160, 90, 150, 100, 170, 95])]
    >>> round(dispersion(rows, "dropoff"), 1) > 4
    True
    """
    import numpy as np
    import pandas as pd

    ordered = sorted(rows, key=lambda r: pd.Timestamp(r["period_start"]))
    n = np.array([float(r["units"]) for r in ordered])
    x = np.array([float(_adverse(r, metric)) for r in ordered])
    if len(n) < 3 or n.sum() == 0:
        return 1.0
    share = x.sum() / n.sum()
    if share <= 0 or share >= 1:
        return 1.0
    z = (x / n - share) / np.sqrt(share * (1 - share) / n)
    sigma = float(np.median(np.abs(np.diff(z)))) / 0.954
    return max(1.0, sigma**2)


def _contrast(metric: str, exposed: Group, rest: Group, phi: float) -> Contrast:
    """``exposed`` against ``rest`` with the pooled variance times ``phi``."""
    if phi <= 1.0 or exposed.units == 0 or rest.units == 0:
        return Contrast.of(metric, exposed, rest)
    share = (exposed.events + rest.events) / (exposed.units + rest.units)
    variance = phi * share * (1 - share) * (1 / exposed.units + 1 / rest.units)
    return Contrast.of(
        metric, exposed, rest, variance=variance, variance_kind="z-overdispersed"
    )


def _adverse(row: dict[str, Any], metric: str) -> int:
    events = int(row["events"])
    return int(row["units"]) - events if metric == "reach" else events


def _day(value: Any) -> str:
    import pandas as pd

    return str(pd.Timestamp(value).date())


def _windows(
    flagged: list[tuple[Any, Contrast]], step: dt.timedelta
) -> list[list[tuple[Any, Contrast]]]:
    import pandas as pd

    ordered = sorted(flagged, key=lambda pair: pd.Timestamp(pair[0]))
    windows: list[list[tuple[Any, Contrast]]] = []
    for start, contrast in ordered:
        if windows and pd.Timestamp(start) - pd.Timestamp(windows[-1][-1][0]) <= step:
            windows[-1].append((start, contrast))
        else:
            windows.append([(start, contrast)])
    return windows


def _grown(
    window: list[tuple[Any, Contrast]],
    rows: list[dict[str, Any]],
    metric: str,
    step: dt.timedelta,
    thresholds: Thresholds,
    phi: float,
) -> list[tuple[Any, Contrast]]:
    """The window grown by adjacent periods that belong to it.

    A flagged window is where the family-wide test was sure; its neighbours decide
    only where it begins and ends. A neighbour joins when it is worse than the
    periods outside on its own (one-sided at alpha, practical effect) **and** its
    count is more likely under the window's rate than under the rest's (it looks
    like the incident, not like a noisy normal period). This moves an incident's
    edges, never creates one.
    """
    import pandas as pd

    by_start = {pd.Timestamp(r["period_start"]): r for r in rows}
    chosen = {pd.Timestamp(s): (s, c) for s, c in window}
    while True:
        first, last = min(chosen), max(chosen)
        added = False
        for candidate in (first - pd.Timedelta(step), last + pd.Timedelta(step)):
            row = by_start.get(candidate)
            if row is None or candidate in chosen:
                continue
            outside = [
                r for t, r in by_start.items() if t not in chosen and t != candidate
            ]
            if not outside:
                continue
            inside = [by_start[t] for t in chosen]
            bad = _adverse(row, metric)
            exposed = Group(_day(row["period_start"]), int(row["units"]), bad)
            rest = Group(
                "rest",
                sum(int(r["units"]) for r in outside),
                sum(_adverse(r, metric) for r in outside),
            )
            contrast = _contrast(metric, exposed, rest, phi)
            contrast = contrast.with_q(contrast.p_value)
            window_rate = sum(_adverse(r, metric) for r in inside) / max(
                1, sum(int(r["units"]) for r in inside)
            )
            if contrast.holds(thresholds) and _closer(
                bad, int(row["units"]), window_rate, rest.rate
            ):
                chosen[candidate] = (row["period_start"], contrast)
                added = True
        if not added:
            break
    return [chosen[t] for t in sorted(chosen)]


def _closer(x: int, n: int, window: float, rest: float | None) -> bool:
    """Is ``x`` of ``n`` more likely under the window's rate than the rest's?"""
    if rest is None:
        return False

    def loglik(p: float) -> float:
        p = min(max(p, 1e-9), 1 - 1e-9)
        return x * math.log(p) + (n - x) * math.log(1 - p)

    return loglik(window) > loglik(rest)


def _incident(
    key: tuple[str, str, str, str],
    window: list[tuple[Any, Contrast]],
    rows: list[dict[str, Any]],
    period: str,
    phi: float = 1.0,
) -> dict[str, Any]:
    import pandas as pd

    level, place, persona, metric = key
    starts = {pd.Timestamp(s) for s, _ in window}
    inside = [r for r in rows if pd.Timestamp(r["period_start"]) in starts]
    outside = [r for r in rows if pd.Timestamp(r["period_start"]) not in starts]
    exposed = Group(
        "in window",
        sum(int(r["units"]) for r in inside),
        sum(_adverse(r, metric) for r in inside),
    )
    rest = Group(
        "rest of the series",
        sum(int(r["units"]) for r in outside),
        sum(_adverse(r, metric) for r in outside),
    )
    contrast = _contrast(metric, exposed, rest, phi)
    first = min(starts)
    last = max(starts) + pd.Timedelta(STEP[period]) - pd.Timedelta(days=1)
    # the family-wide q of the periods that made the incident (grown edges carry
    # their own p as q, so the largest q is never below the seed's)
    q = max(c.q_value for _, c in window)
    what = "reach falls" if metric == "reach" else f"{metric} rate rises"
    who = persona or "everyone"
    return {
        "level": level,
        "id": place,
        "persona": persona or None,
        "metric": metric,
        "from": str(first.date()),
        "to": str(last.date()),
        "periods": len(window),
        "units": exposed.units,
        "rate": _rate(contrast, metric, exposed=True),
        "baseline_rate": _rate(contrast, metric, exposed=False),
        "difference": contrast.difference,
        "ci_low": None if math.isnan(contrast.ci_low) else contrast.ci_low,
        "ci_high": None if math.isnan(contrast.ci_high) else contrast.ci_high,
        "p_value": contrast.p_value,
        "q_value": q,
        "text": _text(level, place, who, what, contrast, metric, first, last),
    }


def _rate(contrast: Contrast, metric: str, *, exposed: bool) -> float | None:
    rate = contrast.exposed.rate if exposed else contrast.comparison.rate
    if rate is None:
        return None
    return 1 - rate if metric == "reach" else rate


def _text(
    level: str,
    place: str,
    who: str,
    what: str,
    contrast: Contrast,
    metric: str,
    first: Any,
    last: Any,
) -> str:
    now = _rate(contrast, metric, exposed=True)
    usual = _rate(contrast, metric, exposed=False)
    if now is None or usual is None:
        return f"{level} {place} ({who}): {what}"
    return (
        f"{level} {place} ({who}): {what} to {now:.0%} from {usual:.0%}, "
        f"{first.date()} to {last.date()}"
    )
