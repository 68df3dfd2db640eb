"""Issue 10: every CSV line is accounted for, against an independent count of lines."""

from __future__ import annotations

from pathlib import Path

from journeymap.ingest import quarantine, read_events

from .conftest import write


def quarantined(log) -> list[dict]:  # type: ignore[no-untyped-def]
    table = quarantine(log).order_by("row_number")
    frame = table.to_pandas()[["row_number", "line", "reason", "value"]]
    return frame.to_dict("records")  # type: ignore[no-any-return]


def event_lines(count: int, name: str = "visit") -> list[str]:
    return [f"c{i % 50_000},2024-01-01 10:{i % 60:02d}:00,{name}" for i in range(count)]


def test_unterminated_quote_after_the_first_mebibyte(tmp_path: Path) -> None:
    lines = ["user_id,ts,event_name", *event_lines(110_000)]
    lines[60_001] = 'c1,2024-01-01 10:00:00,"broken'
    path = write(tmp_path / "e.csv", "\n".join(lines) + "\n")
    assert path.stat().st_size > 1 << 20
    log = read_events(path)
    report = log.report
    assert (report.read, report.loaded, report.quarantined) == (110_000, 109_999, 1)
    [bad] = quarantined(log)
    assert (bad["row_number"], bad["line"]) == (60_001, 60_002)
    assert bad["reason"].startswith("unbalanced quote")
    assert bad["value"] == 'c1,2024-01-01 10:00:00,"broken'
    assert log.to_pandas()["customer_id"].nunique() == 50_000
    assert any("unbalanced quote" in w for w in report.warnings)


def test_stray_quote_pair_does_not_merge_a_thousand_lines(tmp_path: Path) -> None:
    lines = ["user_id,ts,event_name", *event_lines(3_000)]
    lines[101] = 'c1,2024-01-01 10:00:00,"vis'
    lines[1_102] = 'c2,2024-01-01 10:00:00,vis"it'  # a literal quote: one line, one row
    log = read_events(write(tmp_path / "e.csv", "\n".join(lines) + "\n"))
    assert (log.report.read, log.report.quarantined) == (3_000, 1)
    assert [(q["row_number"], q["line"]) for q in quarantined(log)] == [(101, 102)]
    events = log.to_pandas()["event"]
    assert events.str.len().max() < 10  # no value swallowed other lines
    assert (events == 'vis"it').sum() == 1


def test_one_latin1_byte_does_not_turn_utf8_into_mojibake(tmp_path: Path) -> None:
    body = "\n".join(["user_id,ts,event_name", *event_lines(60_000, "café_view")])
    data = (body + "\n").encode("utf-8").replace("café".encode(), b"caf\xe9", 1)
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    log = read_events(path)
    assert log.report.encoding == "utf-8"
    assert (log.report.loaded, log.report.quarantined) == (59_999, 1)
    assert set(log.to_pandas()["event"]) == {"café_view"}
    [bad] = quarantined(log)
    assert bad["line"] == 2 and "not valid UTF-8: byte 0xE9" in bad["reason"]
    assert any("not valid UTF-8" in w for w in log.report.warnings)


def test_latin1_far_into_the_file_decides_the_whole_file(tmp_path: Path) -> None:
    lines = ["user_id,ts,event_name", *event_lines(80_000)]
    lines[-1] = "c9,2024-01-01 10:00:00,café"
    path = write(tmp_path / "e.csv", "\n".join(lines) + "\n", "latin-1")
    log = read_events(path)
    assert log.report.encoding == "latin-1"
    assert log.report.quarantined == 0
    assert (log.to_pandas()["event"] == "café").sum() == 1


def test_multi_line_values_blank_lines_and_bad_lines_keep_their_lines(
    tmp_path: Path,
) -> None:
    text = (
        "user_id,ts,event\n"  # 1
        "\n"  # 2 blank
        "c1,2024-01-01,a\n"  # 3 row 1
        'c2,2024-01-01,"multi\n'  # 4 row 2 ...
        'line"\n'  # 5 ... spans two lines
        "\n"  # 6 blank
        "c3,2024-01-01,x,extra\n"  # 7 row 3: too many fields (DuckDB rejects it)
        'c4,2024-01-01,"broken\n'  # 8 row 4: unbalanced quote
        "c5,2024-01-01,b\n"  # 9 row 5
        "c6,bad,c\n"  # 10 row 6: unparsable time
        "\n"  # 11 trailing blank
    )
    log = read_events(write(tmp_path / "e.csv", text))
    assert (log.report.read, log.report.loaded, log.report.quarantined) == (6, 3, 3)
    assert [(q["row_number"], q["line"]) for q in quarantined(log)] == [
        (3, 7), (4, 8), (6, 10)
    ]  # fmt: skip
    loaded = log.to_pandas()[["row_number", "event"]].to_dict("records")
    assert loaded == [
        {"row_number": 1, "event": "a"},
        {"row_number": 2, "event": "multi\nline"},
        {"row_number": 5, "event": "b"},
    ]
    assert any("lines 4-5" in w for w in log.report.warnings)


