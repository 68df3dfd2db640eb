"""L1: the only place that creates a backend or runs raw SQL (see ADR 0001, ADR 0010)."""

from __future__ import annotations

from journeymap.engine.base import Engine, connect, engine_url, fresh_name
from journeymap.engine.eventlog import CANONICAL_COLUMNS, EventLog, with_scratch

__all__ = [
    "CANONICAL_COLUMNS",
    "Engine",
    "EventLog",
    "connect",
    "engine_url",
    "fresh_name",
    "with_scratch",
]
