"""One Spark session per test run and the parity fixtures of tests/parity.py on it.

Spark starts in ~15 s: the session is shared by every test (and,
under xdist, every Spark test runs in one worker: ``xdist_group("spark")``, which
tests/conftest.py keeps true on pytest 9). Nothing here imports pyspark; each test
module skips itself when it is missing, and every test needing the session skips when
there is no Java runtime.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeymap.engine import Engine, EventLog, connect
from parity import duckdb_engine as duckdb_engine
from parity import journey as journey
from parity import logs_on


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
def logs(duckdb_engine: Engine, spark_engine: Engine) -> dict[str, EventLog]:
    return logs_on(duckdb_engine, spark_engine)
