"""DuckDB and PostgreSQL give the same results for every metric (ADR 0010).

The shared suite of tests/parity.py on a real server: the seeded log moved to
PostgreSQL, every metric run there as SQL. A gap would be declared in ``GAPS`` with what
fails (a strict ``xfail``), never deleted.
"""

from __future__ import annotations

import pytest

from journeymap.engine import EventLog
from journeymap.model.journey import JourneyMap
from parity import assert_parity, metric_params

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]

GAPS: dict[str, str] = {}  # metric -> what fails on PostgreSQL


@pytest.mark.parametrize("metric", metric_params(GAPS))
def test_postgres_matches_duckdb(
    metric: str, logs: dict[str, EventLog], journey: JourneyMap
) -> None:
    assert_parity(metric, logs, journey)
