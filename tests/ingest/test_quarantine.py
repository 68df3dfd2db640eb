from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events

from .conftest import write

BAD_CSV = """user_id,ts,event,amount,score,score_kind
c1,2024-01-01 10:00,visit,,,
,2024-01-01 10:01,visit,,,
c2,,visit,,,
c3,someday,visit,,,
c4,2024-01-01 10:04,,,,
c5,2024-01-01 10:05,buy,ten,,
c6,2024-01-01 10:06,survey,,11,nps
c7,2024-01-01 10:07,survey,,9,NPS
c1,2024-01-01 10:00,visit,,,
c8,2024-01-01,too,many,fields,here,!
c9,2024-01-01 10:09,buy,12.5,,
"""


def test_reasons_rows_and_lines(tmp_path: Path) -> None:
    log = read_events(write(tmp_path / "bad.csv", BAD_CSV), columns={"value": "amount"})
    report = log.report
    assert (report.read, report.loaded, report.quarantined, report.duplicates) == (
        11, 3, 7, 1,
    )  # fmt: skip
    bad = quarantine(log).to_pandas().sort_values("row_number")
    assert bad[["row_number", "line", "column", "reason"]].fillna(
        ""
    ).values.tolist() == [
        [2, 3, "user_id", "missing customer_id"],
        [3, 4, "ts", "missing timestamp"],
        [4, 5, "ts", "unparsable timestamp"],
        [5, 6, "event", "missing event"],
        [6, 7, "amount", "unparsable value"],
        [7, 8, "score", "score out of range for its score_kind"],
        [10, 11, "", "malformed line: too many columns"],
    ]
    assert bad["value"].tolist()[2] == "someday"
    assert bad["value"].tolist()[-1].startswith("c8,2024-01-01,too")
    loaded = log.to_pandas()
    # rows after the malformed line keep their true data row number
    assert loaded["row_number"].tolist() == [1, 8, 11]
    assert loaded["score_kind"].tolist()[1] == "nps"
    assert report.summary().endswith(
        "read 11 = loaded 3 + quarantined 7 + duplicates dropped 1"
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_quarantine_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"rejected{suffix}"
    log = read_events(write(tmp_path / "bad.csv", BAD_CSV), quarantine_path=target)
    assert log.report.quarantine_file == str(target)
    frame = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert frame["row_number"].tolist() == [2, 3, 4, 5, 6, 7, 10]


def test_quarantine_file_needs_a_known_suffix(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"must end in \.csv or \.parquet"):
        read_events(
            write(tmp_path / "bad.csv", BAD_CSV), quarantine_path=tmp_path / "q.txt"
        )


def test_quarantine_needs_an_ingested_log() -> None:
    log = read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"],
                                    "event": ["x"]}))  # fmt: skip
    assert quarantine(log).count().execute() == 0
    from dataclasses import replace

    with pytest.raises(IngestError, match="not made by read_events"):
        quarantine(replace(log, quarantine=None))


def test_injection_in_names_and_values_is_just_data(tmp_path: Path) -> None:
    evil = "x'); DROP TABLE t; --"
    body = f'"{evil}","ts","e""v","p"")--"\n"c1","2024-01-01","{evil}","{evil}"\n'
    log = read_events(
        write(tmp_path / "evil.csv", body),
        columns={"customer_id": evil, "timestamp": "ts", "event": 'e"v'},
    )
    frame = log.to_pandas()
    assert frame["event"].tolist() == [evil]
    assert frame['p")--'].tolist() == [evil]
    assert log.report.columns["customer_id"] == evil


def test_properties_are_typed_and_never_shadow_canonical_columns(
    tmp_path: Path,
) -> None:
    body = (
        "uid,when,what,timestamp,event_seq,zip,size,ratio,flag,note\n"
        "a,2024-01-01,x,t1,s1,01234,3,0.5,true,hi\n"
        "b,2024-01-02,y,t2,s2,98765,12,1,False,\n"
    )
    columns = {"customer_id": "uid", "timestamp": "when", "event": "what"}
    log = read_events(write(tmp_path / "p.csv", body), columns=columns)
    schema = log.table.schema()
    assert log.properties() == ("timestamp_source", "event_seq_source", "zip", "size",
                                "ratio", "flag", "note")  # fmt: skip
    assert str(schema["zip"]) == "string"  # a leading zero keeps it text
    assert str(schema["size"]) == "int64"
    assert str(schema["ratio"]) == "float64"
    assert str(schema["flag"]) == "boolean"


