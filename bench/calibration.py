"""Calibration bench for pain-point verdicts, suggestions and incidents (issue 9).

A seeded generator writes journeys with **planted** effects and **null** pain points
(same shapes, no effect) into a folder: ``events.parquet``, ``customers.csv``,
``map.yaml`` and ``truth.json``. The bench then runs ``journeymap measure`` on it as a
user would (a whole process) and scores ``measured.json`` against the truth: the share
of null pain points judged supported (target <= 5 % at alpha = 0.05), the share of
planted effects found (target >= 90 % with >= 1,000 customers per group), suggestions on
datasets without planted effects (target <= 1 each), incident windows against the
planted one (Jaccard of days) and the shuffle test (persona attributes permuted across
customers: no persona-level verdict or suggestion may survive).

``--check`` verifies the generator without the engine: plain pandas computations on the
written files show each planted effect at its stated size and each null as null.

    python bench/calibration.py --check --sizes 10000
    python bench/calibration.py --sizes 2000 10000 40000 --seeds 20 10 4 --write

The generator is pure Python and numpy (one ``numpy.random.Generator`` per dataset), so
the same configuration always writes the same files. The tests import it from here
(``tests/evidence/test_calibration.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# -- the journey ---------------------------------------------------------------------
START = dt.datetime(2026, 1, 5)  # a Monday: week 1 is 2026-01-05 .. 2026-01-11
WEEKS = 16
DAY_S = 86_400.0
HORIZON_S = WEEKS * 7 * DAY_S  # the export stops here: later events are cut off

# stage id -> touchpoints (id, event); the first touchpoint of a stage after discover is
# where every visit of the stage enters, so touchpoint and stage populations coincide.
STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "discover",
        (
            ("ad", "ad_click"),
            ("search", "search_result"),
            ("landing", "landing_view"),
            ("newsletter", "newsletter_open"),
        ),
    ),
    (
        "consider",
        (
            ("catalog", "category_view"),
            ("product", "product_view"),
            ("compare", "compare_view"),
            ("reviews", "reviews_view"),
        ),
    ),
    (
        "cart",
        (("add", "add_to_cart"), ("cart-page", "cart_view"), ("promo", "promo_code")),
    ),
    (
        "checkout",
        (
            ("checkout-start", "checkout_start"),
            ("shipping", "shipping_info"),
            ("pay", "payment_details"),
        ),
    ),
    (
        "after-purchase",
        (
            ("order", "purchase"),
            ("tracking", "delivery_tracking"),
            ("review", "review_written"),
        ),
    ),
)
STAGE_IDS = tuple(stage for stage, _ in STAGES)
STAGE_OF_EVENT = {event: k for k, (_, tps) in enumerate(STAGES) for _, event in tps}
DISCOVER, CONSIDER, CART, CHECKOUT, AFTER = range(5)

# P(the customer ever moves on from stage k): discover, consider, cart, checkout
ADVANCE = (0.70, 0.65, 0.75, 0.75)
SAME_SESSION = (0.50, 0.40, 0.60, 0.70)  # P(the move happens in the same session)
LOOP = 0.05  # in-session loop back to the previous stage, at the furthest stage
RETURN = 0.35  # a later session starts at an earlier stage than the furthest
SESSION_GAP_S = (2 * 3600.0, 2.5 * DAY_S)  # minimum + exponential mean between sessions
EVENT_GAP_S = (3.0, 50.0, 600.0)  # minimum, exponential mean, cap (before slow scaling)

AGE_BANDS = ("18-24", "25-34", "35-49", "50-64", "65+")
AGE_P = (0.15, 0.25, 0.25, 0.15, 0.20)
AGE_MISSING = 0.10
PLANS = ("free", "plus", "pro")
PLAN_P = (0.55, 0.25, 0.20)
CHAT_SHARE = 0.15  # customers who get the chat widget (chat_opened every session)
BANNER = 0.10  # P(banner_seen) at the start of any session, at random
CHECKOUT_ERROR = 0.08  # P(checkout_error) in a checkout visit at the furthest stage
CES_P = (0.05, 0.08, 0.12, 0.20, 0.25, 0.20, 0.10)  # 1..7, at pay, for everyone
CSAT_P = (0.05, 0.10, 0.20, 0.35, 0.30)  # 1..5, at review, for everyone
TEXTS = {
    "positive": (
        "Great prices and fast delivery, I love it",
        "Really easy to order, excellent service",
        "Happy with my purchase, thank you",
        "Wonderful selection and friendly support",
    ),
    "neutral": (
        "I ordered a pair of shoes",
        "The parcel came on Tuesday",
        "I used the website on my phone",
    ),
    "negative": (
        "Terrible experience, the site is slow and confusing",
        "Awful support, I am angry and disappointed",
        "Bad quality and the delivery was late, horrible",
    ),
}
TEXT_P = (0.5, 0.25, 0.25)

PERSONAS = {
    "senior": ("Senior shopper", "age_band == '65+'"),
    "young": ("Young shopper", "age_band == '18-24'"),
    "pro": ("Pro member", "plan == 'pro'"),
    "plus": ("Plus member", "plan == 'plus'"),
}


def _day(week: int, weekday: int = 0) -> dt.date:
    """Day ``weekday`` (0 = Monday) of week ``week`` (1-based) of the data."""
    return (START + dt.timedelta(days=7 * (week - 1) + weekday)).date()


INCIDENT = (_day(6), _day(8, 6))  # weeks 6-8: 2026-02-09 .. 2026-03-01
QUIET = (_day(2), _day(4, 6))  # weeks 2-4, no incident anywhere


@dataclass(frozen=True)
class Effects:
    """Planted effect sizes; ``Effects.none()`` is a dataset with nothing planted."""

    senior_checkout_dropoff: float = 0.06  # +6 pp drop-off at checkout for 65+
    error_loop: float = 0.25  # +25 pp loop back to cart in visits with checkout_error
    incident_dropoff: float = 0.10  # +10 pp drop-off for checkout entries in weeks 6-8
    incident_payment_failed: float = 0.60  # P(payment_failed) in a checkout visit then
    pro_consider_slow: float = 2.0  # time to move on from consider, x2 for pro

    @classmethod
    def none(cls) -> Effects:
        return cls(0.0, 0.0, 0.0, 0.0, 1.0)

    @property
    def any(self) -> bool:
        return self != Effects.none()


@dataclass(frozen=True)
class Config:
    customers: int = 2000
    seed: int = 0
    effects: Effects = field(default_factory=Effects)
    session_ids: bool = False  # write session_id (else sessions come from a 30-min gap)
    scope: str = "customer"


# -- pain points: the hypotheses on the map ------------------------------------------
@dataclass(frozen=True)
class Claim:
    id: str
    stage: str
    text: str
    touchpoint: str | None = None
    persona: str | None = None
    period: tuple[dt.date, dt.date] | None = None
    events: tuple[str, ...] = ()
    outcome: str | None = None
    effect: str = ""  # the planted effect, in words (empty for nulls)
    note: str = (
        ""  # why a null may still look associated (for the reader of truth.json)
    )

    def card(self) -> dict[str, Any]:
        card: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.touchpoint:
            card["touchpoint"] = self.touchpoint
        if self.persona:
            card["persona"] = self.persona
        if self.period:
            card["period"] = {"from": str(self.period[0]), "to": str(self.period[1])}
        signal: dict[str, Any] = {}
        if self.events:
            signal["events"] = list(self.events)
        if self.outcome:
            signal["outcome"] = self.outcome
        if signal:
            card["signal"] = signal
        return card


EXPOSURE = (
    "the signal event comes at random per visit or session: null per session, but "
    "customers with more sessions meet it more often and also loop more often"
)
CLAIMS = (
    Claim(
        "planted-senior-checkout",
        "checkout",
        "Older customers give up at checkout",
        touchpoint="checkout-start",
        persona="senior",
        outcome="dropoff",
        effect="drop-off at checkout +{senior_checkout_dropoff:.2f} for age_band 65+",
    ),
    Claim(
        "planted-error-loop",
        "checkout",
        "A checkout error sends people back to the cart",
        events=("checkout_error",),
        outcome="loop",
        note=EXPOSURE,
        effect="P(loop checkout -> cart) in a visit with checkout_error +{error_loop:.2f}",
    ),
    Claim(
        "planted-payment-incident",
        "checkout",
        "Payments failed for some weeks",
        period=INCIDENT,
        outcome="dropoff",
        effect="drop-off +{incident_dropoff:.2f} for first checkout entries in the period",
    ),
    Claim(
        "planted-pro-slow",
        "consider",
        "Pro members take long to decide",
        persona="pro",
        outcome="slow",
        effect="time to move on from consider x{pro_consider_slow:.1f} for plan pro",
    ),
    Claim(
        "null-plus-checkout",
        "checkout",
        "Plus members give up at checkout",
        touchpoint="checkout-start",
        persona="plus",
        outcome="dropoff",
    ),
    Claim(
        "null-young-cart",
        "cart",
        "Young customers abandon their cart",
        touchpoint="add",
        persona="young",
        outcome="dropoff",
    ),
    Claim(
        "null-young-slow",
        "cart",
        "Young customers hesitate in the cart",
        persona="young",
        outcome="slow",
    ),
    Claim(
        "null-chat-loop",
        "cart",
        "The chat widget distracts people back to browsing",
        events=("chat_opened",),
        outcome="loop",
    ),
    Claim(
        "null-banner-loop",
        "cart",
        "The promotion banner sends people back to browsing",
        events=("banner_seen",),
        outcome="loop",
        note=EXPOSURE,
    ),
    Claim(
        "null-quiet-period",
        "cart",
        "The cart broke in January",
        period=QUIET,
        outcome="dropoff",
    ),
    Claim("null-invented-cart", "cart", "The cart page is confusing"),
    Claim("null-invented-discover", "discover", "Nobody can find us"),
    Claim(
        "null-plus-low-score",
        "checkout",
        "Plus members find paying hard",
        touchpoint="pay",
        persona="plus",
        outcome="low_score",
    ),
    Claim(
        "null-senior-negative-text",
        "after-purchase",
        "Older customers complain in reviews",
        touchpoint="review",
        persona="senior",
        outcome="negative_text",
    ),
)
PLANTED_INCIDENT = {"stage": "checkout", "metric": "dropoff", "persona": None}


def claims_truth(effects: Effects) -> list[dict[str, Any]]:
    """Every pain point on the map with its kind: planted (with the effect) or null."""
    rows = []
    for claim in CLAIMS:
        planted = bool(claim.effect) and effects.any
        rows.append(
            {
                **claim.card(),
                "stage": claim.stage,
                "kind": "planted" if planted else "null",
                "effect": claim.effect.format(**asdict(effects)) if planted else None,
                "note": claim.note or None,
            }
        )
    return rows


# -- the generator --------------------------------------------------------------------
class _Columns:
    """Event rows, collected column by column (faster than a list of dicts)."""

    names = (
        "customer_id",
        "session",
        "seconds",
        "event",
        "platform",
        "score",
        "kind",
        "text",
    )

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {name: [] for name in self.names}

    def add(self, *values: Any) -> None:
        for name, value in zip(self.names, values, strict=True):
            self.cols[name].append(value)


class _Journey:
    """One customer's sessions, stage by stage (see the module docstring of the bench).

    The customer's fate at each stage (move on or not, and in how many sessions) is drawn
    when the stage is first entered, so planted drop-offs are exact shares of customers;
    visits, loops and returns add realistic sessions around that skeleton.
    """

    def __init__(
        self, rng: np.random.Generator, out: _Columns, effects: Effects, customer: Any
    ) -> None:
        self.rng, self.out, self.fx = rng, out, effects
        self.cid = customer.customer_id
        self.senior = customer.age_band == "65+"
        self.pro = customer.plan == "pro"
        self.chat = bool(customer.chat)
        self.mobile_p = float(customer.mobile_p)
        self.t = float(customer.start_s)
        self.session = 0
        self.platform = "desktop"
        self.frontier = DISCOVER
        self._hold = False
        self._purchased = False
        self.advance, self.waits = self._fate(DISCOVER)

    # time ----------------------------------------------------------------------------
    def _scale(self) -> float:
        slow = self.pro and self.frontier == CONSIDER
        return self.fx.pro_consider_slow if slow else 1.0

    def _tick(self) -> float:
        if self._hold:
            self._hold = False
            return self.t
        low, mean, cap = EVENT_GAP_S
        self.t += min(low + self.rng.exponential(mean), cap) * self._scale()
        return self.t

    def _emit(self, event: str, score: float | None = None, kind: str | None = None,
              text: str | None = None) -> None:  # fmt: skip
        self.out.add(self.cid, self.session, self._tick(), event, self.platform,
                     score, kind, text)  # fmt: skip

    # fate ----------------------------------------------------------------------------
    def _fate(self, stage: int) -> tuple[bool, int]:
        """Whether the customer ever moves on from ``stage``, and after how many sessions."""
        if stage == AFTER:
            return False, int(self.rng.binomial(2, 0.3))
        p = ADVANCE[stage]
        if stage == CHECKOUT:
            if self.senior:
                p -= self.fx.senior_checkout_dropoff
            if self._in_incident(self.t):
                p -= self.fx.incident_dropoff
        advance = bool(self.rng.random() < p)
        if advance:
            same = self.rng.random() < SAME_SESSION[stage]
            return True, 0 if same else 1 + int(self.rng.binomial(3, 0.4))
        return False, int(self.rng.binomial(3, 0.4))

    @staticmethod
    def _in_incident(seconds: float) -> bool:
        day = (START + dt.timedelta(seconds=seconds)).date()
        return INCIDENT[0] <= day <= INCIDENT[1]

    # visits --------------------------------------------------------------------------
    def _visit(self, stage: int, *, frontier: bool) -> bool:
        """Events of one stay in ``stage``; True when a checkout_error happened."""
        rng, error = self.rng, False
        if stage == DISCOVER:
            self._emit(str(rng.choice(["ad_click", "search_result", "landing_view",
                                       "newsletter_open"], p=[0.3, 0.35, 0.2, 0.15])))  # fmt: skip
            if rng.random() < 0.4:
                self._emit("landing_view")
        elif stage == CONSIDER:
            self._emit("category_view" if rng.random() < 0.5 else "product_view")
            for _ in range(int(rng.integers(0, 3))):
                event = str(
                    rng.choice(["product_view", "compare_view", "reviews_view"])
                )
                text = (
                    self._text()
                    if event == "product_view" and rng.random() < 0.03
                    else None
                )
                self._emit(event, text=text)
        elif stage == CART:
            self._emit("add_to_cart")
            if rng.random() < 0.7:
                self._emit("cart_view")
            if rng.random() < 0.2:
                self._emit("promo_code")
        elif stage == CHECKOUT:
            error = self._checkout(frontier=frontier)
        else:
            self._after_purchase()
        return error

    def _checkout(self, *, frontier: bool) -> bool:
        rng = self.rng
        self._emit("checkout_start")
        if rng.random() < 0.8:
            self._emit("shipping_info")
        error = frontier and bool(rng.random() < CHECKOUT_ERROR)
        if error:
            self._emit("checkout_error")
        if rng.random() < 0.7:
            ces = rng.random() < 0.15
            score = float(rng.choice(7, p=CES_P) + 1) if ces else None
            self._emit("payment_details", score, "ces" if ces else None)
        if self._in_incident(self.t) and rng.random() < self.fx.incident_payment_failed:
            self._emit("payment_failed")
        return error

    def _after_purchase(self) -> None:
        rng = self.rng
        if self.frontier == AFTER and not self._purchased:
            self._purchased = True
            self._emit("purchase")
        if rng.random() < 0.4:
            self._emit("delivery_tracking")
        if rng.random() < 0.5:
            csat = rng.random() < 0.6
            score = float(rng.choice(5, p=CSAT_P) + 1) if csat else None
            text = self._text() if rng.random() < 0.3 else None
            self._emit("review_written", score, "csat" if csat else None, text)

    def _text(self) -> str:
        tone = str(self.rng.choice(list(TEXTS), p=TEXT_P))
        return str(self.rng.choice(TEXTS[tone]))

    # sessions ------------------------------------------------------------------------
    def _start_session(self) -> None:
        self.platform = "mobile" if self.rng.random() < self.mobile_p else "desktop"
        if self.chat:
            self._emit("chat_opened")
        if self.rng.random() < BANNER:
            self._emit("banner_seen")

    def _next_session(self) -> None:
        low, mean = SESSION_GAP_S
        self.t += (low + self.rng.exponential(mean)) * self._scale()
        self.session += 1

    def run(self) -> None:
        while self.t < HORIZON_S:
            self._start_session()
            start = self.frontier
            if self.session > 0 and self.frontier not in (DISCOVER, AFTER):
                if self.rng.random() < RETURN:
                    start = int(self.rng.integers(0, self.frontier))
            for stage in range(start, self.frontier):
                self._visit(stage, frontier=False)
            if self._frontier_session():
                return
            self._next_session()

    def _frontier_session(self) -> bool:
        """Visits at the furthest stage, moving on within the session; True when done."""
        while True:
            error = self._visit(self.frontier, frontier=True)
            if self.frontier in (CONSIDER, CART, CHECKOUT):
                loop = LOOP + (self.fx.error_loop if error else 0.0)
                if self.rng.random() < loop:
                    self._visit(self.frontier - 1, frontier=False)
                    self._visit(self.frontier, frontier=False)
            if self.waits > 0:
                self.waits -= 1
                return False
            if not self.advance:
                return True
            # the gap before the next stage's first event still belongs to this stage
            # (slow scaling), and that entry time decides the fate (incident window)
            self._tick()
            self.frontier += 1
            self._hold = True
            self.advance, self.waits = self._fate(self.frontier)


def simulate_customers(config: Config, rng: np.random.Generator) -> pd.DataFrame:
    n = config.customers
    age = rng.choice(len(AGE_BANDS), size=n, p=AGE_P)
    age_band = pd.Series(np.array(AGE_BANDS, dtype=object)[age], dtype=object)
    age_band[rng.random(n) < AGE_MISSING] = None
    signup_week = rng.integers(1, WEEKS + 1, size=n)
    start_s = ((signup_week - 1) * 7 + rng.random(n) * 7) * DAY_S
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:06d}" for i in range(n)],
            "age_band": age_band,
            "plan": np.array(PLANS, dtype=object)[rng.choice(3, size=n, p=PLAN_P)],
            "signup_week": signup_week,
            "start_s": start_s,
            "chat": rng.random(n) < CHAT_SHARE,
            "mobile_p": rng.beta(2, 2, size=n),
        }
    )


def simulate(config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and customers for one configuration (same config, same data)."""
    rng = np.random.default_rng([config.seed, config.customers])
    customers = simulate_customers(config, rng)
    out = _Columns()
    for customer in customers.itertuples(index=False):
        _Journey(rng, out, config.effects, customer).run()
    raw = pd.DataFrame(out.cols)
    raw = raw[raw["seconds"] < HORIZON_S]
    events = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(object),
            "session_id": (raw["customer_id"] + "-" + raw["session"].astype(str)),
            "timestamp": (START + pd.to_timedelta(raw["seconds"].round(), unit="s"))
            .astype("datetime64[us]")
            .to_numpy(),
            "event": raw["event"],
            "channel": _channels(raw),
            "platform": raw["platform"],
            "score": raw["score"].astype("float64"),
            "score_kind": raw["kind"],
            "text": raw["text"],
        }
    )
    if not config.session_ids:
        events = events.drop(columns="session_id")
    people = customers[["customer_id", "age_band", "plan", "signup_week"]]
    return events.reset_index(drop=True), people


