from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events

from .conftest import write

ZOO = [  # (raw text, expected naive UTC)
    ("2024-03-01T10:00:00Z", "2024-03-01 10:00:00"),
    ("2024-03-01 10:00:00z", "2024-03-01 10:00:00"),
    ("2024-03-01T10:00:00+02:00", "2024-03-01 08:00:00"),
    ("2024-03-01T10:00:00-0530", "2024-03-01 15:30:00"),
    ("2024-03-01 10:00:00.250+01", "2024-03-01 09:00:00.250"),
    ("2024-03-01T10:00", "2024-03-01 10:00:00"),
    ("2024-03-01", "2024-03-01 00:00:00"),
    ("1709287200", "2024-03-01 10:00:00"),  # epoch seconds
    ("1709287200.5", "2024-03-01 10:00:00.500"),
    ("1709287200123", "2024-03-01 10:00:00.123"),  # epoch milliseconds
    ("1709287200123456", "2024-03-01 10:00:00.123456"),  # microseconds
    ("1709287200123456000", "2024-03-01 10:00:00.123456"),  # nanoseconds
    (" 2024-03-01T10:00:00Z ", "2024-03-01 10:00:00"),
    ("2024-03-01T10:00:00 Europe/Paris", "2024-03-01 09:00:00"),
]


def read_zoo(tmp_path: Path, values: list[str], **options: object):  # type: ignore[no-untyped-def]
    body = "customer_id,timestamp,event\n" + "".join(
        f"c{i},{v},e\n" for i, v in enumerate(values)
    )
    return read_events(write(tmp_path / "t.csv", body), **options)


def timestamps(log) -> list[str]:  # type: ignore[no-untyped-def]
    frame = log.to_pandas().sort_values("row_number")
    return [str(t) for t in frame["timestamp"]]


def test_timestamp_zoo(tmp_path: Path) -> None:
    log = read_zoo(tmp_path, [raw for raw, _ in ZOO])
    assert log.report.quarantined == 0
    assert timestamps(log) == [str(pd.Timestamp(want)) for _, want in ZOO]


# What foreign exports write beyond ISO 8601 (found by reading real-shaped exports)
EXPORTS = [
    ("2024-03-01 10:00:00 +0530", "2024-03-01 04:30:00"),  # Ruby / Rails Time#to_s
    ("2024-03-01 10:00:00.5 -08:00", "2024-03-01 18:00:00.500"),
    ("2024-03-01 10:00:00.123456 UTC", "2024-03-01 10:00:00.123456"),  # BigQuery CSV
    ("2024-03-01T10:00:00.123456789Z", "2024-03-01 10:00:00.123456"),  # nanoseconds
]


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_offsets_after_a_space_and_other_export_spellings(
    tmp_path: Path, zone: str | None
) -> None:
    log = read_zoo(tmp_path, [raw for raw, _ in EXPORTS], timezone=zone)
    assert log.report.quarantined == 0
    assert timestamps(log) == [str(pd.Timestamp(want)) for _, want in EXPORTS]


def test_naive_times_in_a_zone_are_dst_correct(tmp_path: Path) -> None:
    values = [
        "2024-01-15 12:00",
        "2024-07-15 12:00",
        "2024-07-15T12:00:00Z",
        "1721044800",
        "2024-07-15 12:00 Europe/London",
    ]
    log = read_zoo(tmp_path, values, timezone="Europe/Berlin")
    assert timestamps(log) == [
        "2024-01-15 11:00:00",  # CET, UTC+1
        "2024-07-15 10:00:00",  # CEST, UTC+2
        "2024-07-15 12:00:00",  # explicit offset: zone not applied
        "2024-07-15 12:00:00",  # epoch: always UTC
        "2024-07-15 11:00:00",  # its own zone, BST
    ]


def test_zone_applies_to_typed_naive_timestamps() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "event": ["x"],
                          "timestamp": pd.to_datetime(["2024-07-15 12:00"])})  # fmt: skip
    log = read_events(frame, timezone="America/New_York")
    assert timestamps(log) == ["2024-07-15 16:00:00"]


def test_numeric_epoch_columns() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "event": ["x", "x"],
                          "timestamp": [1709287200, 1709287200123]})  # fmt: skip
    assert timestamps(read_events(frame)) == [
        "2024-03-01 10:00:00",
        "2024-03-01 10:00:00.123000",
    ]


