"""Issue 10: a differential fuzz test - Parquet ingest against pyarrow.

Random Parquet files in several row groups, with hostile column names (internal and
DuckDB names, canonical names in other case, quotes, SQL), missing ids, times and events, times outside
the plausible years, padded and NULL-spelled text and exact duplicates. The count is
checked against the file's own metadata, the loaded rows against pyarrow's reading.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.engine import connect
from journeymap.ingest import quarantine, read_events

ENGINE = connect()
COLUMNS = {"customer_id": "user_id", "timestamp": "ts", "event": "event"}
HOSTILE = ["_jm_row", "_jm_raw_timestamp", "_jm_source", "_jm_x", "filename",
           "file_row_number", "rowid", "event_seq", "row_number", "Timestamp",
           "EVENT", "Customer_ID", 'q"uote', "a b", "x'); DROP TABLE t; --",
           "ünï", "1st", "session_id_source"]  # fmt: skip
NULLS = ("NULL", "null", "\\N")  # SQL exports' spellings of NULL: missing in a role

names = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=6)).filter(
        lambda n: "\x00" not in n and n.lower() not in ("user_id", "ts", "event")
    ),
    max_size=4,
    unique_by=str.lower,  # Parquet allows case twins; SQL names compare without case
)
ids = st.one_of(st.sampled_from(["c1", "c2", "42", "O'Brien", " c1 "]), st.none())
times = st.one_of(
    st.sampled_from([dt.datetime(2024, 3, 1, 10), dt.datetime(2024, 3, 1, 10, 5)]),
    st.sampled_from([dt.datetime(1800, 1, 1), dt.datetime(2500, 1, 1)]),  # implausible
    st.none(),
)
events = st.one_of(
    st.sampled_from(
        [
            "visit",
            "buy",
            "café",
            'say "hi"',
            "a,b",
            " pad ",
            "NULL",
            "\xa0nb",
            "\xa0nb ",
        ]
    ),
    st.text(alphabet="ab ;,\"'\n é", min_size=1, max_size=5),
    st.none(),
)
props = st.one_of(st.sampled_from(["p", "q", "7"]), st.none())


def expected_event(value: str | None) -> str | None:
    """The documented reading of a text role: trimmed of spaces, '' and NULL spellings
    missing."""
    if value is None:
        return None
    text = value.strip(" ")
    return None if text in ("", *NULLS) else text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=names,
    rows=st.lists(st.tuples(ids, times, events, st.lists(props, min_size=4, max_size=4)),
                  min_size=1, max_size=25),
    group=st.integers(1, 6),
)  # fmt: skip
def test_loaded_rows_are_what_pyarrow_reads(
    extra: list[str],
    rows: list[tuple[str | None, dt.datetime | None, str | None, list[str | None]]],
    group: int,
) -> None:
    columns: dict[str, list[object]] = {
        "user_id": [r[0] for r in rows],
        "ts": [r[1] for r in rows],
        "event": [r[2] for r in rows],
    }
    for index, name in enumerate(extra):
        columns[name] = [r[3][index] for r in rows]
    schema = pa.schema(
        [("user_id", pa.string()), ("ts", pa.timestamp("us")), ("event", pa.string())]
        + [(name, pa.string()) for name in extra]
    )
    handle = tempfile.NamedTemporaryFile("wb", suffix=".parquet", delete=False)
    handle.close()
    path = Path(handle.name)
    try:
        pq.write_table(pa.table(columns, schema=schema), path, row_group_size=group)
        count = pq.ParquetFile(path).metadata.num_rows  # the independent count
        source = pq.read_table(path).to_pylist()  # the independent parser
        log = read_events(path, columns=COLUMNS, engine=ENGINE)
    finally:
        path.unlink()

    report = log.report
    assert report is not None
    assert report.read == count == len(rows)
    assert report.read == report.loaded + report.quarantined + report.duplicates
    assert sum(report.reasons.values()) == report.quarantined

    good: dict[int, tuple[object, ...]] = {}
    for number, record in enumerate(source, start=1):
        who = expected_event(record["user_id"])
        what = expected_event(record["event"])
        when = record["ts"]
        if who is None or what is None or when is None:
            continue
        if not 1900 <= when.year <= 2200:
            continue
        good[number] = (who, when, what, *sorted(str(record[n]) for n in extra))
    loaded = log.to_pandas()
    kept = [c for c in loaded.columns if c not in ("customer_id", "timestamp", "event",
                                                   "row_number", "event_seq")]  # fmt: skip
    assert len(kept) == len(extra)  # no column dropped, none invented
    got = {
        int(row["row_number"]): (
            row["customer_id"],
            row["timestamp"].to_pydatetime(),
            row["event"],
            *sorted(str(None if v != v else v) for v in (row[c] for c in kept)),
        )
        for _, row in loaded.iterrows()
    }
    assert {n: good[n] for n in got} == got
    dropped = set(good) - set(got)
    assert len(dropped) == report.duplicates
    assert all(good[n] in got.values() for n in dropped)  # only exact duplicates
    bad = quarantine(log).to_pandas()
    assert set(bad["row_number"]) == set(range(1, len(rows) + 1)) - set(good)
