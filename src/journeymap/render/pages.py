"""Diagrams as printable pages: one HTML document WeasyPrint turns into PDF (and PNG).

PDF and PNG come from the same SVG the browser shows, drawn by one engine (WeasyPrint),
so every format shows the same map. A large map either scales onto a paper size or is
split into pages of a few stages each (each page is laid out again, lane labels and all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from journeymap.errors import RenderError
from journeymap.layout.diagram import Diagram
from journeymap.render.svg import render_svg
from journeymap.render.themes import DEFAULT, Theme

Paper = Literal["fit", "a4", "a3", "a2"]
PAPERS: dict[str, tuple[float, float]] = {  # millimetres, portrait
    "a4": (210.0, 297.0),
    "a3": (297.0, 420.0),
    "a2": (420.0, 594.0),
}
MARGIN_MM = 8.0
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True, slots=True)
class PageSize:
    """Width and height of a page in CSS pixels (96 per inch)."""

    width: float
    height: float

    def css(self) -> str:
        return f"{self.width:.2f}px {self.height:.2f}px"


def page_size(diagram: Diagram, paper: str = "fit") -> PageSize:
    """The page a diagram is printed on: its own size, or a paper turned to match.

    Landscape when the drawing is wider than tall, portrait otherwise, so the map is
    scaled down as little as possible.
    """
    if paper == "fit":
        return PageSize(diagram.width, diagram.height)
    if paper not in PAPERS:
        known = ", ".join(["fit", *PAPERS])
        raise RenderError(f"unknown paper {paper!r}; known: {known}")
    short, long = PAPERS[paper]
    if diagram.width >= diagram.height:
        return PageSize(long * PX_PER_MM, short * PX_PER_MM)
    return PageSize(short * PX_PER_MM, long * PX_PER_MM)


def pages_html(
    diagrams: Sequence[Diagram], *, paper: str = "fit", theme: Theme = DEFAULT
) -> str:
    """One HTML document, one page per diagram, each SVG scaled to fit its page."""
    if not diagrams:
        raise RenderError("nothing to print: no diagrams")
    pages = []
    for index, diagram in enumerate(diagrams):
        size = page_size(diagram, paper)
        margin = 0.0 if paper == "fit" else MARGIN_MM * PX_PER_MM
        scale = min(
            (size.width - 2 * margin) / diagram.width,
            (size.height - 2 * margin) / diagram.height,
            1.0 if paper == "fit" else 10.0,
        )
        svg = render_svg(diagram, theme=theme, scale=scale)
        pages.append(
            f'<section class="page" style="page: p{index}; padding: {margin:.2f}px">'
            f"{svg}</section>"
        )
    rules = "\n".join(
        f"@page p{i} {{ size: {page_size(d, paper).css()}; margin: 0 }}"
        for i, d in enumerate(diagrams)
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><style>\n"
        f"{rules}\n"
        "html, body { margin: 0; padding: 0; }\n"
        ".page { break-after: page; box-sizing: border-box; }\n"
        ".page:last-child { break-after: auto; }\n"
        "svg { display: block; margin: 0 auto; }\n"
        "</style></head><body>\n" + "\n".join(pages) + "\n</body></html>\n"
    )


def stage_groups(stage_ids: Sequence[str], per_page: int) -> list[tuple[str, ...]]:
    """Consecutive stages, ``per_page`` at a time (the last page may hold fewer)."""
    if per_page < 1:
        raise RenderError(f"stages per page must be at least 1, not {per_page}")
    ids = tuple(stage_ids)
    return [ids[i : i + per_page] for i in range(0, len(ids), per_page)] or [()]
