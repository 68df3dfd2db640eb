"""Shared paths and helpers for the model tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MAPS = sorted((ROOT / "examples" / "maps").glob("*.yaml"))


def as_json(value: Any) -> Any:
    """YAML data as JSON would carry it (dates become ISO text), for jsonschema."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture
def minimal_map() -> str:
    return "name: Demo\nstages:\n  - {id: buy, name: Buy}\n"
