"""Spark without Java is one clear line, and the Spark tests skip (issue 8).

Java is installed on CI, so its absence is simulated in a subprocess: an empty PATH
and no JAVA_HOME. No JVM starts in these tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")

from journeymap.engine import spark

ROOT = Path(__file__).resolve().parents[2]


def _without_java(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env["PATH"] = str(empty)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_connecting_without_java_is_one_line_with_the_fix(tmp_path: Path) -> None:
    script = (
        "from journeymap.engine import connect\n"
        "from journeymap.errors import EngineError\n"
        "try:\n"
        "    connect('spark://local')\n"
        "except EngineError as exc:\n"
        "    print(exc.one_line())\n"
    )
    done = _run(["-c", script], _without_java(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == spark.JAVA_HINT
    assert "JAVA_HOME" in done.stdout and "install" in done.stdout
    assert "Traceback" not in done.stderr


def test_spark_tests_skip_without_java(tmp_path: Path) -> None:
    args = ["-m", "pytest", "tests/spark", "-q", "-rs", "-p", "no:cacheprovider"]
    done = _run(args, _without_java(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:]
    assert "skipped" in done.stdout and "error" not in done.stdout.lower()
    assert "Spark needs a Java runtime" in done.stdout


def test_java_home_without_java_counts_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert spark.find_java() is None
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "java").write_text("")
    assert spark.find_java() == str(tmp_path / "bin" / "java")


class _StoppedBackend:
    """A backend whose session fails to stop, as a JVM that already died does."""

    def disconnect(self) -> None:
        raise RuntimeError("Answer from Java side is empty")


def test_closing_removes_the_warehouse_even_when_the_session_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    folder = tempfile.mkdtemp(prefix=spark.WAREHOUSE_PREFIX)
    monkeypatch.setattr(spark, "_warehouses", [folder])
    with pytest.raises(RuntimeError):
        spark.close_spark(_StoppedBackend())
    assert not Path(folder).exists()


def test_cli_engine_spark_without_java_is_one_line_and_exit_2(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("customer_id,timestamp,event\na,2024-01-01 10:00,visit\n")
    args = ["-m", "journeymap", "analyze", str(events), "--engine", "spark"]
    done = _run(args, _without_java(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"error: {spark.JAVA_HINT}"
