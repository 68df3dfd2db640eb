"""Incidents: windows of periods where a rate departs from its own baseline.

Method: a scan test per series, Benjamini–Hochberg over series.

1. For every series of :func:`journeymap.evidence.series.rate_series` with at least
   ``min_periods`` periods of ``min_units`` units, every window of 1 to
   ``max_window`` consecutive periods is contrasted with the rest of its series pooled
   (one-sided: worse than usual — more drop-off, loops, low scores, negative comments
   or signal events, less reach). A multi-week incident is tested as one window, with
   all its units, instead of week by week.
2. The series' p-value is the smallest p of its practical windows times the number of
   windows tested (Bonferroni within the series: valid however the windows overlap).
3. The series' p-values form **one** Benjamini–Hochberg family. With a family of
   series rather than of series × windows, a real incident competes with a few dozen
   tests, not a thousand, and when nothing happened the chance of any alarm stays at
   about alpha.
4. In each selected series, windows are taken in order of p while their Bonferroni
   p is below the selection-adjusted level ``alpha * R / S`` (Benjamini–Bogomolov: R
   series selected of S tested) and they do not overlap one already taken; windows
   that touch merge into one incident.

Periods are not independent samples (the same customers return week after week,
campaigns shift who arrives), so each series' tests carry Laney's overdispersion factor
(:func:`dispersion`), taken as the median over its family of series (same level and
metric kind: one short series' own estimate is noisy and inflated by the very incident
it should show), times the series' design effect when its units are sessions of the
same customers. Without them, a customer trait that clusters in one week, or weeks
that merely wander, raise alarms. An incident is reported with the pooled rate in the
window against the rest of the series (difference, Newcombe 95 % CI, p) and its
series' q.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stats import benjamini_hochberg
from journeymap.evidence.contrasts import Contrast, Group, Thresholds
from journeymap.evidence.series import STEP, rate_series, series_key

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units

__all__ = ["Incidents", "detect_incidents", "find_incidents"]


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
    max_window: int = 4,
) -> Incidents:
    """Incidents in a long series frame (``SERIES_COLUMNS``); see the module docs."""
    import pandas as pd

    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for row in series.to_dict("records"):
        groups.setdefault(series_key(row), []).append(row)
    family_phi = _family_dispersion(groups, thresholds, min_periods)
    step = pd.Timedelta(STEP[period])
    scans: list[_Scan] = []
    windows_tested = 0
    for key in sorted(groups):
        rows = [r for r in groups[key] if r["units"] >= thresholds.min_units]
        rows.sort(key=lambda r: pd.Timestamp(r["period_start"]))
        if len(rows) < min_periods:
            continue
        deff = max((float(r.get("design_effect") or 1.0) for r in rows), default=1.0)
        phi = max(1.0, deff) * family_phi.get(_family(key), 1.0)
        scan = _scan(key, rows, phi, thresholds, step, max_window)
        windows_tested += scan.tested
        scans.append(scan)
    qs = benjamini_hochberg([s.p_value for s in scans])
    selected = [
        (scan, q) for scan, q in zip(scans, qs, strict=True) if q <= thresholds.alpha
    ]
    level = thresholds.alpha * len(selected) / max(1, len(scans))
    items = []
    for scan, q in selected:
        for first, last, contrast in _taken(scan, level):
            window = [
                (r["period_start"], contrast.with_q(q)) for r in scan.rows[first:last]
            ]
            items.append(_incident(scan.key, window, scan.rows, period, scan.phi))
    items.sort(
        key=lambda i: (i["q_value"], -i["difference"], i["level"], i["id"], i["from"])
    )
    note = (
        f"incidents: {len(items)} found in {len(scans):,} series "
        f"({windows_tested:,} windows of 1-{max_window} {period}s; scan test per "
        f"series, Benjamini-Hochberg over series, q <= {thresholds.alpha})"
    )
    return Incidents(tuple(items), windows_tested, note)


@dataclass(frozen=True)
class _Scan:
    key: tuple[str, str, str, str]
    rows: list[dict[str, Any]]
    phi: float
    tested: int
    windows: list[tuple[float, int, int, Contrast]]  # practical ones: p, first, last
    p_value: float


def _scan(
    key: tuple[str, str, str, str],
    rows: list[dict[str, Any]],
    phi: float,
    thresholds: Thresholds,
    step: Any,
    max_window: int,
) -> _Scan:
    """Every window of consecutive periods of one series against the rest of it."""
    import pandas as pd

    metric = key[3]
    stamps = [pd.Timestamp(r["period_start"]) for r in rows]
    units = [int(r["units"]) for r in rows]
    bad = [_adverse(r, metric) for r in rows]
    total_units, total_bad = sum(units), sum(bad)
    tested = 0
    practical: list[tuple[float, int, int, Contrast]] = []
    for first in range(len(rows)):
        for last in range(first + 1, min(len(rows), first + max_window) + 1):
            if last - first > 1 and stamps[last - 1] - stamps[last - 2] > step:
                break  # a gap in the series: windows are consecutive periods
            if last - first == len(rows):
                break  # the whole series has no rest to compare with
            n, x = sum(units[first:last]), sum(bad[first:last])
            exposed = Group(_day(rows[first]["period_start"]), n, x)
            rest = Group("rest", total_units - n, total_bad - x)
            contrast = _contrast(metric, exposed, rest, phi)
            tested += 1
            if contrast.practical(thresholds) and not math.isnan(contrast.p_value):
                practical.append((contrast.p_value, first, last, contrast))
    practical.sort(key=lambda w: (w[0], w[1], w[2]))
    p_value = min(1.0, tested * practical[0][0]) if practical else 1.0
    return _Scan(key, rows, phi, tested, practical, p_value)


def _taken(scan: _Scan, level: float) -> list[tuple[int, int, Contrast]]:
    """Windows below ``level`` (Bonferroni within the series), best first, no overlap;
    windows that touch are merged and re-tested as one."""
    taken: list[tuple[int, int]] = []
    for p_value, first, last, _ in scan.windows:
        if scan.tested * p_value > level:
            break
        if any(first < b and a < last for a, b in taken):
            continue
        taken.append((first, last))
    merged: list[list[int]] = []
    for first, last in sorted(taken):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    metric = scan.key[3]
    units = [int(r["units"]) for r in scan.rows]
    bad = [_adverse(r, metric) for r in scan.rows]
    out = []
    for first, last in merged:
        n, x = sum(units[first:last]), sum(bad[first:last])
        exposed = Group(_day(scan.rows[first]["period_start"]), n, x)
        rest = Group("rest", sum(units) - n, sum(bad) - x)
        out.append((first, last, _contrast(metric, exposed, rest, scan.phi)))
    return out


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


def _family(key: tuple[str, str, str, str]) -> tuple[str, str]:
    """Series whose week-to-week wander is alike: the level and the metric kind."""
    return (key[0], key[3].split(":", 1)[0])


def _family_dispersion(
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]],
    thresholds: Thresholds,
    min_periods: int,
) -> dict[tuple[str, str], float]:
    """Laney's factor per family of series: the median of the series' own factors.

    One series' factor rests on a dozen moving ranges, and an incident in it (a few
    weeks of a short series) inflates its own estimate enough to hide it; the median
    over the family's series is steady and barely moved by one incident.
    """
    import statistics

    found: dict[tuple[str, str], list[float]] = {}
    for key, all_rows in groups.items():
        rows = [r for r in all_rows if r["units"] >= thresholds.min_units]
        if len(rows) >= min_periods:
            found.setdefault(_family(key), []).append(dispersion(rows, key[3]))
    return {family: max(1.0, statistics.median(v)) for family, v in found.items()}


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
    q = max(c.q_value for _, c in window)  # the series' q (Benjamini-Hochberg)
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
