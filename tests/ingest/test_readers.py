from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from journeymap.errors import IngestError, MissingExtraError
from journeymap.ingest import read_events
from journeymap.ingest.databases import parse_table_address

from .conftest import rows, write

EVENTS = [("c1", "2024-01-01 10:00:00", "visit"), ("c1", "2024-01-01 10:05:00", "buy"),
          ("c2", "2024-01-02 09:00:00", "visit")]  # fmt: skip
EXPECTED = [("c1", "visit"), ("c1", "buy"), ("c2", "visit")]


def csv_text(delimiter: str = ",") -> str:
    lines = [delimiter.join(("user_id", "ts", "event_name"))]
    lines += [delimiter.join(row) for row in EVENTS]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    log = read_events(write(tmp_path / "e.csv", csv_text(delimiter)))
    assert rows(log, "customer_id", "event") == EXPECTED
    assert log.report.columns == {"customer_id": "user_id", "timestamp": "ts",
                                  "event": "event_name"}  # fmt: skip


def test_tsv_suffix_means_tab(tmp_path: Path) -> None:
    log = read_events(write(tmp_path / "e.tsv", csv_text("\t")))
    assert log.report.loaded == 3


def test_explicit_delimiter_wins(tmp_path: Path) -> None:
    path = write(tmp_path / "e.txt", csv_text(";").replace("visit", "vi,sit"))
    log = read_events(path, delimiter=";")
    assert rows(log, "event")[0] == ("vi,sit",)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("utf-8-sig", "café"), ("utf-8", "naïve ✓"), ("utf-16", "größe"),
     ("latin-1", "café"), ("cp1252", "€ “quoted” – dash")],
)  # fmt: skip
def test_csv_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    body = f"user_id,ts,event_name,note\nc1,2024-01-01,visit,{text}\n"
    log = read_events(write(tmp_path / "e.csv", body, encoding))
    assert log.to_pandas()["note"].tolist() == [text]
    assert log.columns[0] == "customer_id"  # the BOM is not part of the first name


def test_explicit_encoding(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv", "user_id,ts,event_name\nc1,2024-01-01,é\n", "latin-1"
    )
    assert rows(read_events(path, encoding="latin1"), "event") == [("é",)]
    with pytest.raises(IngestError, match="unsupported encoding 'klingon'"):
        read_events(path, encoding="klingon")


def test_parquet_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(EVENTS, columns=["user_id", "ts", "event_name"])
    frame["ts"] = pd.to_datetime(frame["ts"])
    frame.to_parquet(tmp_path / "e.parquet")
    log = read_events(tmp_path / "e.parquet")
    assert rows(log, "customer_id", "event") == EXPECTED
    assert log.to_pandas()["row_number"].tolist() == [1, 2, 3]


def test_parquet_folder_with_hive_partitions(tmp_path: Path) -> None:
    for day, part in (("2024-01-01", EVENTS[:2]), ("2024-01-02", EVENTS[2:])):
        folder = tmp_path / "events" / f"day={day}"
        folder.mkdir(parents=True)
        pd.DataFrame(part, columns=["user_id", "ts", "event_name"]).to_parquet(
            folder / "part-0.parquet"
        )
    log = read_events(tmp_path / "events")
    frame = log.to_pandas()
    assert sorted(frame["row_number"]) == [1, 2, 3]
    assert frame["day"].astype(str).tolist() == [
        "2024-01-01",
        "2024-01-01",
        "2024-01-02",
    ]


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        f'{{"user_id": "{c}", "ts": "{t}", "event_name": "{e}"}}' for c, t, e in EVENTS
    ]
    log = read_events(write(tmp_path / "e.jsonl", "\n".join(lines) + "\n"))
    assert rows(log, "customer_id", "event") == EXPECTED


def test_json_array(tmp_path: Path) -> None:
    items = [
        f'{{"user_id": "{c}", "ts": "{t}", "event_name": "{e}"}}' for c, t, e in EVENTS
    ]
    log = read_events(write(tmp_path / "e.json", "[" + ",\n".join(items) + "]"))
    assert rows(log, "customer_id", "event") == EXPECTED


def test_jsonl_mixed_types_and_nested_properties(tmp_path: Path) -> None:
    line = '{"user_id": "a", "ts": "2024-01-01", "event": "x", "props": {"k": 1}}\n'
    body = (
        line + line + '{"user_id": 7, "ts": 1704067200, "event": "y", "props": null}\n'
    )
    log = read_events(write(tmp_path / "e.jsonl", body))
    assert log.report.summary().endswith(
        "loaded 2 + quarantined 0 + duplicates dropped 1"
    )
    frame = log.to_pandas()
    assert frame["customer_id"].tolist() == ["7", "a"]
    assert frame["props"].tolist()[1] == {"k": 1}


