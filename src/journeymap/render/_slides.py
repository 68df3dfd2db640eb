"""Drawing primitives for the PPTX deck: native shapes and text boxes, sized in inches.

Text is measured with the same Arial metrics the SVG layout uses
(:mod:`journeymap.layout.text`), so cards grow to fit their text instead of overflowing,
and text that must be shortened ends in "…" with the full text in the slide notes.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from journeymap.layout.text import Font, fit_text, wrap_text

PX_PER_INCH = 96.0
PX_PER_PT = 96.0 / 72.0
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """User text safe for Office XML (which forbids control characters)."""
    return _INVALID_XML.sub("\ufffd", text)


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of text with one look."""

    text: str
    size: float = 12.0  # points
    bold: bool = False
    italic: bool = False
    colour: str = "#1f2937"


@dataclass(slots=True)
class Para:
    """A paragraph: runs on one or more wrapped lines."""

    runs: list[Run]
    space_after: float = 2.0  # points
    align: str = "left"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def size(self) -> float:
        return max(run.size for run in self.runs)


def para(
    text: str,
    size: float = 12.0,
    *,
    space_after: float = 2.0,
    align: str = "left",
    **style: Any,
) -> Para:
    return Para([Run(text, size, **style)], space_after, align)


def lines_needed(paragraph: Para, width_in: float) -> int:
    """Lines a paragraph wraps to in a box ``width_in`` inches wide."""
    font = Font(paragraph.size * PX_PER_PT, any(run.bold for run in paragraph.runs))
    return max(1, len(wrap_text(paragraph.text, width_in * PX_PER_INCH, font)))


def height_needed(
    paragraphs: list[Para], width_in: float, inset_in: float = 0.08
) -> float:
    """Inches of text box needed for ``paragraphs`` (line height 1.2)."""
    points = sum(
        lines_needed(p, width_in - 2 * inset_in) * p.size * 1.2 + p.space_after
        for p in paragraphs
    )
    # 8% slack: the viewer's font (Calibri, Carlito, DejaVu) may run wider than Arial
    return points * 1.08 / 72.0 + 2 * inset_in


def shorten(
    text: str, width_in: float, size: float, *, lines: int, bold: bool = False
) -> str:
    """``text`` cut to ``lines`` lines of a box ``width_in`` wide, ending in "…"."""
    font = Font(size * PX_PER_PT, bold)
    fitted = fit_text(text, width_in * PX_PER_INCH, font, max_lines=lines)
    return " ".join(fitted.lines)


@dataclass(slots=True)
class Canvas:
    """One slide and the python-pptx modules; every drawing call goes through here."""

    slide: Any
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def module(name: str) -> Any:
        return importlib.import_module(name)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None,
        line: str | None = None,
        line_width: float = 0.75,
        rounded: bool = False,
        shape: str | None = None,
        name: str | None = None,
    ) -> Any:
        shapes = self.module("pptx.enum.shapes")
        util = self.module("pptx.util")
        kind = getattr(
            shapes.MSO_SHAPE,
            shape or ("ROUNDED_RECTANGLE" if rounded else "RECTANGLE"),
        )
        found = self.slide.shapes.add_shape(
            kind, util.Inches(x), util.Inches(y), util.Inches(w), util.Inches(h)
        )
        if rounded and not shape:
            found.adjustments[0] = min(0.5, 0.08 / max(min(w, h), 0.01))
        _fill(found, fill)
        if line is None:
            found.line.fill.background()
        else:
            found.line.color.rgb = rgb(line)
            found.line.width = util.Pt(line_width)
        found.shadow.inherit = False
        if name:
            found.name = clean(name)[:200]
        return found

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        paragraphs: list[Para],
        *,
        shape: Any = None,
        anchor: str = "top",
        inset: float = 0.08,
    ) -> Any:
        """A text box (or the text of ``shape``) holding ``paragraphs``."""
        util = self.module("pptx.util")
        text = self.module("pptx.enum.text")
        if shape is None:
            shape = self.slide.shapes.add_textbox(
                util.Inches(x), util.Inches(y), util.Inches(w), util.Inches(h)
            )
        frame = shape.text_frame
        frame.word_wrap = True
        frame.auto_size = text.MSO_AUTO_SIZE.NONE
        for side in ("left", "right", "top", "bottom"):
            setattr(frame, f"margin_{side}", util.Inches(inset))
        frame.vertical_anchor = getattr(text.MSO_ANCHOR, anchor.upper())
        for i, paragraph in enumerate(paragraphs):
            target = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            target.alignment = getattr(text.PP_ALIGN, paragraph.align.upper())
            target.space_after = util.Pt(paragraph.space_after)
            target.line_spacing = 1.0
            for run in paragraph.runs:
                added = target.add_run()
                added.text = clean(run.text)
                added.font.size = util.Pt(run.size)
                added.font.bold = run.bold
                added.font.italic = run.italic
                added.font.color.rgb = rgb(run.colour)
        return shape

    def line(self, x1: float, y1: float, x2: float, y2: float, *, colour: str,
             width: float = 1.0, dash: bool = False) -> Any:  # fmt: skip
        util = self.module("pptx.util")
        shapes = self.module("pptx.enum.shapes")
        found = self.slide.shapes.add_connector(
            shapes.MSO_CONNECTOR.STRAIGHT,
            util.Inches(x1), util.Inches(y1), util.Inches(x2), util.Inches(y2),
        )  # fmt: skip
        found.line.color.rgb = rgb(colour)
        found.line.width = util.Pt(width)
        if dash:
            found.line.dash_style = self.module("pptx.enum.dml").MSO_LINE.DASH
        return found


def rgb(colour: str) -> Any:
    dml = importlib.import_module("pptx.dml.color")
    return dml.RGBColor.from_string(colour.lstrip("#")[:6].upper())


def _fill(shape: Any, colour: str | None) -> None:
    if colour is None:
        shape.fill.background()
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(colour)
