"""Numbers as people read them on a map: counts, shares, durations, KPI values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeymap.model.values import format_duration as format_duration  # re-exported

SHARE_METRICS = frozenset(
    {
        "stage_reach",
        "stage_conversion",
        "stage_dropoff",
        "conversion_rate",
        "regression_rate",
        "touchpoint_reach",
    }
)
_ACRONYMS = frozenset({"nps", "csat", "ces"})
_COMPARISONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


def format_count(value: int) -> str:
    """``12345`` → ``"12,345"``."""
    return f"{value:,}"


def format_share(value: float) -> str:
    """A share 0..1 as a percentage: ``0.4523`` → ``"45.2%"``."""
    return f"{value * 100:.1f}%"


def format_signed(value: float, spec: str = "+.2f") -> str:
    """A signed value with a typographic minus: ``-0.5`` → ``"−0.50"``."""
    return f"{value:{spec}}".replace("-", "−")


def format_metric(
    metric: str, value: float, unit: str | None = None, *, digits: int | None = None
) -> str:
    """A KPI value in the unit its metric is read in; ``digits`` overrides the
    metric's usual number of decimals.

    Examples
    --------
    >>> format_metric("stage_reach", 0.42), format_metric("nps", 31.6)
    ('42.0%', '+32')
    """
    if metric == "median_time_in_stage_s":
        return format_duration(value)  # the duration carries its own unit
    places = _digits(metric) if digits is None else digits
    if metric in SHARE_METRICS:
        text = f"{value * 100:.{places}f}%"
    elif metric == "nps":
        text = f"{value:+.{places}f}"
    else:
        text = f"{value:,.{places}f}"
    return f"{text} {unit}" if unit else text


def _digits(metric: str) -> int:
    if metric in SHARE_METRICS or metric in ("csat", "ces"):
        return 1
    return 0 if metric == "nps" else 2


def format_comparison(
    metric: str, value: float, target: tuple[str, float], unit: str | None = None
) -> tuple[str, str]:
    """A KPI value and its target, with as many decimals as the comparison needs:
    4.986 against ≥ 5 reads ``4.99`` and ``≥ 5.00``, never ``5.0`` vs ``≥ 5.0``.

    Examples
    --------
    >>> format_comparison("csat", 4.986, (">=", 5.0))
    ('4.99', '≥ 5.00')
    >>> format_comparison("stage_reach", 0.4523, (">=", 0.4))
    ('45.2%', '≥ 40.0%')
    """
    comparison, number = target
    if metric == "median_time_in_stage_s":
        return format_metric(metric, value, unit), format_target(metric, target, unit)
    shown = goal = ""
    for digits in range(_digits(metric), _digits(metric) + 4):
        shown = format_metric(metric, value, unit, digits=digits)
        goal = format_metric(metric, number, unit, digits=digits)
        if shown != goal or value == number:
            break
    return shown, f"{_COMPARISONS[comparison]} {goal}"


def format_what_if(change: Mapping[str, Any]) -> str | None:
    """A measured what-if in words, e.g. ``"Conversion rate 37.5% → 41.1% (+108
    customers)"``; None when there is none or it changes nothing visible."""
    current, after = change.get("current"), change.get("if_removed")
    if not isinstance(current, (int, float)) or not isinstance(after, (int, float)):
        return None
    metric = str(change.get("kpi") or "conversion_rate")
    if format_metric(metric, current) == format_metric(metric, after):
        return None
    text = (
        f"{humanise(metric)} {format_metric(metric, current)} → "
        f"{format_metric(metric, after)}"
    )
    recovered = change.get("recovered_customers")
    if isinstance(recovered, (int, float)) and recovered > 0:
        text += f" (+{recovered:,.0f} customers)"
    return text


def format_target(metric: str, target: tuple[str, float], unit: str | None) -> str:
    """A KPI target such as ``(">=", 0.4)`` → ``"≥ 40.0%"``."""
    comparison, number = target
    return f"{_COMPARISONS[comparison]} {format_metric(metric, number, unit)}"


def format_channel(channel: str) -> str:
    """A channel as a badge label: ``"call_centre"`` → ``"CALL CENTRE"``."""
    return channel.replace("_", " ").replace("-", " ").upper()


def humanise(name: str) -> str:
    """``"stage_reach"`` → ``"Stage reach"``, ``"nps"`` → ``"NPS"``; a trailing ``_s``
    unit is dropped."""
    if name in _ACRONYMS:
        return name.upper()
    words = name.removesuffix("_s").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
