"""The parity suite's shared parts: one seeded log, one map, every metric, one comparison.

Each engine's suite (tests/spark, tests/postgres) is a few lines: its conftest starts
the engine, imports the fixtures below and builds ``logs`` with :func:`logs_on`, which
reads :func:`seeded_events` once on DuckDB and moves the canonical events to the engine
with ``EventLog.to_engine`` (so both measure byte-identical rows with the same
``event_seq``); its test is parametrised by :func:`metric_params` and runs
:func:`assert_parity`: every entry of :data:`METRICS` on both engines, compared with
:func:`assert_same` (floats to 1e-9). The log has timestamp ties, repeated events,
regressions to an earlier stage, surveys, comments and exact duplicates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd
import pytest

from journeymap.analytics import (
    count_transitions,
    count_variants,
    find_drivers,
    find_paths,
    measure_funnel,
    measure_stages,
    retention_matrix,
    stage_transitions,
    time_to_convert,
    unmatched_events,
)
from journeymap.attribution import attribute_conversions
from journeymap.attribution.forecast import forecast_conversions
from journeymap.attribution.stages import attribute_stage_moves
from journeymap.engine import Engine, EventLog, connect
from journeymap.ingest import read_events, sessionize
from journeymap.model.journey import JourneyMap
from journeymap.pipeline import measure_map as measure_pipeline
from journeymap.voc.measure import measure_map

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


FUNNEL = ["home", "item", "cart", "checkout", "buy"]

Metric = Callable[[EventLog, JourneyMap], Any]


def _sessions(log: EventLog) -> Any:
    """Sessions by a 1 h timeout and by a boundary event: per session its events,
    first and last time (aggregates, as every metric returns)."""
    by_gap = sessionize(log, timeout_s=3600, overwrite=True).table
    by_event = sessionize(log, boundary_events=["home"], overwrite=True).table
    return [
        log.execute(
            t.group_by("session_id")
            .aggregate(
                events=t.count(), first=t.timestamp.min(), last=t.timestamp.max()
            )
            .order_by("session_id")
        ).to_dict("records")
        for t in (by_gap, by_event)
    ]


def _measured(log: EventLog, journey: JourneyMap) -> Any:
    # the MeasuredMap itself, not to_dict(): measured.json rounds to 6 decimals, and
    # last-bit noise of a float sum (run to run, even on DuckDB alone) can land on
    # either side of a rounding boundary
    return measure_map(
        journey, log, min_customers=5, min_observations=5, clusters=False
    )


METRICS: dict[str, Metric] = {
    "transitions": lambda log, _: count_transitions(log),
    "transitions_by_channel": lambda log, _: count_transitions(log, by="channel"),
    "variants": lambda log, _: count_variants(log, top=None),
    "paths": lambda log, _: find_paths(log, from_event="home", steps_after=2),
    "paths_between": lambda log, _: find_paths(
        log, from_event="cart", to_event="buy", steps_before=1, top=None
    ),
    "funnel_ordered": lambda log, _: measure_funnel(log, FUNNEL),
    "funnel_ordered_window": lambda log, _: measure_funnel(
        log, FUNNEL, window_s=86400 * 3
    ),
    "funnel_ordered_breakdown": lambda log, _: measure_funnel(
        log, ["home", "item", "buy"], breakdown="channel", exclude=["newsletter"]
    ),
    "funnel_strict": lambda log, _: measure_funnel(
        log, ["home", "item", "item"], mode="strict"
    ),
    "funnel_strict_window": lambda log, _: measure_funnel(
        log, FUNNEL, mode="strict", window_s=3600
    ),
    "funnel_any_order": lambda log, _: measure_funnel(
        log, ["cart", "item", "home"], mode="any_order"
    ),
    "funnel_any_order_window": lambda log, _: measure_funnel(
        log, ["cart", "item", "item"], mode="any_order", window_s=86400
    ),
    "time_to_convert": lambda log, _: time_to_convert(log, "buy", bins=5),
    "time_to_convert_from_cart": lambda log, _: time_to_convert(
        log, ["buy", "checkout"], from_event="cart"
    ),
    "stages": measure_stages,
    "unmatched_events": unmatched_events,
    "stage_transitions": stage_transitions,
    "retention_week": lambda log, _: retention_matrix(log, period="week", periods=6),
    "retention_day_buy": lambda log, _: retention_matrix(
        log, period="day", return_event="buy", periods=10
    ),
    "drivers": lambda log, _: find_drivers(log, "buy", min_customers=3),
    "sessions": lambda log, _: _sessions(log),
    "measure_map": _measured,
    # attribution (issue 13): paths by window functions, exact solves, coalitions
    "attribution_markov_2": lambda log, _: attribute_conversions(
        log, "buy", model="markov", order=2
    ),
    "attribution_markov_auto": lambda log, _: attribute_conversions(
        log, "buy", model="markov", order="auto", keep_repeats=True
    ),
    "attribution_time_decay": lambda log, _: attribute_conversions(
        log, "buy", model="time-decay", half_life_s=3600
    ),
    "attribution_last_non_direct": lambda log, _: attribute_conversions(
        log, "buy", model="last-non-direct", direct=["web"], exclude=["mail"]
    ),
    "attribution_shapley": lambda log, _: attribute_conversions(
        log, "buy", model="shapley", by="event"
    ),
    "stage_attribution": lambda log, journey: attribute_stage_moves(
        log, journey, model="position"
    ),
    "forecast": lambda log, journey: forecast_conversions(
        log, journey, period="day", periods=3
    ),
    # the whole measure: sessions, journey table, evidence verdicts, KPIs
    "measure_sessions": lambda log, journey: measure_pipeline(
        journey, log, scope="session", clusters=False, session_timeout_s=3600
    ),
}


def plain(value: Any) -> Any:
    """Result objects as nested dicts, lists and scalars, for comparison.

    Dataclasses by their fields (the unrounded data), other results by ``to_dict()``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if hasattr(value, "to_dict") and not isinstance(value, dict):
        return plain(value.to_dict())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, dt.date):  # numpy scalars
        return value.item()
    return value


