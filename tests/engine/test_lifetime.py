"""Nothing journeymap creates outlives what it was made for (issue 11, ADR 0010).

Reading and measuring in a loop keeps the table count flat, a log that is gone takes
its engine and tables with it (no registry pins them), and a scratch scope drops
what it made even when the work inside fails.
"""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import pandas as pd
import pytest

from journeymap.engine import connect
from journeymap.ingest import quarantine, read_events
from journeymap.model.journey import JourneyMap
from journeymap.pipeline import measure_map

MAP = JourneyMap.model_validate(
    {
        "name": "Shop",
        "conversion": {"event": "buy"},
        "stages": [
            {
                "id": "look",
                "name": "Look",
                "touchpoints": [
                    {"id": "home", "name": "Home", "match": {"event": "home"}}
                ],
                "pain_points": [{"id": "slow", "text": "Slow", "touchpoint": "home"}],
            },
            {
                "id": "pay",
                "name": "Pay",
                "touchpoints": [
                    {"id": "buy", "name": "Buy", "match": {"event": "buy"}}
                ],
            },
        ],
    }
)


def _events(customers: int = 40) -> pd.DataFrame:
    start = dt.datetime(2026, 1, 5, 9)
    rows = []
    for n in range(customers):
        steps = ["home", "item", "buy"] if n % 3 else ["home", "home"]
        for i, event in enumerate(steps):
            rows.append(
                (f"c{n}", start + dt.timedelta(days=n % 9, minutes=7 * i), event)
            )
    rows.append((None, start, "home"))  # one row for the quarantine
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def test_a_log_that_is_gone_takes_its_engine_along() -> None:
    log = read_events(_events())
    assert log.count() > 0 and quarantine(log).count().execute() == 1
    engine = weakref.ref(log.engine)
    del log
    gc.collect()
    assert engine() is None  # nothing (such as a quarantine registry) pins it


def test_reading_and_measuring_in_a_loop_keeps_tables_flat() -> None:
    engine = connect()
    counts = []
    for _ in range(3):
        log = read_events(_events(), engine=engine)
        measure_map(MAP, log, clusters=False)
        del log
        gc.collect()
        counts.append(len(engine.temp_tables()))
    assert counts == [0, 0, 0]


def test_measure_leaves_only_what_the_log_owns() -> None:
    engine = connect()
    log = read_events(_events(), engine=engine)
    before = engine.temp_tables()
    assert before  # the events and the quarantine belong to the log
    measure_map(MAP, log, clusters=False, scope="session")
    assert engine.temp_tables() == before


def test_a_materialised_log_keeps_its_source_alive() -> None:
    engine = connect()
    derived = read_events(_events(), engine=engine).materialize()
    gc.collect()
    engine.temp_tables()  # runs the pending drops
    assert quarantine(derived).count().execute() == 1  # the source's table is kept
    assert derived.count() == 3 * 40 - 40 // 3 - 1


def test_scratch_drops_its_tables_when_the_work_fails() -> None:
    engine = connect()
    kept = engine.register_arrow(pd.DataFrame({"x": [1]}))
    with pytest.raises(ZeroDivisionError), engine.scratch():
        engine.materialize(kept.mutate(y=kept.x + 1))
        engine.register_arrow(pd.DataFrame({"x": [2]}))
        1 / 0  # noqa: B018
    assert engine.temp_tables() == [kept.get_name().rsplit(".", 1)[-1]]
