"""DuckDB and PostgreSQL give the same results for every metric (ADR 0010).

The shared suite of tests/parity.py, on a real server: the seeded log is moved to
PostgreSQL with ``EventLog.to_engine`` and every metric runs there as SQL; results must
equal DuckDB's (floats to 1e-9). Gaps would be declared in ``GAPS`` with a strict
``xfail``, never deleted.
"""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.engine import EventLog
from journeymap.model.journey import JourneyMap
from parity import METRICS, assert_same, plain

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]

# known gaps: metric -> what fails on PostgreSQL (strict: an xfail that passes fails)
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
def test_postgres_matches_duckdb(
    metric: str, logs: dict[str, EventLog], journey: JourneyMap
) -> None:
    run = METRICS[metric]
    duck = plain(run(logs["duckdb"], journey))
    postgres = plain(run(logs["postgres"], journey))
    assert duck not in (None, {}, []), "the metric measured nothing"
    assert_same(duck, postgres)
