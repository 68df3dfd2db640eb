"""`import journeymap` stays light, and the facade exposes what it promises."""

from __future__ import annotations

import subprocess
import sys

import journeymap as jm

HEAVY = [
    "duckdb",
    "pandas",
    "pyarrow",
    "pyspark",
    "jinja2",
    "fastapi",
    "weasyprint",
    "pptx",
    "ibis",
    "sklearn",
    "scipy",
]


def test_import_journeymap_is_light() -> None:
    code = f"import sys, journeymap; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_all_names_exist() -> None:
    missing = [name for name in jm.__all__ if not hasattr(jm, name)]
    assert missing == []
    assert jm.__all__ == sorted(jm.__all__)


def test_version_matches_package_metadata() -> None:
    from importlib.metadata import version

    assert jm.__version__ == version("journeymap")


def test_python_m_journeymap_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "journeymap", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"journeymap {jm.__version__}"


def test_facade_docstring_examples_run() -> None:
    import doctest

    result = doctest.testmod(jm)
    assert result.attempted > 0
    assert result.failed == 0
