"""Filters that return a smaller EventLog: by time, by segment rule, by persona."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from journeymap.engine import EventLog
from journeymap.engine.segments import segment_predicate
from journeymap.errors import IngestError
from journeymap.model.rules import parse_rule

if TYPE_CHECKING:
    from journeymap.model.journey import JourneyMap

Moment = str | dt.datetime | dt.date


def filter_time(
    log: EventLog, start: Moment | None = None, end: Moment | None = None
) -> EventLog:
    """Keep events with ``start <= timestamp < end`` (either bound may be omitted).

    Bounds are ISO strings, dates or datetimes; naive bounds are UTC, aware ones are
    converted to UTC.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({"customer_id": ["a", "a"],
    ...     "timestamp": ["2024-01-01", "2024-02-01"], "event": ["x", "y"]}))
    >>> filter_time(log, start="2024-01-15").count()
    1
    """
    table = log.table
    if start is not None:
        table = table.filter(table.timestamp >= _utc(start, "start"))
    if end is not None:
        table = table.filter(table.timestamp < _utc(end, "end"))
    return log.with_table(table)


def _utc(moment: Moment, field: str) -> dt.datetime:
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
        except ValueError:
            raise IngestError(
                f"not an ISO date or time: {moment!r}", field=field
            ) from None
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def filter_segment(
    log: EventLog, rule: str, *, level: Literal["customer", "event"] = "customer"
) -> EventLog:
    """Keep the customers (or events) that satisfy a segment rule.

    Parameters
    ----------
    log
        Canonical events.
    rule
        A segment rule, e.g. ``"plan == 'pro' and region in ('north', 'east')"``.
    level
        ``"customer"`` (default): keep every event of each customer who has at least
        one event satisfying the rule. ``"event"``: keep only satisfying events.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01"],
    ...     "event": ["x", "y", "x"], "plan": ["pro", None, "free"]}))
    >>> filter_segment(log, "plan == 'pro'").count()
    2
    >>> filter_segment(log, "plan == 'pro'", level="event").count()
    1
    """
    if level not in ("customer", "event"):
        raise IngestError(
            f"level must be 'customer' or 'event', not {level!r}", field="level"
        )
    table = log.table
    matching = table.filter(segment_predicate(table, parse_rule(rule)))
    if level == "event":
        return log.with_table(matching)
    customers = matching.select("customer_id").distinct()
    return log.with_table(table.semi_join(customers, "customer_id"))


def filter_persona(log: EventLog, journey_map: JourneyMap, persona_id: str) -> EventLog:
    """Keep the customers of one persona of a journey map (by its segment rule).

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> from journeymap.model.journey import JourneyMap
    >>> journey = JourneyMap(name="j", personas=[{"id": "pro", "name": "Pro",
    ...     "segment": "plan == 'pro'"}])
    >>> log = read_events(pd.DataFrame({"customer_id": ["a", "b"],
    ...     "timestamp": ["2024-01-01", "2024-01-01"], "event": ["x", "x"],
    ...     "plan": ["pro", "free"]}))
    >>> filter_persona(log, journey, "pro").customers()
    1
    """
    personas = {p.id: p for p in journey_map.personas}
    persona = personas.get(persona_id)
    if persona is None:
        known = ", ".join(personas) or "(none)"
        raise IngestError(
            f"no persona {persona_id!r}; personas: {known}", field="persona"
        )
    if not persona.segment:
        raise IngestError(
            f"persona {persona_id!r} has no segment rule to select its customers",
            field="persona",
        )
    return filter_segment(log, persona.segment)
