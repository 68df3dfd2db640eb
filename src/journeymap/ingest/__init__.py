"""L2: files and databases -> canonical events -> EventLog, with a quarantine for bad rows."""

from __future__ import annotations

from journeymap.ingest.columns import detect_columns
from journeymap.ingest.events import read_events
from journeymap.ingest.quarantine import quarantine

__all__ = ["detect_columns", "quarantine", "read_events"]
