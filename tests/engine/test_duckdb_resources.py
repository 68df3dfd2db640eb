"""DuckDB's memory and spill folder: journeymap's share, and nothing left behind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import journeymap as jm
from journeymap.engine.duckdb_engine import MEMORY_ENV, MEMORY_SHARE
from journeymap.errors import EngineError

GIB = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def _setting(engine: jm.Engine, name: str) -> str:
    rows = engine.backend.raw_sql(f"SELECT current_setting('{name}')").fetchall()
    return str(rows[0][0])


def _bytes(text: str) -> float:
    number, unit = text.split()
    return float(number) * GIB[unit]


def test_memory_is_a_share_of_duckdbs_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    plain = duckdb.connect()
    default = _bytes(
        plain.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    )
    plain.close()
    engine = jm.connect()
    try:
        ours = _bytes(_setting(engine, "memory_limit"))
    finally:
        engine.close()
    # DuckDB prints one decimal: within its rounding of the share
    assert ours == pytest.approx(default * MEMORY_SHARE, rel=0.02)


def test_the_environment_and_the_argument_set_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MEMORY_ENV, "3GiB")
    engine = jm.connect()
    assert _setting(engine, "memory_limit") == "3.0 GiB"
    engine.close()
    engine = jm.connect(memory_limit="2GiB")  # the argument wins
    assert _setting(engine, "memory_limit") == "2.0 GiB"
    engine.close()
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(EngineError) as caught:
        jm.connect()
    message = str(caught.value)
    assert message.startswith(f"memory limit 'lots' (from {MEMORY_ENV}")
    assert "\n" not in message


def test_spills_go_to_a_private_folder_removed_at_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = jm.connect(memory_limit="64MiB")
    spill = Path(_setting(engine, "temp_directory"))
    assert spill.is_dir() and spill.name.startswith("journeymap-spill-")
    assert tmp_path not in spill.parents
    # a table larger than the limit is written out there
    engine.backend.raw_sql(
        "CREATE TEMP TABLE big AS SELECT i, repeat('x', 100) || i::VARCHAR AS s "
        "FROM range(2000000) t(i)"
    )
    files = engine.backend.raw_sql("SELECT path FROM duckdb_temporary_files()")
    paths = [Path(row[0]) for row in files.fetchall()]
    assert paths and all(p.parent == spill for p in paths)
    assert engine.backend.raw_sql("SELECT count(*) FROM big").fetchall() == [(2000000,)]
    engine.close()
    assert not spill.exists()
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default spill folder
