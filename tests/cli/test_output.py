"""Output files of the CLI: atomic replacement, early checks, safe CSV, readable help."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from journeymap.cli import main
from journeymap.cli._output import (
    check_output,
    neutralise_formula,
    replacing,
    staging_folder,
    write_text,
)
from journeymap.errors import RenderError

EVENTS = """customer_id,timestamp,event,channel
a,2024-01-01 10:00:00,visit,web
a,2024-01-01 10:01:00,cart,web
a,2024-01-01 10:05:00,purchase,app
b,2024-01-01 10:00:00,visit,app
b,2024-01-01 10:02:00,cart,web
c,2024-01-01 11:00:00,visit,=cmd|' /C calc'!A0
c,2024-01-01 13:00:00,purchase,+web
"""


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


def test_write_text_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    write_text(target, "new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "fresh.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(OSError, match="disk full"), replacing(target) as temp:
        assert temp.parent == tmp_path and temp.suffix == ".csv"
        temp.write_text("half")
        raise OSError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_staging_folder_replaces_file_by_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "keep.txt").write_text("untouched")
    (data / "a.csv").write_text("old")
    with staging_folder(data) as staging:
        (staging / "a.csv").write_text("new")
    assert (data / "a.csv").read_text() == "new"
    assert (data / "keep.txt").read_text() == "untouched"
    assert sorted(os.listdir(tmp_path)) == ["data"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no/out.csv", "does not exist"),
        ("folder", "is a folder"),
        ("ro.csv", "read-only"),
    ],
)
def test_check_output_names_the_problem(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "ro.csv").write_text("x")
    (tmp_path / "ro.csv").chmod(0o444)
    with pytest.raises(RenderError, match=message):
        check_output(tmp_path / name)


def test_check_output_accepts_new_and_writable_files(tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("x")
    assert check_output(tmp_path / "old.csv") == tmp_path / "old.csv"
    assert check_output(tmp_path / "new.csv") == tmp_path / "new.csv"
    assert os.listdir(tmp_path) == ["old.csv"]  # checking creates nothing


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+web", "'+web"),
        ("-1+1", "'-1+1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("web", "web"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_neutralise_formula(value: object, safe: object) -> None:
    assert neutralise_formula(value) == safe


def test_csv_output_neutralises_formulas_parquet_keeps_values(
    events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, parquet = tmp_path / "t.csv", tmp_path / "t.parquet"
    for out in (csv, parquet):
        assert main(["analyze", str(events), "--by", "channel", "-o", str(out)]) == 0
    capsys.readouterr()
    text = csv.read_text()
    assert "'=cmd|' /C calc'!A0" in text and "'+web" in text
    assert ",=cmd" not in text and ",+web" not in text
    frame = pd.read_parquet(parquet)
    assert "=cmd|' /C calc'!A0" in set(frame.source)


def test_time_to_convert_csv_is_the_summary_row(
    events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, bins = tmp_path / "ttc.csv", tmp_path / "bins.csv"
    code = main(["analyze", str(events), "-w", "time-to-convert", "--conversion",
                 "purchase", "-o", str(out), "--histogram", str(bins)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    summary = pd.read_csv(out)
    assert list(summary.columns) == [
        "n",
        "mean_seconds",
        "median_seconds",
        "p90_seconds",
    ]
    assert summary.n.tolist() == [2]
    assert summary.median_seconds.tolist() == [pytest.approx((300 + 7200) / 2)]
    histogram = pd.read_csv(bins)
    assert list(histogram.columns) == ["low", "high", "customers"]
    assert histogram.customers.sum() == 2


def test_an_absent_event_is_a_warning_with_the_closest_names(
    events: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(events), "-w", "funnel", "--steps", "visit,carrt"])
    _, err = capsys.readouterr()
    assert code == 0
    assert "funnel step 'carrt' never occurs in the data; did you mean 'cart'?" in err
    code = main(["analyze", str(events), "-w", "time-to-convert",
                 "--conversion", "purchasee"])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 0
    assert "conversion event 'purchasee' never occurs" in err
    assert "did you mean 'purchase'" in err


def test_a_present_event_gives_no_warning(
    events: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(events), "-w", "funnel", "--steps", "visit,cart"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_help_shows_types_and_units(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for shown in ("DURATION", "Seconds (90)", "7d", "1<=x<=1000000", "COLUMN", "ZONE"):
        assert shown in help_text, shown


def test_the_row_accounting_is_one_line_however_long_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Logs are grepped for ``read N = loaded N + quarantined N``: piped output is
    never wrapped inside it, whatever the width of the path."""
    folder = tmp_path / ("a-rather-long-folder-name-for-exports-" * 4)
    folder.mkdir()
    path = folder / "events.csv"
    path.write_text(EVENTS + "d,not a time,visit,web\n", encoding="utf-8")
    assert main(["analyze", str(path), "-w", "transitions"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert f"{path}: read 8 = loaded 7 + quarantined 1" in lines
    assert "  quarantined 1: unparsable timestamp" in lines