def assert_same(duck: Any, other: Any, where: str = "result") -> None:
    if isinstance(duck, dict) and isinstance(other, dict):
        assert duck.keys() == other.keys(), where
        for key in duck:
            assert_same(duck[key], other[key], f"{where}.{key}")
    elif isinstance(duck, list) and isinstance(other, list):
        assert len(duck) == len(other), f"{where}: {len(duck)} != {len(other)} items"
        for i, (d, s) in enumerate(zip(duck, other, strict=True)):
            assert_same(d, s, f"{where}[{i}]")
    elif isinstance(duck, float) and isinstance(other, float):
        same = (math.isnan(duck) and math.isnan(other)) or math.isclose(
            duck, other, rel_tol=1e-9, abs_tol=1e-9
        )
        assert same, f"{where}: duckdb {duck!r} != other {other!r}"
    else:
        assert duck == other, f"{where}: duckdb {duck!r} != other {other!r}"
        assert type(duck) is type(other), f"{where}: {type(duck)} != {type(other)}"


def metric_params(gaps: Mapping[str, str]) -> list[Any]:
    """One parameter a metric; a known gap (metric -> what fails on the engine) is a
    strict ``xfail`` naming it: declared, never deleted, and an error once it passes."""
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(reason=gaps[name], strict=True)]
            if name in gaps
            else [],
            id=name,
        )
        for name in METRICS
    ]


def assert_parity(
    metric: str, logs: Mapping[str, EventLog], journey: JourneyMap
) -> None:
    """``metric`` gives DuckDB's result on every other engine of ``logs``."""
    run = METRICS[metric]
    duck = plain(run(logs["duckdb"], journey))
    assert duck not in (None, {}, []), "the metric measured nothing"
    for kind, log in logs.items():
        if kind != "duckdb":
            assert_same(duck, plain(run(log, journey)), kind)


def logs_on(duckdb_engine: Engine, engine: Engine) -> dict[str, EventLog]:
    """The same canonical events on DuckDB and on ``engine``, keyed by engine kind."""
    on_duckdb = read_events(seeded_events(), engine=duckdb_engine)
    return {"duckdb": on_duckdb, engine.kind: on_duckdb.to_engine(engine)}


# fixtures of every engine's suite: its conftest imports them by name
@pytest.fixture(scope="session")
def duckdb_engine() -> Iterator[Engine]:
    engine = connect()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def journey() -> JourneyMap:
    return JourneyMap.model_validate(MAP)
