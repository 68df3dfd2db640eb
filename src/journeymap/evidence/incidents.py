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
Consecutive flagged periods merge into one incident, reported with the pooled rate in
the window against the rest of the series (difference, Newcombe 95 % CI, p) and the
largest q of its periods.
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
    for row in series.to_dict("records"):
        groups.setdefault(series_key(row), []).append(row)
    for key in sorted(groups):
        rows = [r for r in groups[key] if r["units"] >= thresholds.min_units]
        if len(rows) < min_periods:
            continue
        adverse = [_adverse(r, key[3]) for r in rows]
        total_units = sum(r["units"] for r in rows)
        total_bad = sum(adverse)
        for r, bad in zip(rows, adverse, strict=True):
            exposed = Group(_day(r["period_start"]), int(r["units"]), bad)
            rest = Group("rest", total_units - int(r["units"]), total_bad - bad)
            tests.append((key, r["period_start"], Contrast.of(key[3], exposed, rest)))
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
            items.append(_incident(key, window, rows, period))
    items.sort(
        key=lambda i: (i["q_value"], -i["difference"], i["level"], i["id"], i["from"])
    )
    note = (
        f"incidents: {len(items)} found in {len(tests):,} {period}ly tests over "
        f"{len(groups):,} series (Benjamini-Hochberg, q <= {thresholds.alpha})"
    )
    return Incidents(tuple(items), len(tests), note)


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


def _incident(
    key: tuple[str, str, str, str],
    window: list[tuple[Any, Contrast]],
    rows: list[dict[str, Any]],
    period: str,
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
    contrast = Contrast.of(metric, exposed, rest)
    first = min(starts)
    last = max(starts) + pd.Timedelta(STEP[period]) - pd.Timedelta(days=1)
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
