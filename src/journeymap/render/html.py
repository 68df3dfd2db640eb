"""Diagram → a standalone HTML page: the SVG inline, nothing fetched from elsewhere."""

from __future__ import annotations

from html import escape

from journeymap.layout.diagram import Diagram
from journeymap.render.svg import render_svg
from journeymap.render.themes import DEFAULT, Theme


def render_html(diagram: Diagram, *, theme: Theme = DEFAULT) -> str:
    """A page that shows the map at full width and scrolls sideways when it is wider.

    Examples
    --------
    >>> from journeymap.layout import layout_map
    >>> from journeymap.model import JourneyMap, Stage
    >>> page = render_html(layout_map(JourneyMap(name="<A>", stages=[Stage(id="s", name="S")])))
    >>> "<title>&lt;A&gt;</title>" in page and "<svg" in page
    True
    """
    svg = render_svg(diagram, theme=theme)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(diagram.title)}</title>\n<style>\n"
        f"body {{ margin: 0; background: {theme.background}; }}\n"
        "main { overflow-x: auto; padding: 16px; }\n"
        "main svg { display: block; max-width: none; height: auto; }\n"
        "</style></head>\n<body><main>\n" + svg + "</main></body></html>\n"
    )
