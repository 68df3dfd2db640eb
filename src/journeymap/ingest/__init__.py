"""L2: files and databases -> canonical events -> EventLog, with a quarantine for bad rows."""

from __future__ import annotations

from journeymap.ingest.events import detect_columns, read_events

__all__ = ["detect_columns", "read_events"]
