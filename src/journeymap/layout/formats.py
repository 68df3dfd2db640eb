"""Numbers as people read them on a map: counts, shares, durations, KPI values."""

from __future__ import annotations

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


def format_duration(seconds: float) -> str:
    """A duration in seconds, humanised with one decimal where it helps.

    Examples
    --------
    >>> format_duration(42), format_duration(600), format_duration(8280)
    ('42 s', '10 min', '2.3 h')
    >>> format_duration(3 * 86400)
    '3 d'
    """
    for limit, unit, size in ((60, "s", 1), (3600, "min", 60), (86400, "h", 3600)):
        if seconds < limit:
            return _trim(seconds / size, unit)
    return _trim(seconds / 86400, "d")


def _trim(value: float, unit: str) -> str:
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def format_metric(metric: str, value: float, unit: str | None = None) -> str:
    """A KPI value in the unit its metric is read in.

    Examples
    --------
    >>> format_metric("stage_reach", 0.42), format_metric("nps", 31.6)
    ('42.0%', '+32')
    """
    if metric in SHARE_METRICS:
        text = format_share(value)
    elif metric == "median_time_in_stage_s":
        return format_duration(value)  # the duration carries its own unit
    elif metric == "nps":
        text = f"{value:+.0f}"
    elif metric in ("csat", "ces"):
        text = f"{value:.1f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}" if unit else text


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
