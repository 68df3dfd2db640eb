"""Issue 10: one sort gives content order; exact duplicates dropped, lowest row kept."""

from __future__ import annotations

import pandas as pd

from journeymap.ingest import read_events


def test_duplicates_are_dropped_and_event_seq_is_the_content_rank() -> None:
    frame = pd.DataFrame(
        {
            "user_id": ["b", "a", "a", "b", "a", "a"],
            "ts": ["2024-01-01 10:00"] * 6,
            "event": ["x", "y", "x", "x", "x", "x"],
            "plan": ["p", "q", "q", "p", "q", "r"],  # differs: not a duplicate
        }
    )
    log = read_events(frame)
    assert log.report is not None
    assert (log.report.loaded, log.report.duplicates) == (4, 2)
    out = log.to_pandas()
    assert out[
        ["customer_id", "event", "plan", "row_number", "event_seq"]
    ].values.tolist() == [
        ["a", "x", "q", 3, 1],
        ["a", "x", "r", 6, 2],
        ["a", "y", "q", 2, 3],
        ["b", "x", "p", 1, 4],
    ]
    shuffled = read_events(frame.iloc[::-1].reset_index(drop=True)).to_pandas()
    columns = ["customer_id", "event", "plan", "event_seq"]
    assert shuffled[columns].values.tolist() == out[columns].values.tolist()


def test_many_duplicates_keep_a_dense_event_seq() -> None:
    """Past the few duplicates a view leaves out, the table is copied without them."""
    base = [("a", "2024-01-01 10:00", "x"), ("a", "2024-01-01 10:00", "y")]
    many = (
        [("b", "2024-01-01 09:00", "z")] * 100 + base * 3 + [("c", "2024-01-02", "x")]
    )
    frame = pd.DataFrame(many, columns=["user_id", "ts", "event"])
    for rows in (frame, frame.iloc[::-1].reset_index(drop=True)):
        log = read_events(rows)
        assert log.report is not None
        assert (log.report.loaded, log.report.duplicates) == (4, 103)
        out = log.to_pandas()
        assert out.event_seq.tolist() == [1, 2, 3, 4]
        assert out[["customer_id", "event"]].values.tolist() == [
            ["a", "x"], ["a", "y"], ["b", "z"], ["c", "x"],
        ]  # fmt: skip
    kept = read_events(frame).to_pandas()
    assert kept.row_number.tolist() == [101, 102, 1, 107]  # the lowest row of each
