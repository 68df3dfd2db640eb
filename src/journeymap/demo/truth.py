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
    first = first.astype(
        events["timestamp"].dtype
    )  # all-missing columns stay datetimes
    scores = events.dropna(subset=["score"]).pivot_table(
        index="customer_id", columns="score_kind", values="score", aggfunc="mean"
    )
    return first.join(scores.reindex(columns=["ces", "nps", "csat"]).astype("float64"))


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
            "checkout_dropoff": _share((started & ~bought).sum(), started.sum()),
            "payment_failure_customers": float(group["payment_failed"].notna().sum()),
            "median_purchase_stage_hours": in_stage.median(),
            "mean_purchase_stage_hours": in_stage.mean(),
            "mean_checkout_to_purchase_hours": to_pay.mean(),
            "slow_checkout_share": _share((to_pay > 1).sum(), to_pay.notna().sum()),
            "mean_ces": group["ces"].mean(),
            "mean_nps": group["nps"].mean(),
            "slot_scheduling_rate": (
                group.loc[viewed_slots, "delivery_scheduled"].notna().mean()
            ),
        }
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def _planted_problem(outcomes: pd.DataFrame) -> dict[str, Any]:
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
        **_dropoff_comparison(outcomes),
    }


def _dropoff_comparison(outcomes: pd.DataFrame) -> dict[str, float | None]:
    """Checkout drop-off of the planted persona against everyone else's (pooled)."""
    planted = outcomes["checkout_dropoff"].get(PLANTED_PERSONA)
    others = outcomes.drop(index=PLANTED_PERSONA, errors="ignore")
    started = others["checkout_customers"].sum()
    baseline = (others["checkout_dropoff"] * others["checkout_customers"]).sum()
    baseline = baseline / started if started else None
    ratio = planted / baseline if planted is not None and baseline else None
    return {
        "checkout_dropoff": _round(planted),
        "checkout_dropoff_baseline": _round(baseline),
        "dropoff_ratio": _round(ratio, 2),
    }


def _round(value: Any, digits: int = 4) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


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
        "slot_scheduling_rate": {k: _round(v) for k, v in rate.items()},
        "late_delivery_probability": P_LATE,
    }


def _rounded(row: pd.Series) -> dict[str, float | None]:
    return {k: _round(v) for k, v in row.items()}
