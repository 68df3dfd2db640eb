"""One Spark session per test run and the seeded log of tests/parity.py, read once on DuckDB.

The log is read by the real reader on DuckDB and moved to Spark with
``EventLog.to_engine``, so both engines measure byte-identical canonical events
(same ``event_seq``). Spark starts in ~15 s: the session is shared by every test (and,
under xdist, every Spark test runs in one worker: ``xdist_group("spark")``, which
tests/conftest.py keeps true on pytest 9). Nothing here imports pyspark; each test
module skips itself when it is missing, and every test needing the session skips when
there is no Java runtime.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeymap.engine import Engine, EventLog, connect
from journeymap.ingest import read_events
from journeymap.model.journey import JourneyMap
from parity import MAP, seeded_events


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
