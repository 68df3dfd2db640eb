"""Horizontal placement of a swim-lane map: margins, the lane-label column, and equal
stage columns that never get narrower than ``MIN_COLUMN``."""

from __future__ import annotations

from dataclasses import dataclass

MARGIN = 24.0
LABEL_WIDTH = 156.0
MIN_COLUMN = 220.0
DEFAULT_COLUMN = 250.0
CELL_PAD = 10.0


@dataclass(frozen=True, slots=True)
class Grid:
    """Horizontal placement: the lane-label column, then one column per stage."""

    left: float
    column_width: float
    count: int

    @property
    def columns_left(self) -> float:
        return self.left + LABEL_WIDTH

    @property
    def right(self) -> float:
        return self.columns_left + self.count * self.column_width

    def column_x(self, index: int) -> float:
        return self.columns_left + index * self.column_width


def make_grid(count: int, width: float | None) -> Grid:
    """Equal stage columns filling ``width``, at least ``MIN_COLUMN`` wide each."""
    column = DEFAULT_COLUMN
    if width is not None:
        column = (width - 2 * MARGIN - LABEL_WIDTH) / count
    return Grid(MARGIN, max(column, MIN_COLUMN), count)
