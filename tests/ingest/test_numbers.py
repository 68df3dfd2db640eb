"""Issue 10: numbers are never misread - numeric times, float ids, decimal commas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events

from .conftest import write


def times(tmp_path: Path, values: list[str], **options: str) -> list[str]:
    body = "".join(f"c1,{value},e{i}\n" for i, value in enumerate(values))
    log = read_events(write(tmp_path / "e.csv", "user_id,ts,event\n" + body), **options)
    frame = log.to_pandas().sort_values("row_number")
    return [str(t) for t in frame["timestamp"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20240301", "2024-03-01 00:00:00"),
        ("20240301103000", "2024-03-01 10:30:00"),
        ("45352.5", "2024-03-01 12:00:00"),  # Excel serial day
        ("1709287200", "2024-03-01 10:00:00"),
        ("1709287200000", "2024-03-01 10:00:00"),
        ("1709287200000000", "2024-03-01 10:00:00"),
        ("1709287200000000000", "2024-03-01 10:00:00"),
    ],
)
def test_numeric_times_are_read_by_size_and_form(
    tmp_path: Path, value: str, expected: str
) -> None:
    assert times(tmp_path, [value]) == [expected]


def test_numeric_times_in_a_numeric_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"user_id": ["a", "a"], "ts": [20240301, 20240302],
                          "event": ["x", "y"]})  # fmt: skip
    log = read_events(frame)
    assert [str(t) for t in log.to_pandas()["timestamp"]] == [
        "2024-03-01 00:00:00", "2024-03-02 00:00:00"
    ]  # fmt: skip
    assert any("%Y%m%d" in w for w in log.report.warnings)


def test_a_column_mixing_numeric_formats_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv", "user_id,ts,event\nc1,20240301,a\nc1,1709287200,b\n"
    )
    with pytest.raises(IngestError, match=r"e\.csv: ts: numeric timestamps mix") as err:
        read_events(path)
    assert "row 1 (20240301)" in str(err.value) and "row 2 (1709287200)" in str(
        err.value
    )
    assert "\n" not in str(err.value)
    assert times(tmp_path, ["20240301", "1709287200"], time_format="epoch_s") == [
        "1970-08-23 06:18:21", "2024-03-01 10:00:00"
    ]  # fmt: skip


def test_ambiguous_numbers_and_implausible_years_are_quarantined(
    tmp_path: Path,
) -> None:
    values = ["2024-03-01", "5", "294247-01-01", "-290000-01-01", "1e30"]
    body = "".join(f"c1,{value},e{i}\n" for i, value in enumerate(values))
    log = read_events(write(tmp_path / "e.csv", "user_id,ts,event\n" + body))
    assert (log.report.loaded, log.report.quarantined) == (1, 4)
    bad = quarantine(log).order_by("row_number").to_pandas()
    assert bad["row_number"].tolist() == [2, 3, 4, 5]
    assert bad["line"].tolist() == [3, 4, 5, 6]
    assert bad["column"].tolist() == ["ts"] * 4
    assert bad["reason"].str.split(":").str[0].tolist() == [
        "ambiguous numeric timestamp",
        "timestamp outside the years 1900-2200",
        "timestamp outside the years 1900-2200",
        "ambiguous numeric timestamp",
    ]


def test_strptime_time_format(tmp_path: Path) -> None:
    assert times(tmp_path, ["01/03/2024 10:30"], time_format="%d/%m/%Y %H:%M") == [
        "2024-03-01 10:30:00"
    ]
    with pytest.raises(IngestError, match="unknown time format 'epoch_days'"):
        times(tmp_path, ["1"], time_format="epoch_days")


def test_integral_float_ids_match_integer_ids(tmp_path: Path) -> None:
    events = pd.DataFrame({"customer_id": [1, 2], "timestamp": ["2024-01-01"] * 2,
                           "event": ["visit", "visit"]})  # fmt: skip
    surveys = write(tmp_path / "s.csv", "customer_id,timestamp,event,score\n"
                    "1.0,2024-01-02,nps,9\n2.00,2024-01-02,nps,7\n2.5,2024-01-02,nps,1\n")  # fmt: skip
    floats = events.assign(customer_id=[1.0, 2.0])
    assert read_events(events).to_pandas()["customer_id"].tolist() == ["1", "2"]
    assert read_events(floats).to_pandas()["customer_id"].tolist() == ["1", "2"]
    assert read_events(surveys).to_pandas()["customer_id"].tolist() == ["1", "2", "2.5"]


def test_decimal_commas_in_semicolon_files(tmp_path: Path) -> None:
    def values(body: str) -> tuple[list[float], tuple[str, ...]]:
        text = "user_id;ts;event;amount\n" + body
        log = read_events(write(tmp_path / "e.csv", text), columns={"value": "amount"})
        frame = log.to_pandas().sort_values("row_number")
        return frame["value"].tolist(), log.report.warnings

    german, notes = values(
        "a;2024-01-01;x;1.234\nb;2024-01-01;y;1,5\nc;2024-01-01;z;1.234,5\n"
    )
    assert german == [1234.0, 1.5, 1234.5] and notes == ()
    english, notes = values("a;2024-01-01;x;1.234\nb;2024-01-01;y;1.5\n")
    assert english == [1.234, 1.5]
    assert any("read as a decimal number" in note for note in notes)
    unclear, notes = values("a;2024-01-01;x;1.234\n")
    assert unclear == [1234.0]
    assert any("ambiguous" in note for note in notes)


def test_typed_times_outside_the_plausible_years_are_quarantined() -> None:
    import datetime

    import pyarrow as pa

    times = [datetime.datetime(2024, 3, 1), datetime.datetime(2611, 5, 23), None]
    table = pa.table({"user_id": ["a", "b", "c"], "event": ["x", "y", "z"],
                      "ts": pa.array(times, type=pa.timestamp("us"))})  # fmt: skip
    log = read_events(table)
    assert (log.report.loaded, log.report.quarantined) == (1, 2)
    bad = quarantine(log).order_by("row_number").to_pandas()
    assert bad["reason"].tolist() == [
        "timestamp outside the years 1900-2200", "missing timestamp"
    ]  # fmt: skip
    assert bad["value"].tolist()[0].startswith("2611-05-23")
