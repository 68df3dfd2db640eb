"""Issue 10: a folder reads every file or says why not; partitions never overwrite."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import read_events


def parquet(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)


ROW = {"user_id": "c1", "ts": "2024-01-01", "event": "visit"}


def test_a_folder_mixing_parquet_and_csv_is_refused(tmp_path: Path) -> None:
    parquet(tmp_path / "a.parquet", [ROW])
    (tmp_path / "b.csv").write_text("user_id,ts,event\nc2,2024-01-01,visit\n")
    with pytest.raises(IngestError, match=r"folder mixes Parquet with 1 other data"):
        read_events(tmp_path)


def test_every_parquet_file_is_read_and_the_rest_is_named(tmp_path: Path) -> None:
    parquet(tmp_path / "a.parquet", [ROW])
    parquet(tmp_path / "sub" / "b.pq", [{**ROW, "user_id": "c2"}])
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "_SUCCESS").write_text("")
    log = read_events(tmp_path)
    assert log.to_pandas()["customer_id"].tolist() == ["c1", "c2"]
    assert log.to_pandas()["row_number"].tolist() == [1, 2]
    assert log.report.warnings == ("skipped 1 file(s) that are not data: README.md",)


def test_a_partition_key_never_overwrites_a_file_column(tmp_path: Path) -> None:
    parquet(tmp_path / "day=2024-01-01" / "a.parquet", [{**ROW, "day": "monday"}])
    parquet(tmp_path / "day=2024-01-02" / "b.parquet", [{**ROW, "day": "tuesday"}])
    log = read_events(tmp_path)
    frame = log.to_pandas()
    assert frame["day"].tolist() == ["monday", "tuesday"]
    assert frame["day_partition"].tolist() == ["2024-01-01", "2024-01-02"]
    assert "day_partition" in log.report.warnings[0]


def test_a_parquet_column_named_filename_is_kept(tmp_path: Path) -> None:
    parquet(tmp_path / "e.parquet", [{**ROW, "filename": "export.csv"}])
    assert read_events(tmp_path / "e.parquet").to_pandas()["filename"].tolist() == [
        "export.csv"
    ]
