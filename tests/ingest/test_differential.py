"""Issue 10: a differential fuzz test - ingest against Python's csv module.

Random CSV files with quoted delimiters, doubled quotes, multi-line values, blank lines,
stray quotes, latin-1 bytes and hostile column names; the loaded events must be exactly
the rows an independent parser reads, and every other record must be quarantined with
its line.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.engine import connect
from journeymap.ingest import quarantine, read_events

ENGINE = connect()
HEADER = ["user_id", "ts", "event", "_jm_row"]

text = st.text(
    alphabet=st.sampled_from(list('ab,;"\n é€')), min_size=1, max_size=6
).filter(lambda s: s.strip() == s and s.strip() != "")
record = st.tuples(
    st.sampled_from(["c1", "c2", "c,3"]),
    st.sampled_from(["2024-01-01 10:00", "2024-01-02", "20240303"]),
    text,
    st.sampled_from(["1", "x"]),
)
damage = st.sampled_from(["none", "blank", "stray", "latin1"])


def build(rows: list[tuple[tuple[str, ...], str]]) -> tuple[bytes, dict[int, str]]:
    """File bytes, and the expected event by record number for the records kept.

    A latin-1 line is quarantined when the file is UTF-8 elsewhere, and is data when
    no other line has UTF-8 text beyond ASCII (then the whole file is latin-1).
    """
    utf8_elsewhere = any(
        not fields[2].isascii() for fields, harm in rows if harm in ("none", "blank")
    )
    out = io.BytesIO()
    out.write(",".join(HEADER).encode() + b"\n")
    expected: dict[int, str] = {}
    for number, (fields, harm) in enumerate(rows, start=1):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(fields)
        line = buffer.getvalue().encode()
        if harm == "blank":
            out.write(b"\n")
        if harm == "stray":
            line = b'c9,2024-01-01,"open\n'  # never closed: this line is quarantined
        elif harm == "latin1":
            line = b"c9,2024-01-01,caf\xe9,1\n"
            if not utf8_elsewhere:
                expected[number] = "café"
        else:
            expected[number] = fields[2]
        out.write(line)
    return out.getvalue(), expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(record, damage), min_size=1, max_size=30))
def test_loaded_rows_are_what_an_independent_parser_reads(
    rows: list[tuple[tuple[str, ...], str]],
) -> None:
    data, expected = build(rows)
    handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
    with handle:
        handle.write(data)
    path = Path(handle.name)
    try:
        log = read_events(path, engine=ENGINE)
    finally:
        path.unlink()
    report = log.report
    assert report is not None
    assert report.read == len(rows)
    assert report.read == report.loaded + report.quarantined + report.duplicates
    latin1 = b"\xe9" in data and not any(
        not f[2].isascii() for f, h in rows if h in ("none", "blank")
    )
    assert report.encoding == ("latin-1" if latin1 else "utf-8")
    loaded = log.to_pandas()
    got = dict(zip(loaded["row_number"], loaded["event"], strict=True))
    assert {n: expected[n] for n in got} == got
    dropped = set(expected) - set(got)
    assert len(dropped) == report.duplicates
    bad = quarantine(log).to_pandas()
    assert set(bad["row_number"]) == set(range(1, len(rows) + 1)) - set(expected)
    assert bad["line"].notna().all()
