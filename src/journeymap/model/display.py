"""Inline display in notebooks (Jupyter, VS Code) without model importing what draws.

IPython asks an object for ``_repr_html_`` / ``_repr_svg_``. Drawing a map needs the
layout and render layers, which sit above ``model``; so model objects only *ask* this
registry, and the facade (``journeymap/_display.py``) registers the drawing functions
when ``import journeymap`` runs — which always happens first, because importing any
``journeymap.*`` module imports the package. See docs/adr/0007-notebook-display.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Shower = Callable[[Any], str | None]
_SHOWERS: dict[tuple[type, str], Shower] = {}


def register_display(cls: type, mimetype: str, show: Shower) -> None:
    """Draw instances of ``cls`` (and its subclasses) as ``mimetype`` with ``show``."""
    _SHOWERS[(cls, mimetype)] = show


def display_as(obj: Any, mimetype: str) -> str | None:
    """``obj`` as ``mimetype`` text, or None when nothing is registered for it (then
    IPython falls back to the next format, in the end to ``repr``)."""
    for cls in type(obj).__mro__:
        show = _SHOWERS.get((cls, mimetype))
        if show is not None:
            return show(obj)
    return None


class MapDisplay:
    """Mixin: the object shows as its drawn map (HTML, or SVG where HTML is off)."""

    __slots__ = ()

    def _repr_html_(self) -> str | None:
        return display_as(self, "text/html")

    def _repr_svg_(self) -> str | None:
        return display_as(self, "image/svg+xml")


class TableDisplay:
    """Mixin: a result with ``to_pandas()`` shows as its table."""

    __slots__ = ()

    def _repr_html_(self) -> str | None:
        return display_as(self, "text/html")
