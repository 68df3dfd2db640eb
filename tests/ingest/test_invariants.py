"""Property tests: nothing is lost, bad input never crashes, row order never matters."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.engine import connect
from journeymap.errors import IngestError
from journeymap.ingest import read_events

ENGINE = connect()
HEADER = ["user_id", "ts", "event", "amount", "plan"]

good_id = st.sampled_from(["c1", "c2", "c3", "42", "O'Brien"])
good_ts = st.sampled_from(["2024-01-01 10:00", "2024-01-01T10:00:00Z", "1704103200",
                           "2024-01-02", "2024-01-01T12:00:00+02:00"])  # fmt: skip
good_event = st.sampled_from(["visit", "buy", "x'); DROP TABLE t; --", "ünïcødé"])
junk = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=8)  # fmt: skip
cell = st.one_of(st.just(""), junk)


def column(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(good, good, good, cell)


record = st.tuples(
    column(good_id), column(good_ts), column(good_event),
    st.one_of(st.just(""), st.sampled_from(["1.5", "3", "-2"]), junk),
    st.one_of(st.just(""), st.sampled_from(["pro", "free", "7"]), junk),
)  # fmt: skip


def csv_text(records: list[tuple[str, ...]], malformed: list[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for index, row in enumerate(records):
        writer.writerow([*row, "extra"] if index in malformed else row)
    return out.getvalue()


def write_csv(text: str) -> Path:
    handle = tempfile.NamedTemporaryFile(
        "w", suffix=".csv", delete=False, encoding="utf-8"
    )
    with handle:
        handle.write(text)
    return Path(handle.name)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record, min_size=1, max_size=25),
    malformed=st.sets(st.integers(0, 24), max_size=3),
)
def test_every_row_is_accounted_for(
    records: list[tuple[str, ...]], malformed: set[int]
) -> None:
    path = write_csv(csv_text(records, sorted(malformed)))
    try:
        log = read_events(path, engine=ENGINE, columns={"value": "amount"})
    except IngestError:
        return  # a one-line error is an acceptable answer to garbage
    finally:
        path.unlink()
    report = log.report
    assert report.read == len(records)
    assert report.read == report.loaded + report.quarantined + report.duplicates
    assert log.count() == report.loaded
    assert sum(report.reasons.values()) == report.quarantined


def canonical(log) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = log.engine.to_pandas(log.table.order_by("event_seq"))
    return frame.drop(columns=["row_number"]).reset_index(drop=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record, min_size=1, max_size=20).flatmap(
        lambda rs: st.tuples(st.just(rs), st.permutations(rs))
    )
)
def test_row_order_never_changes_the_events(records: tuple[list, list]) -> None:  # type: ignore[type-arg]
    original, shuffled = records
    paths = [write_csv(csv_text(rows, [])) for rows in (original, shuffled)]
    try:
        logs = [
            read_events(p, engine=ENGINE, columns={"value": "amount"}) for p in paths
        ]
    finally:
        for path in paths:
            path.unlink()
    first, second = (canonical(log) for log in logs)
    pd.testing.assert_frame_equal(first, second)
    assert logs[0].report.reasons == logs[1].report.reasons
    assert first["event_seq"].tolist() == list(range(1, len(first) + 1))
    content = [c for c in first.columns if c != "event_seq"]
    by_content = first.sort_values(content, na_position="first", kind="stable")
    assert by_content["event_seq"].tolist() == first["event_seq"].tolist()


def test_event_seq_orders_ties_by_content() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "a", "a"], "event": ["b", "a", "b"],
                          "timestamp": ["2024-01-01"] * 3})  # fmt: skip
    log = read_events(frame, engine=ENGINE)
    assert canonical(log)["event"].tolist() == ["a", "b"]
    assert log.report.duplicates == 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]),
    junk=st.binary(max_size=200),
)
def test_arbitrary_bytes_give_an_ingest_error_or_an_account(
    prefix: bytes, junk: bytes
) -> None:
    handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
    with handle:
        handle.write(prefix + b"user_id,ts,event\nc1,2024-01-01,x\n" + junk)
    path = Path(handle.name)
    try:
        log = read_events(path, engine=ENGINE)
    except IngestError as exc:
        assert "\n" not in str(exc)
        return
    finally:
        path.unlink()
    report = log.report
    assert report.read == report.loaded + report.quarantined + report.duplicates
