"""Seeded demo data: an online grocery's customers, their events, surveys and comments.

:func:`simulate_journeys` runs one :class:`~journeymap.demo.journeys.Shopper` per
customer and returns canonical events (docs/reference/events.md) plus the customer attributes and a
``truth`` record of what was planted. The same seed always gives identical data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from journeymap.demo._dice import Dice
from journeymap.demo.journeys import DAY, Row, Shopper
from journeymap.demo.personas import PERSONA_WEIGHTS, PROFILES, REGIONS, profile
from journeymap.demo.truth import describe_truth

DEFAULT_START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
ARRIVAL_DAYS = (3, 70)  # customers first meet the brand during these days
HORIZON_DAYS = 91  # the export stops here; later events are cut off, as in real data

ROW_COLUMNS = [
    "customer",
    "seconds",
    "event",
    "channel",
    "session",
    "value",
    "score",
    "score_kind",
    "text",
    "reason",
]
EVENT_COLUMNS = [
    "customer_id",
    "timestamp",
    "event",
    "channel",
    "session_id",
    "value",
    "score",
    "score_kind",
    "text",
]
ATTRIBUTE_COLUMNS = [
    "persona",
    "region",
    "device",
    "age_band",
    "household_size",
    "plan",
]


@dataclass(frozen=True)
class SimulatedData:
    """Simulated demo data.

    Attributes
    ----------
    events
        Canonical events (one row per event, ordered by customer and time) with the
        customer attributes and a ``reason`` column (support calls) as properties.
    customers
        One row per customer: ``customer_id``, attributes and ``first_seen``.
    truth
        JSON-ready description of the planted effects and what they look like in the
        data (see :func:`journeymap.demo.truth.describe_truth`).
    """

    events: pd.DataFrame
    customers: pd.DataFrame
    truth: dict[str, Any]


def simulate_journeys(
    customers: int = 5000,
    *,
    seed: int = 7,
    start: dt.datetime = DEFAULT_START,
) -> SimulatedData:
    """Simulate an online grocery's customer journeys.

    Parameters
    ----------
    customers
        Number of customers (each has at least one event).
    seed
        Seed of the numpy Generator; the same seed gives identical data.
    start
        First day of the simulation (UTC; a naive datetime is taken as UTC).

    Returns
    -------
    SimulatedData
        Events, customer attributes and the planted truth.

    Examples
    --------
    >>> data = simulate_journeys(200, seed=1)
    >>> sorted(data.events["persona"].unique())
    ['bargain-hunter', 'busy-parent', 'senior-shopper']
    >>> bool((data.events["event"] == "purchase").any())
    True
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    dice = Dice(np.random.default_rng(seed))
    people = _draw_customers(dice, customers)
    rows = _simulate_rows(dice, people["persona"].tolist())
    events = _events_frame(rows, people, start)
    first_seen = events.groupby("customer_id")["timestamp"].min()
    people["first_seen"] = people["customer_id"].map(first_seen)
    truth = describe_truth(events, seed=seed, customers=customers, start=start)
    return SimulatedData(events=events, customers=people, truth=truth)


def _draw_customers(dice: Dice, count: int) -> pd.DataFrame:
    """Customer attributes: persona, region, device, age band, household size, plan."""
    records = []
    for _ in range(count):
        persona = profile(
            dice.weighted(PERSONA_WEIGHTS.items, PERSONA_WEIGHTS.cumulative)
        )
        records.append(
            (
                persona.id,
                dice.weighted(REGIONS.items, REGIONS.cumulative),
                dice.weighted(persona.devices.items, persona.devices.cumulative),
                dice.weighted(persona.ages.items, persona.ages.cumulative),
                int(
                    dice.weighted(
                        persona.households.items, persona.households.cumulative
                    )
                ),
                dice.weighted(persona.plans.items, persona.plans.cumulative),
            )
        )
    frame = pd.DataFrame.from_records(records, columns=ATTRIBUTE_COLUMNS)
    width = max(5, len(str(count)))
    ids = [f"C{number:0{width}d}" for number in range(1, count + 1)]
    frame.insert(0, "customer_id", ids)
    return frame.astype({"household_size": "int64"})


def _simulate_rows(dice: Dice, personas: list[str]) -> list[Row]:
    """Run every customer's journey; rows come out grouped by customer, in time order."""
    rows: list[Row] = []
    profiles = {p.id: p for p in PROFILES}
    for index, persona in enumerate(personas):
        arrival = dice.between(ARRIVAL_DAYS[0] * DAY, ARRIVAL_DAYS[1] * DAY)
        Shopper(index, profiles[persona], dice, rows, time=arrival).run()
    return rows


def _events_frame(
    rows: list[Row], people: pd.DataFrame, start: dt.datetime
) -> pd.DataFrame:
    """Canonical events from raw rows, cut at the horizon, with attribute columns."""
    raw = pd.DataFrame.from_records(rows, columns=ROW_COLUMNS)
    raw = raw[raw["seconds"] < HORIZON_DAYS * DAY].reset_index(drop=True)
    index = raw["customer"].to_numpy()
    customer_id = people["customer_id"].to_numpy()[index]
    sessions = raw["session"].astype(str).str.zfill(3)
    base = pd.Timestamp(start).as_unit("us")
    events = pd.DataFrame(
        {
            "customer_id": customer_id,
            "timestamp": base + pd.to_timedelta(raw["seconds"].to_numpy(), unit="s"),
            "event": raw["event"],
            "channel": raw["channel"],
            "session_id": pd.Series(customer_id) + "-S" + sessions,
            "value": raw["value"].astype("float64"),
            "score": raw["score"].astype("float64"),
            "score_kind": raw["score_kind"],
            "text": raw["text"],
        }
    )
    for column in ATTRIBUTE_COLUMNS:
        events[column] = people[column].to_numpy()[index]
    events["reason"] = raw["reason"]
    return events.astype(_DTYPES)


_DTYPES = {
    "customer_id": "str",
    "event": "str",
    "channel": "str",
    "session_id": "str",
    "score_kind": "str",
    "text": "str",
    "persona": "str",
    "region": "str",
    "device": "str",
    "age_band": "str",
    "household_size": "int64",
    "plan": "str",
    "reason": "str",
}
