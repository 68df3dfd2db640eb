"""Shared fixtures for the analytics tests: one DuckDB engine and tiny inline logs.

``make_log`` builds a canonical EventLog straight from a list of tuples, with
``event_seq`` assigned as ingest does (rank in content order), so the tests do not
depend on file readers and the reference implementations can use the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd
import pytest

from journeymap.engine import Engine, EventLog, connect

T0 = dt.datetime(2024, 1, 1)

Row = tuple[
    Any, ...
]  # (customer_id, seconds after T0 or datetime, event, *extra columns)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def canonical_rows(
    rows: Sequence[Row], extra: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Rows as dicts with ``event_seq``: rank in ``(customer_id, timestamp, event, ...)``."""
    records = []
    for row in rows:
        customer, when, event, *rest = row
        timestamp = when if isinstance(when, dt.datetime) else at(when)
        record = {"customer_id": str(customer), "timestamp": timestamp, "event": event}
        record.update(zip(extra, rest, strict=True))
        records.append(record)
    keys = ["customer_id", "timestamp", "event", *extra]
    records.sort(key=lambda r: tuple(_sortable(r[k]) for k in keys))
    for seq, record in enumerate(records, start=1):
        record["event_seq"] = seq
        record["row_number"] = seq
    return records


def _sortable(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)  # nulls first, as ingest orders them


def build_log(
    engine: Engine, rows: Sequence[Row], extra: Sequence[str] = ()
) -> EventLog:
    records = canonical_rows(rows, extra)
    columns = ["customer_id", "timestamp", "event", *extra, "event_seq", "row_number"]
    frame = pd.DataFrame(records, columns=columns)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).astype("datetime64[us]")
    for name in ("customer_id", "event", *extra):
        frame[name] = frame[name].astype(object)
    frame[["event_seq", "row_number"]] = frame[["event_seq", "row_number"]].astype(
        "int64"
    )
    table = engine.register_arrow(frame, prefix="test_events")
    return EventLog(table=table, engine=engine)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = connect()
    yield eng
    eng.close()


@pytest.fixture
def make_log(engine: Engine) -> Callable[..., EventLog]:
    """``make_log([(customer, seconds, event, *extra), ...], extra=("channel",))``."""

    def make(rows: Sequence[Row], extra: Sequence[str] = ()) -> EventLog:
        return build_log(engine, rows, extra)

    return make


# -- random logs for the property tests --------------------------------------------------
INJECTION = "x'); DROP TABLE events; --"
EVENTS = ("a", "b", "c", INJECTION)
CUSTOMERS = ("u1", "u2", "u3", "u4")
CHANNELS = ("web", "app", None)


def random_rows() -> Any:
    """A hypothesis strategy: small logs with timestamp ties and repeated events."""
    from hypothesis import strategies as st

    row = st.tuples(
        st.sampled_from(CUSTOMERS),
        st.integers(min_value=0, max_value=12).map(lambda s: s * 0.5),
        st.sampled_from(EVENTS),
        st.sampled_from(CHANNELS),
    )
    return st.lists(row, min_size=1, max_size=24)


def frame_of(rows: Sequence[Row], extra: Sequence[str] = ("channel",)) -> pd.DataFrame:
    columns = ["customer_id", "timestamp", "event", *extra]
    frame = pd.DataFrame([list(r) for r in rows], columns=columns)
    frame["timestamp"] = [at(s) for s in frame["timestamp"]]
    for name in extra:  # an all-null object column would have no type
        frame[name] = frame[name].astype("string")
    return frame


def ingest(
    engine: Engine, rows: Sequence[Row], extra: Sequence[str] = ("channel",)
) -> EventLog:
    """Load through the real reader (so event_seq comes from ingest)."""
    from journeymap.ingest import read_events

    return read_events(frame_of(rows, extra), engine=engine)


def records(log: EventLog) -> list[dict[str, Any]]:
    """The loaded events as plain dicts, for the reference implementations."""
    frame = log.to_pandas()
    out = []
    for row in frame.to_dict("records"):
        row["timestamp"] = row["timestamp"].to_pydatetime()
        out.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
