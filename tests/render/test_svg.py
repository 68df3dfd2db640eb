"""SVG output: valid XML, accessible, escaped, deterministic, legible, snapshotted."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample import grocery_map, grocery_measured

from journeymap.errors import RenderError
from journeymap.layout import Box, Diagram, Text, layout_map
from journeymap.model import JourneyMap, Kpi, Opportunity, PainPoint, Stage, Touchpoint
from journeymap.render import DEFAULT, Theme, get_theme, render_svg, save_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
SNAPSHOTS = Path(__file__).parent / "snapshots"
EVIL = '<script>alert("x")</script> & <b>bold</b> \x01'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def all_text(root: ET.Element) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter(f"{{{NS['svg']}}}text"))


def measured_svg() -> str:
    journey = grocery_map()
    diagram = layout_map(
        journey,
        grocery_measured(journey),
        persona="busy-parent",
        data_as_of="2026-11-01",
    )
    return render_svg(diagram)


def test_svg_parses_with_a_column_per_stage_and_a_label_per_lane() -> None:
    journey = grocery_map()
    diagram = layout_map(journey, grocery_measured(journey))
    root = parse(render_svg(diagram))
    ids = [el.get("id") or "" for el in root.iter()]
    stages = [i for i in ids if i.startswith("jm-stage-") and i != "jm-stages-axis"]
    assert stages == [f"jm-stage-{s}" for s in journey.stage_ids()]
    labels = [i for i in ids if i.startswith("jm-lane-label-")]
    assert labels == [f"jm-lane-label-{lane.id}" for lane in diagram.lanes]
    text = all_text(root)
    for lane in diagram.lanes:
        assert lane.label in text
    assert len(ids) - ids.count("") == len(set(ids) - {""}), (
        "element ids must be unique"
    )


def test_svg_is_accessible_and_self_contained() -> None:
    svg = measured_svg()
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find("svg:title", NS) is not None
    desc = root.find("svg:desc", NS)
    assert desc is not None and "5 stages" in (desc.text or "")
    assert root.get("aria-labelledby") == "jm-svg-title jm-svg-desc"
    assert "<path" in svg and "<text" in svg  # text stays text, not outlines
    for forbidden in ("<image", "href", "@import", "url(", "@font-face", "<script"):
        assert forbidden not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_user_text_is_escaped_and_inert() -> None:
    journey = JourneyMap(
        name=EVIL,
        stages=(
            Stage(
                id="s",
                name=EVIL,
                goal=EVIL,
                actions=(EVIL,),
                thoughts=(EVIL,),
                emotion=0.3,
                touchpoints=(Touchpoint(id="t", name=EVIL, channel=EVIL),),
                pain_points=(PainPoint(id="p", text=EVIL),),
                opportunities=(Opportunity(id="o", text=EVIL, owner=EVIL),),
                kpis=(Kpi(id="k", metric="nps", name=EVIL),),
            ),
        ),
    )
    svg = render_svg(layout_map(journey, persona=EVIL, data_as_of=EVIL))
    root = parse(svg)  # well-formed despite <, &, quotes and a control character
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert "script" not in tags and "b" not in tags
    assert "<script>" not in svg
    assert '<script>alert("x")</script>' in all_text(root)


def test_same_input_gives_identical_bytes() -> None:
    assert measured_svg() == measured_svg()
    journey = grocery_map()
    first = render_svg(layout_map(journey))
    second = render_svg(layout_map(JourneyMap.model_validate(journey.model_dump())))
    assert first == second


def test_ids_come_from_the_map_not_from_counters() -> None:
    root = parse(measured_svg())
    ids = {el.get("id") for el in root.iter()}
    for expected in ("jm-touchpoint-checkout", "jm-pain-hidden-fee",
                     "jm-opportunity-fee-upfront", "jm-kpi-reach", "jm-figures-delivery",
                     "jm-emotion-assumed", "jm-emotion-measured"):  # fmt: skip
        assert expected in ids


def test_measured_and_assumed_are_both_drawn_with_a_legend() -> None:
    root = parse(measured_svg())
    text = all_text(root)
    assert "assumed" in text and "measured (95% CI)" in text
    assert "Measured −0.38 · n=901" in text and "Assumed −0.50" in text
    for words in ("✓ SUPPORTED", "✗ NOT SUPPORTED", "? INSUFFICIENT DATA",
                  "✓ MET", "✗ MISSED", "58.0% vs target ≥ 60.0%", "2.3 h",
                  "n = 12,480 customers", "Persona: Busy parent", "Data as of 2026-11-01",
                  "Customers reached"):  # fmt: skip
        assert words in text, words
    # data-quality notes belong in the report, not on the map (issue 12)
    assert "Unmatched events" not in text


def test_an_unmeasured_map_says_so() -> None:
    root = parse(render_svg(layout_map(grocery_map())))
    text = all_text(root)
    assert "Not measured" in text
    assert "NOT MEASURED" in text  # KPI cards
    ids = {el.get("id") for el in root.iter()}
    assert "jm-emotion-measured" not in ids and "jm-emotion-assumed" in ids
    assert "Unmatched events" not in text


def test_shortened_text_carries_the_full_text_as_a_tooltip() -> None:
    name = (
        "A stage name that is far too long to fit in two lines of a stage header " * 3
    )
    journey = JourneyMap(name="T", stages=(Stage(id="s", name=name.strip()),))
    root = parse(render_svg(layout_map(journey)))
    shortened = [
        el
        for el in root.iter(f"{{{NS['svg']}}}text")
        if el.find("svg:title", NS) is not None
    ]
    assert shortened
    title = shortened[0].find("svg:title", NS)
    assert title is not None and title.text == name.strip()
    assert "".join(shortened[0].itertext()).endswith("…")


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def background_of(text: Text, painted: list[Box], theme: Theme) -> str:
    """Fill of the topmost box painted before ``text`` under its first glyphs."""
    x = text.x + {"start": 2, "middle": 0, "end": -2}[text.anchor]
    y = text.y - text.size * 0.35
    for box in reversed(painted):
        fill = theme.paint(box.style).fill
        if fill and box.x <= x <= box.right and box.y <= y <= box.bottom:
            return fill
    return theme.background


@pytest.mark.parametrize("theme_name", ["default", "colourblind", "dark"])
@pytest.mark.parametrize("measured", [False, True])
def test_text_contrast_is_at_least_4_5(measured: bool, theme_name: str) -> None:
    theme = get_theme(theme_name)
    journey = grocery_map()
    diagram: Diagram = layout_map(
        journey, grocery_measured(journey) if measured else None
    )
    painted: list[Box] = []
    low = []
    for item in diagram.walk():
        if isinstance(item, Box):
            painted.append(item)
        elif isinstance(item, Text):
            colour = theme.paint(item.style).fill
            assert colour is not None
            ratio = contrast(colour, background_of(item, painted, theme))
            if ratio < 4.5:
                low.append((item.style, item.lines[0], round(ratio, 2)))
    assert low == []


def test_theme_lookup_falls_back_and_rejects_unknown_styles() -> None:
    assert DEFAULT.paint("text.pain-high") == DEFAULT.paint("text")
    assert DEFAULT.paint("chip.severity-high").fill == "#dc2626"
    with pytest.raises(RenderError, match="no paint for style 'sparkles'"):
        DEFAULT.paint("sparkles")
    assert get_theme("default") is DEFAULT
    with pytest.raises(RenderError, match="known themes: colourblind, dark, default"):
        get_theme("neon")


def test_save_svg_writes_utf8_and_reports_bad_paths(tmp_path: Path) -> None:
    diagram = layout_map(grocery_map())
    target = save_svg(diagram, tmp_path / "map.svg")
    assert target.read_text(encoding="utf-8") == render_svg(diagram)
    with pytest.raises(RenderError, match="cannot write SVG"):
        save_svg(diagram, tmp_path / "missing-dir" / "map.svg")


def test_svg_matches_the_snapshot() -> None:
    """Set JM_UPDATE_SNAPSHOTS=1 to rewrite the snapshot, then review the diff."""
    path = SNAPSHOTS / "test_svg" / "grocery_measured" / "out.svg"
    svg = measured_svg()
    if os.environ.get("JM_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    assert path.exists(), "no snapshot yet: run with JM_UPDATE_SNAPSHOTS=1"
    assert svg == path.read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1
    )
)
def test_any_user_text_gives_well_formed_svg(text: str) -> None:
    journey = JourneyMap(
        name=text,
        stages=(Stage(id="s", name=text, goal=text, actions=(text,), emotion=0.1),),
    )
    root = parse(render_svg(layout_map(journey, persona=text)))
    title = root.find("svg:title", NS)
    assert title is not None and (title.text or "").startswith("Journey map:")
    assert not [
        el for el in root.iter() if el.tag.split("}")[-1] in ("script", "foreignObject")
    ]