def _channels(raw: pd.DataFrame) -> np.ndarray:
    channel = np.where(raw["platform"] == "mobile", "app", "web").astype(object)
    channel[(raw["event"] == "newsletter_open").to_numpy()] = "email"
    channel[(raw["event"] == "ad_click").to_numpy()] = "ads"
    return channel


# -- files ----------------------------------------------------------------------------
def map_document(config: Config) -> dict[str, Any]:
    by_stage: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGE_IDS}
    for claim in CLAIMS:
        by_stage[claim.stage].append(claim.card())
    data: dict[str, Any] = {
        "events": "events.parquet",
        "customers": {"path": "customers.csv", "id": "customer_id"},
        "scope": config.scope,
    }
    if config.session_ids:
        data["sessions"] = {"column": "session_id"}
    return {
        "journeymap": 1,
        "name": f"Calibration shop ({config.customers} customers, seed {config.seed})",
        "personas": [
            {"id": pid, "name": name, "segment": rule}
            for pid, (name, rule) in PERSONAS.items()
        ],
        "stages": [
            {
                "id": stage,
                "name": stage.replace("-", " ").title(),
                "touchpoints": [
                    {
                        "id": tp,
                        "name": tp.replace("-", " ").title(),
                        "match": {"event": [ev]},
                    }
                    for tp, ev in tps
                ],
                "pain_points": by_stage[stage],
            }
            for stage, tps in STAGES
        ],
        "conversion": {"event": "purchase"},
        "data": data,
    }


