"""The examples in the ingest docstrings run (numpydoc ``Examples`` sections)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import journeymap.ingest

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(journeymap.ingest.__path__)
    if ">>>" in (Path(journeymap.ingest.__path__[0]) / f"{m.name}.py").read_text()
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"journeymap.ingest.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
