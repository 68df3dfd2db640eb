"""The frame around the lanes: title bar, stage headers, footer and the accessible
description."""

from __future__ import annotations

from journeymap.layout.cards import Chip, build_chips
from journeymap.layout.diagram import (
    ASCENT,
    Box,
    Group,
    Image,
    Item,
    Line,
    Logo,
    Path,
    Text,
)
from journeymap.layout.formats import format_count
from journeymap.layout.grid import Grid
from journeymap.layout.lanes import Context
from journeymap.layout.text import Font, fit_text
from journeymap.model.journey import JourneyMap, Stage
from journeymap.model.measured import MeasuredMap

HEADER_INSET = 5.0
NAME = Font(15.0, bold=True)
GOAL = Font(12.0)
DESCRIPTION = Font(11.0)


def title_bar(
    ctx: Context,
    grid: Grid,
    top: float,
    *,
    persona: str | None,
    data_as_of: str | None,
    department: str | None = None,
    logo: Logo | None = None,
) -> tuple[list[Item], float]:
    """Map name, description and chips (state, persona, data date, customers), and
    the logo at the top right (the texts keep clear of it)."""
    journey = ctx.journey
    width = grid.right - grid.left - (logo.width + 16 if logo else 0)
    name = fit_text(journey.name, width, Font(22, bold=True), max_lines=2)
    items: list[Item] = [Text(grid.left, top + ASCENT * 22, name.lines, "text.title", size=22,
                              weight="bold", line_height=1.2, title=name.title)]  # fmt: skip
    y = top + 22 * 1.2 * len(name.lines) + 4
    if journey.description:
        text = fit_text(journey.description, width, Font(13), max_lines=2)
        items.append(Text(grid.left, y + ASCENT * 13, text.lines, "text.subtitle", size=13,
                          title=text.title))  # fmt: skip
        y += 13 * 1.3 * len(text.lines) + 4
    chips, height = build_chips(
        title_chips(ctx, persona, data_as_of, department), grid.left, y + 2, width
    )
    items.extend(chips)
    bottom = y + 2 + height + 12
    if logo is not None:
        items.append(Image(grid.right - logo.width, top, logo.width, logo.height,
                           logo.href, title="Logo"))  # fmt: skip
        bottom = max(bottom, top + logo.height + 12)
    items.append(Line(grid.left, bottom, grid.right, bottom, "rule"))
    return [Group("title-bar", tuple(items), title=journey.name)], bottom


def title_chips(
    ctx: Context,
    persona: str | None,
    data_as_of: str | None,
    department: str | None = None,
) -> tuple[Chip, ...]:
    journey = ctx.journey
    chips = [Chip(f"{journey.state.upper()} STATE", f"state-{journey.state}")]
    if department:
        chips.append(Chip(f"Department: {department}", "info"))
    if persona:
        names = {p.id: p.name for p in journey.personas}
        chips.append(Chip(f"Persona: {names.get(persona, persona)}", "info"))
    if journey.version:
        chips.append(Chip(f"Version {journey.version}", "info"))
    if journey.owner:
        chips.append(Chip(f"Owner: {journey.owner}", "info"))
    if data_as_of:
        chips.append(Chip(f"Data as of {data_as_of}", "info"))
    if ctx.measured is not None:
        chips.append(
            Chip(f"n = {format_count(ctx.measured.customers)} customers", "measured")
        )
    if ctx.previous is not None:
        count = format_count(ctx.previous.customers)
        chips.append(Chip(f"vs previous period: n = {count}", "info"))
    return tuple(chips)


