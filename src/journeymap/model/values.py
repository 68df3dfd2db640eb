"""Plain Python values from what a backend, pandas or numpy returned.

One rule for missing numbers everywhere a result is built: NaN and NaT become None,
numpy scalars become Python scalars (so results compare, hash and serialise as data).
And one way to write a duration for people (``format_duration``), used by the drawn
map, the report, the terminal tables and the verdict lines alike.
"""

from __future__ import annotations

from typing import Any


def plain(value: Any) -> Any:
    """``value`` as a plain Python value; NaN and NaT become None.

    Examples
    --------
    >>> plain(float("nan")) is None, plain(None) is None, plain("x")
    (True, True, 'x')
    """
    if value is None:
        return None
    try:
        if value != value:  # NaN and NaT are the values not equal to themselves
            return None
    except (TypeError, ValueError):  # arrays and other values without a truth value
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def optional_float(value: Any) -> float | None:
    """``value`` as a float, or None when it is missing (None, NaN, NaT).

    Examples
    --------
    >>> optional_float(float("nan")) is None, optional_float(3)
    (True, 3.0)
    """
    value = plain(value)
    return None if value is None else float(value)


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
