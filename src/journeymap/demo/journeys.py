"""One simulated shopper's journey through the online grocery, event by event.

A :class:`Shopper` walks the five stages of the demo map (awareness, consideration,
purchase, delivery, loyalty) as a small state machine: it may drop off after any stage,
abandon a basket and come back to browse (a regression), order again, call support and
answer surveys whose scores and comments follow what happened to it. Times are integer
seconds after the simulation start; every event moves the clock forward, so a
customer's events are strictly ordered.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.demo._dice import Dice
from journeymap.demo.personas import PersonaProfile, Weights
from journeymap.demo.text import Mood, compose_feedback

MINUTE = 60
HOUR = 3600
DAY = 86400

# Decisions shared by every persona. The planted problem is *not* here: it is the
# senior-shopper's payment_failure in personas.py.
P_LEAVE_AT_CHECKOUT = 0.08  # sees the delivery fee / minimum basket and leaves
P_PAY_LATER = 0.50  # after giving up on a declined card, tries again another day
P_SLOT_VIEW = 0.94  # looks at the slot picker (else keeps the suggested slot)
P_SECOND_SLOT_LOOK = 0.12  # looks at the slot picker twice
P_LATE = 0.08  # a delivery is late, whoever the customer is
P_SUPPORT_AFTER_LATE = 0.30
P_MISSING_ITEM = 0.06  # an item is missing or damaged and the customer calls
P_SUPPORT_AFTER_FAILED_PAYMENT = 0.40
P_PHONE_ORDER = 0.25  # the agent takes the order over the phone after a failed payment
P_CES, P_NPS, P_CSAT = 0.30, 0.30, 0.55  # survey response rates
P_SLOT_SURVEY = 0.15
P_REPEAT_REBROWSE_LOST = 0.08

ENTRY_EVENTS = {
    "social": ("ad_click", "social"),
    "search": ("search_click", "search"),
    "flyer": ("flyer_scan", "flyer"),
    "tv": ("tv_response", "tv"),
    "referral": ("referral_link_open", "email"),
    "store": ("store_visit", "store"),
}
IMMEDIATE_ENTRIES = frozenset({"social", "search", "referral"})

# customer index, seconds, event, channel, session, value, score, score_kind, text,
# reason (why a support call happened)
Row = tuple[
    int,
    int,
    str,
    str,
    int,
    float | None,
    float | None,
    str | None,
    str | None,
    str | None,
]


@dataclass(slots=True)
class Shopper:
    """The state of one customer while its journey is simulated."""

    index: int
    profile: PersonaProfile
    dice: Dice
    rows: list[Row]
    time: int
    session: int = 0
    channel: str = "web"
    app_installed: bool = False
    seen_web: bool = False
    orders: int = 0
    payment_failures: int = 0
    late_deliveries: int = 0

    # -- recording ---------------------------------------------------------------------
    def emit(
        self,
        event: str,
        channel: str | None = None,
        *,
        gap: tuple[int, int] = (5, 90),
        value: float | None = None,
        score: float | None = None,
        kind: str | None = None,
        text: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Advance the clock by a random gap (seconds) and record one event."""
        self.time += max(1, int(self.dice.between(*gap) * self.profile.pace))
        row = (
            self.index,
            self.time,
            event,
            channel or self.channel,
            self.session,
            value,
            score,
            kind,
            text,
            reason,
        )
        self.rows.append(row)

    def new_session(self, mean_gap_s: float, *, channel: str | None = None) -> None:
        """Start a new session after a random pause, at an hour this persona is active."""
        self.time = self.active_time(self.time + int(self.dice.exponential(mean_gap_s)))
        self.session += 1
        if channel is not None:
            self.channel = channel

    def active_time(self, earliest: int) -> int:
        """A random moment after ``earliest`` (same or next day) at a shopping hour."""
        hour = int(
            self.dice.weighted(self.profile.hours.items, self.profile.hours.cumulative)
        )
        day = earliest // DAY
        candidate = day * DAY + hour * HOUR + self.dice.between(0, HOUR - 1)
        return candidate if candidate > earliest else candidate + DAY

    def draw(self, weights: Weights) -> str:
        return self.dice.weighted(weights.items, weights.cumulative)

    # -- the journey -------------------------------------------------------------------
    def run(self) -> None:
        """Simulate the whole journey of this customer."""
        will_browse = self.dice.chance(self.profile.p_browse)
        entry = self.become_aware(will_browse)
        if not will_browse or not self.first_order(entry):
            return
        self.after_order()
        keep = self.profile.repeat_orders / (1 + self.profile.repeat_orders)
        keep *= 0.6 if self.payment_failures else 1.0
        while self.dice.chance(keep * (0.75 if self.late_deliveries else 1.0)):
            if not self.repeat_order():
                return
            self.after_order()

    # -- awareness ---------------------------------------------------------------------
    def become_aware(self, will_browse: bool) -> str:
        """Ad impressions and the first contact; returns the entry route."""
        entry = self.draw(self.profile.entry)
        if entry == "social" or self.dice.chance(0.35):
            self.see_ads(self.dice.between(1, 4))
        event, channel = ENTRY_EVENTS[entry]
        if entry == "social" and not will_browse and self.dice.chance(0.6):
            return entry  # scrolled past the ads, never clicked
        self.new_session(2 * HOUR, channel=channel)
        self.emit(event, channel)
        return entry

    def see_ads(self, count: int) -> None:
        for _ in range(count):
            self.new_session(14 * HOUR, channel="social")
            self.emit("ad_impression", "social")

    # -- consideration -----------------------------------------------------------------
    def first_order(self, entry: str) -> bool:
        """Browse, fill a basket and pay; a basket may be abandoned and retried."""
        first_gap = 0 if entry in IMMEDIATE_ENTRIES else 30 * HOUR
        for attempt in range(3):
            gap = first_gap if attempt == 0 else self.profile.session_gap_h * HOUR * 1.5
            if not self.browse(gap):
                return False
            if self.buy() == "paid":
                return True
            if not self.dice.chance(self.profile.p_return_after_abandon):
                return False
        return False

    def browse(self, first_gap_s: float) -> bool:
        """Browsing sessions until items land in the basket (True) or the shopper leaves."""
        for number in range(8):
            gap = first_gap_s if number == 0 else self.profile.session_gap_h * HOUR
            if number > 0 or gap > 0:
                self.new_session(gap, channel=self.draw(self.profile.browse_channel))
            else:
                self.channel = self.draw(self.profile.browse_channel)
            self.browse_session()
            if self.dice.chance(self.profile.p_cart):
                return True
            self.maybe_phone_enquiry()
            if not self.dice.chance(self.profile.p_keep_browsing):
                return False
        return False

    def browse_session(self) -> None:
        self.open_site()
        if self.dice.chance(0.55):
            self.emit("product_search", gap=(10, 60))
        for _ in range(self.dice.between(*self.profile.products)):
            self.emit("product_view", gap=(15, 150))
        if self.dice.chance(self.profile.p_compare):
            self.emit("price_compare_view", gap=(20, 120))
            if self.dice.chance(0.6):
                self.emit("coupon_view", gap=(10, 60))
        if self.dice.chance(0.15):
            self.emit("experiment_exposure", gap=(1, 5))

    def open_site(self) -> None:
        """The system events and entry page of a web or app session."""
        if self.dice.chance(0.6):
            self.emit("session_start", gap=(1, 3))
        if self.channel == "app":
            if not self.app_installed:
                self.emit("app_install", gap=(20, 90))
                self.emit("push_token_registered", gap=(1, 5))
                self.app_installed = True
            self.emit("app_open", gap=(1, 10))
            return
        if not self.seen_web:
            self.emit("consent_updated", gap=(1, 10))
            self.seen_web = True
        self.emit("landing_view", gap=(1, 10))

    def maybe_phone_enquiry(self) -> None:
        if self.dice.chance(self.profile.p_enquiry):
            self.new_session(3 * HOUR, channel="call_centre")
            self.emit("phone_enquiry", "call_centre", gap=(60, 600))

    # -- purchase ----------------------------------------------------------------------
    def buy(self) -> str:
        """Basket and checkout; returns ``"paid"`` or ``"abandoned"``."""
        self.fill_basket()
        if not self.dice.chance(self.profile.p_checkout):
            return "abandoned"
        failures_before = self.payment_failures
        outcome = self.checkout()
        if outcome == "failed" and self.dice.chance(P_PAY_LATER):
            # The basket is kept: back another day, straight to the checkout.
            self.new_session(self.profile.session_gap_h * HOUR)
            self.open_site()
            outcome = self.checkout()
        failures = self.payment_failures - failures_before
        self.checkout_survey(failures=failures, paid=outcome == "paid")
        if outcome == "failed":
            return "paid" if self.after_failed_payment() else "abandoned"
        return "paid" if outcome == "paid" else "abandoned"

    def checkout(self) -> str:
        """One visit to the checkout: ``"paid"``, ``"left"`` or ``"failed"``."""
        self.emit("checkout_start", gap=(20, 120))
        if self.dice.chance(P_LEAVE_AT_CHECKOUT):
            return "left"
        if not self.pay():
            return "failed"
        self.record_purchase(self.channel)
        return "paid"

    def fill_basket(self) -> None:
        low, high = (4, 12) if self.profile.id == "busy-parent" else (2, 7)
        for _ in range(self.dice.between(low, high)):
            self.emit("add_to_cart", gap=(10, 120))
        if self.dice.chance(0.3):
            self.emit("remove_from_cart", gap=(10, 60))

    def pay(self) -> bool:
        """Payment attempts until one succeeds (True) or the shopper gives up."""
        failure = self.profile.payment_failure * (0.6 if self.orders else 1.0)
        for attempt in range(3):
            self.emit("payment_submitted", gap=(30, 240) if attempt == 0 else (90, 600))
            if not self.dice.chance(failure):
                return True
            self.emit("payment_failed", gap=(5, 40))
            self.payment_failures += 1
            if not self.dice.chance(self.profile.p_retry_payment):
                return False
        return False

    def record_purchase(self, channel: str) -> None:
        median = self.profile.basket_median * (0.9 if self.orders else 1.0)
        value = round(
            max(self.dice.lognormal(median, self.profile.basket_sigma), 15.0), 2
        )
        self.emit("purchase", channel, gap=(3, 20), value=value)
        self.emit("order_confirmation_email", "email", gap=(10, 120))

    def after_failed_payment(self) -> bool:
        """Maybe a call to the helpline; the agent sometimes takes the order by phone."""
        if not self.dice.chance(P_SUPPORT_AFTER_FAILED_PAYMENT):
            return False
        self.new_session(2 * HOUR, channel="call_centre")
        self.emit("support_call", "call_centre", gap=(300, 1500), reason="payment")
        by_phone = self.dice.chance(P_PHONE_ORDER)
        if by_phone:
            self.record_purchase("call_centre")
        self.support_survey("payment", resolved=by_phone)
        return by_phone

    # -- delivery ----------------------------------------------------------------------
    def after_order(self) -> None:
        self.orders += 1
        self.schedule_delivery()
        late = self.deliver()
        self.delivery_survey(late)
        self.loyalty()

    def schedule_delivery(self) -> None:
        """Slot booking right after paying: smooth for everyone (see demo_map.yaml)."""
        if self.channel == "call_centre":  # the agent books the slot on the phone
            self.emit("delivery_scheduled", "call_centre", gap=(30, 120))
            return
        online = "app" if self.channel == "app" else "web"
        if self.dice.chance(P_SLOT_VIEW):
            self.emit("delivery_slot_view", online, gap=(5, 40))
            if self.dice.chance(P_SECOND_SLOT_LOOK):
                self.emit("delivery_slot_view", online, gap=(10, 60))
        self.emit("delivery_scheduled", online, gap=(10, 90))
        self.slot_survey(online)

    def slot_survey(self, channel: str) -> None:
        """A one-question CES widget after booking: "How easy was choosing a slot?"."""
        if not self.dice.chance(P_SLOT_SURVEY):
            return
        score = _clip(round(6.2 + 0.9 * self.dice.normal()), 1, 7)
        mood: Mood = "positive" if score >= 5 else "negative"
        text = None
        if self.dice.chance(0.5):
            text = compose_feedback(self.dice, [("slots", mood)])
        self.emit(
            "slot_survey",
            channel,
            gap=(5, 40),
            score=float(score),
            kind="ces",
            text=text,
        )

    def deliver(self) -> bool:
        """Picking, the arrival text, the drop-off; returns whether it was late."""
        slot = self.active_slot(self.time + self.dice.between(8 * HOUR, 44 * HOUR))
        self.time = max(self.time, slot - 3 * HOUR)
        self.session += 1
        self.emit("order_picked", "warehouse", gap=(1, 1800))
        self.time = max(self.time, slot - HOUR)
        self.emit("delivery_eta_sms", "sms", gap=(1, 300))
        if self.app_installed and self.dice.chance(0.5):
            self.emit("delivery_tracking_view", "app", gap=(300, 2400))
        late = self.dice.chance(P_LATE)
        if late:
            self.late_deliveries += 1
            self.time = max(self.time, slot + 15 * MINUTE)
            self.emit("delivery_late", "delivery", gap=(1, 300))
            self.emit("delivery_completed", "delivery", gap=(10 * MINUTE, 80 * MINUTE))
            self.call_support("late_delivery", P_SUPPORT_AFTER_LATE)
        else:
            self.time = max(self.time, slot - 15 * MINUTE)
            self.emit("delivery_completed", "delivery", gap=(60, 25 * MINUTE))
            self.call_support("missing_item", P_MISSING_ITEM)
        return late

    def active_slot(self, earliest: int) -> int:
        """Delivery slots run 08:00-21:00."""
        day, second = divmod(earliest, DAY)
        hour = second // HOUR
        if hour > 20:
            return (day + 1) * DAY + 8 * HOUR
        return day * DAY + max(hour, 8) * HOUR

    def call_support(self, reason: str, probability: float) -> None:
        """Maybe a call about a delivery problem, mostly resolved."""
        if self.dice.chance(probability):
            self.new_session(HOUR, channel="call_centre")
            self.emit("support_call", "call_centre", gap=(120, 900), reason=reason)
            self.support_survey(reason, resolved=self.dice.chance(0.8))

    # -- loyalty -----------------------------------------------------------------------
    def loyalty(self) -> None:
        if self.dice.chance(self.profile.p_newsletter):
            self.new_session(2 * DAY, channel="email")
            self.emit("email_open", "email")
            if self.dice.chance(0.45):
                self.emit("email_click", "email", gap=(5, 60))
        if self.profile.id == "bargain-hunter" and self.dice.chance(0.45):
            self.emit_later("coupon_redeemed", self.browse_channel(), 3 * DAY)
        elif self.dice.chance(0.12):
            self.emit_later("loyalty_points_redeemed", self.browse_channel(), 4 * DAY)
        if self.dice.chance(0.10 if self.orders == 1 else 0.04):
            self.review()
        if not self.payment_failures and self.dice.chance(self.profile.p_referral):
            self.emit_later(
                "referral_sent", self.dice.pick(("email", "social")), 3 * DAY
            )

    def emit_later(
        self, event: str, channel: str, mean_gap_s: float, *, text: str | None = None
    ) -> None:
        self.new_session(mean_gap_s, channel=channel)
        self.emit(event, channel, text=text)

    def browse_channel(self) -> str:
        return "app" if self.app_installed else "web"

    def review(self) -> None:
        parts = self.review_parts()
        self.emit_later(
            "review_posted",
            self.browse_channel(),
            2 * DAY,
            text=compose_feedback(self.dice, parts),
        )

    def review_parts(self) -> list[tuple[str, Mood]]:
        if self.payment_failures:
            return [("payment", "negative")]
        if self.late_deliveries:
            return [("delivery", "negative")]
        topic = self.dice.pick(("app", "products", "delivery", "slots", "price"))
        return [(topic, "positive")]

    def repeat_order(self) -> bool:
        """Come back days later, re-browse a little, order again (True if paid)."""
        channel = self.draw(self.profile.browse_channel)
        self.new_session(self.profile.repeat_gap_days * DAY, channel=channel)
        self.open_site()
        for _ in range(self.dice.between(0, 3)):
            self.emit("product_view", gap=(15, 120))
        if self.dice.chance(P_REPEAT_REBROWSE_LOST):
            return False
        return self.buy() == "paid"

    # -- surveys -----------------------------------------------------------------------
    def checkout_survey(self, *, failures: int, paid: bool) -> None:
        """CES (1-7, 7 = very easy), emailed an hour or so after checkout."""
        rate = P_CES * (1.5 if failures else 1.0)
        if not self.dice.chance(rate):
            return
        if paid:
            mean = 5.9 if not failures else 3.6
        else:
            mean = 1.8 if failures else 4.4
        score = _clip(round(mean + self.dice.normal()), 1, 7)
        parts = _checkout_parts(score, failures, self.profile.id)
        self.survey("checkout_survey", "ces", score, parts, happy_from=6)

    def delivery_survey(self, late: bool) -> None:
        """NPS (0-10) a few hours after the drop-off."""
        if not self.dice.chance(P_NPS if self.orders == 1 else P_NPS / 2):
            return
        mean = 4.5 if late else 8.6
        mean -= 1.5 if self.payment_failures else 0.0
        score = _clip(round(mean + 1.6 * self.dice.normal()), 0, 10)
        parts = self.delivery_parts(score, late)
        self.survey("delivery_survey", "nps", score, parts, happy_from=9, gap=4 * HOUR)

    def delivery_parts(self, score: int, late: bool) -> list[tuple[str, Mood]]:
        if late or score <= 6:
            return [("delivery", "negative")] if late else [("products", "negative")]
        topic = self.dice.weighted(
            ("delivery", "slots", "products", "app"), (0.55, 0.8, 0.9, 1.0)
        )
        if score >= 9:
            return [(topic, "positive")]
        second: tuple[str, Mood] = (
            ("slots", "negative")
            if self.dice.chance(0.05)
            else ("products", "negative")
        )
        return [(topic, "neutral"), second]

    def support_survey(self, reason: str, *, resolved: bool) -> None:
        """CSAT (1-5) after a support call."""
        if not self.dice.chance(P_CSAT):
            return
        mean = 4.1 if resolved else (2.0 if reason == "payment" else 3.0)
        score = _clip(round(mean + 0.8 * self.dice.normal()), 1, 5)
        mood: Mood = (
            "positive" if score >= 4 else "negative" if score <= 2 else "neutral"
        )
        topic = "helpline" if reason == "payment" else "support"
        parts: list[tuple[str, Mood]] = [(topic, mood)]
        self.survey(
            "support_survey",
            "csat",
            score,
            parts,
            happy_from=4,
            channel="sms",
            reason=reason,
        )

    def survey(
        self,
        event: str,
        kind: str,
        score: int,
        parts: list[tuple[str, Mood]],
        *,
        happy_from: int,
        gap: int = HOUR,
        channel: str = "email",
        reason: str | None = None,
    ) -> None:
        """Record a survey answer, with a comment more often when the customer is unhappy."""
        unhappy = parts[0][1] == "negative"
        text = None
        if self.dice.chance(0.75 if unhappy else 0.5 if score >= happy_from else 0.4):
            text = compose_feedback(self.dice, parts)
        self.new_session(gap, channel=channel)
        self.emit(
            event, channel, score=float(score), kind=kind, text=text, reason=reason
        )


def _clip(value: int, low: int, high: int) -> int:
    return min(max(value, low), high)


def _checkout_parts(score: int, failures: int, persona: str) -> list[tuple[str, Mood]]:
    if failures:
        return [("payment", "negative")]
    if score >= 6:
        return [("price" if persona == "bargain-hunter" else "checkout", "positive")]
    if score >= 4:
        return [("checkout", "neutral")]
    return [("price", "negative")]
