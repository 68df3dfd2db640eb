"""L1: the only place that creates a backend or runs raw SQL (see ADR 0001)."""

from __future__ import annotations

from journeymap.engine.base import Engine, connect, fresh_name
from journeymap.engine.eventlog import CANONICAL_COLUMNS, EventLog

__all__ = ["CANONICAL_COLUMNS", "Engine", "EventLog", "connect", "fresh_name"]