def stage_headers(
    journey: JourneyMap, grid: Grid, top: float, *, first_number: int = 1
) -> tuple[list[Item], float]:
    """One header per stage: number, name and goal; all as tall as the tallest."""
    inner = grid.column_width - 2 * HEADER_INSET - 2 * 12
    contents = [
        header_texts(stage, i + first_number - 1, inner)
        for i, stage in enumerate(journey.stages)
    ]
    height = (
        max(sum(t.leading * len(t.lines) for t in texts) for texts in contents) + 30
    )
    width = grid.column_width - 2 * HEADER_INSET
    items: list[Item] = [stages_axis(grid, top, height)]
    for i, (stage, texts) in enumerate(zip(journey.stages, contents, strict=True)):
        x = grid.column_x(i) + HEADER_INSET
        frame = Box(x, top, width, height, "stage-header", radius=8.0)
        placed = stack_texts(texts, x + 12, top + 12)
        if i < len(journey.stages) - 1:  # points to the next stage
            placed.insert(0, triangle(x + width, top + height / 2, 8, "stage-header"))
        title = " · ".join(t for t in (stage.name, stage.goal, stage.description) if t)
        items.append(
            Group(f"stage-{stage.id}", tuple(placed), frame=frame, title=title)
        )
    return items, top + height


def stages_axis(grid: Grid, top: float, height: float) -> Group:
    """ "Stages →" in the lane-label column, level with the headers."""
    mid = top + height / 2
    label = Text(grid.left + 4, mid + 4.5, ("Stages",), "text.stage-axis", size=12,
                 weight="bold")  # fmt: skip
    end = grid.columns_left - 12
    arrow = Line(grid.left + 58, mid, end - 6, mid, "stage-arrow")
    head = triangle(end - 7, mid, 7, "stage-arrow-head")
    return Group("stages-axis", (label, arrow, head), title="Stages, in order")


def triangle(x: float, y: float, size: float, style: str) -> Path:
    """A right-pointing triangle with its base centred on ``(x, y)``."""
    return Path(
        (("M", (x, y - size)), ("L", (x + size, y)), ("L", (x, y + size)), ("Z", ())),
        style,
    )


def header_texts(stage: Stage, index: int, width: float) -> list[Text]:
    """Texts of a stage header at the origin; ``stack_texts`` places them."""
    texts = [Text(0, 0, (f"STAGE {index + 1}",), "text.stage-number", size=10.5,
                  weight="bold")]  # fmt: skip
    name = fit_text(stage.name, width, NAME, max_lines=2)
    texts.append(Text(0, 0, name.lines, "text.stage-name", size=NAME.size, weight="bold",
                      line_height=1.25, title=name.title))  # fmt: skip
    if stage.goal:
        goal = fit_text(stage.goal, width, GOAL, max_lines=3)
        texts.append(Text(0, 0, goal.lines, "text.stage-goal", size=GOAL.size,
                          title=goal.title))  # fmt: skip
    if stage.description:
        about = fit_text(stage.description, width, DESCRIPTION, max_lines=4)
        texts.append(Text(0, 0, about.lines, "text.stage-description",
                          size=DESCRIPTION.size, italic=True, title=about.title))  # fmt: skip
    return texts


def stack_texts(texts: list[Text], x: float, top: float) -> list[Item]:
    """Place texts one under another, the first line's top at ``top``."""
    placed: list[Item] = []
    for text in texts:
        placed.append(_moved(text, x, top + ASCENT * text.size))
        top += text.leading * len(text.lines) + 2
    return placed


def _moved(text: Text, x: float, y: float) -> Text:
    return Text(x, y, text.lines, text.style, text.size, text.weight, text.italic,
                text.anchor, text.line_height, text.title)  # fmt: skip


def footer_items(ctx: Context, grid: Grid, top: float) -> tuple[list[Item], float]:
    """The tool's name on the right. Data-quality notes (unmatched events) belong in
    the report, not on the map (issue 12)."""
    baseline = top + ASCENT * 11.5
    items: list[Item] = [Text(grid.right, baseline, ("Drawn with journeymap",),
                              "text.footer", size=11.5, anchor="end")]  # fmt: skip
    return [Group("footer", tuple(items), title="Footer")], top + 11.5 * 1.3


def describe(
    journey: JourneyMap, lane_labels: list[str], measured: MeasuredMap | None
) -> str:
    """An accessible one-paragraph description of the drawing."""
    stages = ", ".join(s.name for s in journey.stages)
    text = (
        f"Customer journey map “{journey.name}” ({journey.state} state) with "
        f"{len(journey.stages)} stages: {stages}. Lanes: {', '.join(lane_labels)}."
    )
    if measured is not None:
        text += f" Measured on {format_count(measured.customers)} customers."
    return text
