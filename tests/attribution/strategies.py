"""Hypothesis strategies: small logs with ties, repeats, loops and rare conversions."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

CUSTOMERS = tuple(f"u{i}" for i in range(8))
CHANNELS = ("web", "app", "mail", "ads", None)


def random_rows(events: tuple[str, ...] = ("view", "click", "buy")) -> Any:
    row = st.tuples(
        st.sampled_from(CUSTOMERS),
        st.integers(min_value=0, max_value=20).map(lambda s: s * 0.5),
        st.sampled_from(events),
        st.sampled_from(CHANNELS),
        st.sampled_from((0.0, 5.0, 12.5)),
    )
    return st.lists(row, min_size=1, max_size=40)
