"""L3 render: diagrams → SVG (and later HTML, PDF, PPTX). Sees only layout and model."""

from __future__ import annotations

from journeymap.render.svg import render_svg, save_svg
from journeymap.render.themes import DEFAULT, THEMES, Paint, Theme, get_theme

__all__ = ["DEFAULT", "THEMES", "Paint", "Theme", "get_theme", "render_svg", "save_svg"]
