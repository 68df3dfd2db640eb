"""The swim-lane journey map: stages as columns, lanes as rows, sized from content.

Stages run left to right with a header (name and goal). Each lane is a row labelled on
the left; its height grows to fit the tallest cell, so wrapped text never overflows.
Lanes with nothing to show are left out unless asked for by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from journeymap.errors import RenderError
from journeymap.layout.diagram import (
    ASCENT,
    Box,
    Column,
    Diagram,
    Group,
    Item,
    Lane,
    Line,
    Logo,
    Text,
)
from journeymap.layout.emotion import (
    BAND_HEIGHT,
    Band,
    EmotionPoint,
    MeasuredPoint,
    emotion_items,
    legend_items,
    value_cells,
    values_height,
)
from journeymap.layout.flow import FLOW_HEIGHT, flow_items
from journeymap.layout.grid import (
    CELL_PAD,
    DEFAULT_COLUMN,
    LABEL_WIDTH,
    MARGIN,
    MIN_COLUMN,
    Grid,
    make_grid,
)
from journeymap.layout.headers import (
    describe,
    footer_items,
    stack_texts,
    stage_headers,
    title_bar,
)
from journeymap.layout.lanes import (
    Context,
    action_cards,
    business_cards,
    card_cell,
    figures_cell,
    kpi_cards,
    make_context,
    opportunity_cards,
    pain_cards,
    quote_cards,
    stage_emotion,
    thought_cards,
    touchpoint_cards,
)
from journeymap.layout.personas import persona_panel
from journeymap.layout.text import Font, fit_text, text_width
from journeymap.model.journey import JourneyMap, Stage
from journeymap.model.measured import MeasuredMap

MIN_LANE = 52.0
LANE_LABEL = Font(13.0, bold=True)
LANE_HINT = Font(11.0)

CellBuilder = Callable[[Context, Stage, float, float, float], tuple[list[Item], float]]


@dataclass(frozen=True, slots=True)
class LaneKind:
    """A kind of lane: its label, a hint under the label, and how to fill a cell."""

    label: str
    hint: str | None
    cell: CellBuilder | None  # None: drawn across the lane (emotion, notes)


# Standard journey-map order, then the service blueprint's layers at the bottom
# (issue 12): the lines of interaction, visibility and internal interaction fall
# between actions/touchpoints, the customer's lanes/backstage and backstage/support.
LANES: dict[str, LaneKind] = {
    "flow": LaneKind("Flow", "Who moves on, who goes back", None),
    "actions": LaneKind("Customer actions", "What the customer does", card_cell(action_cards)),
    "touchpoints": LaneKind("Touchpoints", "Frontstage: where they meet us",
                            card_cell(touchpoint_cards("frontstage"))),
    "thoughts": LaneKind("Thoughts", "What we assume they think", card_cell(thought_cards)),
    "said": LaneKind("Customer quotes", "What they said in feedback", card_cell(quote_cards)),
    "emotion": LaneKind("Emotion", None, None),
    "pain_points": LaneKind("Pain points", "By severity; verdict from data",
                            card_cell(pain_cards)),
    "opportunities": LaneKind("Opportunities", "Priority from data", card_cell(opportunity_cards)),
    "measured": LaneKind("Measured", "From event data", figures_cell),
    "kpis": LaneKind("KPIs", "Value vs target", card_cell(kpi_cards)),
    "backstage": LaneKind("Backstage", "Behind the line of visibility",
                          card_cell(business_cards)),
    "support": LaneKind("Support processes", "Systems and teams behind",
                        card_cell(touchpoint_cards("support"))),
}  # fmt: skip
DEFAULT_LANES = tuple(LANES)
# a department's view: the lanes of cards a department owns, with emotion and flow for
# context; the customer's own lanes (actions, thoughts, quotes) are left out
DEPARTMENT_LANES = ("flow", "touchpoints", "emotion", "pain_points", "opportunities",
                    "backstage", "support")  # fmt: skip


def layout_map(
    journey: JourneyMap,
    measured: MeasuredMap | None = None,
    *,
    lanes: Sequence[str] | None = None,
    width: float | None = None,
    persona: str | None = None,
    data_as_of: str | None = None,
    first_stage_number: int = 1,
    department: str | None = None,
    logo: Logo | None = None,
    previous: MeasuredMap | None = None,
) -> Diagram:
    """Lay out a journey map as a swim-lane diagram.

    Parameters
    ----------
    journey
        The map to draw.
    measured
        Its measurements; when given, the measured emotion curve, verdicts, figures
        and KPI values are drawn beside what the map assumes.
    lanes
        Lane ids to draw, in this order (see ``DEFAULT_LANES``); named lanes are drawn
        even when empty. By default every lane with content is drawn.
    width
        Total width in pixels; stage columns share it equally but never get narrower
        than 220 px (the drawing then grows wider).
    persona
        Persona id or name the data was filtered to, shown in the title bar.
    data_as_of
        Date (or period) of the data, shown in the title bar.
    first_stage_number
        Number of the first stage drawn ("STAGE 3" on the second page of a map printed
        two stages per page).
    department
        Department id: draw only the touchpoints, pain points and opportunities it
        owns, in the lanes of ``DEPARTMENT_LANES`` that have content.
    logo
        A brand logo for the top right of the title bar.
    previous
        The same map measured over an earlier period: its emotion curve is drawn in
        grey and the stage shares show their change (period over period).

    Returns
    -------
    Diagram
        Pure geometry, ready for a renderer.

    Examples
    --------
    >>> from journeymap.model import JourneyMap, Stage
    >>> journey = JourneyMap(name="Demo", stages=[Stage(id="a", name="A", emotion=0.5)])
    >>> diagram = layout_map(journey)
    >>> [lane.id for lane in diagram.lanes]
    ['emotion', 'measured']
    """
    if not journey.stages:
        raise RenderError("the map has no stages to draw", field="stages")
    department_name = None
    if department is not None:
        department_name = department_of(journey, department)
        journey = department_view(journey, department)
    ctx = make_context(journey, measured, found_in_data=department is None,
                       previous=previous)  # fmt: skip
    lane_ids = choose_lanes(
        ctx, lanes, DEPARTMENT_LANES if department else DEFAULT_LANES
    )
    grid = make_grid(len(journey.stages), width)
    title_items, top = title_bar(
        ctx,
        grid,
        MARGIN,
        persona=persona,
        data_as_of=data_as_of,
        department=department_name,
        logo=logo,
    )
    persona_items, top = persona_panel(ctx, grid, top, persona=persona)
    title_items.extend(persona_items)
    header_items, top = stage_headers(
        journey, grid, top + 12, first_number=first_stage_number
    )
    placed = place_lanes(ctx, grid, lane_ids, top + 6)
    bottom = placed[-1].y + placed[-1].height if placed else top
    footer, bottom = footer_items(ctx, grid, bottom + 12)
    items = [*title_items, *header_items, *backgrounds(grid, placed, top + 6)]
    for lane in placed:
        items.extend(lane_items(ctx, grid, lane))
    items.extend(blueprint_labels(grid, placed))
    items.extend(footer)
    return Diagram(
        width=grid.right + MARGIN,
        height=bottom + MARGIN,
        title=f"Journey map: {journey.name}",
        description=describe(journey, [lane.label for lane in placed], measured),
        columns=tuple(
            Column(s.id, s.name, grid.column_x(i), grid.column_width)
            for i, s in enumerate(journey.stages)
        ),
        lanes=tuple(placed),
        items=tuple(items),
    )


def department_view(journey: JourneyMap, department: str) -> JourneyMap:
    """Only what ``department`` owns: its touchpoints, pain points and opportunities
    (business actions and KPIs name no owner, so they are left out)."""
    owned = journey.for_department(department)
    stages = tuple(s.model_copy(update={"business_actions": (), "kpis": ()})
                   for s in owned.stages)  # fmt: skip
    return owned.model_copy(update={"stages": stages})


def department_of(journey: JourneyMap, department: str) -> str:
    """The name of a department of the map; an unknown id lists the known ones."""
    for found in journey.departments:
        if found.id == department:
            return found.name
    known = ", ".join(d.id for d in journey.departments) or "none"
    raise RenderError(f"unknown department {department!r}; known: {known}")


def choose_lanes(
    ctx: Context,
    requested: Sequence[str] | None,
    default: Sequence[str] = DEFAULT_LANES,
) -> list[str]:
    """The lanes to draw: those requested, or every default lane with content."""
    if requested is not None:
        unknown = [lane for lane in requested if lane not in LANES]
        if unknown:
            raise RenderError(
                f"unknown lane {unknown[0]!r}; known lanes: {', '.join(DEFAULT_LANES)}"
            )
        return list(dict.fromkeys(requested))
    return [lane for lane in default if lane_has_content(ctx, lane)]


def lane_has_content(ctx: Context, lane: str) -> bool:
    """Whether any stage has something to show in ``lane``."""
    if lane == "measured":
        return True  # says "not measured" before measuring: a reminder, not noise
    if lane == "flow":
        return ctx.measured is not None and len(ctx.journey.stages) > 1
    if lane == "emotion":
        return any(
            stage_emotion(ctx, s).assumed is not None for s in ctx.journey.stages
        ) or (
            any(stage_emotion(ctx, s).measured is not None for s in ctx.journey.stages)
        )
    cell = LANES[lane].cell
    assert cell is not None
    return any(cell(ctx, stage, 0, 0, MIN_COLUMN)[0] for stage in ctx.journey.stages)


# -- lanes -----------------------------------------------------------------------------


def place_lanes(
    ctx: Context, grid: Grid, lane_ids: list[str], top: float
) -> list[Lane]:
    """Give every lane its y and a height that fits its tallest cell and its label."""
    placed: list[Lane] = []
    for lane_id in lane_ids:
        height = max(lane_content_height(ctx, grid, lane_id), label_height(lane_id))
        placed.append(Lane(lane_id, LANES[lane_id].label, top, height))
        top += height
    return placed


def lane_content_height(ctx: Context, grid: Grid, lane_id: str) -> float:
    if lane_id == "emotion":
        return BAND_HEIGHT + values_height(bool(emotion_points(ctx, grid)[2]))
    if lane_id == "flow":
        return FLOW_HEIGHT
    cell = LANES[lane_id].cell
    if lane_id == "measured" and ctx.measured is None:
        return max(note_height(grid), MIN_LANE)
    if cell is None:
        return MIN_LANE
    inner = grid.column_width - 2 * CELL_PAD
    tallest = max(cell(ctx, stage, 0, 0, inner)[1] for stage in ctx.journey.stages)
    return max(tallest + 2 * CELL_PAD, MIN_LANE)


def label_height(lane_id: str) -> float:
    texts = lane_label_texts(lane_id)
    return sum(t.leading * len(t.lines) + 2 for t in texts) + 2 * CELL_PAD + 4


def lane_label_texts(lane_id: str) -> list[Text]:
    kind = LANES[lane_id]
    width = LABEL_WIDTH - 2 * CELL_PAD - 8
    label = fit_text(kind.label, width, LANE_LABEL, max_lines=3)
    texts = [Text(0, 0, label.lines, "text.lane-label", size=LANE_LABEL.size, weight="bold",
                  title=label.title)]  # fmt: skip
    if kind.hint:
        hint = fit_text(kind.hint, width, LANE_HINT, max_lines=2)
        texts.append(Text(0, 0, hint.lines, "text.lane-hint", size=LANE_HINT.size,
                          title=hint.title))  # fmt: skip
    return texts


def backgrounds(grid: Grid, lanes: list[Lane], top: float) -> list[Item]:
    """Alternating column tints, lane separators and the frame of the body."""
    if not lanes:
        return []
    bottom = lanes[-1].y + lanes[-1].height
    items: list[Item] = [
        Box(grid.column_x(i), top, grid.column_width, bottom - top,
            "column-even" if i % 2 == 0 else "column-odd")
        for i in range(grid.count)
    ]  # fmt: skip
    for i in range(1, grid.count):
        x = grid.column_x(i)
        items.append(Line(x, top, x, bottom, "column-separator"))
    for lane, below in zip(lanes, lanes[1:], strict=False):
        y = lane.y + lane.height
        items.append(
            Line(grid.left, y, grid.right, y, separator_style(lane.id, below.id))
        )
    items.append(
        Box(grid.left, top, grid.right - grid.left, bottom - top, "body-frame")
    )
    return items


BLUEPRINT_LINES = {
    "line-of-interaction": "line of interaction",
    "line-of-visibility": "line of visibility",
    "line-of-internal-interaction": "line of internal interaction",
}


def separator_style(above: str, below: str) -> str:
    """Blueprint lines get their own style: interaction (customer actions /
    touchpoints), visibility (above backstage) and internal interaction (backstage /
    support)."""
    if above == "actions" and below == "touchpoints":
        return "line-of-interaction"
    if below == "backstage" or (below == "support" and above != "backstage"):
        return "line-of-visibility"
    if above == "backstage" and below == "support":
        return "line-of-internal-interaction"
    return "lane-separator"


def blueprint_labels(grid: Grid, lanes: list[Lane]) -> list[Item]:
    """The name of each blueprint line, small, where it leaves the label column."""
    items: list[Item] = []
    font = Font(10.0)
    for lane, below in zip(lanes, lanes[1:], strict=False):
        style = separator_style(lane.id, below.id)
        if style not in BLUEPRINT_LINES:
            continue
        name = BLUEPRINT_LINES[style]
        y = lane.y + lane.height
        width = text_width(name, font) + 10
        frame = Box(grid.columns_left - width - 4, y - 7.5, width, 15, "blueprint-label",
                    radius=7.5)  # fmt: skip
        text = Text(frame.x + width / 2, y + 3.6, (name,), "text.blueprint", size=10.0,
                    anchor="middle")  # fmt: skip
        items.append(Group(style, (text,), frame=frame, title=name))
    return items


def lane_items(ctx: Context, grid: Grid, lane: Lane) -> list[Item]:
    """The label cell and the content of one lane."""
    items: list[Item] = [lane_label(ctx, lane, grid)]
    if lane.id == "emotion":
        items.extend(emotion_lane(ctx, grid, lane))
    elif lane.id == "flow":
        items.extend(flow_items(ctx, grid, lane.y))
    elif lane.id == "measured" and ctx.measured is None:
        items.append(not_measured_note(grid, lane))
    else:
        cell = LANES[lane.id].cell
        assert cell is not None
        inner = grid.column_width - 2 * CELL_PAD
        for i, stage in enumerate(ctx.journey.stages):
            x = grid.column_x(i) + CELL_PAD
            items.extend(cell(ctx, stage, x, lane.y + CELL_PAD, inner)[0])
    return [Group(f"lane-{lane.id}", tuple(items), title=lane.label)]


def lane_is_measured(ctx: Context) -> bool:
    return any(stage_emotion(ctx, s).measured is not None for s in ctx.journey.stages)


def lane_label(ctx: Context, lane: Lane, grid: Grid) -> Group:
    frame = Box(grid.left, lane.y, LABEL_WIDTH, lane.height, "lane-label")
    stripe = Box(grid.left, lane.y, 4, lane.height, f"lane-accent.{lane.id}")
    texts = stack_texts(
        lane_label_texts(lane.id), grid.left + CELL_PAD + 6, lane.y + CELL_PAD
    )
    items: list[Item] = [stripe, *texts]
    if lane.id == "emotion":
        items.extend(emotion_axis(lane, grid))
        items.extend(legend_items(grid.left + CELL_PAD + 6, lane.y + BAND_HEIGHT - 4,
                                  measured=lane_is_measured(ctx),
                                  previous=ctx.previous is not None))  # fmt: skip
    return Group(f"lane-label-{lane.id}", tuple(items), frame=frame, title=lane.label)


def emotion_axis(lane: Lane, grid: Grid) -> list[Item]:
    band = Band(lane.y)
    x = grid.columns_left - 8
    ticks = (
        (1.0, "+1 delighted"),
        (0.0, "0 neutral"),
        (-1.0, "−1 frustrated"),
    )
    return [
        Text(x, band.y_of(value) + 4, (label,), "text.axis", size=10.5, anchor="end")
        for value, label in ticks
    ]


def emotion_lane(ctx: Context, grid: Grid, lane: Lane) -> list[Item]:
    points, measured, lows = emotion_points(ctx, grid)
    items = emotion_items(points, Band(lane.y), left=grid.columns_left,
                          right=grid.right, measured=measured,
                          previous=previous_points(ctx, grid))  # fmt: skip
    items.extend(value_cells(points, lane.y + BAND_HEIGHT + 2, grid.column_width, lows))
    return items


def previous_points(ctx: Context, grid: Grid) -> list[tuple[float, float]]:
    """(x, value) of each stage measured in the earlier period, at the column centre."""
    if ctx.previous is None:
        return []
    found = []
    for i, stage in enumerate(ctx.journey.stages):
        emotion = ctx.previous.stage_emotion.get(stage.id)
        if emotion is not None and emotion.measured is not None:
            found.append((grid.column_x(i) + grid.column_width / 2, emotion.measured))
    return found


def emotion_points(
    ctx: Context, grid: Grid
) -> tuple[list[EmotionPoint], list[MeasuredPoint], dict[str, MeasuredPoint]]:
    """Per stage its assumed and measured emotion; the measured curve's points (one
    per measured touchpoint, else one for the stage); the lowest touchpoint of each
    stage measured at two or more touchpoints."""
    points: list[EmotionPoint] = []
    measured: list[MeasuredPoint] = []
    lows: dict[str, MeasuredPoint] = {}
    for i, stage in enumerate(ctx.journey.stages):
        emotion = stage_emotion(ctx, stage)
        left, width = grid.column_x(i), grid.column_width
        centre = left + width / 2
        points.append(EmotionPoint(stage.id, centre, emotion.assumed, emotion.measured,
                                   emotion.n, emotion.ci_low, emotion.ci_high))  # fmt: skip
        found = [
            (tp, figures.emotion)
            for tp in stage.touchpoints
            if (figures := ctx.touchpoints.get(tp.id)) is not None
            and figures.emotion.measured is not None
        ]
        xs = spread(
            left,
            width,
            len(found),
            avoid=centre if emotion.assumed is not None else None,
        )
        stage_points = [
            MeasuredPoint(tp.id, tp.name, x, e.measured, e.n, e.ci_low, e.ci_high)
            for (tp, e), x in zip(found, xs, strict=True)
            if e.measured is not None
        ]
        if not stage_points and emotion.measured is not None:
            x = xs_single(left, width, centre if emotion.assumed is not None else None)
            stage_points = [MeasuredPoint(stage.id, stage.name, x, emotion.measured,
                                          emotion.n, emotion.ci_low, emotion.ci_high)]  # fmt: skip
        if len(stage_points) > 1:
            lows[stage.id] = min(stage_points, key=lambda m: (m.value, m.x))
        measured.extend(stage_points)
    return points, measured, lows


def spread(
    left: float, width: float, count: int, *, avoid: float | None
) -> list[float]:
    """``count`` x positions evenly across a column, kept clear of the assumed face
    at ``avoid``."""
    if count == 1:
        return [xs_single(left, width, avoid)]
    inner = width * 0.76
    xs = [left + width * 0.12 + inner * k / max(count - 1, 1) for k in range(count)]
    if avoid is not None:
        xs = [x if abs(x - avoid) >= CLEAR else avoid + (CLEAR if x >= avoid else -CLEAR)
              for x in xs]  # fmt: skip
    return xs


CLEAR = 22.0  # measured faces keep this far from the assumed face's centre


def xs_single(left: float, width: float, avoid: float | None) -> float:
    centre = left + width / 2
    return centre if avoid is None else centre + CLEAR + 8


NOT_MEASURED = "Not measured — measure the map against event data to fill this lane."
NOTE = Font(12.5)


def note_text(grid: Grid, top: float) -> Text:
    """The "not measured" note, wrapped to the width of all stage columns."""
    width = grid.right - grid.columns_left - 2 * CELL_PAD - 24
    fitted = fit_text(NOT_MEASURED, width, NOTE, max_lines=4)
    x = grid.columns_left + CELL_PAD + 12
    return Text(x, top + ASCENT * NOTE.size, fitted.lines, "text.note", size=NOTE.size,
                italic=True, title=fitted.title)  # fmt: skip


def note_height(grid: Grid) -> float:
    text = note_text(grid, 0)
    return (len(text.lines) - 1) * text.leading + NOTE.size + 2 * 12 + 2 * CELL_PAD


def not_measured_note(grid: Grid, lane: Lane) -> Group:
    left = grid.columns_left + CELL_PAD
    frame = Box(left, lane.y + CELL_PAD, grid.right - CELL_PAD - left,
                lane.height - 2 * CELL_PAD, "card.note", radius=6.0)  # fmt: skip
    text = note_text(
        grid, frame.y + (frame.height - note_height(grid)) / 2 + CELL_PAD + 12
    )
    return Group("not-measured", (text,), frame=frame, title="Not measured")


def layout_to_fit(
    journey: JourneyMap,
    measured: MeasuredMap | None = None,
    *,
    aspect: float,
    **options: Any,
) -> Diagram:
    """The narrowest layout no taller than ``aspect`` × its width (a landscape page:
    ``aspect=297/420`` for A3), found by widening the stage columns, whose cards then
    sit side by side. The widest tried layout when none is that flat.

    Examples
    --------
    >>> from journeymap.model import JourneyMap, Stage
    >>> journey = JourneyMap(name="Flat", stages=[Stage(id="a", name="A", emotion=0.1)])
    >>> diagram = layout_to_fit(journey, aspect=1.0)
    >>> diagram.height <= diagram.width
    True
    """
    fixed = 2 * MARGIN + LABEL_WIDTH
    diagram = layout_map(journey, measured, **options)
    for column in range(int(DEFAULT_COLUMN), int(MAX_FIT_COLUMN) + 1, 50):
        if diagram.height <= aspect * diagram.width:
            break
        width = fixed + column * len(journey.stages)
        diagram = layout_map(journey, measured, width=width, **options)
    return diagram


MAX_FIT_COLUMN = 1200.0
