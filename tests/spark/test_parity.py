"""DuckDB and Spark give the same results for every metric (docs/adr/0001-ibis-over-duckdb.md).

One shared suite (tests/parity.py): each metric runs on the same canonical events on
both engines and the results must be equal (floats to 1e-9). A metric that does not
run on Spark is declared below with a strict ``xfail`` naming what fails, never deleted.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pyspark")

from journeymap.engine import EventLog
from journeymap.model.journey import JourneyMap
from parity import METRICS, assert_same, plain

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

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


@pytest.mark.parametrize("metric", _params())
def test_spark_matches_duckdb(
    metric: str, logs: dict[str, EventLog], journey: JourneyMap
) -> None:
    run = METRICS[metric]
    duck = plain(run(logs["duckdb"], journey))
    spark = plain(run(logs["spark"], journey))
    assert duck not in (None, {}, []), "the metric measured nothing"
    assert_same(duck, spark)
