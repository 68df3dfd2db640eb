"""Text width estimates, word wrap, truncation with a tooltip, and number formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeymap.layout.formats import (
    format_channel,
    format_duration,
    format_metric,
    format_share,
    format_signed,
    format_target,
    humanise,
)
from journeymap.layout.text import ELLIPSIS, NBSP, Font, fit_text, text_width, wrap_text

FONT = Font(12.5)


def test_wider_and_bold_text_is_estimated_wider() -> None:
    assert text_width("WWW", FONT) > text_width("iii", FONT)
    assert text_width("Checkout", Font(12, bold=True)) > text_width(
        "Checkout", Font(12)
    )
    assert text_width("", FONT) == 0


def test_long_text_wraps_into_several_lines_that_fit() -> None:
    text = "Compares prices with the local supermarket before committing to an order"
    lines = wrap_text(text, 180, FONT)
    assert len(lines) >= 2
    assert all(text_width(line, FONT) <= 180 for line in lines)
    assert " ".join(lines) == text


def test_a_word_longer_than_the_line_is_split() -> None:
    lines = wrap_text("x" * 80, 100, FONT)
    assert len(lines) >= 3
    assert "".join(lines) == "x" * 80
    assert all(text_width(line, FONT) <= 100 for line in lines)


def test_a_no_break_space_keeps_words_together() -> None:
    lines = wrap_text(f"Observed at checkout impact{NBSP}−21.0%", 130, FONT)
    assert lines[-1] == f"impact{NBSP}−21.0%"


def test_explicit_newlines_are_kept() -> None:
    assert wrap_text("first\nsecond", 500, FONT) == ["first", "second"]


def test_fit_text_shortens_only_with_ellipsis_and_keeps_the_full_text() -> None:
    text = "word " * 60
    fitted = fit_text(text, 150, FONT, max_lines=3)
    assert len(fitted.lines) == 3
    assert fitted.truncated
    assert fitted.lines[-1].endswith(ELLIPSIS)
    assert fitted.title == text
    assert all(text_width(line, FONT) <= 150 for line in fitted.lines)


def test_fit_text_that_fits_has_no_tooltip() -> None:
    fitted = fit_text("Short", 150, FONT, max_lines=1)
    assert fitted.lines == ("Short",)
    assert fitted.title is None


@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
    ),
    st.floats(min_value=40, max_value=400),
)
def test_wrapped_lines_fit_and_lose_no_characters(text: str, width: float) -> None:
    lines = wrap_text(text, width, FONT)
    widest_char = max((text_width(c, FONT) for c in text), default=0)
    for line in lines:
        # only a single character wider than the whole line may overflow
        assert text_width(line, FONT) <= max(width, widest_char)
    assert "".join("".join(lines).split()) == "".join(text.split())


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "0 s"), (42, "42 s"), (90, "1.5 min"), (600, "10 min"), (8280, "2.3 h"),
     (86400, "1 d"), (3.5 * 86400, "3.5 d"), (40 * 86400, "40 d")],
)  # fmt: skip
def test_durations_are_humanised(seconds: float, expected: str) -> None:
    assert format_duration(seconds) == expected


def test_kpi_values_are_written_in_their_unit() -> None:
    assert format_share(0.4523) == "45.2%"
    assert format_metric("stage_conversion", 0.58) == "58.0%"
    assert format_metric("median_time_in_stage_s", 7200) == "2 h"
    assert format_metric("median_time_in_stage_s", 7200, "s") == "2 h"
    assert format_target("median_time_in_stage_s", ("<", 1800), "s") == "< 30 min"
    assert format_channel("call_centre") == "CALL CENTRE"
    assert format_metric("nps", -4.2) == "-4"
    assert format_metric("csat", 4.26) == "4.3"
    assert format_metric("revenue_per_customer", 1234.5, "EUR") == "1,234.50 EUR"
    assert format_target("stage_reach", (">=", 0.4), None) == "≥ 40.0%"
    assert format_signed(-0.5) == "−0.50"
    assert humanise("median_time_in_stage_s") == "Median time in stage"
