"""One loader for a map's data: measure and render read and measure it the same way.

Issue 8: survey and feedback rows in separate files gave another measured map than
the same rows inside the events, and ``render`` ignored the map's surveys and feedback,
so the drawing and measured.json disagreed.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli import app

DATA_LINE = "events: data/events.parquet"
APART = (
    "events: events_only.parquet\n  surveys: surveys.parquet\n"
    "  feedback: feedback.parquet"
)


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo map twice: survey rows inside the events, and in their own files."""
    from journeymap.demo import demo_map_text
    from journeymap.demo.simulate import simulate_journeys

    folder = tmp_path_factory.mktemp("load")
    events = simulate_journeys(250, seed=5).events
    answered = events["score"].notna()
    commented = events["text"].notna() & ~answered
    events.to_parquet(folder / "events.parquet")
    events[~answered & ~commented].to_parquet(folder / "events_only.parquet")
    events[answered].to_parquet(folder / "surveys.parquet")
    events[commented].to_parquet(folder / "feedback.parquet")
    text = demo_map_text()
    assert text.count(DATA_LINE) == 1
    paths = {"inside": folder / "inside.yaml", "apart": folder / "apart.yaml"}
    paths["inside"].write_text(text.replace(DATA_LINE, "events: events.parquet"))
    paths["apart"].write_text(text.replace(DATA_LINE, APART))
    return paths


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _measure(map_path: Path, out: Path, *extra: str) -> dict[str, Any]:
    _run("measure", str(map_path), "-o", str(out), *extra)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _without_source(measured: dict[str, Any]) -> dict[str, Any]:
    """All but where the data came from: the map's data section, the file names."""
    ingest = {k: v for k, v in measured["ingest"].items() if k != "source"}
    journey = {k: v for k, v in measured["map"].items() if k != "data"}
    return measured | {"ingest": ingest, "map": journey}


@pytest.fixture(scope="module")
def apart(maps: dict[str, Path]) -> dict[str, Any]:
    """measured.json of the map whose data section names three files."""
    return _measure(maps["apart"], maps["apart"].parent / "apart.json")


def test_map_data_surveys_and_feedback_give_the_same_measured_map(
    maps: dict[str, Path], apart: dict[str, Any], tmp_path: Path
) -> None:
    inside = _measure(maps["inside"], tmp_path / "inside.json")
    assert "surveys.parquet" in apart["ingest"]["source"]
    assert _without_source(apart) == _without_source(inside)


def test_options_override_the_map_data_the_same_way(
    maps: dict[str, Path], apart: dict[str, Any], tmp_path: Path
) -> None:
    folder = maps["apart"].parent
    by_options = _measure(
        maps["inside"],
        tmp_path / "options.json",
        *("--data", str(folder / "events_only.parquet")),
        *("--surveys", str(folder / "surveys.parquet")),
        *("--feedback", str(folder / "feedback.parquet")),
    )
    assert _without_source(by_options) == _without_source(apart)


def _svg_text(path: Path) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_render_draws_the_numbers_measure_writes(
    maps: dict[str, Path], apart: dict[str, Any], tmp_path: Path
) -> None:
    _run("render", str(maps["apart"]), "-o", str(tmp_path / "map.svg"))
    drawn = _svg_text(tmp_path / "map.svg")
    shown = [
        f"{name} {tp[key]:{spec}}"
        for tp in apart["touchpoints"]
        for name, key, spec in (("NPS", "nps", "+.0f"), ("CES", "ces", ".1f"))
        if tp[key] is not None
    ]
    assert len(shown) >= 2  # the demo's surveys give scores to draw
    missing = [text for text in shown if text not in drawn]
    assert not missing, f"measured.json has {missing}, the drawing does not"


def test_render_to_json_writes_what_measure_writes(
    maps: dict[str, Path], apart: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "rendered.json"
    _run("render", str(maps["apart"]), "-o", str(out))
    assert out.read_text(encoding="utf-8") == (
        maps["apart"].parent / "apart.json"
    ).read_text(encoding="utf-8")


def test_survey_files_without_events_are_one_clear_error(
    maps: dict[str, Path], tmp_path: Path
) -> None:
    bare = tmp_path / "bare.yaml"
    text = maps["inside"].read_text().replace("  events: events.parquet\n", "")
    bare.write_text(text.replace("data:\n", "data:\n  scope: customer\n"))
    surveys = maps["apart"].parent / "surveys.parquet"
    result = CliRunner().invoke(
        app, ["measure", str(bare), "--surveys", str(surveys), "-o", "x.json"]
    )
    assert result.exit_code != 0
    assert "--surveys need events" in str(result.exception)


def test_a_map_reads_a_sheet_of_a_workbook(tmp_path: Path) -> None:
    """``data.events: export.xlsx::Events``: the sheet is the reader's to find, not
    a missing file (the first sheet of such exports is often a summary)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Total", 2])
    sheet = book.create_sheet("Events")
    sheet.append(["user_id", "ts", "event"])
    sheet.append(["a", "2024-01-01 10:00:00", "visit"])
    sheet.append(["a", "2024-01-01 10:05:00", "purchase"])
    book.save(tmp_path / "export.xlsx")
    (tmp_path / "map.yaml").write_text(
        "journeymap: 1\nname: Sheet\nstages:\n  - id: s\n    name: S\n"
        "    touchpoints:\n      - {id: t, name: T, match: {event: visit}}\n"
        "conversion: {event: purchase}\n"
        'data:\n  events: "export.xlsx::Events"\n',
        encoding="utf-8",
    )
    out = tmp_path / "measured.json"
    result = CliRunner().invoke(
        app, ["measure", str(tmp_path / "map.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["totals"]["customers"] == 1
