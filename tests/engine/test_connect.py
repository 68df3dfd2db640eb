"""Engines open from URLs; a wrong URL is one clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.engine import connect
from journeymap.errors import EngineError


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
    with pytest.raises(EngineError, match=r"duckdb://\[path\] or spark://local"):
        connect("mysql://nowhere")


def test_unopenable_database_is_an_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="cannot open duckdb database"):
        connect(f"duckdb:///{tmp_path / 'missing-dir' / 'x.duckdb'}")
