"""Engines open from URLs; a wrong URL is one clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.engine import Engine, connect
from journeymap.errors import EngineError, JourneymapError
from journeymap.ingest import read_events


def test_default_is_an_in_memory_duckdb_in_utc() -> None:
    engine = connect()
    assert engine.kind == "duckdb"
    assert engine.sql_rows("SELECT current_setting('TimeZone')") == [("UTC",)]


def test_file_database_keeps_tables_between_connections(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    first = connect(f"duckdb:///{path}")
    first.backend.create_table("kept", pd.DataFrame({"x": [1, 2, 3]}))
    first.close()
    second = connect(f"duckdb:///{path}")
    assert second.sql_rows("SELECT sum(x) FROM kept") == [(6,)]


def test_parameters_are_bound_not_spliced() -> None:
    engine = connect()
    name = "x'); DROP TABLE events; --"
    assert engine.sql_rows("SELECT ?::VARCHAR", [name]) == [(name,)]


def test_unknown_url_names_the_known_ones() -> None:
    with pytest.raises(
        EngineError, match=r"use duckdb, spark, postgres or a URL \(duckdb://\[path\]"
    ):
        connect("mysql://nowhere")


def test_unopenable_database_is_an_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="cannot open duckdb database"):
        connect(f"duckdb:///{tmp_path / 'missing-dir' / 'x.duckdb'}")


@pytest.mark.parametrize("url", [None, "duckdb:///{tmp}/events.duckdb"])
def test_duckdb_never_installs_or_loads_extensions_by_itself(
    url: str | None, tmp_path: Path
) -> None:
    engine = connect(None if url is None else url.format(tmp=tmp_path))
    settings = engine.sql_rows(
        "SELECT current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    )
    assert settings == [(False, False)]


def _without_installed_extensions(tmp_path: Path) -> tuple[Engine, Path]:
    """An engine whose extension folder is empty, so no extension is installed."""
    folder = tmp_path / "extensions"
    folder.mkdir()
    engine = connect()
    engine.sql_rows(f"SET extension_directory = '{folder}'")
    return engine, folder


def test_missing_extension_is_one_line_naming_it(tmp_path: Path) -> None:
    engine, folder = _without_installed_extensions(tmp_path)
    with pytest.raises(EngineError) as caught:
        engine.sql_rows("SELECT * FROM read_xlsx('book.xlsx')")
    message = caught.value.one_line()
    assert "'excel' is not installed" in message and "\n" not in message
    assert "duckdb.install_extension('excel')" in message
    assert list(folder.iterdir()) == []  # nothing was downloaded


def test_postgres_url_reads_without_downloading_an_extension(tmp_path: Path) -> None:
    engine, folder = _without_installed_extensions(tmp_path)
    # port 1 on loopback: nothing listens, so whichever route ingest takes ends in an
    # error (psycopg missing, or the connection refused) and never in a download
    with pytest.raises(JourneymapError):
        read_events("postgresql://nobody@127.0.0.1:1/shop?table=events", engine=engine)
    assert list(folder.iterdir()) == []
