"""Plain Python values from what a backend, pandas or numpy returned.

One rule for missing numbers everywhere a result is built: NaN and NaT become None,
numpy scalars become Python scalars (so results compare, hash and serialise as data).
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
