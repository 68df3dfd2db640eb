"""One Spark session per test run and a small seeded log, read once on DuckDB.

The log is read by the real reader on DuckDB and moved to Spark with
``EventLog.to_engine``, so both engines measure byte-identical canonical events
(same ``event_seq``). Spark starts in ~15 s: the session is shared by every test (and,
under xdist, every Spark test runs in one worker: ``xdist_group("spark")``, which
tests/conftest.py keeps true on pytest 9). Nothing here imports pyspark; each test
module skips itself when it is missing, and every test needing the session skips when
there is no Java runtime.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from journeymap.engine import Engine, EventLog, connect
from journeymap.ingest import read_events
from journeymap.model.journey import JourneyMap

START = dt.datetime(2026, 3, 2, 9)  # a Monday, so weekly cohorts start on it
CHANNELS = ("web", "app", "email")
COMMENTS = {
    "checkout": ("the card failed, awful", "quick and easy, lovely", "too slow"),
    "item": ("great photos", "confusing sizes, bad"),
}

# (customer type, event names): each type walks the map its own way
TYPES: dict[str, tuple[str, ...]] = {
    "buyer": ("home", "item", "item", "cart", "checkout", "buy", "mail"),
    "browser": ("home", "item", "home", "item", "item"),
    "regressor": ("home", "cart", "item", "cart", "checkout", "buy"),
    "dropper": ("mail", "home", "cart", "checkout", "newsletter"),
}

MAP = {
    "name": "Seeded shop",
    "personas": [
        {"id": "senior", "name": "Senior", "segment": "age >= 65"},
        {"id": "app-first", "name": "App first", "segment": "plan == 'pro'"},
    ],
    "conversion": {"event": "buy"},
    "stages": [
        {
            "id": "look",
            "name": "Look",
            "emotion": 0.2,
            "touchpoints": [
                {"id": "home", "name": "Home", "match": {"event": "home"}},
                {
                    "id": "item",
                    "name": "Item",
                    "match": {"event": "item"},
                    "channel": "web",
                },
            ],
            "pain_points": [
                {"id": "sizes", "text": "Sizes confuse", "touchpoint": "item"}
            ],
        },
        {
            "id": "pay",
            "name": "Pay",
            "emotion": 0.4,
            "touchpoints": [
                {"id": "cart", "name": "Cart", "match": {"event": "cart"}},
                {
                    "id": "checkout",
                    "name": "Checkout",
                    "match": {"event": ["checkout", "buy"]},
                },
            ],
            "pain_points": [
                {"id": "slow-pay", "text": "Paying is slow", "touchpoint": "checkout"}
            ],
            "kpis": [{"id": "conv", "metric": "conversion_rate", "target": ">= 0.5"}],
        },
        {
            "id": "after",
            "name": "After",
            "emotion": -0.1,
            "touchpoints": [
                {"id": "mail", "name": "Mail", "match": {"event": "mail"}},
            ],
        },
    ],
}


def seeded_events(customers: int = 64, seed: int = 11) -> pd.DataFrame:
    """A few hundred events: 4 customer types, ties, repeats, surveys and comments."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    kinds = sorted(TYPES)
    for number in range(customers):
        kind = kinds[number % len(kinds)]
        customer = f"c{number:03d}"
        when = START + dt.timedelta(days=rng.randrange(0, 35), hours=rng.randrange(12))
        age = rng.choice((25, 40, 70))
        plan = rng.choice(("free", "pro"))
        for event in TYPES[kind]:
            # 0 s steps make timestamp ties; long gaps spread customers over weeks
            when += dt.timedelta(seconds=rng.choice((0, 0, 30, 95.5, 3600, 86400 * 8)))
            row = {
                "customer_id": customer,
                "timestamp": when,
                "event": event,
                "channel": rng.choice(CHANNELS),
                "age": age,
                "plan": plan,
                "value": 42.5 if event == "buy" else None,
                "score": None,
                "score_kind": None,
                "text": None,
            }
            rows.append(row)
            if event in COMMENTS and rng.random() < 0.5:
                rows.append(row | {"text": rng.choice(COMMENTS[event])})
            if event == "checkout" and rng.random() < 0.7:
                score = float(rng.randrange(0, 11))
                rows.append(row | {"score": score, "score_kind": "nps"})
        if rng.random() < 0.3:  # an exact duplicate event (the reader drops it)
            rows.append(dict(rows[-1]))
    frame = pd.DataFrame(rows)
    for name in ("channel", "plan", "score_kind", "text"):
        frame[name] = frame[name].astype("string")
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    """The one Spark session of the run; skipped, with the reason, without Java."""
    from journeymap.engine.spark import JAVA_HINT, find_java

    if find_java() is None:
        pytest.skip(JAVA_HINT)
    engine = connect("spark://local")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def duckdb_engine() -> Iterator[Engine]:
    engine = connect()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def journey() -> JourneyMap:
    return JourneyMap.model_validate(MAP)


@pytest.fixture(scope="session")
def logs(duckdb_engine: Engine, spark_engine: Engine) -> dict[str, EventLog]:
    """The same canonical events on each engine, keyed by engine kind."""
    on_duckdb = read_events(seeded_events(), engine=duckdb_engine)
    return {"duckdb": on_duckdb, "spark": on_duckdb.to_engine(spark_engine)}
