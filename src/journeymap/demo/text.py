"""Free-text feedback for the demo: varied wording whose tone follows the experience.

A comment is an optional opener, one or two core sentences about a topic (checkout,
payment failure, delivery, slots, support...) and an optional closer, all picked from
phrase banks and with numbers filled in, so hundreds of distinct comments come out.
Negative banks use words that VADER scores as negative ("frustrating", "useless",
"annoyed"), so measured sentiment falls where the simulated experience was bad.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from journeymap.demo._dice import Dice

Mood = Literal["positive", "neutral", "negative"]

OPENERS: dict[str, tuple[str, ...]] = {
    "positive": (
        "Great service!",
        "Really happy.",
        "Brilliant.",
        "Very pleased.",
        "Love it.",
        "So easy.",
        "",
        "",
    ),
    "neutral": ("", "", "Mostly fine.", "OK overall.", "Not bad."),
    "negative": (
        "Very frustrating.",
        "Honestly, an awful experience.",
        "Not happy.",
        "I'm really annoyed.",
        "Terrible.",
        "So disappointing.",
        "What a waste of time.",
        "",
    ),
}

CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": (
        "Will order again.",
        "Thank you!",
        "Already told my sister.",
        "Keep it up.",
        "",
        "",
        "",
    ),
    "neutral": ("", "", "Could be better.", "Fine for now."),
    "negative": (
        "I will go back to the supermarket.",
        "Please fix this, it is useless.",
        "I nearly gave up for good.",
        "Why is this so hard?",
        "Not good enough.",
        "",
    ),
}

CORES: dict[tuple[str, str], tuple[str, ...]] = {
    ("payment", "negative"): (
        "the checkout kept rejecting my card",
        "my card was declined {tries} times even though there is money in the account",
        "the payment page froze on the bank verification step",
        "I gave up after the card check failed again",
        "it asked for a code from my bank and then said payment failed",
        "the payment screen just spins and then throws me back to the basket",
        "the website would not accept my debit card, no idea why",
        "I had to ring you to place the order because paying online never worked",
        "tried to pay {tries} times and lost my whole basket",
        "the security pop-up closes before I can type the code from my bank",
    ),
    ("checkout", "positive"): (
        "checkout was quick and easy",
        "paying took seconds with my saved card",
        "love that checkout remembers my details",
        "the checkout was simple and clear",
        "paying with my phone was painless",
        "the whole order took less than {quick} minutes",
    ),
    ("checkout", "neutral"): (
        "checkout was fine, but the voucher box is hard to find",
        "paying was ok once I found the right button",
        "checkout works, a bit slow on the last page",
    ),
    ("delivery", "positive"): (
        "driver was friendly and early",
        "the driver arrived {early} minutes early and carried the bags in",
        "everything arrived fresh and well packed",
        "great delivery, polite driver",
        "the driver was lovely and helpful",
        "delivery came right on time",
        "chilled items were still cold, perfect",
        "the text with the driver's arrival time was spot on",
    ),
    ("delivery", "negative"): (
        "the delivery was {late} minutes late and nobody told me",
        "the driver turned up late and the frozen food had thawed",
        "I waited in all evening and the order came late",
        "late again, the tracking kept changing",
        "the van was over an hour late, really annoying",
    ),
    ("slots", "positive"): (
        "plenty of delivery slots to choose from",
        "easy to find a slot that suits me",
        "booking a delivery slot was simple",
        "I got an evening slot the same day, brilliant",
        "lots of slots, even at weekends",
    ),
    ("slots", "negative"): (
        "the slot I wanted was gone by the time I paid",
        "only late-night slots were left, annoying",
        "I had to take a slot two days away, disappointing",
    ),
    ("support", "positive"): (
        "the agent on the phone was patient and sorted it",
        "support fixed my problem quickly",
        "really helpful person on the phone",
        "they refunded the missing item straight away",
        "they refunded the delivery fee without any fuss",
    ),
    ("support", "negative"): (
        "I was on hold for {hold} minutes",
        "support just told me to wait and see, useless",
        "the agent was polite but nothing was fixed",
        "I had to explain the problem three times, awful",
    ),
    ("helpline", "positive"): (
        "the agent on the phone took my order for me, very kind",
        "a lovely person on the phone placed the order when the website would not",
        "the helpline sorted my order in a few minutes",
    ),
    ("helpline", "negative"): (
        "the agent could not help with the payment problem",
        "nobody could tell me why my card keeps failing",
        "I was on hold for {hold} minutes and still could not pay",
        "support just told me to try my card again later, useless",
    ),
    ("products", "positive"): (
        "good quality fruit and veg",
        "great range and fair prices",
        "the substitutions were sensible",
    ),
    ("products", "negative"): (
        "a couple of substitutions made no sense",
        "the bananas were already brown, disappointing",
    ),
    ("app", "positive"): (
        "the app is quick and easy to reorder from",
        "reordering my usual list takes a minute",
    ),
    ("price", "positive"): (
        "the coupons make it cheaper than my local store",
        "good deals every week",
    ),
    ("price", "negative"): ("prices are higher than the supermarket down the road",),
}

# Numbers filled into a core sentence: placeholder -> inclusive range.
FILLS: dict[str, tuple[int, int]] = {
    "tries": (2, 5),
    "quick": (2, 5),
    "early": (5, 15),
    "late": (25, 90),
    "hold": (15, 50),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(dice: Dice, core: str) -> str:
    return _PLACEHOLDER.sub(lambda m: str(dice.between(*FILLS[m.group(1)])), core)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "." if text else ""


def compose_feedback(dice: Dice, parts: Sequence[tuple[str, Mood]]) -> str:
    """A feedback comment about one or more ``(topic, mood)`` parts.

    Parameters
    ----------
    dice
        The simulation's random source.
    parts
        Topics with the mood to write about them; the first part's mood sets the
        opener and closer.

    Returns
    -------
    str
        One comment, e.g. ``"Not happy. The checkout kept rejecting my card."``.

    Examples
    --------
    >>> import numpy as np
    >>> from journeymap.demo._dice import Dice
    >>> text = compose_feedback(Dice(np.random.default_rng(1)), [("slots", "positive")])
    >>> text.endswith(".") or text.endswith("!")
    True
    """
    mood = parts[0][1]
    cores = [
        _sentence(_fill(dice, dice.pick(_bank(topic, tone)))) for topic, tone in parts
    ]
    pieces = [dice.pick(OPENERS[mood]), *cores, dice.pick(CLOSERS[mood])]
    return " ".join(piece for piece in pieces if piece)


def _bank(topic: str, mood: Mood) -> tuple[str, ...]:
    # A neutral comment on a topic without neutral wording uses the positive bank.
    if mood == "neutral" and (topic, mood) not in CORES:
        mood = "positive"
    return CORES[(topic, mood)]
