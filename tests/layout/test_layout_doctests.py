"""The numpydoc examples of layout and render run, so they stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "journeymap.layout.diagram",
    "journeymap.layout.text",
    "journeymap.layout.formats",
    "journeymap.layout.cards",
    "journeymap.layout.emotion",
    "journeymap.layout.lanes",
    "journeymap.layout.swimlane",
    "journeymap.layout.headers",
    "journeymap.layout.grid",
    "journeymap.render.svg",
    "journeymap.render.themes",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS
    )
    assert result.failed == 0


def test_the_examples_exist() -> None:
    attempted = sum(
        doctest.testmod(importlib.import_module(name)).attempted for name in MODULES
    )
    assert attempted >= 10
