"""The report in a real browser, offline: the charts draw from the inlined plotly.js
with every network request blocked, and a click on a column header sorts numerically."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from sample import grocery_measured

import journeymap as jm
from journeymap.model.flows import Flow, JourneyFlows

playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("plotly")
pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip


def test_report_draws_offline_and_sorts_tables(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    flows = JourneyFlows(stages=(Flow("awareness", "consideration", 6000, 5741),
                                 Flow("purchase", "consideration", 120, 90, back=True)))  # fmt: skip
    path = jm.save_report(grocery_measured(), tmp_path / "report.html", flows=flows)
    requests: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()

        def block(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if not url.startswith("file:"):
                requests.append(url)
                route.abort()  # type: ignore[attr-defined]
                return
            route.continue_()  # type: ignore[attr-defined]

        page.route("**/*", block)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_selector("#jm-sankey-stages .sankey", timeout=60_000)
        assert page.locator("#jm-emotion .scatterlayer").count() == 1
        table = page.locator("#stages ~ table.sortable").first
        header = table.locator("th", has_text="reached")
        header.click()  # ascending
        first = table.locator("tbody tr").first.locator("td").first.inner_text()
        assert first == "Repeat & loyalty"  # fewest customers reached
        header.click()  # descending
        first = table.locator("tbody tr").first.locator("td").first.inner_text()
        assert first == "Awareness"
        browser.close()
    assert requests == [] and errors == []
