"""The report PDF draws its charts as static SVG (kaleido in the system chromium);
without kaleido or a browser it prints the tables and says how to get the charts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import journeymap as jm
from journeymap.demo import write_demo_data
from journeymap.report import static

pytest.importorskip("plotly")
pytest.importorskip("weasyprint")
pypdf = pytest.importorskip("pypdf")

# Axis titles only the charts print (as text: the SVG keeps its text selectable)
CHART_TEXT = (
    "−1 frustrated … +1 delighted",  # emotion curve
    "measured emotion (95% CI)",  # per touchpoint and per persona
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object]:
    files = write_demo_data(
        tmp_path_factory.mktemp("demo"), 400, seed=7, include_map=True
    )
    journey = jm.load_map(files["map"])
    log = jm.read_events(files["parquet"])
    return jm.measure(journey, log), jm.measure_flows(journey, log)


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _drawings(path: Path) -> int:
    """Form XObjects (WeasyPrint draws each SVG image as one) used by the pages."""
    names = set()
    for page in pypdf.PdfReader(path).pages:
        xobjects = page["/Resources"].get("/XObject")
        for name, ref in (xobjects.get_object() if xobjects else {}).items():
            if ref.get_object().get("/Subtype") == "/Form":
                names.add(name)
    return len(names)


@pytest.mark.skipif(static.unavailable() is not None, reason="needs kaleido+chromium")
def test_the_pdf_draws_every_chart_of_the_demo(
    demo: tuple[object, object], tmp_path: Path
) -> None:
    measured, flows = demo
    html = jm.save_report(measured, tmp_path / "r.html", flows=flows)  # type: ignore[arg-type]
    charts = html.read_text("utf-8").count("Plotly.newPlot(")
    pdf = jm.save_report(measured, tmp_path / "r.pdf", flows=flows)  # type: ignore[arg-type]
    text = "\n".join(_pages(pdf))
    for label in CHART_TEXT:
        assert label in text, label
    assert "Charts: left out" not in text
    # the same report without charts: the chart count is what the images add
    plain = tmp_path / "plain.pdf"
    page = jm.report.render_report(measured, charts_inline=False, flows=flows)  # type: ignore[arg-type]
    plain.write_bytes(__import__("weasyprint").HTML(string=page).write_pdf())
    plain_text = "\n".join(_pages(plain))
    assert not any(label in plain_text for label in CHART_TEXT)
    assert charts >= 6
    assert _drawings(pdf) >= _drawings(plain) + charts


def test_without_a_browser_the_pdf_says_how_to_get_the_charts(
    demo: tuple[object, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    measured, flows = demo
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        pdf = jm.save_report(measured, tmp_path / "r.pdf", flows=flows)  # type: ignore[arg-type]
    text = "\n".join(_pages(pdf))
    assert "Charts: left out of this PDF" in text
    assert "journeymap[report-pdf]" in text.replace("\n", "")
    assert not any(label in text for label in CHART_TEXT)
    assert "Executive summary" in text  # the tables remain
    (warning,) = [r for r in caplog.records if r.name == "journeymap"]
    assert "charts left out" in warning.getMessage()
    assert "no Chromium or Chrome browser" in warning.getMessage()