def test_a_multi_line_row_with_too_many_fields_is_one_quarantined_row(
    tmp_path: Path,
) -> None:
    text = 'user_id,ts,event\nc1,2024-01-01,"a\nb",extra\nc2,2024-01-01,c\n'
    log = read_events(write(tmp_path / "e.csv", text))
    assert (log.report.read, log.report.quarantined) == (2, 1)
    [bad] = quarantined(log)
    assert (bad["row_number"], bad["line"]) == (1, 2)
    assert "spans lines 2-3" in bad["reason"]


def test_header_names_never_clash_with_internal_columns(tmp_path: Path) -> None:
    text = "user_id,ts,event,_jm_row,_jm_raw_timestamp,_jm_x\nc1,2024-01-01,a,7,8,9\n"
    log = read_events(write(tmp_path / "e.csv", text))
    frame = log.to_pandas()
    assert frame["row_number"].tolist() == [1]
    assert {"jm_row", "jm_raw_timestamp_source", "jm_x_source"} <= set(frame.columns)
    assert frame["jm_row"].tolist() == [7]


def test_a_stray_quote_on_the_first_row_shifts_every_later_row(tmp_path: Path) -> None:
    text = (
        'user_id,ts,event\nc9,2024-01-01,"open\nc1,2024-01-01,a\nc2,2024-01-01,",b"\n'
    )
    log = read_events(write(tmp_path / "e.csv", text))
    assert log.to_pandas()[["row_number", "event"]].values.tolist() == [
        [2, "a"], [3, ",b"]
    ]  # fmt: skip
    assert [(q["row_number"], q["line"]) for q in quarantined(log)] == [(1, 2)]


def test_a_cell_larger_than_duckdbs_default_line_size_is_read(tmp_path: Path) -> None:
    big = "x" * 3_000_000  # DuckDB's default max_line_size is 2,000,000 bytes
    text = f'user_id,ts,event,note\nc1,2024-01-01,a,{big}\nc2,2024-01-01,b,"{big}"\n'
    log = read_events(write(tmp_path / "e.csv", text))
    assert log.to_pandas()["note"].str.len().tolist() == [3_000_000, 3_000_000]


def test_a_blank_line_after_a_stray_quote_does_not_let_it_swallow_the_next_row(
    tmp_path: Path,
) -> None:
    """Found by the fuzz test: the row after the blank line closed the stray quote
    into one malformed row, and the note called it an unbalanced quote."""
    text = 'user_id,ts,event,n\nc9,2024-01-01,"open\n\nc2,2024-01-02,",;b",x\n'
    log = read_events(write(tmp_path / "e.csv", text))
    assert (log.report.read, log.report.loaded, log.report.quarantined) == (2, 1, 1)
    assert log.to_pandas()[["row_number", "event"]].values.tolist() == [[2, ",;b"]]
    [bad] = quarantined(log)
    assert (bad["row_number"], bad["line"]) == (1, 2)
    assert bad["reason"].startswith("unbalanced quote")


def test_a_malformed_multi_line_row_is_not_called_an_unbalanced_quote(
    tmp_path: Path,
) -> None:
    text = 'user_id,ts,event\nc1,2024-01-01,"a\nb",extra\nc2,2024-01-01,c\n'
    log = read_events(write(tmp_path / "e.csv", text))
    assert not any("unbalanced quote" in w for w in log.report.warnings)


def test_a_stray_quote_before_a_line_that_is_not_utf8_is_one_bad_line(
    tmp_path: Path,
) -> None:
    """Found by the fuzz test: the quote closed two lines later, over a latin-1 line
    quarantined on its own, and the line accounting refused the whole file."""
    data = (
        b'user_id,ts,event,n\nc9,2024-01-01,"open\nc9,2024-01-01,caf\xe9,1\n'
        + 'c1,2024-01-01,",é\n""",1\n'.encode()
    )
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    log = read_events(path)
    assert (log.report.read, log.report.loaded, log.report.quarantined) == (3, 1, 2)
    assert log.to_pandas()[["row_number", "event"]].values.tolist() == [[3, ',é\n"']]
    assert [(q["row_number"], q["line"]) for q in quarantined(log)] == [(1, 2), (2, 3)]
