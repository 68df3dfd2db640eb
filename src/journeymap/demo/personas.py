"""The three simulated shopper personas: who they are and how they behave.

Each profile is plain data read by the simulator. The numbers were chosen so that an
online-grocery funnel looks familiar (roughly 70 % of reached people browse, three in
four browsers fill a basket, most baskets are paid) and the personas differ visibly in
channel mix, time of day, pace, number of visits and basket size.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class Weights:
    """Items with relative weights, ready for :meth:`Dice.weighted`."""

    items: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, **weights: float) -> Weights:
        return cls(tuple(weights), tuple(accumulate(weights.values())))

    @classmethod
    def raw(cls, pairs: dict[str, float]) -> Weights:
        return cls(tuple(pairs), tuple(accumulate(pairs.values())))


@dataclass(frozen=True, slots=True)
class PersonaProfile:
    """How one persona behaves in the simulation (probabilities per decision)."""

    id: str
    share: float
    entry: Weights  # first contact: social, search, flyer, tv, referral, store
    browse_channel: Weights  # web or app
    hours: Weights  # hour of day (UTC) a session starts
    pace: float  # multiplies the seconds between clicks
    p_browse: float  # awareness -> consideration
    p_cart: float  # a browsing session ends with items in the basket
    p_keep_browsing: float  # otherwise: comes back for another session
    session_gap_h: float  # mean hours between browsing sessions
    products: tuple[int, int]  # product views per session
    p_compare: float  # looks at price comparison / coupons in a session
    p_enquiry: float  # phones the call centre with a question
    p_checkout: float  # basket -> checkout (else abandons the basket)
    p_return_after_abandon: float
    payment_failure: float  # chance one payment attempt is declined
    p_retry_payment: float
    basket_median: float
    basket_sigma: float
    repeat_orders: float  # mean number of repeat orders after a good first order
    repeat_gap_days: float
    p_referral: float
    p_newsletter: float  # opens the newsletter after an order
    ages: Weights
    households: Weights
    devices: Weights
    plans: Weights


def _hours(*peaks: tuple[int, float]) -> Weights:
    """Hour-of-day weights: a low base load plus named peaks."""
    weights = {str(hour): 0.2 if 7 <= hour <= 22 else 0.02 for hour in range(24)}
    for hour, weight in peaks:
        weights[str(hour)] += weight
    return Weights.raw(weights)


BUSY_PARENT = PersonaProfile(
    id="busy-parent",
    share=0.40,
    entry=Weights.of(social=0.45, search=0.25, referral=0.15, tv=0.10, flyer=0.05),
    browse_channel=Weights.of(app=0.78, web=0.22),
    hours=_hours((6, 0.4), (12, 0.3), (19, 0.9), (20, 1.2), (21, 1.1), (22, 0.5)),
    pace=0.8,
    p_browse=0.72,
    p_cart=0.62,
    p_keep_browsing=0.55,
    session_gap_h=20.0,
    products=(3, 9),
    p_compare=0.12,
    p_enquiry=0.01,
    p_checkout=0.80,
    p_return_after_abandon=0.55,
    payment_failure=0.04,
    p_retry_payment=0.9,
    basket_median=96.0,
    basket_sigma=0.30,
    repeat_orders=2.6,
    repeat_gap_days=7.0,
    p_referral=0.14,
    p_newsletter=0.55,
    ages=Weights.raw({"25-34": 0.4, "35-44": 0.5, "45-54": 0.1}),
    households=Weights.raw({"3": 0.35, "4": 0.45, "5": 0.2}),
    devices=Weights.raw({"ios": 0.5, "android": 0.38, "desktop": 0.12}),
    plans=Weights.raw({"delivery-pass": 0.45, "pay-per-delivery": 0.55}),
)

BARGAIN_HUNTER = PersonaProfile(
    id="bargain-hunter",
    share=0.35,
    entry=Weights.of(search=0.40, social=0.30, flyer=0.15, referral=0.10, tv=0.05),
    browse_channel=Weights.of(web=0.55, app=0.45),
    hours=_hours((8, 0.3), (12, 0.8), (13, 0.6), (18, 0.4), (21, 0.4)),
    pace=1.0,
    p_browse=0.70,
    p_cart=0.30,
    p_keep_browsing=0.80,
    session_gap_h=30.0,
    products=(4, 12),
    p_compare=0.75,
    p_enquiry=0.02,
    p_checkout=0.68,
    p_return_after_abandon=0.60,
    payment_failure=0.05,
    p_retry_payment=0.9,
    basket_median=47.0,
    basket_sigma=0.35,
    repeat_orders=1.5,
    repeat_gap_days=10.0,
    p_referral=0.08,
    p_newsletter=0.6,
    ages=Weights.raw({"18-24": 0.25, "25-34": 0.4, "35-44": 0.25, "45-54": 0.1}),
    households=Weights.raw({"1": 0.35, "2": 0.4, "3": 0.25}),
    devices=Weights.raw({"android": 0.45, "ios": 0.25, "desktop": 0.3}),
    plans=Weights.raw({"delivery-pass": 0.15, "pay-per-delivery": 0.85}),
)

# The planted problem lives here: senior shoppers mostly pay on a desktop browser with
# debit cards whose bank verification pop-up the checkout handles badly, so a payment
# attempt fails far more often than for anyone else (see ``truth`` in simulate.py).
SENIOR_SHOPPER = PersonaProfile(
    id="senior-shopper",
    share=0.25,
    entry=Weights.of(flyer=0.30, tv=0.25, store=0.25, search=0.10, referral=0.10),
    browse_channel=Weights.of(web=0.88, app=0.12),
    hours=_hours((9, 0.9), (10, 1.2), (11, 1.0), (14, 0.7), (15, 0.6)),
    pace=1.7,
    p_browse=0.66,
    p_cart=0.50,
    p_keep_browsing=0.65,
    session_gap_h=60.0,
    products=(2, 7),
    p_compare=0.10,
    p_enquiry=0.30,
    p_checkout=0.82,
    p_return_after_abandon=0.35,
    payment_failure=0.72,
    p_retry_payment=0.40,
    basket_median=62.0,
    basket_sigma=0.30,
    repeat_orders=1.4,
    repeat_gap_days=9.0,
    p_referral=0.04,
    p_newsletter=0.8,
    ages=Weights.raw({"65-74": 0.7, "75+": 0.3}),
    households=Weights.raw({"1": 0.45, "2": 0.55}),
    devices=Weights.raw({"desktop": 0.75, "ios": 0.15, "android": 0.10}),
    plans=Weights.raw({"delivery-pass": 0.25, "pay-per-delivery": 0.75}),
)

PROFILES: tuple[PersonaProfile, ...] = (BUSY_PARENT, BARGAIN_HUNTER, SENIOR_SHOPPER)
PERSONA_WEIGHTS = Weights.raw({p.id: p.share for p in PROFILES})
REGIONS = Weights.raw(
    {"north": 0.22, "south": 0.3, "east": 0.18, "west": 0.2, "city": 0.1}
)


def profile(persona_id: str) -> PersonaProfile:
    """The profile of a persona id."""
    for candidate in PROFILES:
        if candidate.id == persona_id:
            return candidate
    raise KeyError(persona_id)
