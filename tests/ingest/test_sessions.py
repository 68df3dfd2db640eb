from __future__ import annotations

import random

import pandas as pd
import pytest

from journeymap.engine import connect
from journeymap.errors import IngestError
from journeymap.ingest import read_events, sessionize

ENGINE = connect()


def reference_sessions(
    frame: pd.DataFrame, timeout_s: float, boundary: set[str]
) -> list[str]:
    """Plain-Python sessionization over rows sorted by (customer, timestamp, event_seq)."""
    out, previous, number = [], {}, {}
    for row in frame.itertuples(index=False):
        last = previous.get(row.customer_id)
        gap = None if last is None else (row.timestamp - last).total_seconds()
        if gap is None or gap > timeout_s or row.event in boundary:
            number[row.customer_id] = number.get(row.customer_id, 0) + 1
        previous[row.customer_id] = row.timestamp
        out.append(f"{row.customer_id}#{number[row.customer_id]}")
    return out


def random_log(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for customer in ("a", "b", "c", "d"):
        t = pd.Timestamp("2024-01-01")
        for _ in range(rng.randint(1, 30)):
            t += pd.Timedelta(seconds=rng.choice([0, 5, 600, 1799, 1800, 1801, 7200]))
            rows.append((customer, t, rng.choice(["view", "cart", "app_open"])))
    rng.shuffle(rows)
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("timeout_s", "boundary"), [(1800, ()), (600, ("app_open",))])
def test_matches_reference(
    seed: int, timeout_s: float, boundary: tuple[str, ...]
) -> None:
    log = read_events(random_log(seed), engine=ENGINE)
    got = sessionize(log, timeout_s=timeout_s, boundary_events=boundary).to_pandas()
    assert got["session_id"].tolist() == reference_sessions(
        got, timeout_s, set(boundary)
    )


def test_existing_ids_are_kept_unless_overwritten() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "a", "a"], "event": ["x", "y", "z"],
                          "timestamp": ["2024-01-01 10:00", "2024-01-01 10:01", "2024-01-01 15:00"],
                          "session_id": ["s1", None, "s1"]})  # fmt: skip
    log = read_events(frame, engine=ENGINE)
    # the row without an id is a minute into the visit s1: it joins s1
    assert sessionize(log).to_pandas()["session_id"].tolist() == ["s1", "s1", "s1"]
    replaced = sessionize(log, overwrite=True).to_pandas()["session_id"].tolist()
    assert replaced == ["a#1", "a#1", "a#2"]


def test_timeout_must_be_positive() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a"], "event": ["x"], "timestamp": ["2024-01-01"]}
    )
    with pytest.raises(IngestError, match="timeout_s must be positive"):
        sessionize(read_events(frame, engine=ENGINE), timeout_s=0)