def truth_document(config: Config) -> dict[str, Any]:
    fx = config.effects
    return {
        "config": {
            "customers": config.customers,
            "seed": config.seed,
            "session_ids": config.session_ids,
            "scope": config.scope,
            "effects": asdict(fx),
            "start": START.date().isoformat(),
            "weeks": WEEKS,
        },
        "pain_points": claims_truth(fx),
        "incidents": (
            [{**PLANTED_INCIDENT, "from": str(INCIDENT[0]), "to": str(INCIDENT[1])}]
            if fx.incident_dropoff > 0
            else []
        ),
        "personas": {pid: rule for pid, (_, rule) in PERSONAS.items()},
    }


def write_dataset(config: Config, folder: str | Path) -> Path:
    """Write the dataset of ``config`` into ``folder``; returns the map's path."""
    from ruamel.yaml import YAML

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    events, customers = simulate(config)
    events.to_parquet(folder / "events.parquet", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with (folder / "map.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(map_document(config), handle)
    (folder / "truth.json").write_text(
        json.dumps(truth_document(config), indent=2) + "\n"
    )
    return folder / "map.yaml"


def shuffle_personas(folder: str | Path, seed: int) -> None:
    """Permute the persona attributes across customers (in place): no persona is real."""
    path = Path(folder) / "customers.csv"
    customers = pd.read_csv(path, dtype={"customer_id": str})
    order = np.random.default_rng([seed, 99]).permutation(len(customers))
    for column in ("age_band", "plan", "signup_week"):
        customers[column] = customers[column].to_numpy()[order]
    customers.to_csv(path, index=False)


# -- direct checks: the planted effects are in the files, the nulls are null ----------
GAP = pd.Timedelta(minutes=30)


@dataclass(frozen=True)
class Journeys:
    """The written files, read back with pandas only (no journeymap code)."""

    events: pd.DataFrame  # + stage, session (30-min gap)
    people: pd.DataFrame  # one row per customer with events: attributes, first entries

    def members(self, persona: str) -> pd.Series:
        return self.people.eval(PERSONAS[persona][1]).fillna(False).astype(bool)


def read_journeys(folder: str | Path) -> Journeys:
    folder = Path(folder)
    events = pd.read_parquet(folder / "events.parquet")
    events = events.sort_values(["customer_id", "timestamp"], kind="stable")
    events = events.reset_index(drop=True)
    events["stage"] = events["event"].map(STAGE_OF_EVENT)
    new = events["customer_id"].ne(events["customer_id"].shift()) | (
        events["timestamp"].diff() > GAP
    )
    events["session"] = new.cumsum()
    firsts = events.dropna(subset=["stage"]).pivot_table(
        index="customer_id", columns="stage", values="timestamp", aggfunc="min"
    )
    firsts.columns = [f"first_{int(k)}" for k in firsts.columns]
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})
    people = customers.set_index("customer_id").join(firsts, how="inner")
    people["furthest"] = events.groupby("customer_id")["stage"].max()
    return Journeys(events, people)


