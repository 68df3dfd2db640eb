"""Swim-lane geometry: columns, lanes, heights from content, text inside its box."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.errors import RenderError
from journeymap.layout import (
    DEFAULT_LANES,
    Circle,
    Diagram,
    Group,
    Line,
    Path,
    Text,
    layout_map,
)
from journeymap.layout.emotion import BAND_PAD, FACE_R, Band
from journeymap.layout.swimlane import MIN_COLUMN
from journeymap.model import JourneyMap, PainPoint, Stage

LONG = (
    "Compares delivery fees, minimum basket sizes and substitution policies of three "
    "competitors before deciding whether the first order is worth the effort at all"
)


def tiny_map(**stage_fields: object) -> JourneyMap:
    fields: dict[str, object] = {"actions": ("Searches",), **stage_fields}
    first = Stage(id="find", name="Find", emotion=0.5, **fields)  # type: ignore[arg-type]
    second = Stage(id="buy", name="Buy", emotion=-1.0, actions=("Pays",))
    return JourneyMap(name="Tiny", stages=(first, second))


def texts_outside_frames(diagram: Diagram) -> list[tuple[str | None, tuple[str, ...]]]:
    """Texts of framed groups whose estimated extent leaves the frame."""
    bad = []
    for group in diagram.groups():
        if group.frame is None:
            continue
        for item in group.items:
            if isinstance(item, Text) and not group.frame.contains(*item.extent()):
                bad.append((group.id, item.lines))
    return bad


def test_grocery_map_has_a_column_per_stage_and_the_default_lane_order(
    sample: ModuleType,
) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    assert [c.stage_id for c in diagram.columns] == journey.stage_ids()
    assert len({c.width for c in diagram.columns}) == 1
    assert diagram.columns[0].width >= MIN_COLUMN
    lane_ids = [lane.id for lane in diagram.lanes]
    assert lane_ids == [lane for lane in DEFAULT_LANES if lane in lane_ids]
    assert {"actions", "touchpoints", "thoughts", "emotion", "pain_points",
            "opportunities", "measured", "kpis"} <= set(lane_ids)  # fmt: skip


def test_lanes_are_stacked_without_gaps_or_overlaps(sample: ModuleType) -> None:
    diagram = layout_map(sample.grocery_map())
    for upper, lower in zip(diagram.lanes, diagram.lanes[1:], strict=False):
        assert lower.y == pytest.approx(upper.y + upper.height)


@pytest.mark.parametrize("measured", [False, True])
def test_every_text_stays_inside_its_box(sample: ModuleType, measured: bool) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(
        journey, sample.grocery_measured(journey) if measured else None
    )
    assert texts_outside_frames(diagram) == []


def test_long_text_wraps_and_still_fits() -> None:
    journey = tiny_map(
        goal=LONG,
        thoughts=(LONG,),
        pain_points=(PainPoint(id="p", text=LONG, severity="critical"),),
    )
    diagram = layout_map(journey)
    assert texts_outside_frames(diagram) == []
    wrapped = [
        t for t in diagram.walk() if isinstance(t, Text) and "Compares" in t.lines[0]
    ]
    assert wrapped and all(len(t.lines) >= 2 for t in wrapped)


def test_text_too_long_for_a_card_ends_with_an_ellipsis_and_a_tooltip() -> None:
    diagram = layout_map(tiny_map(thoughts=(LONG * 4,)))
    shortened = [t for t in diagram.walk() if isinstance(t, Text) and t.title]
    assert shortened
    assert shortened[0].lines[-1].endswith("…")
    assert LONG * 4 in shortened[0].title


def test_lane_height_grows_with_its_content() -> None:
    short = layout_map(tiny_map())
    tall = layout_map(tiny_map(actions=(LONG, LONG)))
    height = {lane.id: lane.height for lane in short.lanes}
    assert (
        next(lane for lane in tall.lanes if lane.id == "actions").height
        > height["actions"]
    )


def test_cards_stay_inside_their_lane_and_column(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    diagram = layout_map(journey, sample.grocery_measured(journey))
    lanes = {f"lane-{lane.id}": lane for lane in diagram.lanes}
    for lane_group in (
        g for g in diagram.items if isinstance(g, Group) and g.id in lanes
    ):
        lane = lanes[lane_group.id or ""]
        for card in (i for i in lane_group.items if isinstance(i, Group) and i.frame):
            assert card.frame is not None
            assert lane.y <= card.frame.y and card.frame.bottom <= lane.y + lane.height
            assert any(
                c.x <= card.frame.x and card.frame.right <= c.x + c.width
                for c in diagram.columns
            ) or card.id in ("lane-label-" + lane.id, "not-measured")


def test_empty_lanes_are_left_out_unless_requested() -> None:
    journey = tiny_map()
    default = [lane.id for lane in layout_map(journey).lanes]
    assert default == ["actions", "emotion", "measured"]
    requested = layout_map(journey, lanes=["kpis", "actions", "thoughts"])
    assert [lane.id for lane in requested.lanes] == ["kpis", "actions", "thoughts"]


def test_unknown_lane_and_empty_map_are_one_line_errors() -> None:
    with pytest.raises(
        RenderError, match="unknown lane 'feelings'; known lanes: flow, actions"
    ):
        layout_map(tiny_map(), lanes=["feelings"])
    with pytest.raises(RenderError, match="no stages"):
        layout_map(JourneyMap(name="Empty"))


def test_width_is_shared_by_columns_but_never_below_the_minimum() -> None:
    wide = layout_map(tiny_map(), width=1600)
    assert wide.width == pytest.approx(1600)
    assert wide.columns[0].width == wide.columns[1].width > 600
    narrow = layout_map(tiny_map(), width=300)
    assert narrow.columns[0].width == MIN_COLUMN
    assert narrow.width > 300


def test_emotion_values_map_onto_the_band() -> None:
    band = Band(top=100, height=200)
    assert band.y_of(1) == 100 + BAND_PAD
    assert band.y_of(0) == 200
    assert band.y_of(-1) == 300 - BAND_PAD
    assert band.y_of(0.5) == pytest.approx(200 - 0.5 * (100 - BAND_PAD))
    assert band.y_of(7) == band.y_of(1)


def test_assumed_faces_sit_on_the_emotion_curve() -> None:
    diagram = layout_map(tiny_map())
    lane = next(lane for lane in diagram.lanes if lane.id == "emotion")
    band = Band(lane.y)
    faces = [i for i in diagram.walk() if isinstance(i, Circle) and i.r == FACE_R]
    assert [f.cy for f in faces] == [band.y_of(0.5), band.y_of(-1.0)]
    assert [f.cx for f in faces] == [c.x + c.width / 2 for c in diagram.columns]
    curve = next(
        i for i in diagram.walk() if isinstance(i, Path) and i.id == "emotion-assumed"
    )
    assert curve.commands[0] == ("M", (faces[0].cx, faces[0].cy))
    assert curve.commands[-1][1][-2:] == (faces[1].cx, faces[1].cy)


def test_measured_curve_runs_through_each_measured_touchpoint(
    sample: ModuleType,
) -> None:
    journey = sample.grocery_map()
    measured = sample.grocery_measured(journey)
    diagram = layout_map(journey, measured)
    paths = {i.id: i for i in diagram.walk() if isinstance(i, Path) and i.id}
    assert {"emotion-assumed", "emotion-measured"} <= set(paths)
    lane = next(lane for lane in diagram.lanes if lane.id == "emotion")
    band = Band(lane.y)
    by_tp = {t.touchpoint_id: t.emotion for t in measured.touchpoints}
    expected = []
    for stage in journey.stages:  # a touchpoint's own value where it has one
        found = [by_tp[tp.id].measured for tp in stage.touchpoints
                 if tp.id in by_tp and by_tp[tp.id].measured is not None]  # fmt: skip
        whole = measured.stage_emotion[stage.id].measured
        expected += found or ([whole] if whole is not None else [])
    faces = [i for i in diagram.walk()
             if isinstance(i, Circle) and i.style.startswith("face-measured")]  # fmt: skip
    assert [f.cy for f in faces] == pytest.approx([band.y_of(v) for v in expected])
    curve = paths["emotion-measured"]
    assert len(curve.commands) == len(expected)
    assert "emotion-ci-band" in paths
    labels = {line for t in diagram.walk() if isinstance(t, Text) for line in t.lines}
    assert "Measured +0.31 · n=412" in labels and "measured (95% CI)" in labels


def test_layout_is_deterministic(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    assert layout_map(journey, sample.grocery_measured()) == layout_map(
        sample.grocery_map(), sample.grocery_measured()
    )


def test_backstage_lane_holds_business_actions_and_backstage_touchpoints(
    sample: ModuleType,
) -> None:
    diagram = layout_map(sample.grocery_map())
    lane = next(
        g for g in diagram.items if isinstance(g, Group) and g.id == "lane-backstage"
    )
    ids = [i.id for i in lane.items if isinstance(i, Group)]
    assert ids == [
        "lane-label-backstage",
        "business-purchase-1",
        "touchpoint-payment",
        "touchpoint-picking",
    ]


_WORDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=120,
)


@st.composite
def journeys(draw: st.DrawFn) -> JourneyMap:
    count = draw(st.integers(min_value=1, max_value=6))
    stages = tuple(
        Stage(
            id=f"s{i}",
            name=draw(_WORDS),
            goal=draw(st.none() | _WORDS),
            actions=tuple(draw(st.lists(_WORDS, max_size=3))),
            thoughts=tuple(draw(st.lists(_WORDS, max_size=2))),
            emotion=draw(st.none() | st.floats(min_value=-1, max_value=1)),
            pain_points=tuple(
                PainPoint(id=f"p{i}-{j}", text=text)
                for j, text in enumerate(draw(st.lists(_WORDS, max_size=2)))
            ),
        )
        for i in range(count)
    )
    return JourneyMap(name=draw(_WORDS), stages=stages)


@settings(max_examples=40, deadline=None)
@given(journeys(), st.none() | st.floats(min_value=200, max_value=3000))
def test_any_map_lays_out_with_every_text_inside_its_box(
    journey: JourneyMap, width: float | None
) -> None:
    diagram = layout_map(journey, width=width)
    assert texts_outside_frames(diagram) == []
    assert len(diagram.columns) == len(journey.stages)
    assert all(c.width >= MIN_COLUMN for c in diagram.columns)


def test_stages_without_events_say_so_once_measured(sample: ModuleType) -> None:
    journey = sample.grocery_map()
    measured = sample.grocery_measured(journey)
    partial = type(measured)(journey=journey, stages=measured.stages[:2])
    diagram = layout_map(journey, partial)
    notes = [
        t for t in diagram.walk() if isinstance(t, Text) and t.style == "text.note"
    ]
    assert [t.lines for t in notes] == [("No events matched this stage",)] * 3


def test_the_line_of_visibility_separates_front_and_backstage(
    sample: ModuleType,
) -> None:
    diagram = layout_map(sample.grocery_map())
    styles = {i.style for i in diagram.walk() if isinstance(i, Line)}
    assert {"line-of-visibility", "line-of-interaction"} <= styles


def test_cards_are_named_by_everything_they_say(sample: ModuleType) -> None:
    diagram = layout_map(sample.grocery_map())
    card = next(g for g in diagram.groups() if g.id == "touchpoint-checkout")
    assert card.title == "Checkout · WEB · ★ MOMENT OF TRUTH · Online"