def test_excel(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["user_id", "ts", "event_name", "amount"])
    sheet.append(["c1", dt.datetime(2024, 1, 1, 10), "visit", 3])
    sheet.append([None, None, None, None])  # a blank row is not data
    sheet.append(["c2", "not a time", "visit", 2.5])
    book.save(tmp_path / "e.xlsx")
    log = read_events(tmp_path / "e.xlsx", columns={"value": "amount"})
    assert rows(log, "customer_id", "timestamp", "value") == [
        ("c1", pd.Timestamp("2024-01-01 10:00"), 3.0)
    ]
    assert log.report.reasons == {"unparsable timestamp": 1}
    from journeymap.ingest import quarantine

    bad = quarantine(log).to_pandas()
    assert bad[["row_number", "line"]].values.tolist() == [[3, 4]]  # sheet row 4


@pytest.mark.parametrize(
    "make", [lambda f: f, pl.from_pandas, lambda f: pa.Table.from_pandas(f)]
)
def test_in_memory_tables(make) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(EVENTS, columns=["user_id", "ts", "event_name"])
    log = read_events(make(frame))
    assert rows(log, "customer_id", "event") == EXPECTED


def test_tz_aware_frame_is_converted_to_utc() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "event": ["x"],
        "timestamp": pd.to_datetime(["2024-07-01 12:00"]).tz_localize("Europe/Berlin")})  # fmt: skip
    assert rows(read_events(frame), "timestamp") == [
        (pd.Timestamp("2024-07-01 10:00"),)
    ]


def make_duckdb(path: Path) -> None:
    from journeymap.engine import connect

    engine = connect(f"duckdb:///{path}")
    engine.sql_rows("CREATE SCHEMA sales")
    engine.sql_rows(
        "CREATE TABLE sales.events (user_id TEXT, ts TIMESTAMP, event_name TEXT)"
    )
    for row in EVENTS:
        engine.sql_rows("INSERT INTO sales.events VALUES (?, ?, ?)", list(row))
    engine.close()


def test_duckdb_table_url_and_double_colon(tmp_path: Path) -> None:
    path = tmp_path / "shop.duckdb"
    make_duckdb(path)
    by_url = read_events(f"duckdb:///{path}?table=sales.events")
    by_colon = read_events(f"{path}::events")
    assert rows(by_url, "customer_id", "event") == EXPECTED
    assert rows(by_colon, "customer_id", "event") == EXPECTED
    assert by_colon.report.source == f"{path}::events"
    with pytest.raises(IngestError, match="no table 'nope'"):
        read_events(f"{path}::nope")


def make_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE events (user_id INTEGER, ts TEXT, event_name TEXT, "
                       "amount REAL)")  # fmt: skip
    connection.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?)",
        [(1, "2024-01-01 10:00:00", "visit", None), (1, 1704103500, "buy", 9.5),
         (2, "2024-01-02T09:00:00Z", "visit", None), (3, None, "visit", None)],
    )  # fmt: skip
    connection.commit()
    connection.close()


def test_sqlite_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import journeymap.ingest.databases as databases

    monkeypatch.setattr(databases, "BATCH_ROWS", 2)  # several batches
    path = tmp_path / "shop.db"
    make_sqlite(path)
    for source in (f"sqlite:///{path}?table=events", f"{path}::events"):
        log = read_events(source)
        frame = log.to_pandas()
        assert frame[["customer_id", "event"]].values.tolist() == [
            ["1", "visit"],
            ["1", "buy"],
            ["2", "visit"],
        ]
        assert frame["timestamp"].astype(str).tolist() == [
            "2024-01-01 10:00:00",
            "2024-01-01 10:05:00",
            "2024-01-02 09:00:00",
        ]
        assert frame["value"].tolist()[1] == 9.5
        assert (
            log.report.summary() == f"{path}::events: read 4 = loaded 3 + quarantined 1"
        )
    with pytest.raises(IngestError, match="no table 'nope'; tables: events"):
        read_events(f"{path}::nope")


def test_postgres_without_driver_is_a_missing_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "psycopg":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(MissingExtraError, match="psycopg"):
        read_events("postgresql://u:secret@localhost/db?table=events")


