"""Estimate text widths and wrap text to a width, without a font engine.

Widths come from Arial/Helvetica advance widths (the first fonts of the theme's font
stack; Liberation Sans shares them), with a small safety margin so wrapped text stays
inside its box when a slightly wider system font is used instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ELLIPSIS = "…"
NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t]+")
_SAFETY = 1.06
_BOLD = 1.08
# Arial advance widths in 1/1000 em for printable ASCII, from " " (32) to "~" (126).
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Font:
    """Size in pixels and weight: what a width estimate needs."""

    size: float = 12.0
    bold: bool = False


def char_width(char: str, font: Font) -> float:
    """Estimated advance width of one character, in pixels."""
    code = ord(char)
    if 32 <= code <= 126:
        em = _ASCII_WIDTHS[code - 32] / 1000
    elif unicodedata.east_asian_width(char) in ("W", "F"):
        em = 1.0
    elif unicodedata.combining(char):
        em = 0.0
    else:
        em = 0.62
    return em * font.size * (_BOLD if font.bold else 1.0) * _SAFETY


def text_width(text: str, font: Font) -> float:
    """Estimated width of ``text`` set on one line, in pixels.

    Examples
    --------
    >>> round(text_width("Hello", Font(size=10)), 1)
    24.1
    """
    return sum(char_width(char, font) for char in text)


def wrap_text(text: str, width: float, font: Font) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, at spaces where possible.

    Words longer than a line are split between characters. Explicit newlines are
    kept.

    Examples
    --------
    >>> wrap_text("Sees an ad while scrolling", 90, Font(size=12))
    ['Sees an ad', 'while scrolling']
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(paragraph, width, font))
    return lines


def _wrap_paragraph(paragraph: str, width: float, font: Font) -> list[str]:
    lines: list[str] = []
    current = ""
    # Only ordinary spaces break lines: a no-break space (U+00A0) keeps "impact −12%"
    # together, whereas str.split() would break there.
    for word in _SPACES.split(paragraph.strip(" \t")):
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _split_word(word, width, font)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def _split_word(word: str, width: float, font: Font) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and text_width(current + char, font) > width:
            pieces.append(current)
            current = ""
        current += char
    pieces.append(current)
    return pieces


@dataclass(frozen=True, slots=True)
class FittedText:
    """Wrapped lines, and the full text when the lines had to be shortened."""

    lines: tuple[str, ...]
    truncated: bool
    full: str

    @property
    def title(self) -> str | None:
        """The full text, as a tooltip, when it was shortened; else ``None``."""
        return self.full if self.truncated else None


def fit_text(text: str, width: float, font: Font, *, max_lines: int) -> FittedText:
    """Wrap ``text`` to ``width``; past ``max_lines`` end the last line with "…".

    Never shortens silently: ``truncated`` tells, and ``title`` keeps the full text.

    Examples
    --------
    >>> fitted = fit_text("one two three four five six", 60, Font(), max_lines=2)
    >>> fitted.lines, fitted.truncated
    (('one two', 'three…'), True)
    """
    lines = wrap_text(text, width, font)
    if len(lines) <= max_lines:
        return FittedText(tuple(lines), False, text)
    kept = lines[:max_lines]
    kept[-1] = _with_ellipsis(kept[-1], width, font)
    return FittedText(tuple(kept), True, text)


def _with_ellipsis(line: str, width: float, font: Font) -> str:
    cut = line.rstrip()
    while cut and text_width(cut + ELLIPSIS, font) > width:
        # drop whole words while there are several, so words are not cut in half
        cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
        cut = cut.rstrip()
    return cut + ELLIPSIS


def lines_width(lines: tuple[str, ...] | list[str], font: Font) -> float:
    """Width of the widest of ``lines``."""
    return max((text_width(line, font) for line in lines), default=0.0)
