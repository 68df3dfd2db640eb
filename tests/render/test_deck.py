"""The PPTX deck: native editable shapes, charts, notes; opens in LibreOffice Impress."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sample import grocery_map, grocery_measured

import journeymap as jm
from journeymap.model import PainPoint

pptx = pytest.importorskip("pptx")

EVIL = '<script>alert(1)</script> "><img src=x onerror=alert(1)> \x01'


def deck_of(measured: bool, tmp_path: Path) -> tuple[Path, object]:
    journey = grocery_map()
    stage = journey.stages[1]
    evil = PainPoint(id="evil", text=EVIL, severity="low")
    stage = stage.model_copy(update={"pain_points": (*stage.pain_points, evil)})
    journey = journey.model_copy(
        update={"stages": (journey.stages[0], stage, *journey.stages[2:])}
    )
    obj = grocery_measured(journey) if measured else journey
    path = jm.save(obj, tmp_path / "deck.pptx")
    return path, pptx.Presentation(str(path))


def slide_text(slide: object) -> str:
    parts = []
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if getattr(shape, "has_table", False):
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def test_deck_has_the_promised_slides_with_native_shapes(tmp_path: Path) -> None:
    _, deck = deck_of(measured=True, tmp_path=tmp_path)
    slides = list(deck.slides)  # type: ignore[attr-defined]
    # title, personas, overview, blueprint, 5 stages, pain points, opportunities,
    # emotion, funnel
    assert len(slides) == 13
    assert deck.slide_width * 9 == deck.slide_height * 16  # type: ignore[attr-defined]
    titles = [s.shapes.title.text_frame.text for s in slides]
    assert titles[1:4] == [
        "Who this journey is about",
        "The journey at a glance",
        "Service blueprint",
    ]
    assert titles[4:9] == [
        f"Stage {i} · {s.name}" for i, s in enumerate(grocery_map().stages, 1)
    ]
    assert "Pain points" in titles[9] and "value × effort" in titles[10]
    personas = slide_text(slides[1])
    assert "“I do the shopping on the sofa.”" in personas
    assert "41% of customers · converts 38.0%" in personas
    assert "line of visibility" in slide_text(slides[3])
    first_order = slide_text(slides[6])
    assert (
        "Supported by the data" in first_order and "Checkout conversion" in first_order
    )
    assert "✗ MISSED" in first_order
    notes = slides[6].notes_slide.notes_text_frame.text
    # quotes come after the pain points; what does not fit is in the notes
    assert "What customers said" in first_order + notes
    assert "PRIORITY 1 OF 1" in first_order
    assert "Checkout: −0.61 (n=600)" in first_order  # emotion per touchpoint
    charts = [sh for s in slides for sh in s.shapes if sh.has_chart]
    kinds = {c.chart.chart_type for c in charts}
    from pptx.enum.chart import XL_CHART_TYPE

    assert kinds == {XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.BAR_CLUSTERED}
    assert not any(
        sh.shape_type == 13 for s in slides for sh in s.shapes
    )  # no pictures


def test_titles_are_clear_of_every_other_shape(tmp_path: Path) -> None:
    _, deck = deck_of(measured=True, tmp_path=tmp_path)
    for slide in deck.slides:  # type: ignore[attr-defined]
        title = slide.shapes.title
        bottom = title.top + title.height
        for shape in slide.shapes:
            if shape.shape_id == title.shape_id or shape.top >= bottom:
                continue
            assert (
                shape.left >= title.left + title.width
                or shape.top + shape.height <= title.top
            ), f"{shape.name} overlaps the title of {title.text_frame.text!r}"
        assert title.left >= 0 and title.left + title.width <= deck.slide_width  # type: ignore[attr-defined]


def test_user_text_stays_text_and_an_unmeasured_map_has_no_charts(
    tmp_path: Path,
) -> None:
    _, deck = deck_of(measured=False, tmp_path=tmp_path)
    slides = list(deck.slides)  # type: ignore[attr-defined]
    assert len(slides) == 11
    text = "\n".join(slide_text(s) for s in slides)
    assert "<script>alert(1)</script>" in text and "\x01" not in text
    assert not any(sh.has_chart for s in slides for sh in s.shapes)


def test_converts_in_libreoffice_with_a_page_per_slide(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-impress"
        )
    pypdf = pytest.importorskip("pypdf")
    path, _ = deck_of(measured=True, tmp_path=tmp_path)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    reader = pypdf.PdfReader(tmp_path / "deck.pdf")
    assert len(reader.pages) == 13
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "The journey at a glance" in text and "Stage 3 · First order" in text
    assert "<script>alert(1)</script>" in text


def test_persona_and_department_views_reach_the_deck(tmp_path: Path) -> None:
    """A deck of a view says whose view it is on the title slide and every footer, and
    a department's deck keeps only the touchpoints that department owns."""
    from journeymap.errors import RenderError
    from journeymap.model.journey import Department

    base = grocery_map()
    stages = list(base.stages)
    purchase = stages[2]
    owned = tuple(
        tp.model_copy(update={"department": "pay"}) if tp.id == "checkout" else tp
        for tp in purchase.touchpoints
    )
    assert len(owned) > 1  # something else on that stage is left out
    stages[2] = purchase.model_copy(update={"touchpoints": owned})
    journey = base.model_copy(update={
        "departments": (Department(id="pay", name="Payments"),), "stages": tuple(stages)})  # fmt: skip
    persona = journey.personas[0]
    path = jm.save(grocery_measured(journey), tmp_path / "view.pptx",
                   persona=persona.id, department="pay")  # fmt: skip
    slides = list(pptx.Presentation(str(path)).slides)
    assert f"Department: Payments\nPersona: {persona.name}" in slide_text(slides[0])
    footers = [slide_text(s) for s in slides]
    assert all(
        f"· Department: Payments · Persona: {persona.name} ·" in f for f in footers
    )
    stage_slide = next(s for s in slides
                       if s.shapes.title.text_frame.text.endswith(purchase.name))  # fmt: skip
    text = slide_text(stage_slide)
    others = [tp.name for tp in purchase.touchpoints if tp.id != "checkout"]
    assert next(tp.name for tp in owned if tp.id == "checkout") in text
    assert not any(name in text for name in others)
    with pytest.raises(RenderError, match="unknown department 'x'; known: pay"):
        jm.save(journey, tmp_path / "bad.pptx", department="x")