def test_decimal_comma_in_semicolon_files(tmp_path: Path) -> None:
    body = "user_id;ts;event;revenue\nc1;2024-01-01;buy;12,50\n"
    log = read_events(write(tmp_path / "eu.csv", body))
    assert log.to_pandas()["value"].tolist() == [12.5]


def test_column_errors_name_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "who,when\n1,2024-01-01\n")
    with pytest.raises(IngestError) as info:
        read_events(path)
    assert str(info.value) == (
        f"{path}: cannot find column(s) for customer_id, timestamp, event among "
        "who, when; pass --id COLUMN --time COLUMN --event COLUMN"
    )
    with pytest.raises(IngestError, match="event: column 'nope' not found"):
        read_events(path, columns={"event": "nope"})


def test_header_only_and_all_bad_files(tmp_path: Path) -> None:
    empty = read_events(write(tmp_path / "empty.csv", "user_id,ts,event\n"))
    assert (empty.report.read, empty.count()) == (0, 0)
    bad = read_events(write(tmp_path / "bad.csv", "user_id,ts,event\n,,\nc1,x,y\n"))
    assert (bad.report.read, bad.report.loaded, bad.report.quarantined) == (2, 0, 2)


def test_jsonl_lines_are_reported(tmp_path: Path) -> None:
    body = '{"user_id": "a", "ts": "2024-01-01", "event": "x"}\n'
    body += '{"user_id": "b", "ts": "soon", "event": "x"}\n'
    log = read_events(write(tmp_path / "e.jsonl", body))
    bad = quarantine(log).to_pandas()
    assert bad[["row_number", "line", "reason"]].values.tolist() == [
        [2, 2, "unparsable timestamp"]
    ]


def test_typed_parquet_bad_rows_are_found_by_the_second_scan(tmp_path: Path) -> None:
    """A typed source is sorted in one query; its bad rows still reach the quarantine
    with their rows, and a clean file needs no second scan to add up."""
    frame = pd.DataFrame(
        {
            "user_id": ["a", None, "b", "a", "c"],
            "ts": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "1800-01-01", "2024-01-01", "2024-01-03"]
            ),
            "event": ["x", "y", "z", "x", None],
        }
    )
    frame.to_parquet(tmp_path / "e.parquet")
    log = read_events(tmp_path / "e.parquet")
    assert log.report is not None
    assert log.report.summary().endswith(
        "read 5 = loaded 1 + quarantined 3 + duplicates dropped 1"
    )
    bad = quarantine(log).order_by("row_number").to_pandas()
    assert bad[["row_number", "reason"]].values.tolist() == [
        [2, "missing customer_id"],
        [3, "timestamp outside the years 1900-2200"],
        [5, "missing event"],
    ]
    frame.iloc[[0, 3]].to_parquet(tmp_path / "clean.parquet")  # a duplicate pair
    clean = read_events(tmp_path / "clean.parquet")
    assert clean.report is not None
    assert (clean.report.quarantined, clean.report.duplicates) == (0, 1)


def test_sql_null_spellings_in_a_role_are_missing(tmp_path: Path) -> None:
    """SQL Server and DBeaver write NULL, MySQL and Snowflake \\N: an empty revenue
    quarantined the row as unparsable, a NULL id made one customer called NULL."""
    text = (
        "user_id,ts,event,value,channel\n"
        "NULL,2024-01-01T10:00:00Z,visit,NULL,web\n"
        "\\N,2024-01-01T10:00:00Z,visit,\\N,NULL\n"
        "a,2024-01-01T10:02:00Z,visit,NULL,\\N\n"
        "a,null,visit,1,web\n"
        "b,2024-01-01T10:02:00Z,buy,12.5,web\n"
    )
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    log = read_events(path)
    assert log.report.reasons == {"missing customer_id": 2, "missing timestamp": 1}
    frame = log.to_pandas()
    assert frame["customer_id"].tolist() == ["a", "b"]
    assert frame["value"].isna().tolist() == [True, False]
    assert frame["channel"].isna().tolist() == [True, False]
