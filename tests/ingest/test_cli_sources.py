"""Issue 10: every table address the Python API reads, `journeymap analyze` reads too."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.ingest import read_events


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
