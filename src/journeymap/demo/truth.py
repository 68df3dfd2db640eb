"""What was planted in the demo data, and how big it turned out to be.

The simulator plants one problem (senior shoppers' card payments fail at checkout) and
leaves one assumed pain point of the demo map without support (delivery slots are easy
to book). :func:`describe_truth` records both, with the designed probabilities and the
numbers observed in the generated events, so tests and tutorials can check that the
analytics find exactly this.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from journeymap.demo.journeys import P_LATE
from journeymap.demo.personas import PROFILES

PLANTED_PERSONA = "senior-shopper"
PLANTED_TOUCHPOINT = "checkout"
SYSTEM_EVENTS = (
    "session_start",
    "consent_updated",
    "push_token_registered",
    "experiment_exposure",
)
FLAG_EVENTS = (
    "add_to_cart",
    "checkout_start",
    "payment_failed",
    "purchase",
    "delivery_slot_view",
    "delivery_scheduled",
)


def describe_truth(
    events: pd.DataFrame, *, seed: int, customers: int, start: dt.datetime
) -> dict[str, Any]:
    """The planted effects of a simulation, with what the events show of them.

    Parameters
    ----------
    events
        The simulated canonical events.
    seed, customers, start
        The simulation's arguments, recorded for reproducibility.

    Returns
    -------
    dict
        JSON-ready: ``planted_problem``, ``unsupported_assumption``,
        ``assumed_pain_points`` (id -> supported or not), ``personas`` and
        ``system_events`` (raw names the demo map leaves unmatched on purpose).
    """
    outcomes = persona_outcomes(events)
    return {
        "seed": seed,
        "customers": customers,
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conversion_event": "purchase",
        "personas": {p.id: p.share for p in PROFILES},
        "planted_problem": _planted_problem(outcomes),
        "unsupported_assumption": _unsupported_assumption(outcomes),
        "assumed_pain_points": {
            "payment-friction": "supported",
            "slots-hard-to-find": "not supported",
        },
        "system_events": list(SYSTEM_EVENTS),
        "observed": {pid: _rounded(row) for pid, row in outcomes.iterrows()},
    }


def persona_outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """Per persona: funnel around checkout, payment failures, time, scores, slots.

    Parameters
    ----------
    events
        Canonical events with a ``persona`` column.

    Returns
    -------
    pandas.DataFrame
        One row per persona (sorted), e.g. ``checkout_dropoff``: the share of
        customers who started a checkout and never purchased.
    """
    first = _first_times(events)
    persona = events.groupby("customer_id")["persona"].first()
    first = first.join(persona)
    return first.groupby("persona").apply(_summarise, include_groups=False).sort_index()


def _first_times(events: pd.DataFrame) -> pd.DataFrame:
    flagged = events[events["event"].isin(FLAG_EVENTS)]
    first = flagged.groupby(["customer_id", "event"])["timestamp"].min().unstack()
    customers = pd.Index(events["customer_id"].unique(), name="customer_id")
    first = first.reindex(index=customers, columns=list(FLAG_EVENTS))
    scores = events.dropna(subset=["score"]).pivot_table(
        index="customer_id", columns="score_kind", values="score", aggfunc="mean"
    )
    return first.join(scores.reindex(columns=["ces", "nps", "csat"]))


def _summarise(group: pd.DataFrame) -> pd.Series:
    started = group["checkout_start"].notna()
    bought = group["purchase"].notna()
    viewed_slots = group["delivery_slot_view"].notna()
    in_stage = (group["purchase"] - group["add_to_cart"]).dt.total_seconds() / 3600
    to_pay = (group["purchase"] - group["checkout_start"]).dt.total_seconds() / 3600
    return pd.Series(
        {
            "customers": float(len(group)),
            "conversion_rate": bought.mean(),
            "checkout_customers": float(started.sum()),
            "checkout_dropoff": (started & ~bought).sum() / max(started.sum(), 1),
            "payment_failure_customers": float(group["payment_failed"].notna().sum()),
            "median_purchase_stage_hours": in_stage.median(),
            "mean_purchase_stage_hours": in_stage.mean(),
            "mean_checkout_to_purchase_hours": to_pay.mean(),
            "slow_checkout_share": (to_pay > 1).sum() / max(to_pay.notna().sum(), 1),
            "mean_ces": group["ces"].mean(),
            "mean_nps": group["nps"].mean(),
            "slot_scheduling_rate": (
                group.loc[viewed_slots, "delivery_scheduled"].notna().mean()
            ),
        }
    )


def _planted_problem(outcomes: pd.DataFrame) -> dict[str, Any]:
    senior = outcomes.loc[PLANTED_PERSONA]
    others = outcomes.drop(index=PLANTED_PERSONA)
    baseline = float(
        (others["checkout_dropoff"] * others["checkout_customers"]).sum()
        / others["checkout_customers"].sum()
    )
    return {
        "pain_point": "payment-friction",
        "persona": PLANTED_PERSONA,
        "stage": "purchase",
        "touchpoint": PLANTED_TOUCHPOINT,
        "events": ["payment_failed"],
        "description": (
            "Senior shoppers pay on desktop with debit cards whose bank check the "
            "checkout handles badly: most payment attempts fail, many give up, some "
            "phone the helpline, and their CES and comments are poor."
        ),
        "payment_failure_probability": {p.id: p.payment_failure for p in PROFILES},
        "checkout_dropoff": round(float(senior["checkout_dropoff"]), 4),
        "checkout_dropoff_baseline": round(baseline, 4),
        "dropoff_ratio": round(float(senior["checkout_dropoff"]) / baseline, 2),
    }


def _unsupported_assumption(outcomes: pd.DataFrame) -> dict[str, Any]:
    rate = outcomes["slot_scheduling_rate"]
    return {
        "pain_point": "slots-hard-to-find",
        "stage": "delivery",
        "touchpoint": "delivery-slots",
        "description": (
            "Designers assumed slots are hard to find; in the data nearly everyone who "
            "opens the slot picker books a slot within minutes, for every persona, and "
            "comments about slots are positive."
        ),
        "slot_scheduling_rate": {k: round(float(v), 4) for k, v in rate.items()},
        "late_delivery_probability": P_LATE,
    }


def _rounded(row: pd.Series) -> dict[str, float | None]:
    return {k: None if pd.isna(v) else round(float(v), 4) for k, v in row.items()}
