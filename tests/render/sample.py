"""A realistic five-stage grocery journey map and its measurements, built in code.

The density matches the demo map (5 stages, 16 touchpoints, 3 personas, 4 pain points,
4 opportunities, several KPIs), so drawing tests see what users will see.
"""

from __future__ import annotations

import datetime as dt

from journeymap.model import (
    JourneyMap,
    Kpi,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.model.measured import (
    Emotion,
    KpiValue,
    MeasuredMap,
    PainPointVerdict,
    StageFigures,
    TouchpointFigures,
)


def _tp(id: str, name: str, channel: str, **extra: object) -> Touchpoint:
    return Touchpoint(id=id, name=name, channel=channel, **extra)  # type: ignore[arg-type]


def _awareness() -> Stage:
    return Stage(
        id="awareness",
        name="Awareness",
        goal="Learns we deliver groceries in their area",
        actions=("Sees an ad while scrolling", "Hears about us from a friend"),
        thoughts=("Is this cheaper than my usual store?",),
        emotion=0.2,
        touchpoints=(
            _tp("social-ad", "Social media ad", "social"),
            _tp("search-ad", "Search ad", "search"),
            _tp("flyer", "Flyer in letterbox", "print", online=False),
        ),
        kpis=(Kpi(id="reach", metric="stage_reach", name="Reach", target=">= 0.40"),),
    )


def _consideration() -> Stage:
    return Stage(
        id="consideration",
        name="Consideration",
        goal="Decides whether the service fits the household's week",
        actions=("Compares prices with the local supermarket", "Checks delivery slots"),
        thoughts=("Will the fresh produce be as good as picking it myself?",),
        emotion=0.0,
        touchpoints=(
            _tp("website", "Website", "web"),
            _tp("reviews", "Review sites", "web"),
            _tp("price-compare", "Price comparison page", "web"),
        ),
        pain_points=(
            PainPoint(
                id="slow-site",
                text="Site is slow on mobile, product pages take seconds to load",
                touchpoint="website",
                severity="high",
                evidence="observed",
            ),
        ),
        opportunities=(
            Opportunity(
                id="lite-page",
                text="Lightweight landing page for mobile visitors",
                addresses=("slow-site",),
                owner="Web team",
                status="planned",
                value=4,
                effort=2,
            ),
        ),
    )


def _purchase() -> Stage:
    return Stage(
        id="purchase",
        name="First order",
        goal="Fills a basket and checks out without surprises",
        actions=("Builds a basket from a recipe list", "Chooses a delivery slot", "Pays"),
        business_actions=("Reserves stock and a van for the chosen slot",),
        thoughts=("Why is the delivery fee only shown at the very end?",),
        emotion=-0.5,
        touchpoints=(
            _tp("app", "Mobile app", "app"),
            _tp("checkout", "Checkout", "web", moment_of_truth=True),
            _tp("promo-email", "Welcome discount email", "email"),
            _tp("payment", "Payment provider", "web", layer="backstage"),
        ),
        pain_points=(
            PainPoint(
                id="hidden-fee",
                text="Delivery fee appears only at checkout",
                touchpoint="checkout",
                severity="critical",
                evidence="observed",
            ),
            PainPoint(
                id="slot-scarcity",
                text="Evening slots are sold out days ahead",
                severity="medium",
            ),
        ),
        opportunities=(
            Opportunity(
                id="fee-upfront",
                text="Show the delivery fee on every product page & in the basket",
                addresses=("hidden-fee",),
                owner="Checkout squad",
                status="in_progress",
                value=5,
                effort=2,
                due=dt.date(2026, 12, 15),
            ),
        ),
        kpis=(
            Kpi(id="checkout-conv", metric="stage_conversion", name="Checkout conversion",
                target=">= 0.60"),
            Kpi(id="checkout-csat", metric="csat", touchpoint="checkout", target=">= 4.2"),
        ),
    )  # fmt: skip


def _delivery() -> Stage:
    return Stage(
        id="delivery",
        name="Delivery",
        goal="Gets complete, fresh groceries on time",
        actions=("Tracks the driver", "Receives and checks the bags"),
        thoughts=("Did they substitute my oat milk again?",),
        emotion=0.1,
        touchpoints=(
            _tp("tracking", "Live tracking", "app"),
            _tp("sms", "Delivery SMS", "sms"),
            _tp("driver", "Driver at the door", "in person", online=False,
                moment_of_truth=True),
            _tp("picking", "Store picking", "store", online=False, layer="backstage"),
        ),  # fmt: skip
        pain_points=(
            PainPoint(
                id="substitutions",
                text="Substitutions are not announced before the driver arrives",
                touchpoint="driver",
                severity="low",
                evidence="assumed",
            ),
        ),
        opportunities=(
            Opportunity(
                id="approve-subs",
                text="Let customers approve substitutions in the app",
                addresses=("substitutions",),
                owner="Fulfilment",
                status="idea",
            ),
        ),
        kpis=(
            Kpi(id="delivery-time", metric="median_time_in_stage_s", name="Time to doorstep",
                target="<= 7200"),
        ),
    )  # fmt: skip


def _loyalty() -> Stage:
    return Stage(
        id="loyalty",
        name="Repeat & loyalty",
        goal="Makes us the default weekly shop",
        actions=("Reorders last week's basket", "Joins the loyalty programme"),
        thoughts=("Saves me an hour every Saturday.",),
        emotion=0.6,
        touchpoints=(
            _tp("reorder", "One-tap reorder", "app"),
            _tp("newsletter", "Weekly newsletter", "email"),
            _tp("support-chat", "Support chat", "chat", layer="support"),
        ),
        opportunities=(
            Opportunity(
                id="subscription",
                text="Weekly subscription basket with a fixed slot",
                owner="Growth",
                status="done",
                value=4,
                effort=4,
            ),
        ),
        kpis=(
            Kpi(id="repeat-nps", metric="nps", name="NPS after 3rd order", target=">= 30"),
            Kpi(id="repeat-rate", metric="conversion_rate", name="Repeat purchase rate",
                target=">= 0.35"),
        ),
    )  # fmt: skip


def grocery_map() -> JourneyMap:
    """The sample map: online grocery, first order to loyalty."""
    return JourneyMap(
        name="Online grocery — first order to weekly habit",
        description="How households discover, try and adopt our grocery delivery.",
        state="current",
        owner="CX team",
        version="2026.11",
        personas=(
            Persona(
                id="busy-parent",
                name="Busy parent",
                segment="household_size >= 3",
                description="Shops for a family of four on the app after bedtime.",
                goals=("Weekly shop done in ten minutes",),
                needs=("Reliable evening slots", "Fast reordering"),
                quote="I do the shopping on the sofa.",
            ),
            Persona(id="student", name="Student", segment="age < 25"),
            Persona(id="retiree", name="Retiree", segment="age >= 65"),
        ),
        stages=(_awareness(), _consideration(), _purchase(), _delivery(), _loyalty()),
    )


_FIGURES = (
    StageFigures("awareness", reached=12_480, conversion_next=0.46, dropoff=0.54,
                 median_time_s=3.2 * 86400),
    StageFigures("consideration", reached=5_741, conversion_next=0.58, dropoff=0.41,
                 median_time_s=2.3 * 3600),
    StageFigures("purchase", reached=3_330, conversion_next=0.91, dropoff=0.08,
                 median_time_s=14 * 60),
    StageFigures("delivery", reached=3_030, conversion_next=0.52, dropoff=0.45,
                 median_time_s=26.5 * 3600),
    StageFigures("loyalty", reached=1_576, dropoff=1.0),
)  # fmt: skip

_EMOTION = {
    "awareness": Emotion(0.2, 0.31, 412, 0.22, 0.40),
    "consideration": Emotion(0.0, -0.12, 655, -0.2, -0.04),
    "purchase": Emotion(-0.5, -0.38, 901, -0.45, -0.31),
    "delivery": Emotion(0.1, 0.25, 744, 0.17, 0.33),
    "loyalty": Emotion(0.6, 0.47, 388, 0.36, 0.58),
}


# the purchase stage is measured per touchpoint: the dip is at checkout
_TOUCHPOINT_EMOTION = {
    "app": Emotion(None, 0.12, 301, 0.02, 0.22),
    "checkout": Emotion(None, -0.61, 600, -0.68, -0.54),
}
_PHRASES = {
    "touchpoints": {
        "checkout": {
            "negative": [
                {"text": "fee", "z": 4.2, "comments": 61,
                 "quote": "The delivery fee popped up at the very end <again>."},
                {"text": "code", "z": 3.1, "comments": 20,
                 "quote": "It asked for a code from my bank and then failed."},
            ],
            "positive": [
                {"text": "quick", "z": 2.5, "comments": 33,
                 "quote": "Quick checkout with my saved card."},
            ],
        },
    },
}  # fmt: skip
_OPPORTUNITIES = (
    {"id": "fee-upfront", "priority": 120.5,
     "what_if": {"kpi": "conversion_rate", "current": 0.351, "if_removed": 0.366,
                 "recovered_customers": 188.4}},
)  # fmt: skip
_PERSONAS = (
    {"id": "busy-parent", "name": "Busy parent", "share": 0.41,
     "conversion_rate": 0.38, "conversion_ci": [0.35, 0.41],
     "emotion": {"measured": 0.1, "n": 500, "ci_low": 0.05, "ci_high": 0.15}},
    {"id": "student", "name": "Student", "share": 0.33, "conversion_rate": 0.22,
     "conversion_ci": [0.19, 0.25]},
)  # fmt: skip


def grocery_measured(journey: JourneyMap | None = None) -> MeasuredMap:
    """Measurements of the sample map, as analytics would return them."""
    journey = journey or grocery_map()
    touchpoints = tuple(
        TouchpointFigures(tp.id, stage.id, reached=900 + 37 * i, events=2000 + 91 * i,
                          emotion=_TOUCHPOINT_EMOTION.get(tp.id, Emotion()))
        for i, (stage, tp) in enumerate(journey.touchpoints())
    )  # fmt: skip
    return MeasuredMap(
        journey=journey,
        stages=_FIGURES,
        stage_emotion=_EMOTION,
        touchpoints=touchpoints,
        pain_points=(
            PainPointVerdict("slow-site", "supported", impact=412.0),
            PainPointVerdict("hidden-fee", "supported", impact=188.4),
            PainPointVerdict("slot-scarcity", "not_supported", impact=0.0),
            PainPointVerdict("substitutions", "insufficient_data"),
        ),
        kpis=(
            KpiValue("reach", "stage_reach", 0.42, ">= 0.40", met=True),
            KpiValue("checkout-conv", "stage_conversion", 0.58, ">= 0.60", met=False),
            KpiValue("checkout-csat", "csat", 4.3, ">= 4.2", met=True),
            KpiValue(
                "delivery-time", "median_time_in_stage_s", 95_400, "<= 7200", met=False
            ),
            KpiValue("repeat-nps", "nps", 34.0, ">= 30", met=True),
        ),
        opportunities=_OPPORTUNITIES,
        personas=_PERSONAS,
        phrases=_PHRASES,
        customers=12_480,
        events=184_220,
        unmatched_events=1_312,
        unmatched_top=(("app_background", 804), ("cookie_banner_close", 377)),
    )
