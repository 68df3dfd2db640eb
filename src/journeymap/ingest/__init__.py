"""L2: files and databases -> canonical events -> EventLog, with a quarantine for bad rows.

Then the transformations every analysis starts from: sessions, time windows, segments,
personas and seeded customer samples. Each returns a new EventLog.
"""

from __future__ import annotations

from journeymap.ingest.columns import detect_columns
from journeymap.ingest.events import read_events
from journeymap.ingest.filters import filter_persona, filter_segment, filter_time
from journeymap.ingest.quarantine import quarantine
from journeymap.ingest.sampling import sample_customers
from journeymap.ingest.sessions import sessionize

__all__ = [
    "detect_columns",
    "filter_persona",
    "filter_segment",
    "filter_time",
    "quarantine",
    "read_events",
    "sample_customers",
    "sessionize",
]
