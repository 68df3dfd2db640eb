"""The web app in a real browser: Debian's chromium driven by Playwright, against
`journeymap serve` on a free loopback port (the same command a user runs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "a browser test password"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, workspace: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "journeymap",
                "serve",
                "--workspace",
                str(workspace),
                "--port",
                str(self.port),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.first_link = self._read_first_link()

    def _read_first_link(self) -> str:
        assert self.process.stdout is not None
        seen = []
        for line in self.process.stdout:
            seen.append(line)
            found = re.search(r"(/signin/link/\S+)", line)
            if found:
                self._wait_until_listening()
                return self.base + found.group(1)
        raise AssertionError("serve printed no sign-in link:\n" + "".join(seen))

    def _wait_until_listening(self) -> None:
        import socket

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("the server did not start listening")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    running = Server(tmp_path_factory.mktemp("browser") / "ws")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _new_page(browser: object) -> object:
    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(180_000)  # a first measurement on a busy machine
    return page


def test_a_new_admin_works_through_a_map_and_a_viewer_cannot_edit(
    server: Server, browser: object, demo_files: dict[str, Path], tmp_path: Path
) -> None:
    # one test: the viewer's part needs the admin's map and password, and test order
    # (pytest-randomly) or workers (xdist) must not split them
    _admin_works_through_a_map(server, browser, demo_files, tmp_path)
    _viewer_cannot_edit(server, browser)


def _admin_works_through_a_map(
    server: Server, browser: object, demo_files: dict[str, Path], tmp_path: Path
) -> None:
    page = _new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the link printed on first start signs in; then a password is set
    page.goto(server.first_link)
    assert "Set a password" in page.content()
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Set password')")
    page.wait_for_url("**/account")

    # create a map from the 5Es framework
    page.goto(server.base + "/maps")
    page.fill("input[name=title]", "Five Es")
    page.fill("input[name=name]", "five-es")
    page.select_option("select[name=framework]", "5es")
    page.click("button:has-text('Create')")
    page.wait_for_url("**/maps/five-es")
    assert page.locator(".drawing svg").count() == 1

    # edit a card: a script in its text must come back as text
    page.click("a:has-text('Edit')")
    card = "<script>window.__hacked = 1</script>Ads feel pushy"
    page.fill("textarea[name='stages.0.pain_points.0.text']", card)
    page.click("button:has-text('Save (new version)')")
    page.wait_for_selector("text=Saved as version")
    page.goto(server.base + "/maps/five-es")
    assert page.locator("a.card .text").first.inner_text() == card
    assert page.evaluate("typeof window.__hacked") == "undefined"

    # a wrong value is reported next to its field and nothing is saved
    page.goto(server.base + "/maps/five-es/edit")
    page.fill("input[name='stages.1.emotion']", "ecstatic")
    page.click("button:has-text('Save (new version)')")
    error = page.locator(
        "label.invalid:has(input[name='stages.1.emotion']) .field-error"
    )
    assert "valid number" in error.inner_text()

    # the demo map and the demo data: the measured map
    page.goto(server.base + "/maps")
    page.fill("input[name=title]", "Grocery")
    page.fill("input[name=name]", "grocery")
    page.select_option("select[name=framework]", "demo")
    page.click("button:has-text('Create')")
    page.wait_for_url("**/maps/grocery")
    page.goto(server.base + "/data")
    page.set_input_files("input[name=file]", str(demo_files["csv"]))
    # the column-mapping step offers the file's own columns
    page.wait_for_selector("#file-columns:has-text('customer_id')")
    offered = page.eval_on_selector_all(
        "#columns option", "els => els.map(e => e.value)"
    )
    assert {"customer_id", "timestamp", "event"} <= set(offered)
    page.click("button:has-text('Upload')")
    result = page.wait_for_selector(".upload-result")
    assert "Stored as data version" in result.inner_text()
    page.goto(server.base + "/maps/grocery")
    assert "300 customers" in page.locator(".summary").inner_text()
    assert "reached" in page.locator(".drawing").inner_text()

    # a card's evidence and a comment, without leaving the page (htmx): clicked in
    # the drawing itself
    page.locator("#drawing [id='jm-pain-payment-friction']").click()
    panel = page.wait_for_selector("#cardpanel")
    assert "payment-friction" in panel.inner_text() and "Verdict" in panel.inner_text()
    page.fill("#cardpanel textarea[name=body]", "Let's test this in the next sprint")
    page.click("#cardpanel button:has-text('Comment')")
    page.wait_for_selector("text=Let's test this in the next sprint")

    # a share link appears, and the list of working links reloads with it (htmx)
    page.click("button:has-text('Share link')")
    link = page.wait_for_selector("#share-link").inner_text()
    assert "/share/" in link
    page.wait_for_selector("#shares li:has-text('by admin')")

    # export the deck
    with page.expect_download() as download:
        page.click("a.button:has-text('PPTX')")
    deck = tmp_path / "grocery.pptx"
    download.value.save_as(deck)
    assert deck.read_bytes()[:2] == b"PK"
    from pptx import Presentation

    assert len(Presentation(str(deck)).slides) >= 1
    assert errors == []


def _viewer_cannot_edit(server: Server, browser: object) -> None:
    admin = _new_page(browser)
    admin.goto(server.base + "/signin")
    admin.fill("input[name=username]", "admin")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("button:has-text('Sign in')")
    admin.goto(server.base + "/users")
    admin.fill("input[name=username]", "vera")
    admin.select_option("select[name=role]", "viewer")
    admin.click("button:has-text('Add')")
    link = admin.locator("#signin-link").inner_text()

    viewer = _new_page(browser)
    viewer.goto(link)
    viewer.goto(server.base + "/maps/five-es")
    assert viewer.locator("a:has-text('Edit')").count() == 0
    assert viewer.locator("form[action='/maps']").count() == 0
    response = viewer.goto(server.base + "/maps/five-es/edit")
    assert response.status == 403
    assert "needs the editor role" in viewer.content()
