"""Shared fixtures for voc tests: tiny inline logs and the seeded demo, measured once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from journeymap.engine import EventLog
from journeymap.ingest import read_events
from journeymap.model.journey import JourneyMap

START = dt.datetime(2026, 1, 1)


def tiny_log(rows: list[tuple[Any, ...]], columns: list[str] | None = None) -> EventLog:
    """Events from ``(customer, minute, event, *extra)`` tuples."""
    names = ["customer_id", "minute", "event", *(columns or [])]
    frame = pd.DataFrame(rows, columns=names)
    frame["timestamp"] = [START + dt.timedelta(minutes=int(m)) for m in frame["minute"]]
    return read_events(frame.drop(columns="minute"))


@pytest.fixture
def make_log() -> Callable[..., EventLog]:
    return tiny_log


SHOP_MAP = {
    "name": "Tiny shop",
    "personas": [{"id": "old", "name": "Old", "segment": "age >= 65"}],
    "conversion": {"event": "buy"},
    "stages": [
        {
            "id": "look",
            "name": "Look",
            "emotion": 0.2,
            "touchpoints": [
                {"id": "home", "name": "Home", "match": {"event": "home"}},
                {"id": "item", "name": "Item", "match": {"event": "item"}},
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
            "touchpoints": [{"id": "mail", "name": "Mail", "match": {"event": "mail"}}],
        },
    ],
}


@pytest.fixture
def shop_map() -> JourneyMap:
    return JourneyMap.model_validate(SHOP_MAP)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[JourneyMap, EventLog, Path]:
    from journeymap.demo.simulate import simulate_journeys
    from journeymap.model.spec import load_map

    folder = tmp_path_factory.mktemp("demo")
    data = simulate_journeys(2500, seed=7)
    path = folder / "events.parquet"
    data.events.to_parquet(path)
    journey = load_map(Path(__file__).parents[2] / "src/journeymap/demo/demo_map.yaml")
    return journey, read_events(path), path


@pytest.fixture(scope="session")
def demo_measured(demo: tuple[JourneyMap, EventLog, Path]) -> Any:
    from journeymap.pipeline import measure_map

    journey, log, _ = demo
    return measure_map(journey, log, clusters=False)
