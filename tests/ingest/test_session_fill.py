"""Rows without a session id join the given session of the visit they fall in."""

from __future__ import annotations

import pandas as pd

from journeymap.ingest import read_events, sessionize


def test_a_row_without_an_id_takes_the_id_of_its_visit() -> None:
    """A survey answer appended from its own file has no session id: it belongs to the
    visit it was given in, not to a session of its own."""
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "a"],
            "timestamp": [
                "2026-01-01 10:00",
                "2026-01-01 10:05",
                "2026-01-01 10:07",  # the answer, in the first visit
                "2026-01-02 09:00",
                "2026-01-03 09:00",  # an answer on its own day: no visit
            ],
            "event": ["visit", "cart", "survey", "visit", "survey"],
            "session_id": ["s1", "s1", None, "s2", None],
        }
    )
    got = sessionize(read_events(frame)).to_pandas().sort_values("timestamp")
    assert got["session_id"].tolist() == ["s1", "s1", "s1", "s2", "a#3"]
