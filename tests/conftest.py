"""Test-run settings shared by every test package."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# CI machines are shared and noisy: no per-example deadlines and no "too slow" health
# check, so a busy machine never fails a property test. Examples are derandomized so a
# CI failure reproduces exactly; run with HYPOTHESIS_PROFILE=explore for fresh examples.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Every Spark test shares one session, so under ``pytest -n 2 --dist loadgroup`` they
# must all run in one worker (one JVM). pytest 9.2 keeps node ids in a structured field
# that xdist 3.8's ``xdist_group`` suffix no longer reaches, so the marks are silently
# ignored and a second JVM starts (pytest-dev/pytest-xdist#1386). This scheduler puts
# tests/spark/ in the "spark" group itself and defers to loadgroup for the rest. The
# PostgreSQL suite is grouped the same way, so one throwaway server serves it.
SPARK_TESTS = "tests/spark/"
POSTGRES_TESTS = "tests/postgres/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SparkInOneWorker(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(SPARK_TESTS):
                return "spark"
            if nodeid.startswith(POSTGRES_TESTS):
                return "postgres"
            return str(super()._split_scope(nodeid))

    return SparkInOneWorker(config, log)
