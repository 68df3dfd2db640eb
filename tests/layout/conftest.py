"""Fixtures for layout tests: the realistic grocery sample from tests/render/sample.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "render" / "sample.py"


def _load_sample() -> ModuleType:
    # tests/ is not a package, so load the shared sample by path.
    spec = importlib.util.spec_from_file_location("journeymap_test_sample", SAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample() -> ModuleType:
    return _load_sample()
