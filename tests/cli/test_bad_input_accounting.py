"""Issue 10 through `journeymap analyze`: bad rows are quarantined and shown, never a
traceback in a later analysis, never a placeholder where the quarantined field goes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli import app

MAP = """journeymap: 1
name: Shop
stages:
  - id: look
    name: Look
    touchpoints: [{id: visit, name: Visit, match: {event: [visit]}}]
  - id: buy
    name: Buy
    touchpoints: [{id: buy, name: Buy, match: {event: [buy]}}]
conversion: {event: buy}
"""

# years -290000 and 294247 are valid DuckDB timestamps: read as times they made a
# 292,000-year median time in stage and overflowed in later analyses (issue 10)
EXTREME = (
    "user_id,ts,event\n"
    "c1,-290000-01-01 00:00:00,visit\n"
    "c1,294247-01-01 00:00:00,buy\n"
    "c2,2024-03-01 10:00:00,visit\n"
    "c2,2024-03-01 10:30:00,buy\n"
    "c3,2024-03-02 09:00:00,visit\n"
)


@pytest.mark.parametrize(
    "what",
    [
        ["transitions"],
        ["variants"],
        ["paths"],
        ["funnel", "--steps", "visit,buy"],
        ["time-to-convert", "--conversion", "buy"],
        ["stages", "--map", "MAP"],
        ["retention"],
        ["series", "--map", "MAP"],
        ["drivers", "--map", "MAP"],
    ],
)
def test_implausible_years_are_quarantined_before_every_analysis(
    tmp_path: Path, what: list[str]
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(EXTREME, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    args = [str(tmp_path / "map.yaml") if a == "MAP" else a for a in what]
    result = CliRunner().invoke(
        app, ["analyze", str(events), "--what", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "read 5 = loaded 3 + quarantined 2" in result.output
    assert "row 1, line 2: timestamp outside the years" in result.output
    assert "row 2, line 3: timestamp outside the years" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "text", "shown"),
    [
        (
            "e.jsonl",
            '{"u": "c1", "ts": "2024-01-01", "ev": "a"}\n{"u": "c1", "ts": \n',
            'row 2, line 2: not valid JSON (record = \'{"u": "c1", "ts":',
        ),
        (
            "e.csv",
            'u,ts,ev\nc1,2024-01-01,a\nc2,2024-01-01,"open\nc3,2024-01-01,b\n',
            "row 2, line 3: unbalanced quote",
        ),
    ],
)
def test_a_quarantined_record_is_named_as_a_record(
    tmp_path: Path, name: str, text: str, shown: str
) -> None:
    """A record refused whole has no column; the line printed 'nan = ...' for it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["analyze", str(path), "--id", "u", "--time", "ts", "--event", "ev"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "quarantined 1" in result.output
    assert shown in result.output
    assert "(record = '" in result.output
    assert "nan" not in result.output
