"""Notebooks show maps and result tables inline: a real notebook runs in a real kernel."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
HERE = Path(__file__).resolve().parent

MAP = textwrap.dedent(
    """\
    journeymap: 1
    name: Notebook <demo>
    stages:
      - id: look
        name: Look around
        emotion: 0.2
        touchpoints:
          - {id: site, name: Website, channel: web, match: {event: visit}}
      - id: buy
        name: Buy
        emotion: -0.3
        touchpoints:
          - {id: shop, name: Checkout, channel: web, match: {event: purchase}}
    """
)

CELLS = [
    "import pandas as pd\nimport journeymap as jm",
    f"journey = jm.loads_map({MAP!r})\njourney",
    "from sample import grocery_measured\nmeasured = grocery_measured()\nmeasured",
    textwrap.dedent(
        """\
        events = pd.DataFrame({
            "customer_id": ["a", "a", "b", "c", "c"],
            "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05",
                                         "2024-01-02 09:00", "2024-01-03 12:00",
                                         "2024-01-03 12:30"]),
            "event": ["visit", "purchase", "visit", "visit", "<b>bold</b>"]})
        log = jm.read_events(events)
        jm.measure(journey, log)"""
    ),
    "jm.count_transitions(log)",
]


@pytest.mark.slow
def test_a_notebook_shows_maps_and_tables_inline() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(HERE)}},  # `sample` imports from here
    )
    client.execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert all(o.output_type != "error" for cell in outputs for o in cell)
    journey_out = outputs[1][0]["data"]
    assert journey_out["image/svg+xml"].startswith("<svg")
    html = journey_out["text/html"]
    assert "<svg" in html and "Notebook &lt;demo&gt;" in html and "not measured" in html
    measured_out = outputs[2][0]["data"]["text/html"]
    assert "measured on 12,480 customers" in measured_out
    assert "Checkout conversion" in measured_out  # a KPI card of the measured map
    from_data = outputs[3][0]["data"]["text/html"]  # read and measured in the kernel
    assert "measured on 3 customers" in from_data
    table = outputs[4][0]["data"]["text/html"]
    assert "<table" in table and "purchase" in table
    assert "&lt;b&gt;bold&lt;/b&gt;" in table and "<b>bold" not in table


def test_display_hooks_are_registered_by_the_facade_alone() -> None:
    # a fresh interpreter: importing only the model still gets the display, since
    # Python imports the journeymap package (the facade) first
    code = (
        "from journeymap.model import JourneyMap, Stage\n"
        "m = JourneyMap(name='x', stages=[Stage(id='s', name='S')])\n"
        "print(m._repr_svg_()[:4], m._repr_html_()[:4])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["<svg", "<div"]