def _loops(events: pd.DataFrame, stage: int) -> pd.Series:
    """Per session: whether it moves from ``stage`` back to an earlier stage."""
    matched = events.dropna(subset=["stage"])
    previous = matched.groupby("session")["stage"].shift()
    back = (previous == stage) & (matched["stage"] < stage)
    return back.groupby(matched["session"]).any()


def _z_test(a: pd.Series, b: pd.Series) -> dict[str, Any]:
    from scipy.stats import norm

    n1, n2, x1, x2 = len(a), len(b), float(a.sum()), float(b.sum())
    p1, p2 = x1 / max(n1, 1), x2 / max(n2, 1)
    pooled = (x1 + x2) / max(n1 + n2, 1)
    se = (pooled * (1 - pooled) * (1 / max(n1, 1) + 1 / max(n2, 1))) ** 0.5
    z = (p1 - p2) / se if se > 0 else 0.0
    return _row(n1, p1, n2, p2, p1 - p2, float(2 * norm.sf(abs(z))))


def _row(
    n1: int, v1: float, n2: int, v2: float, diff: float, p: float
) -> dict[str, Any]:
    return {"n": n1, "value": v1, "n_rest": n2, "value_rest": v2, "diff": diff, "p": p}


def _place(j: Journeys, stage: int) -> pd.DataFrame:
    return j.people[j.people[f"first_{stage}"].notna()]