def test_unparsable_times_are_quarantined(tmp_path: Path) -> None:
    values = ["2024-03-01", "yesterday", "2024-13-45", "", "1e30", "01/03/2024"]
    log = read_zoo(tmp_path, values)
    assert log.report.loaded == 1
    reasons = {k.split(":")[0]: n for k, n in log.report.reasons.items()}
    assert reasons == {  # 1e30 is too big for any epoch unit (issue 10)
        "unparsable timestamp": 3, "missing timestamp": 1,
        "ambiguous numeric timestamp": 1,
    }  # fmt: skip
    bad = quarantine(log).to_pandas().sort_values("row_number")
    assert bad["value"].fillna("-").tolist() == values[1:3] + ["-"] + values[4:]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC'; DROP TABLE x; --", "+02:00"])
def test_unknown_zones_are_rejected(zone: str) -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a"], "timestamp": ["2024-01-01"], "event": ["x"]}
    )
    with pytest.raises(IngestError, match="unknown time zone"):
        read_events(frame, timezone=zone)


def test_zone_names_are_case_insensitive() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a"], "timestamp": ["2024-01-01"], "event": ["x"]}
    )
    assert timestamps(read_events(frame, timezone="europe/berlin")) == [
        "2023-12-31 23:00:00"
    ]


def test_infinite_instants_are_outside_the_years_not_unparsable(tmp_path: Path) -> None:
    """Infinite TIMESTAMPTZ values keep their reason whichever way UTC is reached
    (DuckDB's ``make_timestamp(epoch_us(x))`` is NULL for them)."""
    import duckdb

    path = tmp_path / "t.parquet"
    duckdb.sql(
        "SELECT 'c' || i AS customer_id, 'e' AS event, CAST(ts AS TIMESTAMPTZ) AS ts "
        "FROM (VALUES (1, 'infinity'), (2, '-infinity'), (3, '2024-03-01 10:00+02'))"
        " AS t(i, ts)"
    ).write_parquet(str(path))
    for timezone in (None, "Europe/Berlin"):
        log = read_events(path, timezone=timezone)
        assert timestamps(log) == ["2024-03-01 08:00:00"]
        reasons = quarantine(log).to_pandas().sort_values("row_number")
        assert list(reasons["reason"]) == ["timestamp outside the years 1900-2200"] * 2


def test_naive_iso_text_reads_as_the_general_path_reads_it(tmp_path: Path) -> None:
    """The fast strptime reading of naive ISO text (issue 10) takes nothing the
    TIMESTAMPTZ cast refuses: strptime skips whitespace and reads 1-digit fields."""
    values = [
        "2024-03-01 10:00:00",
        "2024-03-01T10:00:00",
        "2024-03-01 24:00:00",  # the cast reads it as the next midnight
        "2024-3-1 10:00:00+01",
        '"2024-03-01\t10:00:00"',  # both read a tab as the separator
        '"2024-03-01 10:00:0\t"',
        '"2024-03-01 1:00:00\n"',
    ]
    log = read_zoo(tmp_path, values)
    assert timestamps(log) == [
        "2024-03-01 10:00:00",
        "2024-03-01 10:00:00",
        "2024-03-02 00:00:00",
        "2024-03-01 09:00:00",
        "2024-03-01 10:00:00",
    ]
    reasons = quarantine(log).to_pandas().sort_values("row_number")
    assert list(reasons["row_number"]) == [6, 7]
    assert set(reasons["reason"]) == {"unparsable timestamp"}


def test_unparsable_times_name_the_time_format_that_reads_them(tmp_path: Path) -> None:
    """A day-first export is quarantined, not guessed; the note says which option
    reads it, and with that option every row loads."""
    values = ["13/03/2024 10:00", "01/03/2024 09:30"]
    log = read_zoo(tmp_path, values)
    assert log.report.reasons == {"unparsable timestamp": 2}
    assert log.report.warnings == (
        "timestamp column 'timestamp': 2 unparsable value(s) such as "
        "'13/03/2024 10:00' read with --time-format '%d/%m/%Y %H:%M' "
        "(data.time_format in a map)",
    )
    again = read_zoo(tmp_path, values, time_format="%d/%m/%Y %H:%M")
    assert timestamps(again) == ["2024-03-13 10:00:00", "2024-03-01 09:30:00"]
    ambiguous = read_zoo(tmp_path, ["01/03/2024"]).report.warnings[0]
    assert "'%d/%m/%Y' or --time-format '%m/%d/%Y'" in ambiguous
    assert read_zoo(tmp_path, ["yesterday"]).report.warnings == ()
