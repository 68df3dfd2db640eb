"""The HTML report: self-contained, escaped, every section present; its PDF print."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from sample import grocery_map, grocery_measured  # noqa: E402

import journeymap as jm  # noqa: E402
from journeymap.model import PainPoint  # noqa: E402
from journeymap.model.measured import MeasuredMap  # noqa: E402

pytest.importorskip("plotly")
EVIL = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'


def evil_measured() -> MeasuredMap:
    journey = grocery_map()
    stage = journey.stages[0]
    pain = PainPoint(id="evil", text=EVIL, severity="high")
    stage = stage.model_copy(update={"name": EVIL, "pain_points": (pain,)})
    return grocery_measured(
        journey.model_copy(update={"stages": (stage, *journey.stages[1:])})
    )


def test_report_is_self_contained_with_every_section(tmp_path: Path) -> None:
    page = jm.save_report(evil_measured(), tmp_path / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for anchor in ("summary", "map", "stages", "funnel", "emotion", "personas", "kpis",
                   "pain-points", "opportunities", "method"):  # fmt: skip
        assert f'id="{anchor}"' in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", page)
    assert page.count("Plotly.newPlot") >= 2 and page.count("plotly.js v") <= 2
    assert 'class="sortable"' in page and "addEventListener" in page
    assert "<svg" in page and "Rows read" not in page  # the sample has no ingest report
    assert "Events no touchpoint matches: 1,312" in page


def test_user_text_is_escaped_everywhere(tmp_path: Path) -> None:
    page = jm.save_report(evil_measured(), tmp_path / "report.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_prints_to_pdf_and_rejects_other_suffixes(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    path = jm.save_report(grocery_measured(), tmp_path / "report.pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert "Executive summary" in text and "Methodology and data quality" in text
    with pytest.raises(jm.RenderError, match="known: .html, .pdf"):
        jm.save_report(grocery_measured(), tmp_path / "report.docx")