def _dropoff(j: Journeys, stage: int, exposed: pd.Series) -> dict[str, Any]:
    at = _place(j, stage)
    dropped = at["furthest"] == stage
    mask = exposed.reindex(at.index).fillna(False).astype(bool)
    return _z_test(dropped[mask], dropped[~mask])


def _time_to_move_on(j: Journeys, stage: int, exposed: pd.Series) -> dict[str, Any]:
    from scipy.stats import mannwhitneyu

    at = _place(j, stage)
    later = at[[f"first_{k}" for k in range(stage + 1, AFTER + 1)]].min(axis=1)
    seconds = (later - at[f"first_{stage}"]).dt.total_seconds().dropna()
    mask = exposed.reindex(seconds.index).fillna(False).astype(bool)
    a, b = seconds[mask], seconds[~mask]
    p = float(mannwhitneyu(a, b).pvalue) if len(a) and len(b) else float("nan")
    ratio = float(a.median() / b.median()) if len(a) and len(b) else float("nan")
    # closed stays only: censoring at the end of the data hides the slowest stays, so
    # also compare "not moved on within 14 days" among entries seen for 14 days
    window = pd.Timedelta(days=14)
    seen = at[at[f"first_{stage}"] <= START + pd.Timedelta(seconds=HORIZON_S) - window]
    stuck = ~((later - at[f"first_{stage}"]).reindex(seen.index) <= window)
    in_group = exposed.reindex(seen.index).fillna(False).astype(bool)
    return {
        **_row(len(a), a.median(), len(b), b.median(), ratio, p),
        "diff_is": "ratio",
        "window": _z_test(stuck[in_group], stuck[~in_group]),
    }


