"""Diagrams → PDF with selectable text (WeasyPrint draws the SVG as vector and text)."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap._importers import import_weasyprint
from journeymap.layout.diagram import Diagram
from journeymap.render.pages import pages_html
from journeymap.render.themes import DEFAULT, Theme


def render_pdf(
    diagrams: Sequence[Diagram], *, paper: str = "fit", theme: Theme = DEFAULT
) -> bytes:
    """Print diagrams as a PDF, one page each.

    Parameters
    ----------
    diagrams
        Pages in order, e.g. one diagram or one per group of stages.
    paper
        ``"fit"`` (each page the size of its drawing), ``"a4"``, ``"a3"`` or ``"a2"``
        (turned to match the drawing, which is scaled to fit inside the margins).
    theme
        Colours and fonts.

    Returns
    -------
    bytes
        The PDF document; its text can be selected and searched.

    Raises
    ------
    MissingExtraError
        When WeasyPrint is not installed (extra ``pdf``).
    """
    weasyprint = import_weasyprint()
    html = pages_html(diagrams, paper=paper, theme=theme)
    global _last
    last = _last  # one read: another thread may replace it meanwhile
    if last is not None and last[0] == html:
        return last[1]
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    _last = (html, pdf)
    return pdf


# the last document printed: `demo` writes map.pdf and then map.png, which is
# rasterised from the very same page (laying it out again took seconds)
_last: tuple[str, bytes] | None = None
