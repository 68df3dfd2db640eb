"""JSON lines are judged line by line, like CSV (issue 10)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.engine import connect
from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events

from .conftest import rows

GOOD = '{"u": "c1", "ts": "2024-01-01T10:00:00Z", "ev": "visit", "plan": "pro"}'
COLUMNS = {"customer_id": "u", "timestamp": "ts", "event": "ev"}
ENGINE = connect()


def read(path: Path, body: bytes):  # type: ignore[no-untyped-def]
    path.write_bytes(body)
    return read_events(path, columns=COLUMNS)


def test_one_bad_line_is_quarantined_with_its_line(tmp_path: Path) -> None:
    body = "\n".join(
        [
            GOOD,
            "",  # blank: not a row
            '{"u": "c1", "ts": "2024-01-01T10:05:00Z", "ev": "buy"}\r',
            '{"u": "c2", "ts": "2024-01-01T10:00:00Z", "ev": ',  # cut off
            "[1, 2]",
            '{"u": "c2", "ts": "2024-01-01T10:06:00Z", "ev": "visit"}',
        ]
    )
    log = read(tmp_path / "e.jsonl", body.encode())
    assert log.report.summary().endswith("read 5 = loaded 3 + quarantined 2")
    bad = quarantine(log).order_by("row_number").to_pandas()
    assert bad[["row_number", "line", "reason"]].values.tolist() == [
        [4, 4, "not valid JSON"],
        [5, 5, "not a JSON object: array"],
    ]
    assert bad.value[0].startswith('{"u": "c2"')
    assert rows(log, "customer_id", "event", "row_number") == [
        ("c1", "visit", 1),
        ("c1", "buy", 3),
        ("c2", "visit", 6),
    ]


def test_a_type_change_after_the_sample_is_read(tmp_path: Path) -> None:
    ints = "".join(
        f'{{"u": {i}, "ts": "2024-01-01", "ev": "x", "n": {i}}}\n'
        for i in range(30_000)
    )
    late = '{"u": "late", "ts": "2024-01-02", "ev": "y", "n": "text"}\n'
    log = read(tmp_path / "e.jsonl", (ints + late).encode())
    assert (log.report.loaded, log.report.quarantined) == (30_001, 0)
    frame = log.to_pandas()
    assert frame.customer_id.iloc[-1] == "late"
    assert set(frame.customer_id.head(3)) <= {str(i) for i in range(30_000)}


def test_a_line_that_is_not_utf8_is_quarantined_alone(tmp_path: Path) -> None:
    body = (
        GOOD.encode()
        + b"\n"
        + '{"u": "c2", "ts": "2024-01-02", "ev": "café"}'.encode("latin-1")
    )
    log = read(tmp_path / "e.jsonl", body + b"\n" + GOOD.replace("c1", "c3").encode())
    assert (log.report.loaded, log.report.quarantined) == (2, 1)
    bad = quarantine(log).to_pandas()
    assert bad.line.tolist() == [2]
    assert bad.reason[0].startswith("not valid UTF-8: byte 0xE9")


def test_columns_and_types_do_not_depend_on_line_order(tmp_path: Path) -> None:
    lines = [
        '{"u": "a", "ts": "2024-01-01", "ev": "x", "n": 1, "z": true, "m": {"k": 1}}',
        '{"ev": "y", "ts": "2024-01-02", "u": "b", "n": 2.5, "z": false, "m": [1]}',
        '{"u": "c", "ts": "2024-01-03", "ev": "z", "k": null}',
    ]
    first = read(tmp_path / "a.jsonl", "\n".join(lines).encode())
    second = read(tmp_path / "b.jsonl", "\n".join(reversed(lines)).encode())
    assert first.table.schema() == second.table.schema()
    types = dict(first.table.schema().items())
    assert str(types["n"]) == "float64" and str(types["z"]) == "boolean"
    assert str(types["k"]) == "string" and str(types["m"]) == "json"
    assert first.to_pandas().m.tolist()[:2] == [{"k": 1}, [1]]


def test_a_lone_carriage_return_fails_the_line_accounting(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="line accounting failed") as info:
        read(tmp_path / "e.jsonl", (GOOD + "\r" + GOOD + "\n").encode())
    assert "\n" not in str(info.value)


def test_a_json_array_file_is_still_read(tmp_path: Path) -> None:
    log = read(tmp_path / "e.json", ("[" + GOOD + ",\n" + GOOD + "]").encode())
    assert log.report.summary().endswith(
        "loaded 1 + quarantined 0 + duplicates dropped 1"
    )


event_text = st.text(
    alphabet=st.sampled_from(list('ab"\\{}[],: é€\t')), min_size=1, max_size=6
).filter(lambda s: s.strip() == s)
line_kind = st.sampled_from(["object", "object", "blank", "broken", "array", "latin1"])


def build(lines: list[tuple[str, str, bool]]) -> tuple[bytes, dict[int, str], set[int]]:
    """File bytes; expected event by line for objects; the lines to quarantine."""
    out = bytearray()
    expected: dict[int, str] = {}
    bad: set[int] = set()
    for number, (kind, event, crlf) in enumerate(lines, start=1):
        end = b"\r\n" if crlf else b"\n"
        record = {"u": f"c{number % 3}", "ts": "2024-01-01", "ev": event}
        if kind == "object":
            raw = json.dumps(record, ensure_ascii=number % 2 == 0).encode()
            parsed = json.loads(raw)  # the independent parser
            expected[number] = parsed["ev"]
        elif kind == "blank":
            raw = b"  "
        elif kind == "broken":
            raw = json.dumps(record).encode()[:-1]
            bad.add(number)
        elif kind == "array":
            raw = json.dumps([record]).encode()
            bad.add(number)
        else:
            raw = b'{"u": "c9", "ts": "2024-01-01", "ev": "caf\xe9"}'
            bad.add(number)
        out += raw + end
    return bytes(out), expected, bad


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.tuples(line_kind, event_text, st.booleans()), min_size=1, max_size=25
    ).filter(lambda lines: any(kind == "object" for kind, _, _ in lines))
)  # without an object line there are no columns to map
def test_loaded_lines_are_what_pythons_json_reads(
    lines: list[tuple[str, str, bool]],
) -> None:
    data, expected, bad = build(lines)
    handle = tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False)
    with handle:
        handle.write(data)
    path = Path(handle.name)
    try:
        log = read_events(path, columns=COLUMNS, engine=ENGINE)
    finally:
        path.unlink()
    report = log.report
    assert report is not None
    assert report.read == len(expected) + len(bad)
    assert report.read == report.loaded + report.quarantined + report.duplicates
    loaded = log.to_pandas()
    got = dict(zip(loaded["row_number"], loaded["event"], strict=True))
    assert {n: expected[n].strip() for n in got} == got
    assert len(set(expected) - set(got)) == report.duplicates
    rejected = quarantine(log).to_pandas()
    assert set(rejected["line"]) == bad
