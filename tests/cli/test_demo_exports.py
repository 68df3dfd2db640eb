"""`journeymap demo` writes every format; a missing extra skips its file with a note."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from journeymap.cli import main

SIGNATURES = {
    "map.svg": b"<svg",
    "map.png": b"\x89PNG\r\n\x1a\n",
    "map.pdf": b"%PDF",
    "map.pptx": b"PK",
    "report.html": b"<!DOCTYPE html>",
    "report.pdf": b"%PDF",
    "measured.csv": b"stage_id,",
    "measured.xlsx": b"PK",
    "summary.md": b"# ",
    "map.mmd": b"journey\n",
}
EXTRAS = ("weasyprint", "pypdfium2", "pptx", "plotly", "openpyxl")


@pytest.mark.slow
def test_demo_writes_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--customers", "200"]) == 0
    printed = capsys.readouterr().out
    for name, signature in SIGNATURES.items():
        assert (out / name).read_bytes().startswith(signature), name
        assert name in printed
    assert "skipped" not in printed
    with zipfile.ZipFile(out / "map.pptx") as deck:
        assert any(n.startswith("ppt/slides/slide") for n in deck.namelist())
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Sankey" in report or "sankey" in report
    assert not list(out.glob(".*.tmp*")), "temporary files left behind"


@pytest.mark.slow
def test_demo_without_extras_skips_their_formats_with_one_line_each(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module in EXTRAS:  # None in sys.modules makes an import fail: not installed
        monkeypatch.setitem(sys.modules, module, None)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--customers", "200"]) == 0
    printed = capsys.readouterr().out
    core = {"map.svg", "measured.csv", "summary.md", "map.mmd"}
    for name in core:
        assert (out / name).read_bytes().startswith(SIGNATURES[name]), name
    skipped = [line for line in printed.splitlines() if "skipped" in line]
    assert len(skipped) == len(SIGNATURES) - len(core)
    for name in set(SIGNATURES) - core:
        assert not (out / name).exists(), name
        line = next(line for line in skipped if name in line)
        assert 'pip install "journeymap[' in line, line
    assert "Traceback" not in printed
    assert not list(out.glob(".*.tmp*")), "temporary files left behind"