def _loop_by_signal(j: Journeys, stage: int, events: Sequence[str]) -> dict[str, Any]:
    """Sessions at ``stage`` with a signal event against those without (loop rate)."""
    ev = j.events
    at = ev.loc[ev["stage"] == stage, "session"].unique()
    loops = _loops(ev, stage).reindex(at).fillna(False)
    signal = ev.loc[ev["event"].isin(events), "session"].unique()
    mask = pd.Series(loops.index.isin(signal), index=loops.index)
    per_session = _z_test(loops[mask], loops[~mask])
    customer_of = ev.groupby("session")["customer_id"].first()
    c_loops = loops.groupby(customer_of.reindex(loops.index).to_numpy()).any()
    c_signal = ev.loc[ev["event"].isin(events), "customer_id"].unique()
    c_mask = pd.Series(c_loops.index.isin(c_signal), index=c_loops.index)
    per_customer = _z_test(c_loops[c_mask], c_loops[~c_mask])
    return {**per_session, "customer": per_customer}


def _period(j: Journeys, stage: int, period: tuple[dt.date, dt.date]) -> pd.Series:
    day = _place(j, stage)[f"first_{stage}"].dt.date
    return (day >= period[0]) & (day <= period[1])


def _scores(j: Journeys, event: str, persona: str, *, negative: bool) -> dict[str, Any]:
    ev = j.events
    rows = ev[(ev["event"] == event) & (ev["text" if negative else "score"].notna())]
    member = j.members(persona).reindex(rows["customer_id"]).fillna(False).to_numpy()
    if negative:
        value = rows["text"].isin(TEXTS["negative"])
        return _z_test(value[member], value[~member])
    from scipy.stats import ttest_ind

    a, b = rows["score"][member], rows["score"][~member]
    p = float(ttest_ind(a, b, equal_var=False).pvalue)
    return _row(len(a), a.mean(), len(b), b.mean(), a.mean() - b.mean(), p)


def check_claim(j: Journeys, claim: Claim) -> dict[str, Any]:
    """The claim computed by hand: its group against the comparison, with a p-value."""
    stage = STAGE_IDS.index(claim.stage)
    outcome = claim.outcome or "dropoff"
    if claim.persona and outcome == "dropoff":
        return _dropoff(j, stage, j.members(claim.persona))
    if claim.persona and outcome == "slow":
        return _time_to_move_on(j, stage, j.members(claim.persona))
    if claim.persona and outcome in ("low_score", "negative_text"):
        event = dict(STAGES[stage][1])[claim.touchpoint or ""]
        return _scores(j, event, claim.persona, negative=outcome == "negative_text")
    if claim.events and outcome == "loop":
        return _loop_by_signal(j, stage, claim.events)
    if claim.period:
        return _dropoff(j, stage, _period(j, stage, claim.period))
    at = _place(j, stage)  # an invented claim: no group to compare, only the level
    rate = float((at["furthest"] == stage).mean())
    return _row(len(at), rate, 0, float("nan"), float("nan"), float("nan"))


def weekly_checkout(j: Journeys) -> pd.DataFrame:
    """Drop-off at checkout by week of first entry, and payment_failed per week."""
    at = _place(j, CHECKOUT)
    week = (at[f"first_{CHECKOUT}"] - START).dt.days // 7 + 1
    table = (at["furthest"] == CHECKOUT).groupby(week).agg(["size", "mean"])
    ev = j.events
    failed = ev[ev["event"] == "payment_failed"]
    table["payment_failed"] = failed.groupby(
        (failed["timestamp"] - START).dt.days // 7 + 1
    ).size()
    return table.fillna(0)


def check_dataset(folder: str | Path) -> list[dict[str, Any]]:
    j = read_journeys(folder)
    truth = {
        row["id"]: row
        for row in json.loads((Path(folder) / "truth.json").read_text())["pain_points"]
    }
    return [
        {"id": claim.id, "kind": truth[claim.id]["kind"], **check_claim(j, claim)}
        for claim in CLAIMS
    ]


# -- scoring: journeymap measure as a whole process -----------------------------------
# The facade runner does what ``measure`` should do with the map's data section (join
# data.customers), for as long as the CLI does not: a whole process all the same.
FACADE = """
import sys
from pathlib import Path
import journeymap as jm
path, out = Path(sys.argv[1]), Path(sys.argv[2])
journey = jm.load_map(path)
data = journey.data
log = jm.read_events(path.parent / data.events)
measured = jm.measure(journey, log, customers=str(path.parent / data.customers.path),
                      customers_id=data.customers.id, clusters=False)
out.write_text(measured.to_json())
"""


