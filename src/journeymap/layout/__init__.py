"""L2 layout: a journey map (and its measurements) → pure geometry, no SVG, no data
libraries."""

from __future__ import annotations

from journeymap.layout.diagram import (
    Box,
    Circle,
    Column,
    Diagram,
    Group,
    Image,
    Item,
    Lane,
    Line,
    Logo,
    Path,
    Text,
)
from journeymap.layout.swimlane import DEFAULT_LANES, layout_map

__all__ = [
    "DEFAULT_LANES",
    "Box",
    "Circle",
    "Column",
    "Diagram",
    "Group",
    "Image",
    "Item",
    "Lane",
    "Line",
    "Logo",
    "Path",
    "Text",
    "layout_map",
]
