"""Diagram → PNG, rasterised from the very PDF page :mod:`journeymap.render.pdf` prints.

Going through the PDF keeps one drawing engine for every format (no browser, nothing
downloaded at run time): WeasyPrint lays out the SVG, PDFium (a wheel) rasterises it.
"""

from __future__ import annotations

import io

from journeymap._importers import import_pypdfium2
from journeymap.errors import RenderError
from journeymap.layout.diagram import Diagram
from journeymap.render.pdf import render_pdf
from journeymap.render.themes import DEFAULT, Theme

POINTS_PER_PX = 72 / 96


def render_png(
    diagram: Diagram, *, theme: Theme = DEFAULT, scale: float = 2.0
) -> bytes:
    """Rasterise a diagram; ``scale=2`` gives two image pixels per drawing pixel.

    Raises
    ------
    MissingExtraError
        When WeasyPrint or pypdfium2 is not installed (extra ``png``).
    """
    if not 0.1 <= scale <= 8:
        raise RenderError(f"PNG scale must be between 0.1 and 8, not {scale}")
    pdfium = import_pypdfium2()
    document = pdfium.PdfDocument(render_pdf([diagram], paper="fit", theme=theme))
    try:
        image = document[0].render(scale=scale / POINTS_PER_PX).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
