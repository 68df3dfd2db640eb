"""Issue 10: every table address the Python API reads, `journeymap analyze` reads too."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journeymap import load_map
from journeymap.cli import app, main
from journeymap.cli._load import load_map_data
from journeymap.errors import MapError
from journeymap.ingest import read_events
from journeymap.ingest.timestamps import NUMBER_KINDS
from journeymap.model.journey import TIME_FORMAT_KINDS


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "events.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE events AS SELECT * FROM (VALUES "
            "('c1', TIMESTAMP '2024-01-01 10:00', 'visit'), "
            "('c1', TIMESTAMP '2024-01-01 10:05', 'buy')) AS t(user_id, ts, event)"
        )
    return path


def addresses(path: Path) -> list[str]:
    return [f"{path}::events", f"duckdb://{path}?table=events"]


def test_analyze_reads_database_tables(database: Path) -> None:
    for address in addresses(database):
        result = CliRunner().invoke(
            app, ["analyze", address, "--what", "transitions"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "visit" in result.output and "buy" in result.output
        assert "file not found" not in result.output


def test_paths_naming_tables_are_tables(database: Path) -> None:
    for address in addresses(database):
        log = read_events(Path(address))  # what a Path-typed CLI option passes on
        assert log.report is not None and log.report.loaded == 2


def test_analyze_says_how_the_data_was_read(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("user_id,ts,event\nc1,20240301,visit\nc1,20240302,buy\n")
    result = CliRunner().invoke(app, ["analyze", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "note: timestamp column 'ts': 2 number(s) read as a %Y%m%d date" in (
        result.output
    )


MAP = """journeymap: 1
name: Shop
stages:
  - id: s
    name: S
    touchpoints:
      - {id: v, name: Visit, match: {event: [visit, buy]}}
data:
  events: e.csv
  columns: {customer_id: user_id, timestamp: ts}
"""


@pytest.mark.parametrize("command", ["analyze", "measure", "render", "report"])
def test_every_command_that_reads_events_takes_time_format(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--time-format`` reaches read_events; a bad one is one line and exit 2."""
    (tmp_path / "e.csv").write_text("user_id,ts,event\nc1,1,visit\n")
    (tmp_path / "map.yaml").write_text(MAP)
    target = [str(tmp_path / "e.csv")] if command == "analyze" else [
        str(tmp_path / "map.yaml"), "-o", str(tmp_path / f"out.{_suffix(command)}")
    ]  # fmt: skip
    assert main([command, *target, "--time-format", "epoch"]) == 2
    err = capsys.readouterr().err
    assert "unknown time format 'epoch'" in err and "Traceback" not in err


def _suffix(command: str) -> str:
    return {"measure": "json", "render": "svg", "report": "html"}[command]


def test_analyze_reads_ambiguous_numbers_under_time_format(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"  # 8-digit numbers below 1e8: no kind by their size
    path.write_text("user_id,ts,event\nc1,12345678,visit\nc1,12345738,buy\n")
    guessed = CliRunner().invoke(app, ["analyze", str(path)])
    assert guessed.exit_code != 0
    assert "quarantined 2: ambiguous numeric timestamp" in guessed.output
    out = tmp_path / "t.json"
    result = CliRunner().invoke(
        app,
        ["analyze", str(path), "--time-format", "epoch_s", "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "2 number(s) read as epoch seconds" in result.output
    assert "loaded 2" in result.output
    edges = json.loads(out.read_text())["transitions"]
    assert [(e["source"], e["target"], e["median_seconds"]) for e in edges] == [
        ("visit", "buy", 60.0)
    ]


def test_the_maps_time_format_is_used_and_the_option_overrides_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "e.csv").write_text("user_id,ts,event\nc1,01/03/2024,visit\n")
    (tmp_path / "map.yaml").write_text(
        MAP.replace("  events: e.csv", "  events: e.csv\n  time_format: '%d/%m/%Y'")
    )
    loaded = load_map_data(tmp_path / "map.yaml")
    assert loaded.events is not None
    assert str(loaded.events.to_pandas().timestamp[0]) == "2024-03-01 00:00:00"
    loaded = load_map_data(tmp_path / "map.yaml", time_format="%m/%d/%Y")
    assert loaded.events is not None
    assert str(loaded.events.to_pandas().timestamp[0]) == "2024-01-03 00:00:00"


def test_an_unknown_time_format_in_the_map_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(
        MAP.replace("  events: e.csv", "  events: e.csv\n  time_format: epoch")
    )
    with pytest.raises(MapError, match="time_format.*unknown time format 'epoch'"):
        load_map(tmp_path / "map.yaml")


def test_the_map_and_ingest_know_the_same_time_formats() -> None:
    assert set(TIME_FORMAT_KINDS) == set(NUMBER_KINDS)


def test_survey_answers_naming_no_customer_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ids 1.0 and 1 match; an answer for a customer with no events is counted."""
    (tmp_path / "e.csv").write_text("user_id,ts,event\n1,2024-01-01,visit\n")
    (tmp_path / "s.csv").write_text(
        "user_id,ts,event,score,score_kind\n1.0,2024-01-02,visit,9,nps\n"
        "7,2024-01-02,visit,3,nps\n"
    )
    (tmp_path / "map.yaml").write_text(MAP)
    loaded = load_map_data(tmp_path / "map.yaml", surveys=tmp_path / "s.csv")
    assert loaded.surveys is not None and loaded.surveys.report is not None
    err = capsys.readouterr().err
    assert "1 of 2 survey rows name a customer with no events (first: '7')" in err


def test_measure_reads_database_tables(database: Path, tmp_path: Path) -> None:
    """`--data` takes the same table addresses as `analyze` and read_events."""
    (tmp_path / "map.yaml").write_text(MAP.replace("  events: e.csv\n", ""))
    for index, address in enumerate(addresses(database)):
        out = tmp_path / f"m{index}.json"
        argv = [
            "measure",
            str(tmp_path / "map.yaml"),
            "--data",
            address,
            "-o",
            str(out),
        ]
        assert main(argv) == 0
        ingest = json.loads(out.read_text())["ingest"]
        assert (ingest["read"], ingest["loaded"], ingest["quarantined"]) == (2, 2, 0)
