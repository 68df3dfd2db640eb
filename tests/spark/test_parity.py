"""DuckDB and Spark give the same results for every metric (docs/adr/0001-ibis-over-duckdb.md).

One shared suite: each metric runs on the same canonical events on both engines and
the results must be equal (floats to 1e-9). A metric that does not run on Spark is
declared below with a strict ``xfail`` naming what fails, never deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("pyspark")

from journeymap.analytics import (  # noqa: E402
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
from journeymap.engine import EventLog  # noqa: E402
from journeymap.model.journey import JourneyMap  # noqa: E402
from journeymap.voc.measure import measure_map  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

FUNNEL = ["home", "item", "cart", "checkout", "buy"]

Metric = Callable[[EventLog, JourneyMap], Any]


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
    "measure_map": _measured,
}

# known gaps: metric -> what fails on Spark (strict: an xfail that passes is an error)
GAPS: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(reason=GAPS[name], strict=True)]
            if name in GAPS
            else [],
            id=name,
        )
        for name in METRICS
    ]


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


def assert_same(duck: Any, spark: Any, where: str = "result") -> None:
    if isinstance(duck, dict) and isinstance(spark, dict):
        assert duck.keys() == spark.keys(), where
        for key in duck:
            assert_same(duck[key], spark[key], f"{where}.{key}")
    elif isinstance(duck, list) and isinstance(spark, list):
        assert len(duck) == len(spark), f"{where}: {len(duck)} != {len(spark)} items"
        for i, (d, s) in enumerate(zip(duck, spark, strict=True)):
            assert_same(d, s, f"{where}[{i}]")
    elif isinstance(duck, float) and isinstance(spark, float):
        same = (math.isnan(duck) and math.isnan(spark)) or math.isclose(
            duck, spark, rel_tol=1e-9, abs_tol=1e-9
        )
        assert same, f"{where}: duckdb {duck!r} != spark {spark!r}"
    else:
        assert duck == spark, f"{where}: duckdb {duck!r} != spark {spark!r}"
        assert type(duck) is type(spark), f"{where}: {type(duck)} != {type(spark)}"


@pytest.mark.parametrize("metric", _params())
def test_spark_matches_duckdb(
    metric: str, logs: dict[str, EventLog], journey: JourneyMap
) -> None:
    run = METRICS[metric]
    duck = plain(run(logs["duckdb"], journey))
    spark = plain(run(logs["spark"], journey))
    assert duck not in (None, {}, []), "the metric measured nothing"
    assert_same(duck, spark)
