"""The flow strip: between every two stages, an arrow with the share who move on; in a
stage, how many moves went back to an earlier stage (loops)."""

from __future__ import annotations

from journeymap.layout.diagram import Group, Item, Line, Path, Text
from journeymap.layout.formats import format_count, format_share
from journeymap.layout.grid import Grid
from journeymap.layout.lanes import Context

FLOW_HEIGHT = 56.0
ARROW_HALF = 66.0  # the arrow reaches this far either side of the column boundary


def flow_items(ctx: Context, grid: Grid, top: float) -> list[Item]:
    """Arrows between stages with the share who move on; loops back per stage."""
    items: list[Item] = []
    stages = ctx.journey.stages
    for i, stage in enumerate(stages):
        figures = ctx.stage_figures.get(stage.id)
        if figures is None:
            continue
        if i + 1 < len(stages) and figures.conversion_next is not None:
            share = format_share(figures.conversion_next)
            boundary = grid.column_x(i + 1)
            y = top + 30
            head = boundary + ARROW_HALF
            title = (
                f"{share} of the {format_count(figures.reached)} customers who reached "
                f"{stage.name} moved on to {stages[i + 1].name}"
            )
            items.append(
                Group(
                    f"flow-{stage.id}",
                    (
                        Line(boundary - ARROW_HALF, y, head - 8, y, "flow-arrow"),
                        Path(
                            (
                                ("M", (head - 9, y - 5)),
                                ("L", (head, y)),
                                ("L", (head - 9, y + 5)),
                                ("Z", ()),
                            ),
                            "flow-head",
                        ),
                        Text(
                            boundary,
                            top + 20,
                            (f"{share} move on",),
                            "text.flow",
                            size=11.5,
                            weight="bold",
                            anchor="middle",
                        ),
                    ),  # fmt: skip
                    title=title,
                )
            )
        if figures.regressions_out:
            moves = format_count(figures.regressions_out)
            x = grid.column_x(i) + grid.column_width / 2
            text = Text(x, top + 49, (f"↩ {moves} moves back",), "text.flow-back",
                        size=10.5, anchor="middle")  # fmt: skip
            title = f"{moves} moves from {stage.name} back to an earlier stage (loops)"
            items.append(Group(f"flow-back-{stage.id}", (text,), title=title))
    return items
