"""Fixtures for the attribution tests: one DuckDB engine and inline logs.

``make_log([(customer, seconds, event, channel[, value]), ...])`` loads rows through
the real reader (``event_seq`` from ingest), so the plain-Python reference in
``reference.py`` sees exactly the order journeymap sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd
import pytest

from journeymap.engine import Engine, EventLog, connect

T0 = dt.datetime(2024, 1, 1)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def frame_of(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    width = max(len(r) for r in rows)
    columns = ["customer_id", "timestamp", "event", "channel", "value"][:width]
    frame = pd.DataFrame([list(r) for r in rows], columns=columns)
    frame["customer_id"] = frame["customer_id"].astype("string")
    frame["timestamp"] = [at(s) for s in frame["timestamp"]]
    frame["event"] = frame["event"].astype("string")
    if "channel" in frame:
        frame["channel"] = frame["channel"].astype("string")
    if "value" in frame:
        frame["value"] = frame["value"].astype("float64")
    return frame


def load(engine: Engine, rows: Sequence[tuple[Any, ...]]) -> EventLog:
    from journeymap.ingest import read_events

    return read_events(frame_of(rows)).to_engine(engine)


def records(log: EventLog) -> list[dict[str, Any]]:
    """The log's rows as plain dicts (what the reference reads)."""
    frame = log.to_pandas()
    return [
        {k: (None if v is pd.NA or v != v else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = connect()
    yield eng
    eng.close()


@pytest.fixture
def make_log(engine: Engine) -> Callable[..., EventLog]:
    def make(rows: Sequence[tuple[Any, ...]]) -> EventLog:
        return load(engine, rows)

    return make
