"""Current and future state side by side: two laid-out maps in one drawing.

A future-state map is read against the map of today; drawing them next to each other,
each with its own stages and lanes, shows what the redesign changes. Each map keeps its
own layout; the pair is only moved into place.
"""

from __future__ import annotations

from dataclasses import replace

from journeymap.layout.diagram import (
    ASCENT,
    Box,
    Circle,
    Diagram,
    Group,
    Image,
    Item,
    Line,
    Text,
)

GAP = 48.0
HEADER = 40.0


def side_by_side(left: Diagram, right: Diagram, labels: tuple[str, str]) -> Diagram:
    """``left`` and ``right`` next to each other, each under its label.

    Examples
    --------
    >>> from journeymap.layout import layout_map
    >>> from journeymap.model import JourneyMap, Stage
    >>> now = layout_map(JourneyMap(name="Now", stages=[Stage(id="a", name="A")]))
    >>> later = layout_map(JourneyMap(name="Later", stages=[Stage(id="a", name="A")]))
    >>> both = side_by_side(now, later, ("Current state", "Future state"))
    >>> both.width == now.width + GAP + later.width
    True
    """
    dx = left.width + GAP
    items: list[Item] = []
    for x, label, part, key in ((0.0, labels[0], left, "current"),
                                (dx, labels[1], right, "future")):  # fmt: skip
        title = Text(x + 24, 12 + ASCENT * 18, (label,), "text.compare-label", size=18,
                     weight="bold")  # fmt: skip
        moved = tuple(shift(item, x, HEADER) for item in part.items)
        items.append(Group(f"compare-{key}", (title, *moved), title=label))
    middle = left.width + GAP / 2
    items.insert(1, Line(middle, 12, middle, HEADER + max(left.height, right.height) - 12,
                         "compare-divider"))  # fmt: skip
    return Diagram(
        width=dx + right.width,
        height=HEADER + max(left.height, right.height),
        title=f"{labels[0]} and {labels[1]}",
        description=f"{left.description} Beside it: {right.description}",
        columns=(
            *(replace(c, x=c.x) for c in left.columns),
            *(replace(c, x=c.x + dx) for c in right.columns),
        ),  # fmt: skip
        lanes=tuple(replace(lane, y=lane.y + HEADER) for lane in left.lanes),
        items=tuple(items),
    )


def shift(item: Item, dx: float, dy: float) -> Item:
    """The same item moved by ``(dx, dy)``."""
    if isinstance(item, Group):
        frame = None if item.frame is None else shift(item.frame, dx, dy)
        assert frame is None or isinstance(frame, Box)
        return replace(
            item, items=tuple(shift(i, dx, dy) for i in item.items), frame=frame
        )
    if isinstance(item, (Box, Text, Image)):
        return replace(item, x=item.x + dx, y=item.y + dy)
    if isinstance(item, Line):
        return replace(item, x1=item.x1 + dx, y1=item.y1 + dy, x2=item.x2 + dx,
                       y2=item.y2 + dy)  # fmt: skip
    if isinstance(item, Circle):
        return replace(item, cx=item.cx + dx, cy=item.cy + dy)
    commands = tuple(
        (command, tuple(v + (dx if i % 2 == 0 else dy) for i, v in enumerate(coords)))
        for command, coords in item.commands
    )
    return replace(item, commands=commands)
