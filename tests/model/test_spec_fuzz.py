"""Whatever text arrives, loading a map either succeeds or raises one MapError line."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.errors import MapError
from journeymap.model.spec import loads_map, validate_map_text

from .test_spec import MAP

FIELDS = [
    "journeymap", "name", "stages", "id", "touchpoints", "match", "event", "layer",
    "pain_points", "opportunities", "kpis", "metric", "target", "touchpoint",
    "addresses", "personas", "segment", "departments", "department", "conversion",
    "stage", "framework", "review", "every_days", "last", "data", "columns",
    "emotion", "value", "effort", "properties",
]  # fmt: skip
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_loads_or_map_error(text: str) -> None:
    try:
        loads_map(text, file="fuzz.yaml")
    except MapError as exc:
        one_line = exc.one_line()
        assert "\n" not in one_line, one_line
        assert one_line.startswith("fuzz.yaml")
        lines = text.count("\n") + 2
        assert exc.line is None or 1 <= exc.line <= lines, (exc.line, lines)
    else:
        assert validate_map_text(text, file="fuzz.yaml") == []


@FUZZ
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    check_loads_or_map_error(text)


yaml_chars = st.sampled_from(list(":-[]{},#&*!|>'\"%@` \n\t") + ["  ", "\n  - ", ": "])


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(MAP)),
            st.integers(0, 12),
            st.one_of(yaml_chars, st.text(max_size=4), st.sampled_from(FIELDS)),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_map(edits: list[tuple[int, int, str]]) -> None:
    text = MAP
    for start, length, insert in edits:
        start = min(start, len(text))
        text = text[:start] + insert + text[start + length :]
    check_loads_or_map_error(text)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
    st.text(max_size=6), st.sampled_from(["website", "buy", "classic-5", "2026-01-01"]),
)  # fmt: skip
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    ),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), trees, max_size=6))
def test_random_structures(data: dict[str, object]) -> None:
    check_loads_or_map_error(json.dumps(data))  # JSON is YAML
