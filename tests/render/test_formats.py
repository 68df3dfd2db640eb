"""save(): each format's signature and content (text, pages), never its bytes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from sample import grocery_map, grocery_measured

import journeymap as jm
from journeymap.model import PainPoint, Stage
from journeymap.render.tables import measured_tables

EVIL = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'


def evil_map() -> jm.JourneyMap:
    journey = grocery_map()
    first = journey.stages[0]
    pain = PainPoint(id="evil", text=EVIL, severity="high")
    stage = first.model_copy(update={"pain_points": (*first.pain_points, pain)})
    return journey.model_copy(update={"stages": (stage, *journey.stages[1:])})


def pdf_text(path: Path) -> tuple[int, str]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(path)
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_unknown_suffix_is_one_line_listing_the_known(tmp_path: Path) -> None:
    with pytest.raises(
        jm.RenderError, match=r"unknown output format '.docx'; known: .*\.pptx"
    ):
        jm.save(grocery_map(), tmp_path / "map.docx")
    assert jm.output_format("x.anything", format="PDF") == "pdf"


def test_svg_html_json_yaml_carry_the_map(tmp_path: Path) -> None:
    measured = grocery_measured()
    svg = jm.save(measured, tmp_path / "map.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Awareness" in svg
    page = jm.save(evil_map(), tmp_path / "map.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    data = json.loads(
        jm.save(measured, tmp_path / "m.json").read_text(encoding="utf-8")
    )
    assert data["totals"]["customers"] == 12_480
    assert (
        jm.load_map(jm.save(grocery_map(), tmp_path / "m.yaml")).name
        == grocery_map().name
    )


def test_pdf_text_is_selectable_and_user_text_is_inert(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    path = jm.save(evil_map(), tmp_path / "map.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    pages, text = pdf_text(path)
    assert pages == 1
    squeezed = text.replace(" ", "")
    assert "Awareness" in squeezed and "<script>alert(1)</script>" in squeezed


def test_pdf_paginates_by_stage_groups_and_keeps_stage_numbers(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    path = jm.save(
        grocery_measured(), tmp_path / "map.pdf", paper="a3", stages_per_page=2
    )
    pages, text = pdf_text(path)
    assert pages == 3  # 5 stages, 2 per page
    assert "STAGE5" in text.replace(" ", "") and "loyalty" in text
    with pytest.raises(jm.RenderError, match="unknown paper"):
        jm.save(grocery_map(), tmp_path / "x.pdf", paper="letter")


def test_png_is_rendered_from_the_map(tmp_path: Path) -> None:
    pytest.importorskip("pypdfium2")
    pytest.importorskip("weasyprint")
    PIL = pytest.importorskip("PIL.Image")
    path = jm.save(grocery_map(), tmp_path / "map.png", scale=1)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    diagram_svg = jm.render_map_svg(grocery_map())
    width = float(diagram_svg.split('width="')[1].split('"')[0])
    with PIL.open(path) as image:
        assert abs(image.width - width) <= 2
        # not a blank page: the navy stage headers are there
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert (30, 58, 95) in {colour for _, colour in colours}


def test_csv_and_xlsx_hold_the_measured_tables(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    import openpyxl

    measured = grocery_measured()
    rows = list(
        csv.DictReader(io.StringIO(jm.save(measured, tmp_path / "s.csv").read_text()))
    )
    assert [r["stage_id"] for r in rows] == measured.journey.stage_ids()
    assert rows[0]["reached"] == "12480" and rows[0]["conversion_next"] == "0.46"
    book = openpyxl.load_workbook(jm.save(measured, tmp_path / "m.xlsx"))
    assert book.sheetnames == list(measured_tables(measured.journey, measured))
    pains = [
        row[2] for row in book["pain_points"].iter_rows(min_row=2, values_only=True)
    ]
    assert len(pains) == sum(len(s.pain_points) for s in measured.journey.stages)


def test_spreadsheet_cells_never_become_formulas(tmp_path: Path) -> None:
    journey = grocery_map()
    stage = journey.stages[0].model_copy(update={"name": '=HYPERLINK("x")'})
    journey = journey.model_copy(update={"stages": (stage, *journey.stages[1:])})
    text = jm.save(journey, tmp_path / "s.csv").read_text()
    assert "'=HYPERLINK" in text


def test_markdown_and_mermaid_summaries(tmp_path: Path) -> None:
    measured = grocery_measured(evil_map())
    text = jm.save(measured, tmp_path / "s.md").read_text(encoding="utf-8")
    assert text.startswith("# Online grocery") and "| 1 | Awareness | 12,480 |" in text
    assert "<script>" not in text and "Supported by the data" in text
    mermaid = jm.save(measured, tmp_path / "j.mmd").read_text(encoding="utf-8")
    lines = mermaid.splitlines()
    assert lines[0] == "journey" and lines.count("    section Awareness") == 1
    tasks = [line for line in lines if line.startswith("      ")]
    assert all(line.count(":") == 2 for line in tasks)
    assert {int(line.split(":")[1]) for line in tasks} <= {1, 2, 3, 4, 5}


def test_a_new_map_without_data_saves_in_every_light_format(tmp_path: Path) -> None:
    journey = jm.JourneyMap(name="New", stages=[Stage(id="a", name="A")])
    for suffix in (".svg", ".html", ".md", ".mmd", ".csv", ".json", ".yaml"):
        assert jm.save(journey, tmp_path / f"new{suffix}").stat().st_size > 0


def test_pptx_is_a_zip_package(tmp_path: Path) -> None:
    pytest.importorskip("pptx")
    path = jm.save(grocery_map(), tmp_path / "deck.pptx")
    with zipfile.ZipFile(path) as package:
        assert "ppt/presentation.xml" in package.namelist()
