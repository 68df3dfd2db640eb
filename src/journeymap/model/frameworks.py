"""Stage frameworks: well-known ways to cut a journey into stages, kept as data.

A map names one with ``framework: classic-5``; when the map lists no stages, the preset
fills them. ``journeymap new`` writes a template from a preset (see ``templates.py``).
Suggested KPIs use the metric names of :data:`journeymap.model.cards.KpiMetric`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from journeymap.errors import MapError


@dataclass(frozen=True, slots=True)
class PresetStage:
    """One stage of a framework, with starting points for the map."""

    id: str
    name: str
    description: str
    typical_touchpoints: tuple[str, ...] = ()
    suggested_kpis: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Framework:
    """A named sequence of stages; ``source`` says where it comes from."""

    id: str
    name: str
    description: str
    source: str
    stages: tuple[PresetStage, ...]

    def stage_ids(self) -> tuple[str, ...]:
        return tuple(stage.id for stage in self.stages)


def _s(
    id: str, name: str, description: str, touchpoints: str, kpis: str
) -> PresetStage:
    """Compact constructor: touchpoints and KPIs are ``;``- and space-separated."""
    return PresetStage(
        id=id,
        name=name,
        description=description,
        typical_touchpoints=tuple(t.strip() for t in touchpoints.split(";")),
        suggested_kpis=tuple(kpis.split()),
    )


_AWARENESS = _s(
    "awareness",
    "Awareness",
    "The customer notices a need and meets the brand for the first time.",
    "Social ad; Search engine; Word of mouth",
    "stage_reach touchpoint_reach",
)
_CONSIDERATION = _s(
    "consideration",
    "Consideration",
    "The customer researches and compares options.",
    "Website; Reviews; Comparison site",
    "stage_conversion median_time_in_stage_s",
)
_PURCHASE = _s(
    "purchase",
    "Purchase",
    "The customer decides and buys.",
    "Checkout; Payment; Order confirmation",
    "conversion_rate stage_dropoff ces",
)
_ONBOARDING = _s(
    "onboarding",
    "Onboarding",
    "The customer gets started and reaches first value.",
    "Welcome email; First use; Help centre",
    "median_time_in_stage_s csat",
)
_RETENTION = _s(
    "retention",
    "Retention",
    "The customer keeps using, buying again or renewing.",
    "Account; Newsletter; Customer service",
    "regression_rate revenue_per_customer csat",
)
_ADVOCACY = _s(
    "advocacy",
    "Advocacy",
    "The customer recommends the brand to others.",
    "Review request; Referral programme; Social post",
    "nps sentiment",
)

FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        "classic-5",
        "Classic five stages",
        "The most common customer journey cut: from first contact to recommending.",
        "Common marketing practice (awareness-to-advocacy model).",
        (_AWARENESS, _CONSIDERATION, _PURCHASE, _RETENTION, _ADVOCACY),
    ),
    Framework(
        "three-stage",
        "Three stages (before, during, after)",
        "Pre-purchase, purchase and post-purchase: the coarsest useful cut.",
        "Lemon & Verhoef (2016), Understanding Customer Experience Throughout the "
        "Customer Journey, Journal of Marketing 80(6).",
        (
            _s(
                "pre-purchase",
                "Pre-purchase",
                "Everything before the purchase: need, search, consideration.",
                "Advertising; Search engine; Website",
                "stage_reach stage_conversion",
            ),
            _s(
                "purchase",
                "Purchase",
                "Choosing, ordering and paying.",
                "Checkout; Payment",
                "conversion_rate ces",
            ),
            _s(
                "post-purchase",
                "Post-purchase",
                "Usage, service, repurchase and word of mouth.",
                "Delivery; Customer service; Review request",
                "csat nps regression_rate",
            ),
        ),
    ),
    Framework(
        "four-stage",
        "Four stages",
        "Awareness, consideration, purchase and loyalty.",
        "Common simplification of the classic model (retention and advocacy merged).",
        (
            _AWARENESS,
            _CONSIDERATION,
            _PURCHASE,
            _s(
                "loyalty",
                "Loyalty",
                "The customer comes back and recommends.",
                "Account; Newsletter; Referral programme",
                "regression_rate nps revenue_per_customer",
            ),
        ),
    ),
    Framework(
        "six-stage",
        "Six stages",
        "The classic model with onboarding between purchase and retention.",
        "Common practice for subscription and service businesses.",
        (_AWARENESS, _CONSIDERATION, _PURCHASE, _ONBOARDING, _RETENTION, _ADVOCACY),
    ),
    Framework(
        "eight-stage",
        "Eight stages",
        "A detailed purchase journey from need to loyalty, with delivery and support.",
        "Extends the consumer decision process (need recognition, information search, "
        "evaluation, purchase, post-purchase) with delivery, use and support.",
        (
            _s(
                "need",
                "Need recognition",
                "The customer realises a need or a problem.",
                "Social ad; Word of mouth",
                "stage_reach",
            ),
            _s(
                "research",
                "Research",
                "The customer looks for ways to meet the need.",
                "Search engine; Website; Blog",
                "touchpoint_reach stage_conversion",
            ),
            _s(
                "evaluation",
                "Evaluation",
                "The customer compares alternatives and prices.",
                "Product page; Reviews; Comparison site",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "purchase",
                "Purchase",
                "The customer orders and pays.",
                "Checkout; Payment",
                "conversion_rate stage_dropoff ces",
            ),
            _s(
                "delivery",
                "Delivery",
                "The product or service reaches the customer.",
                "Order tracking; Delivery",
                "median_time_in_stage_s csat",
            ),
            _s(
                "use",
                "Use",
                "The customer uses what they bought.",
                "App; Product; Help centre",
                "sentiment",
            ),
            _s(
                "support",
                "Support",
                "The customer asks for help or complains.",
                "Customer service; Chat; Returns",
                "ces csat",
            ),
            _s(
                "loyalty",
                "Loyalty",
                "The customer buys again and recommends.",
                "Newsletter; Loyalty programme; Review request",
                "regression_rate nps revenue_per_customer",
            ),
        ),
    ),
    Framework(
        "nine-stage",
        "Nine stages",
        "The full lifecycle from unaware to advocate, for long considered purchases.",
        "Combines awareness levels, the classic stages and onboarding; "
        "common in lifecycle marketing.",
        (
            _s(
                "unaware",
                "Unaware",
                "The customer does not yet know the need or the brand.",
                "Display ad; Social post",
                "stage_reach",
            ),
            _AWARENESS,
            _s(
                "interest",
                "Interest",
                "The customer wants to learn more.",
                "Blog; Newsletter sign-up; Video",
                "touchpoint_reach stage_conversion",
            ),
            _CONSIDERATION,
            _s(
                "intent",
                "Intent",
                "The customer shows they mean to buy: basket, demo, quote.",
                "Basket; Demo request; Quote",
                "stage_conversion stage_dropoff",
            ),
            _PURCHASE,
            _ONBOARDING,
            _RETENTION,
            _ADVOCACY,
        ),
    ),
    Framework(
        "tofu-mofu-bofu",
        "Funnel thirds (TOFU, MOFU, BOFU)",
        "Top, middle and bottom of the marketing funnel.",
        "Inbound-marketing practice.",
        (
            _s(
                "tofu",
                "Top of funnel",
                "Attract attention: people learn the problem and the brand.",
                "Social ad; Blog; Search engine",
                "stage_reach touchpoint_reach",
            ),
            _s(
                "mofu",
                "Middle of funnel",
                "Nurture: leads evaluate and engage.",
                "Newsletter; Webinar; Case study",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "bofu",
                "Bottom of funnel",
                "Convert: demo, trial, offer and purchase.",
                "Demo request; Pricing page; Checkout",
                "conversion_rate stage_dropoff",
            ),
        ),
    ),
    Framework(
        "5es",
        "The five Es",
        "Entice, Enter, Engage, Exit, Extend: the arc of one experience.",
        "Conifer Research / Doblin experience model.",
        (
            _s(
                "entice",
                "Entice",
                "What draws the customer in.",
                "Advertising; Website; Word of mouth",
                "stage_reach",
            ),
            _s(
                "enter",
                "Enter",
                "The first steps into the experience.",
                "Sign-up; Store entrance; Welcome",
                "stage_conversion ces",
            ),
            _s(
                "engage",
                "Engage",
                "The experience itself.",
                "Product; Staff; App",
                "csat sentiment median_time_in_stage_s",
            ),
            _s(
                "exit",
                "Exit",
                "How the experience ends.",
                "Checkout; Goodbye email",
                "conversion_rate ces",
            ),
            _s(
                "extend",
                "Extend",
                "What happens afterwards: memories, follow-up, return.",
                "Follow-up email; Review request; Loyalty programme",
                "nps regression_rate",
            ),
        ),
    ),
    Framework(
        "5as",
        "The five As",
        "Aware, Appeal, Ask, Act, Advocate: the connected-customer path.",
        "Kotler, Kartajaya & Setiawan (2016), Marketing 4.0.",
        (
            _s(
                "aware",
                "Aware",
                "The customer is exposed to the brand.",
                "Advertising; Word of mouth",
                "stage_reach",
            ),
            _s(
                "appeal",
                "Appeal",
                "The customer is drawn to a short list of brands.",
                "Website; Social post",
                "stage_conversion",
            ),
            _s(
                "ask",
                "Ask",
                "The customer asks friends, reviews and the brand.",
                "Reviews; Chat; Customer service",
                "stage_conversion ces",
            ),
            _s(
                "act",
                "Act",
                "The customer buys and uses.",
                "Checkout; Product",
                "conversion_rate csat",
            ),
            _s(
                "advocate",
                "Advocate",
                "The customer comes back and recommends.",
                "Review request; Referral programme",
                "nps sentiment",
            ),
        ),
    ),
    Framework(
        "race",
        "RACE",
        "Reach, Act, Convert, Engage: a digital-marketing planning frame.",
        "Smart Insights RACE planning framework (Dave Chaffey).",
        (
            _s(
                "reach",
                "Reach",
                "Build awareness and visits across channels.",
                "Search engine; Social ad; Display ad",
                "stage_reach touchpoint_reach",
            ),
            _s(
                "act",
                "Act",
                "Prompt interaction and leads on site.",
                "Website; Product page; Newsletter sign-up",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "convert",
                "Convert",
                "Turn interest into sales online or offline.",
                "Checkout; Payment; Sales call",
                "conversion_rate stage_dropoff",
            ),
            _s(
                "engage",
                "Engage",
                "Build loyalty and repeat sales.",
                "Email; Account; Customer service",
                "regression_rate revenue_per_customer nps",
            ),
        ),
    ),
    Framework(
        "aida",
        "AIDA",
        "Attention, Interest, Desire, Action: the oldest funnel.",
        "E. St. Elmo Lewis (c. 1898); classic advertising hierarchy of effects.",
        (
            _s(
                "attention",
                "Attention",
                "The message gets noticed.",
                "Advertising; Social post",
                "stage_reach",
            ),
            _s(
                "interest",
                "Interest",
                "The customer wants to know more.",
                "Website; Blog",
                "stage_conversion",
            ),
            _s(
                "desire",
                "Desire",
                "The customer wants the product.",
                "Product page; Reviews",
                "stage_conversion sentiment",
            ),
            _s(
                "action",
                "Action",
                "The customer acts: buys, signs up, calls.",
                "Checkout; Sign-up",
                "conversion_rate stage_dropoff",
            ),
        ),
    ),
    Framework(
        "awareness-levels",
        "Levels of awareness",
        "Where the customer's mind is, from unaware to most aware.",
        "Eugene Schwartz (1966), Breakthrough Advertising.",
        (
            _s(
                "unaware",
                "Unaware",
                "Does not know they have the problem.",
                "Social post; Display ad",
                "stage_reach",
            ),
            _s(
                "problem-aware",
                "Problem aware",
                "Knows the problem, not the solutions.",
                "Blog; Search engine",
                "stage_conversion",
            ),
            _s(
                "solution-aware",
                "Solution aware",
                "Knows solutions exist, not ours.",
                "Comparison site; Webinar",
                "stage_conversion",
            ),
            _s(
                "product-aware",
                "Product aware",
                "Knows our product, not yet convinced.",
                "Product page; Reviews; Demo request",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "most-aware",
                "Most aware",
                "Knows and wants it; needs the right offer.",
                "Pricing page; Checkout",
                "conversion_rate",
            ),
        ),
    ),
    Framework(
        "b2b-buyer",
        "B2B buying jobs",
        "The jobs a buying group must get done; they loop rather than run in order.",
        "Gartner, The B2B Buying Journey (six buying jobs).",
        (
            _s(
                "problem-identification",
                "Problem identification",
                "The buying group agrees something must change.",
                "Industry event; Analyst report; Peer network",
                "stage_reach",
            ),
            _s(
                "solution-exploration",
                "Solution exploration",
                "The group learns what solutions exist.",
                "Website; Webinar; Search engine",
                "touchpoint_reach stage_conversion",
            ),
            _s(
                "requirements-building",
                "Requirements building",
                "The group writes down what it needs.",
                "Whitepaper; Sales call; RFP template",
                "median_time_in_stage_s",
            ),
            _s(
                "supplier-selection",
                "Supplier selection",
                "The group compares suppliers and builds a short list.",
                "Demo; Proposal; Reference call",
                "stage_conversion stage_dropoff",
            ),
            _s(
                "validation",
                "Validation",
                "The group checks that the choice is right.",
                "Trial; Security review; Case study",
                "median_time_in_stage_s ces",
            ),
            _s(
                "consensus-creation",
                "Consensus creation",
                "Everyone in the group agrees and signs.",
                "Business case; Contract; Procurement",
                "conversion_rate regression_rate",
            ),
        ),
    ),
    Framework(
        "see-think-do-care",
        "See, Think, Do, Care",
        "Audience intent clusters, from the widest audience to existing customers.",
        "Avinash Kaushik (2013), See-Think-Do-Care.",
        (
            _s(
                "see",
                "See",
                "The largest addressable audience.",
                "Social post; Video; Display ad",
                "stage_reach",
            ),
            _s(
                "think",
                "Think",
                "People who might buy, considering.",
                "Blog; Reviews; Newsletter",
                "stage_conversion",
            ),
            _s(
                "do",
                "Do",
                "People ready to buy.",
                "Product page; Checkout",
                "conversion_rate stage_dropoff",
            ),
            _s(
                "care",
                "Care",
                "Customers who bought at least twice.",
                "Account; Customer service; Loyalty programme",
                "regression_rate revenue_per_customer nps",
            ),
        ),
    ),
    Framework(
        "aarrr",
        "Pirate metrics (AARRR)",
        "Acquisition, Activation, Retention, Referral, Revenue: a startup funnel.",
        "Dave McClure (2007), Startup Metrics for Pirates.",
        (
            _s(
                "acquisition",
                "Acquisition",
                "People arrive.",
                "Search engine; Social ad; Landing page",
                "stage_reach touchpoint_reach",
            ),
            _s(
                "activation",
                "Activation",
                "They have a good first experience.",
                "Sign-up; Onboarding checklist",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "retention",
                "Retention",
                "They come back.",
                "Email; Push notification; App",
                "regression_rate",
            ),
            _s(
                "referral",
                "Referral",
                "They tell others.",
                "Referral programme; Share button",
                "nps",
            ),
            _s(
                "revenue",
                "Revenue",
                "They pay.",
                "Pricing page; Checkout; Billing",
                "conversion_rate revenue_per_customer",
            ),
        ),
    ),
    Framework(
        "saas-lifecycle",
        "SaaS customer lifecycle",
        "From first visit to renewal and expansion of a subscription product.",
        "Common customer-success practice for subscription software.",
        (
            _s(
                "discover",
                "Discover",
                "The customer finds the product.",
                "Search engine; Review site; Social ad",
                "stage_reach",
            ),
            _s(
                "trial",
                "Trial",
                "The customer signs up and tries it.",
                "Sign-up; Trial workspace; Sales call",
                "stage_conversion stage_dropoff",
            ),
            _s(
                "subscribe",
                "Subscribe",
                "The customer chooses a plan and pays.",
                "Pricing page; Checkout",
                "conversion_rate ces",
            ),
            _ONBOARDING,
            _s(
                "adopt",
                "Adopt",
                "The customer builds the product into their work.",
                "App; Help centre; In-app guide",
                "sentiment csat",
            ),
            _s(
                "renew",
                "Renew and expand",
                "The customer renews, upgrades and adds seats.",
                "Account review; Billing; Customer success call",
                "regression_rate revenue_per_customer nps",
            ),
        ),
    ),
    Framework(
        "mckinsey-cdj",
        "Consumer decision journey",
        "A loop, not a funnel: consideration, evaluation, purchase and a loyalty loop.",
        "Court, Elzinga, Mulder & Vetvik (2009), The consumer decision journey, "
        "McKinsey Quarterly.",
        (
            _s(
                "initial-consideration",
                "Initial consideration",
                "The customer starts with a set of brands in mind.",
                "Advertising; Word of mouth",
                "stage_reach",
            ),
            _s(
                "active-evaluation",
                "Active evaluation",
                "The customer adds and drops brands while researching.",
                "Website; Reviews; Comparison site",
                "stage_conversion median_time_in_stage_s",
            ),
            _s(
                "moment-of-purchase",
                "Moment of purchase",
                "The customer chooses a brand and buys.",
                "Store; Checkout",
                "conversion_rate stage_dropoff",
            ),
            _s(
                "post-purchase",
                "Post-purchase experience",
                "The customer uses the product and forms expectations.",
                "Product; Customer service; Help centre",
                "csat sentiment",
            ),
            _s(
                "loyalty-loop",
                "Loyalty loop",
                "The customer buys again without reconsidering, or leaves.",
                "Loyalty programme; Newsletter; Review request",
                "regression_rate nps",
            ),
        ),
    ),
    Framework(
        "service-blueprint",
        "Service encounter",
        "Before, arrival, service, departure and after: the frame of a service "
        "blueprint; pair it with frontstage, backstage and support layers.",
        "Shostack (1984), Designing services that deliver; Bitner, Ostrom & Morgan "
        "(2008), Service blueprinting.",
        (
            _s(
                "before",
                "Before",
                "The customer plans and books.",
                "Website; Booking; Confirmation email",
                "stage_reach stage_conversion",
            ),
            _s(
                "arrival",
                "Arrival",
                "The customer arrives and checks in.",
                "Reception; Check-in",
                "median_time_in_stage_s ces",
            ),
            _s(
                "service",
                "Service",
                "The service is delivered.",
                "Staff; Facilities; App",
                "csat sentiment",
            ),
            _s(
                "departure",
                "Departure",
                "The customer pays and leaves.",
                "Invoice; Payment",
                "ces conversion_rate",
            ),
            _s(
                "after",
                "After",
                "Follow-up, feedback and return visits.",
                "Feedback survey; Newsletter",
                "nps regression_rate",
            ),
        ),
    ),
)

_BY_ID = {framework.id: framework for framework in FRAMEWORKS}


def list_frameworks() -> tuple[Framework, ...]:
    """Return every stage framework preset, in a fixed order.

    Returns
    -------
    tuple of Framework
        The presets; ``classic-5`` first.

    Examples
    --------
    >>> list_frameworks()[0].id
    'classic-5'
    """
    return FRAMEWORKS


def get_framework(framework_id: str) -> Framework:
    """Return the preset with this id.

    Parameters
    ----------
    framework_id
        For example ``"classic-5"`` or ``"b2b-buyer"``.

    Returns
    -------
    Framework
        The preset.

    Raises
    ------
    MapError
        For an unknown id; the message suggests the closest known id.

    Examples
    --------
    >>> [s.id for s in get_framework("race").stages]
    ['reach', 'act', 'convert', 'engage']
    """
    try:
        return _BY_ID[framework_id]
    except (KeyError, TypeError):
        raise MapError(unknown_framework_message(framework_id)) from None


def unknown_framework_message(framework_id: object) -> str:
    """The one-line message for an unknown framework id, with a suggestion."""
    close = difflib.get_close_matches(str(framework_id), list(_BY_ID), n=1)
    hint = f"did you mean `{close[0]}`?" if close else "known: " + ", ".join(_BY_ID)
    return f"unknown framework `{framework_id}`; {hint}"
