"""The HTML report: self-contained, escaped, every section present; its PDF print."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from sample import grocery_map, grocery_measured

import journeymap as jm
from journeymap.model import PainPoint
from journeymap.model.measured import MeasuredMap

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
    for anchor in ("summary", "map", "stages", "funnel", "flows", "emotion", "personas",
                   "kpis", "pain-points", "opportunities", "quotes", "method",
                   "def-data-quality"):  # fmt: skip
        assert f'id="{anchor}"' in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", page)
    assert page.count("Plotly.newPlot") >= 2 and page.count("plotly.js v") <= 2
    assert 'class="sortable"' in page and "addEventListener" in page
    assert "<svg" in page and "Rows read" not in page  # the sample has no ingest report
    assert "Events no touchpoint matches: 1,312 of 184,220" in page
    assert "app_background" in page  # the unmatched events, listed


def test_every_section_links_to_a_definition_that_exists(tmp_path: Path) -> None:
    page = jm.save_report(grocery_measured(), tmp_path / "r.html").read_text("utf-8")
    links = set(re.findall(r'href="#(def-[a-z-]+)"', page))
    assert len(links) >= 10
    for link in links:
        assert f'id="{link}"' in page, link
    # a figure and its definition: the heading, then "How this is measured"
    assert re.search(r'<h2 id="emotion">.*?href="#def-emotion"', page)


def test_numbers_read_as_people_read_them_and_sort_on_raw_values(
    tmp_path: Path,
) -> None:
    page = jm.save_report(grocery_measured(), tmp_path / "r.html").read_text("utf-8")
    assert '<td class="num" data-sort="0.46">46.0%</td>' in page  # to next stage
    assert '<td class="num" data-sort="8280.0">2.3 h</td>' in page  # median time
    assert "1.132e+05" not in page and "8.28e+03" not in page


def test_summary_says_what_works_and_what_hurts_with_evidence(tmp_path: Path) -> None:
    page = jm.save_report(grocery_measured(), tmp_path / "r.html").read_text("utf-8")
    summary = page[page.index('id="summary"') : page.index('id="map"')]
    assert "What works" in summary and "KPI met: " in summary
    assert "Top pain points the data supports (2 of 2)" in summary
    assert "The delivery fee popped up at the very end &lt;again&gt;." in summary
    assert "What if: Conversion rate 35.1% → 36.6% (+188 customers)" in summary


def test_flows_are_drawn_as_sankeys_when_given(tmp_path: Path) -> None:
    from journeymap.model.flows import Flow, JourneyFlows

    flows = JourneyFlows(
        stages=(Flow("awareness", "consideration", 6000, 5741),
                Flow("purchase", "consideration", 120, 90, back=True)),
        touchpoints=tuple(Flow(f"t{i}", f"t{i + 1}", 100 - i, 90 - i)
                          for i in range(40)),
    )  # fmt: skip
    page = jm.save_report(grocery_measured(), tmp_path / "r.html", flows=flows)
    text = page.read_text("utf-8")
    assert 'id="jm-sankey-stages"' in text and '"type":"sankey"' in text
    assert "the 30 largest of 40" in text and "All 40 touchpoint-to-touchpoint" in text
    assert "loop back" in text
    without = jm.save_report(grocery_measured(), tmp_path / "w.html").read_text("utf-8")
    assert (
        "jm-sankey-stages" not in without and "Not computed for this report" in without
    )


def test_personas_are_compared_on_one_chart_and_in_a_table(tmp_path: Path) -> None:
    page = jm.save_report(grocery_measured(), tmp_path / "r.html").read_text("utf-8")
    section = page[page.index('id="personas"') : page.index('id="kpis"')]
    assert 'id="jm-personas"' in section
    assert "Busy parent" in section and "Student" in section
    assert "38.0%" in section and "35.0%" in section  # rate and its CI


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


def test_attribution_and_forecast_are_reported_when_measured(tmp_path: Path) -> None:
    from dataclasses import replace

    credits = [{"channel": "web", "attributed_conversions": 61.5,
                "attributed_value": 900.0, "removal_effect": 0.41},
               {"channel": "<b>tv</b>", "attributed_conversions": 8.5,
                "attributed_value": 100.0, "removal_effect": 0.06}]  # fmt: skip
    attribution = {
        "by": "channel",
        "markov": {"order": 1, "paths": 500, "conversions": 70, "credits": credits},
        "forecast": {"period": "week", "periods": [
            {"start": "2026-03-30", "conversions": 12.5, "revenue": 800.0}]},
    }  # fmt: skip
    measured = replace(grocery_measured(), attribution=attribution)
    page = jm.save_report(measured, tmp_path / "r.html").read_text("utf-8")
    assert 'href="#attribution"' in page and 'id="attribution"' in page
    assert "over 500 customer paths by channel; 70 conversions" in page
    assert "&lt;b&gt;tv&lt;/b&gt;" in page and "2026-03-30" in page
    plain = jm.save_report(grocery_measured(), tmp_path / "p.html").read_text("utf-8")
    assert 'id="attribution"' not in plain


def test_same_input_gives_the_same_report(tmp_path: Path) -> None:
    first = jm.save_report(grocery_measured(), tmp_path / "a.html").read_bytes()
    again = jm.save_report(grocery_measured(), tmp_path / "b.html").read_bytes()
    assert first == again
