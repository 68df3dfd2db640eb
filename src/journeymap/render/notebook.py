"""Maps and tables as notebook output: one HTML fragment, nothing fetched.

The fragment scrolls sideways inside the cell when the map is wider than the notebook,
so the map keeps its size (and its text stays readable) instead of shrinking to fit.
"""

from __future__ import annotations

from html import escape
from typing import Any

from journeymap.layout.formats import format_count
from journeymap.layout.swimlane import layout_map
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap
from journeymap.render.svg import render_svg
from journeymap.render.themes import DEFAULT, Theme

# caps the rows a notebook shows of a long table; the rest are counted, never hidden
MAX_ROWS = 50


def map_svg(obj: JourneyMap | MeasuredMap, *, theme: Theme = DEFAULT) -> str:
    """The drawn map (measured or not) as SVG text."""
    if isinstance(obj, MeasuredMap):
        return render_svg(layout_map(obj.journey, obj), theme=theme)
    return render_svg(layout_map(obj), theme=theme)


def map_html(obj: JourneyMap | MeasuredMap, *, theme: Theme = DEFAULT) -> str:
    """The drawn map in a sideways-scrolling block, with a one-line caption."""
    journey = obj.journey if isinstance(obj, MeasuredMap) else obj
    caption = f"{len(journey.stages)} stages"
    if isinstance(obj, MeasuredMap):
        caption += (
            f" · measured on {format_count(obj.customers)} customers and "
            f"{format_count(obj.events)} events"
        )
    else:
        caption += " · not measured"
    return (
        '<div class="journeymap" style="overflow-x:auto;max-width:100%">'
        f"{map_svg(obj, theme=theme)}</div>"
        f'<p style="color:#4b5563;font-size:12px;margin:4px 0">'
        f"{escape(journey.name)} — {caption}</p>"
    )


def table_html(frame: Any, *, title: str | None = None) -> str:
    """A pandas frame as an HTML table; rows past ``MAX_ROWS`` are counted below."""
    shown = frame.head(MAX_ROWS)
    html: str = shown.to_html(index=False, border=0, na_rep="—", escape=True)
    head = f"<strong>{escape(title)}</strong>" if title else ""
    note = ""
    if len(frame) > MAX_ROWS:
        note = (
            f'<p style="color:#4b5563;font-size:12px">first {MAX_ROWS} of '
            f"{format_count(len(frame))} rows; <code>.to_pandas()</code> has them "
            "all</p>"
        )
    return head + html + note
