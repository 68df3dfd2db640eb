"""Current and future state side by side, in every drawing format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import journeymap as jm
from journeymap.layout import Text, layout_map
from journeymap.layout.compare import GAP, HEADER, side_by_side


def test_two_maps_sit_side_by_side_each_under_its_label(sample: ModuleType) -> None:
    current = sample.grocery_map()
    future = current.model_copy(update={"state": "future", "name": "Grocery, redesigned",
                                        "stages": current.stages[:3]})  # fmt: skip
    left = layout_map(current, sample.grocery_measured(current))
    right = layout_map(future)
    both = side_by_side(left, right, ("Current state", "Future state"))
    assert both.width == left.width + GAP + right.width
    assert both.height == HEADER + max(left.height, right.height)
    assert len(both.columns) == 8 and both.columns[5].x == pytest.approx(
        right.columns[0].x + left.width + GAP
    )
    labels = [
        t
        for t in both.walk()
        if isinstance(t, Text) and t.style == "text.compare-label"
    ]
    assert [t.lines[0] for t in labels] == ["Current state", "Future state"]
    # every item of the right map moved by the same offset
    moved = [
        t
        for t in both.walk()
        if isinstance(t, Text) and "Grocery, redesigned" in t.lines
    ]
    original = next(
        t
        for t in right.walk()
        if isinstance(t, Text) and "Grocery, redesigned" in t.lines
    )
    assert moved[0].x == pytest.approx(original.x + left.width + GAP)
    assert moved[0].y == pytest.approx(original.y + HEADER)


def test_save_compares_in_drawings_only(sample: ModuleType, tmp_path: Path) -> None:
    current = sample.grocery_measured()
    future = current.journey.model_copy(update={"state": "future", "name": "Tomorrow"})
    svg = jm.save(future, tmp_path / "both.svg", compare=current).read_text("utf-8")
    root = ET.fromstring(svg)
    ids = {el.get("id") for el in root.iter()}
    assert {"jm-compare-current", "jm-compare-future"} <= ids
    assert "Current state: Online grocery" in svg and "Future state: Tomorrow" in svg
    assert "n = 12,480 customers" in svg  # the current map is measured
    with pytest.raises(jm.RenderError, match="drawn as svg, png, pdf, html, not csv"):
        jm.save(future, tmp_path / "both.csv", compare=current)


def test_a_landscape_layout_fits_a3(sample: ModuleType) -> None:
    from journeymap.layout.cards import MIN_CARD
    from journeymap.layout.swimlane import layout_to_fit

    journey = sample.grocery_map()
    tall = layout_map(journey, sample.grocery_measured(journey))
    assert tall.height > tall.width
    flat = layout_to_fit(journey, sample.grocery_measured(journey), aspect=297 / 420)
    assert flat.height <= flat.width * 297 / 420
    # wide columns hold cards side by side, none narrower than MIN_CARD
    cards = [g for g in flat.groups() if (g.id or "").startswith("action-")]
    assert len({g.frame.x for g in cards if g.frame}) > len(journey.stages)
    assert all(g.frame.width >= MIN_CARD for g in cards if g.frame)


def test_paper_sizes_print_one_landscape_page(
    sample: ModuleType, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    path = jm.save(sample.grocery_measured(), tmp_path / "a3.pdf", paper="a3")
    pages = pypdf.PdfReader(path).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = pages[0].extract_text().replace(" ", "")  # pypdf drops some spaces
    assert all(s.name.replace(" ", "") in text for s in sample.grocery_map().stages)