def test_table_addresses() -> None:
    address = parse_table_address(
        "postgresql://u:pw@h:5432/db?table=s.events&sslmode=off"
    )
    assert address is not None
    assert (address.kind, address.table) == ("postgresql", "s.events")
    assert "table=" not in address.location and "sslmode=off" in address.location
    assert address.label == "postgresql://u:***@h:5432/db?sslmode=off::s.events"
    assert (
        parse_table_address("duckdb:////abs/x.duckdb?table=t").location
        == "/abs/x.duckdb"
    )
    with pytest.raises(IngestError, match=r"add \?table=NAME"):
        parse_table_address("sqlite:///x.db")
    with pytest.raises(IngestError, match="cannot tell the database type"):
        parse_table_address("x.csv::t")


def test_bad_sources_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="file not found"):
        read_events(tmp_path / "missing.csv")
    with pytest.raises(IngestError, match="unknown file type '.xyz'"):
        read_events(write(tmp_path / "e.xyz", "a"))
    with pytest.raises(IngestError, match="cannot read parquet"):
        read_events(write(tmp_path / "e.parquet", "not parquet"))
    with pytest.raises(IngestError, match="cannot read events from a int"):
        read_events(42)
    with pytest.raises(IngestError) as info:
        read_events(write(tmp_path / "e.jsonl", '{"a": 1}\n{broken\n'))
    assert "\n" not in str(info.value)


def test_excel_duplicate_headers_are_numbered(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["user_id", "ts", "event", "note", "note"])
    sheet.append(["c1", "2024-01-01", "visit", "a", "b"])
    book.save(tmp_path / "e.xlsx")
    frame = read_events(tmp_path / "e.xlsx").to_pandas()
    assert frame[["note", "note_1"]].values.tolist() == [["a", "b"]]


def test_excel_title_block_above_the_header_is_skipped(tmp_path: Path) -> None:
    """A report export: a title, a date line and a blank row above the table, a
    blank row inside it and a totals row below it (found by running exported data)."""
    import datetime as dt

    import openpyxl

    from journeymap.ingest import quarantine

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Events export - Shop EU"])
    sheet.append(["Generated", "2024-03-01"])
    sheet.append([])
    sheet.append(["Customer ID", "Event Name", "Event Time", "Order Value"])
    sheet.append([1, "visit", dt.datetime(2024, 1, 1, 10), None])
    sheet.append([])
    sheet.append([2, "buy", dt.datetime(2024, 1, 2, 9), 12.5])
    sheet.append(["Total", None, None, 12.5])
    book.save(tmp_path / "e.xlsx")
    log = read_events(
        tmp_path / "e.xlsx",
        columns={"customer_id": "Customer ID", "event": "Event Name",
                 "timestamp": "Event Time", "value": "Order Value"},
    )  # fmt: skip
    assert rows(log, "customer_id", "event") == [("1", "visit"), ("2", "buy")]
    assert log.to_pandas()["value"].tolist()[1] == 12.5
    assert log.report.warnings == ("rows 1-3 above the header (row 4) skipped",)
    bad = quarantine(log).to_pandas()
    assert bad[["row_number", "line", "reason"]].values.tolist() == [
        [4, 8, "missing timestamp"]  # the totals row, sheet row 8
    ]


def test_an_unreadable_csv_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "e.csv", "user_id,ts,event\nc1,2024-01-01,x\n")
    real_open = Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if (
            self == path
        ):  # as for a file without read permission (tests may run as root)
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(IngestError, match=r"e\.csv: cannot read: Permission denied"):
        read_events(path)


HOSTILE = ["_jm_row", "_jm_file", "_jm_text_0", "_jm_ts_kind", "_jm_raw_timestamp",
           "file_row_number", "filename", "rowid", "_jm_source", "event_seq"]  # fmt: skip


@pytest.mark.parametrize("kind", ["parquet", "folder", "frame"])
def test_no_column_name_breaks_ingest(tmp_path: Path, kind: str) -> None:
    """Internal and DuckDB names in the input are kept as properties (issue 10)."""
    frame = pd.DataFrame(
        {"user_id": ["b", "a"], "ts": ["2024-01-02", "2024-01-01"], "event": ["x", "y"]}
        | {name: [f"{name}-1", f"{name}-2"] for name in HOSTILE}
    )
    source: object = frame
    if kind == "parquet":
        frame.to_parquet(tmp_path / "e.parquet")
        source = tmp_path / "e.parquet"
    if kind == "folder":  # hive partitions, two files, the offsets join
        for index in (0, 1):
            (tmp_path / f"k={index}").mkdir()
            frame.iloc[[index]].to_parquet(tmp_path / f"k={index}" / "e.parquet")
        source = tmp_path
    log = read_events(source)
    out = log.to_pandas()
    assert out[["customer_id", "row_number", "event_seq"]].values.tolist() == [
        ["a", 2, 1],
        ["b", 1, 2],
    ]
    values = {str(v) for column in out.columns for v in out[column]}
    assert {f"{name}-2" for name in HOSTILE} <= values  # every column kept


