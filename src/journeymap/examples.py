"""A tiny example dataset: three customers, nine events and a two-stage map.

The docstrings' examples run on it (``--doctest-modules``), so each shows its own
function rather than twelve lines of set-up, and a reader can reproduce every number
by hand from the table below::

    customer  time   event       channel
    a         10:00  ad_view     social
    a         10:05  purchase    web
    a         10:09  ad_view     social
    b         11:00  ad_view     social
    b         11:30  newsletter  email
    b         11:35  unsubscribe email
    c         10:00  newsletter  email
    c         10:02  ad_view     social
    c         10:03  purchase    web

All on 2024-01-01, UTC. The map has two stages: *Aware* (touchpoints *Ad*, matching
``ad_view``, and *Mail*, matching ``newsletter``) and *Buy* (touchpoint *Shop*,
matching ``purchase``, the conversion event); no touchpoint matches ``unsubscribe``.

Examples
--------
>>> import journeymap as jm
>>> log = jm.examples.events()
>>> log.count(), log.customers()
(9, 3)
>>> [stage.id for stage in jm.examples.journey().stages]
['aware', 'buy']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.model.journey import JourneyMap

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.engine import Engine, EventLog

__all__ = ["events", "events_frame", "journey"]

_ROWS = (
    ("a", "2024-01-01 10:00", "ad_view", "social"),
    ("a", "2024-01-01 10:05", "purchase", "web"),
    ("a", "2024-01-01 10:09", "ad_view", "social"),
    ("b", "2024-01-01 11:00", "ad_view", "social"),
    ("b", "2024-01-01 11:30", "newsletter", "email"),
    ("b", "2024-01-01 11:35", "unsubscribe", "email"),
    ("c", "2024-01-01 10:00", "newsletter", "email"),
    ("c", "2024-01-01 10:02", "ad_view", "social"),
    ("c", "2024-01-01 10:03", "purchase", "web"),
)

_MAP = {
    "name": "Example shop",
    "conversion": {"event": "purchase"},
    "stages": [
        {
            "id": "aware",
            "name": "Aware",
            "touchpoints": [
                {"id": "ad", "name": "Ad", "match": {"event": "ad_view"}},
                {"id": "mail", "name": "Mail", "match": {"event": "newsletter"}},
            ],
        },
        {
            "id": "buy",
            "name": "Buy",
            "touchpoints": [
                {"id": "shop", "name": "Shop", "match": {"event": "purchase"}}
            ],
        },
    ],
}


def events_frame() -> pd.DataFrame:
    """The example events as a pandas DataFrame (canonical column names).

    Examples
    --------
    >>> events_frame().columns.tolist()
    ['customer_id', 'timestamp', 'event', 'channel']
    """
    import pandas as pd

    frame = pd.DataFrame(
        list(_ROWS), columns=["customer_id", "timestamp", "event", "channel"]
    )
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


def events(engine: Engine | None = None) -> EventLog:
    """The example events, read into an EventLog (in-memory DuckDB by default)."""
    from journeymap.ingest import read_events

    return read_events(events_frame(), engine=engine)


def journey() -> JourneyMap:
    """The example map: stages *Aware* and *Buy*, conversion ``purchase``."""
    return JourneyMap.model_validate(_MAP)
