"""DuckDB and Spark give the same results for every metric (docs/adr/0001-ibis-over-duckdb.md).

The shared suite of tests/parity.py on the seeded log moved to Spark. A metric that does
not run on Spark is declared in ``GAPS`` with what fails (a strict ``xfail``), never
deleted.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

from journeymap.engine import EventLog
from journeymap.model.journey import JourneyMap
from parity import assert_parity, metric_params

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

GAPS: dict[str, str] = {}  # metric -> what fails on Spark


@pytest.mark.parametrize("metric", metric_params(GAPS))
def test_spark_matches_duckdb(
    metric: str, logs: dict[str, EventLog], journey: JourneyMap
) -> None:
    assert_parity(metric, logs, journey)