def measure_folder(
    folder: Path, *, runner: str = "cli", timeout_s: float = 3600
) -> dict[str, Any]:
    """Run ``journeymap measure map.yaml -o measured.json``; the JSON, or the error.

    ``runner="facade"`` runs ``jm.measure`` with the map's customers in a fresh process
    instead (see FACADE).
    """
    if runner == "cli":
        cmd = [sys.executable, "-m", "journeymap", "measure", str(folder / "map.yaml")]
        cmd += ["-o", str(folder / "measured.json")]
    else:
        cmd = [sys.executable, "-c", FACADE, str(folder / "map.yaml")]
        cmd += [str(folder / "measured.json")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
        return {"error": lines[-1][:300], "seconds": seconds}
    measured = json.loads((folder / "measured.json").read_text())
    return {"measured": measured, "seconds": seconds}


TOUCHPOINT_STAGE = {tp: stage for stage, tps in STAGES for tp, _ in tps}


def _stage_of(item: dict[str, Any]) -> str | None:
    for key in ("stage_id", "stage"):
        if item.get(key):
            return str(item[key])
    place = item.get("touchpoint_id") or item.get("id")
    if item.get("level") == "stage":
        return str(place)
    return TOUCHPOINT_STAGE.get(str(place), str(place) if place in STAGE_IDS else None)


def _days(start: str, end: str) -> set[dt.date]:
    first, last = dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def incident_overlap(
    truth: dict[str, Any], incidents: list[dict[str, Any]]
) -> dict[str, Any]:
    """Jaccard of days between planted windows and the incidents found at their stage."""
    planted = list(truth["incidents"])
    if not planted:
        return {"jaccard": None, "found": 0, "elsewhere": len(incidents)}
    days = set().union(*(_days(p["from"], p["to"]) for p in planted))
    stages = {p["stage"] for p in planted}
    here = [
        i for i in incidents if _stage_of(i) in stages and i.get("from") and i.get("to")
    ]
    found = set().union(*(_days(i["from"], i["to"]) for i in here)) if here else set()
    jaccard = len(days & found) / len(days | found)
    outside = [i for i in here if not (_days(i["from"], i["to"]) & days)]
    return {
        "jaccard": jaccard,
        "found": len(here),
        "elsewhere": len(incidents) - len(here) + len(outside),
    }


def score_measured(truth: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """Verdicts of the map's pain points, suggestions and incidents against the truth."""
    verdicts = {p["id"]: p for p in measured.get("pain_points", [])}
    claims = []
    for claim in truth["pain_points"]:
        got = verdicts.get(claim["id"], {})
        test = got.get("test") or {}
        claims.append(
            {
                "id": claim["id"],
                "kind": claim["kind"],
                "persona": claim.get("persona"),
                "verdict": got.get("verdict", "missing"),
                "reason": got.get("reason"),
                "q": got.get("q_value"),
                "difference": test.get("difference"),
                "exposed_units": (test.get("exposed") or {}).get("units"),
                "test": test or None,
            }
        )
    suggestions = measured.get("suggested_pain_points", [])
    incidents = measured.get("incidents", [])
    return {
        "claims": claims,
        "suggestions": [
            {k: s.get(k) for k in ("stage_id", "touchpoint_id", "persona", "outcome")}
            for s in suggestions
        ],
        "incidents": [
            {
                k: i.get(k)
                for k in ("level", "id", "persona", "metric", "from", "to", "q_value")
            }
            for i in incidents
        ],
        "incident_overlap": incident_overlap(truth, incidents),
    }


@dataclass(frozen=True)
class Job:
    customers: int
    seed: int
    variant: str  # planted | null | shuffled
    runner: str = "cli"


def run_job(job: Job, root: str) -> dict[str, Any]:
    """Write one dataset, measure it with the CLI, score it; the folder is removed."""
    effects = Effects.none() if job.variant == "null" else Effects()
    config = Config(customers=job.customers, seed=job.seed, effects=effects)
    folder = Path(
        tempfile.mkdtemp(prefix=f"{job.variant}-{job.customers}-{job.seed}-", dir=root)
    )
    try:
        write_dataset(config, folder)
        if job.variant == "shuffled":
            shuffle_personas(folder, job.seed)
        truth = json.loads((folder / "truth.json").read_text())
        result = measure_folder(folder, runner=job.runner)
        events = len(pd.read_parquet(folder / "events.parquet", columns=["event"]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row: dict[str, Any] = {
        **asdict(job),
        "events": events,
        "seconds": result["seconds"],
    }
    if "error" in result:
        return {**row, "error": result["error"]}
    return {**row, **score_measured(truth, result["measured"])}


def run_jobs(jobs: Sequence[Job], *, workers: int) -> Iterator[dict[str, Any]]:
    root = tempfile.mkdtemp(prefix="jm-calibration-")
    try:
        if workers <= 1:
            for job in jobs:
                yield run_job(job, root)
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(run_job, jobs, [root] * len(jobs))
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- the report -----------------------------------------------------------------------
def _share(hits: int, total: int) -> str:
    return "—" if total == 0 else f"{hits}/{total} ({100 * hits / total:.1f} %)"


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per size: the calibration numbers of issue 9."""
    lines = []
    for size in sorted({r["customers"] for r in rows}):
        ok = [r for r in rows if r["customers"] == size and "error" not in r]
        failed = [r for r in rows if r["customers"] == size and "error" in r]
        by = {
            v: [r for r in ok if r["variant"] == v]
            for v in ("planted", "null", "shuffled")
        }
        nulls = [
            c
            for r in by["planted"] + by["null"]
            for c in r["claims"]
            if c["kind"] == "null"
        ]
        planted = [
            c for r in by["planted"] for c in r["claims"] if c["kind"] == "planted"
        ]
        persona_claims = [
            c for r in by["shuffled"] for c in r["claims"] if c["persona"]
        ]
        jaccards = [r["incident_overlap"]["jaccard"] for r in by["planted"]]
        null_sugg = [len(r["suggestions"]) for r in by["null"]]
        lines.append(
            {
                "customers": size,
                "seeds": len({r["seed"] for r in ok}),
                "errors": len(failed),
                "events": int(np.mean([r["events"] for r in ok])) if ok else 0,
                "seconds": float(np.mean([r["seconds"] for r in ok])) if ok else 0.0,
                "null_supported": _share(_count(nulls, "supported"), len(nulls)),
                "null_insufficient": _share(
                    _count(nulls, "insufficient_data"), len(nulls)
                ),
                "planted_found": _share(_count(planted, "supported"), len(planted)),
                "suggestions_null": (
                    f"{np.mean(null_sugg):.2f} (max {max(null_sugg)})"
                    if null_sugg
                    else "—"
                ),
                "incidents_null": (
                    f"{np.mean([len(r['incidents']) for r in by['null']]):.2f}"
                    if by["null"]
                    else "—"
                ),
                "jaccard": f"{np.mean(jaccards):.2f}" if jaccards else "—",
                "shuffle_survivors": (
                    _count(persona_claims, "supported")
                    + sum(
                        1
                        for r in by["shuffled"]
                        for s in r["suggestions"]
                        if s["persona"]
                    )
                    if by["shuffled"]
                    else "—"
                ),
            }
        )
    return lines


def _count(claims: list[dict[str, Any]], verdict: str) -> int:
    return sum(1 for c in claims if c["verdict"] == verdict)


def per_claim(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Verdict counts per pain point, size and variant (where the misses are)."""
    records = [
        {
            "customers": r["customers"],
            "variant": r["variant"],
            "id": c["id"],
            "kind": c["kind"],
            "verdict": c["verdict"],
        }
        for r in rows
        if "error" not in r
        for c in r["claims"]
    ]
    if not records:
        return pd.DataFrame()
    table = pd.DataFrame(records)
    return (
        table.groupby(["customers", "variant", "kind", "id", "verdict"])
        .size()
        .unstack("verdict", fill_value=0)
        .reset_index()
    )


def check_generator(sizes: Sequence[int], seeds: int) -> pd.DataFrame:
    """Direct pandas checks over seeds: effect and share of p < 0.05 per pain point."""
    records = []
    for size in sizes:
        for seed in range(seeds):
            for variant, effects in (("planted", Effects()), ("null", Effects.none())):
                config = Config(customers=size, seed=seed, effects=effects)
                with tempfile.TemporaryDirectory() as folder:
                    write_dataset(config, folder)
                    for row in check_dataset(folder):
                        extra = {
                            f" ({name})": row.pop(key)
                            for key, name in (
                                ("customer", "per customer"),
                                ("window", "not moved on in 14 d"),
                            )
                            if key in row
                        }
                        records.append({"customers": size, "variant": variant, **row})
                        for (
                            suffix,
                            test,
                        ) in extra.items():  # the same claim, another unit
                            records.append(
                                {
                                    "customers": size,
                                    "variant": variant,
                                    "id": row["id"] + suffix,
                                    "kind": row["kind"],
                                    **test,
                                }
                            )
    table = pd.DataFrame(records)
    table["p<0.05"] = table["p"] < 0.05
    return (
        table.groupby(["customers", "variant", "kind", "id"], sort=False)
        .agg(
            n=("n", "mean"),
            n_rest=("n_rest", "mean"),
            value=("value", "mean"),
            value_rest=("value_rest", "mean"),
            diff=("diff", "mean"),
            significant=("p<0.05", "mean"),
        )
        .round(3)
        .reset_index()
    )


def markdown_table(frame: pd.DataFrame) -> str:
    columns = list(frame.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"


def write_results(path: Path, block: str) -> None:
    """Replace the generated block of the Calibration section (other content kept)."""
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + BEGIN + "\n" + block + "\n" + END + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip("\n")
            + f"\n\n# Calibration (issue 9)\n\n{BEGIN}\n{block}\n{END}\n"
        )
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[10],
        help="seeds per size (one or one each)",
    )
    parser.add_argument(
        "--check", action="store_true", help="verify the generator only"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runner", choices=["cli", "facade"], default="cli")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--json", type=Path, help="append every scored run (JSON lines)"
    )
    parser.add_argument("--from-json", type=Path, help="summarise saved runs only")
    args = parser.parse_args(argv)
    seeds = args.seeds * len(args.sizes) if len(args.seeds) == 1 else args.seeds
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 500)
    if args.from_json:
        lines = args.from_json.read_text(encoding="utf-8").splitlines()
        _report([json.loads(line) for line in lines if line.strip()], write=args.write)
        return
    if args.check:
        for size, n in zip(args.sizes, seeds, strict=True):
            print(check_generator([size], n).to_string(index=False), flush=True)
        return
    jobs = [
        Job(size, seed, variant, args.runner)
        for size, n in zip(args.sizes, seeds, strict=True)
        for seed in range(n)
        for variant in ("planted", "null", "shuffled")
    ]
    rows = []
    for row in run_jobs(jobs, workers=args.workers):
        rows.append(row)
        if args.json:  # one line per run, so a long run that is stopped keeps its rows
            with args.json.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, default=str) + "\n")
        status = row.get("error") or _brief(row)
        print(f"{row['variant']:>8} {row['customers']:>6} seed {row['seed']:>2}: "
              f"{row['seconds']:6.1f} s  {status}", flush=True)  # fmt: skip
    _report(rows, write=args.write)


def _report(rows: list[dict[str, Any]], *, write: bool) -> None:
    summary = pd.DataFrame(summarise(rows))
    claims = per_claim(rows)
    print(summary.to_string(index=False))
    print(claims.to_string(index=False))
    if write:
        block = _results_block(summary, claims)
        write_results(Path(__file__).with_name("RESULTS.md"), block)


def _brief(row: dict[str, Any]) -> str:
    supported = [c["id"] for c in row["claims"] if c["verdict"] == "supported"]
    return (
        f"supported {supported}, suggestions {len(row['suggestions'])}, "
        f"incidents {len(row['incidents'])}, jaccard {row['incident_overlap']['jaccard']}"
    )


def _results_block(summary: pd.DataFrame, claims: pd.DataFrame) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n\n".join(
        [
            f"Generated by `python bench/calibration.py --write` ({stamp}).",
            markdown_table(summary),
            "Verdicts per pain point:",
            markdown_table(claims),
        ]
    )


if __name__ == "__main__":
    main()
