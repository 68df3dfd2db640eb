"""Notebook display of maps and result tables, registered by the facade.

``import journeymap`` runs :func:`register`; the functions load layout, render and
pandas only when a notebook asks for a picture, so the import stays light
(docs/adr/0007-notebook-display.md).
"""

from __future__ import annotations

from typing import Any

from journeymap.model.display import MapDisplay, TableDisplay, register_display


def _map_html(obj: Any) -> str:
    from journeymap.render.notebook import map_html

    return map_html(obj)


def _map_svg(obj: Any) -> str:
    from journeymap.render.notebook import map_svg

    return map_svg(obj)


def _table_html(obj: Any) -> str:
    from journeymap.render.notebook import table_html

    return table_html(obj.to_pandas(), title=type(obj).__name__)


def register() -> None:
    """Register the display functions (idempotent)."""
    register_display(MapDisplay, "text/html", _map_html)
    register_display(MapDisplay, "image/svg+xml", _map_svg)
    register_display(TableDisplay, "text/html", _table_html)