def test_gzip_compressed_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BigQuery writes .csv.gz, Amplitude gzipped JSON lines: read as the inner type,
    line numbers and messages of the .gz file, no decompressed copy left behind."""
    import gzip
    import tempfile

    from journeymap.ingest import quarantine

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    text = csv_text() + "c3,yesterday,visit\n"
    (tmp_path / "e.csv.gz").write_bytes(gzip.compress(text.encode()))
    log = read_events(tmp_path / "e.csv.gz")
    assert rows(log, "customer_id", "event") == EXPECTED
    assert log.report.source == str(tmp_path / "e.csv.gz")
    assert quarantine(log).to_pandas()["line"].tolist() == [5]
    lines = '{"user_id": "c1", "ts": "2024-01-01T10:00:00Z", "event": "visit"}\n'
    (tmp_path / "e.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    assert rows(read_events(tmp_path / "e.jsonl.gz"), "event") == [("visit",)]
    (tmp_path / "bad.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(IngestError, match=r"bad\.csv\.gz: cannot decompress"):
        read_events(tmp_path / "bad.csv.gz")
    (tmp_path / "x.tar.gz").write_bytes(gzip.compress(b"x"))
    with pytest.raises(IngestError, match=r"unknown file type '\.tar\.gz'"):
        read_events(tmp_path / "x.tar.gz")
    # the open engine's spill folder (removed when it closes) is no decompressed copy
    left = [p for p in scratch.iterdir() if not p.name.startswith("journeymap-spill-")]
    assert left == []
    (tmp_path / "log.xes").write_text("<log/>")
    with pytest.raises(IngestError, match=r"'\.xes'.*XES is not read: export .* CSV"):
        read_events(tmp_path / "log.xes")


def test_a_sheet_of_a_workbook_is_named_after_the_file(tmp_path: Path) -> None:
    """A workbook whose first sheet is a summary: the note names the other sheets,
    ``book.xlsx::Events`` reads one, an unknown sheet lists them."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Total events", 2])
    events = book.create_sheet("Events")
    events.append(["user_id", "ts", "event"])
    events.append(["c1", "2024-01-01 10:00:00", "visit"])
    events.append(["c1", "2024-01-01 10:05:00", "buy"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(IngestError, match=r"cannot find column.*also: Events.*::SHEET"):
        read_events(tmp_path / "book.xlsx")
    log = read_events(f"{tmp_path / 'book.xlsx'}::Events")
    assert rows(log, "customer_id", "event") == [("c1", "visit"), ("c1", "buy")]
    assert log.report.source == f"{tmp_path / 'book.xlsx'}::Events"
    with pytest.raises(
        IngestError, match="no sheet 'Evnts'; the sheets are: Summary, Events"
    ):
        read_events(f"{tmp_path / 'book.xlsx'}::Evnts")
    single = openpyxl.Workbook()
    single.active.append(["user_id", "ts", "event"])
    single.active.append(["c1", "2024-01-01 10:00:00", "visit"])
    single.save(tmp_path / "one.xlsx")
    assert read_events(tmp_path / "one.xlsx").report.warnings == ()


def test_the_first_of_several_sheets_is_said(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Q1"
    book.active.append(["user_id", "ts", "event"])
    book.active.append(["c1", "2024-01-01 10:00:00", "visit"])
    book.create_sheet("Q2")
    book.save(tmp_path / "book.xlsx")
    log = read_events(tmp_path / "book.xlsx")
    assert log.report.warnings == (
        "read sheet 'Q1', the first of 2 (also: Q2); name another as book.xlsx::SHEET",
    )


def test_an_excel_delimiter_hint_line_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "sep=;\n" + csv_text(";"))
    with pytest.raises(IngestError) as info:
        read_events(path)
    assert str(info.value) == (
        f"{path}:1: line 1 'sep=;' is a delimiter hint for Excel, not the header: "
        "delete that line"
    )
