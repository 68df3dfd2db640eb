"""Geometry of a drawn journey map: plain frozen data, no colours and no SVG.

Layout decides *where* things go and *what kind* they are (``style``, a key such as
``"card.pain.high"``); a renderer looks the style up in a theme to decide how it looks.
Coordinates are pixels, origin top-left, y growing downwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from journeymap.layout.text import Font, lines_width

Anchor = Literal["start", "middle", "end"]
ASCENT = 0.8  # of the font size, above the baseline (cap height plus accents)
DESCENT = 0.22  # below the baseline


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle; ``radius`` rounds its corners."""

    x: float
    y: float
    width: float
    height: float
    style: str
    radius: float = 0.0
    id: str | None = None

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        """Whether the rectangle ``(x0, y0)``–``(x1, y1)`` lies inside this box."""
        eps = 0.01
        return (
            x0 >= self.x - eps
            and y0 >= self.y - eps
            and x1 <= self.right + eps
            and y1 <= self.bottom + eps
        )


@dataclass(frozen=True, slots=True)
class Text:
    """One or more lines of text; ``y`` is the baseline of the first line.

    ``title`` holds the full text when the lines were shortened with an ellipsis, so
    a renderer can show it as a tooltip.
    """

    x: float
    y: float
    lines: tuple[str, ...]
    style: str
    size: float = 12.0
    weight: Literal["normal", "bold"] = "normal"
    italic: bool = False
    anchor: Anchor = "start"
    line_height: float = 1.3
    title: str | None = None

    @property
    def leading(self) -> float:
        """Distance between two baselines, in pixels."""
        return self.size * self.line_height

    def extent(self) -> tuple[float, float, float, float]:
        """Estimated ink rectangle ``(x0, y0, x1, y1)`` of all lines."""
        width = lines_width(self.lines, Font(self.size, self.weight == "bold"))
        x0 = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}
        top = self.y - ASCENT * self.size
        bottom = self.y + (len(self.lines) - 1) * self.leading + DESCENT * self.size
        return x0[self.anchor], top, x0[self.anchor] + width, bottom


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    style: str


@dataclass(frozen=True, slots=True)
class Circle:
    cx: float
    cy: float
    r: float
    style: str


@dataclass(frozen=True, slots=True)
class Path:
    """A path of absolute commands: ``("M", (x, y))``, ``("L", (x, y))``,
    ``("C", (x1, y1, x2, y2, x, y))`` and ``("Z", ())``."""

    commands: tuple[tuple[str, tuple[float, ...]], ...]
    style: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """A picture (a brand logo) given as a ``data:`` URI, fitted into the box."""

    x: float
    y: float
    width: float
    height: float
    href: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Logo:
    """A logo to draw at the top right: its ``data:`` URI and its aspect ratio."""

    href: str
    aspect: float = 1.0  # width / height
    height: float = 40.0

    @property
    def width(self) -> float:
        return self.height * self.aspect


@dataclass(frozen=True, slots=True)
class Group:
    """Items drawn together, e.g. a card: its ``frame`` first, then ``items``.

    ``title`` becomes a tooltip/accessible name; every text of the group is laid out
    inside ``frame`` (tests check it).
    """

    id: str | None
    items: tuple[Item, ...]
    frame: Box | None = None
    title: str | None = None


Item = Box | Text | Line | Circle | Path | Image | Group


@dataclass(frozen=True, slots=True)
class Lane:
    """A row of the diagram."""

    id: str
    label: str
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Column:
    """A stage column of the diagram."""

    stage_id: str
    name: str
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Diagram:
    """A whole drawing: size, accessible title and description, and items in paint
    order."""

    width: float
    height: float
    title: str
    description: str
    columns: tuple[Column, ...]
    lanes: tuple[Lane, ...]
    items: tuple[Item, ...]

    def walk(self) -> list[Item]:
        """Every item, groups included, depth-first in paint order."""
        found: list[Item] = []
        stack = list(reversed(self.items))
        while stack:
            item = stack.pop()
            found.append(item)
            if isinstance(item, Group):
                if item.frame is not None:
                    found.append(item.frame)
                stack.extend(reversed(item.items))
        return found

    def groups(self) -> list[Group]:
        """Every group, depth-first."""
        return [item for item in self.walk() if isinstance(item, Group)]
