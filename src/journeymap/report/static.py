"""The report's charts as static SVG images, for the PDF print (WeasyPrint runs no
JavaScript, so the Plotly divs of the HTML report would print as nothing).

Kaleido draws each figure with plotly.js in a headless chromium. Nothing is fetched:
plotly.js is the copy shipped inside the plotly package, MathJax is off, and the
browser is the one installed on the machine (``$BROWSER_PATH`` or ``chromium`` /
``chromium-browser`` / ``google-chrome`` on ``$PATH``); kaleido's own browser download
is never used. Without kaleido or a browser the PDF keeps its tables and says how to
get the charts.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import importlib
import importlib.util
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journeymap.report.charts import Chart

# The PDF page is A4 landscape with 12 mm margins: 273 mm, about 1032 CSS pixels.
WIDTH = 1000
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HINT = (
    'pip install "journeymap[report-pdf]" and a Chromium or Chrome browser '
    "(on PATH or named by BROWSER_PATH)"
)


def find_browser() -> str | None:
    """The installed browser kaleido drives, or None."""
    named = os.environ.get("BROWSER_PATH")
    if named:
        return named if Path(named).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why the PDF cannot draw its charts (None when it can)."""
    if importlib.util.find_spec("kaleido") is None:
        return "kaleido is not installed"
    if importlib.util.find_spec("plotly") is None:
        return "plotly is not installed"
    if find_browser() is None:
        return "no Chromium or Chrome browser was found"
    return None


def render_svgs(charts: Sequence[Chart]) -> list[str]:
    """Each chart as an ``<img>`` of its SVG (a base64 data URI), in order.

    One browser draws them all. Runs in a thread of its own, so it works under a
    running event loop too (a notebook)."""
    if not charts:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        images = pool.submit(asyncio.run, _draw(list(charts))).result()
    return [
        f'<img class="chart-image" alt="{chart.div_id}" src="data:image/svg+xml;'
        f'base64,{base64.b64encode(image).decode("ascii")}">'
        for chart, image in zip(charts, images, strict=True)
    ]


async def _draw(charts: list[Chart]) -> list[bytes]:
    kaleido: Any = importlib.import_module("kaleido")
    plotly: Any = importlib.import_module("plotly")
    plotlyjs = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    browser = find_browser()
    if browser is None:  # checked by unavailable(); the environment may change
        raise RuntimeError("no Chromium or Chrome browser was found")
    images = []
    async with kaleido.Kaleido(
        n=1, timeout=60, path=browser, plotlyjs=str(plotlyjs), mathjax=False
    ) as drawer:
        for chart in charts:
            opts = {"format": "svg", "width": WIDTH, "height": chart.height}
            images.append(await drawer.calc_fig(chart.figure, opts=opts))
    return images
