"""Feedback comments: varied wording, tone that follows the experience (VADER)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from journeymap.demo import SimulatedData
from journeymap.demo._dice import Dice
from journeymap.demo.text import CORES, compose_feedback

ANALYZER = SentimentIntensityAnalyzer()


def compound(texts: pd.Series) -> pd.Series:
    return texts.map(lambda text: ANALYZER.polarity_scores(text)["compound"])


def test_same_dice_same_comments() -> None:
    def comments(seed: int) -> list[str]:
        dice = Dice(np.random.default_rng(seed))
        return [compose_feedback(dice, [("payment", "negative")]) for _ in range(20)]

    assert comments(5) == comments(5)
    assert comments(5) != comments(6)


@pytest.mark.parametrize("topic, mood", sorted(CORES))
def test_every_bank_fills_its_numbers(topic: str, mood: str) -> None:
    dice = Dice(np.random.default_rng(0))
    texts = {compose_feedback(dice, [(topic, mood)]) for _ in range(40)}  # type: ignore[list-item]
    assert all("{" not in text and text[0].isupper() for text in texts)
    assert len(texts) >= min(4, len(CORES[(topic, mood)]))


def test_tone_follows_the_mood() -> None:
    dice = Dice(np.random.default_rng(1))
    for topic in ("payment", "delivery", "support"):
        negative = [compose_feedback(dice, [(topic, "negative")]) for _ in range(60)]
        assert compound(pd.Series(negative)).mean() < -0.2, topic
    for topic in ("checkout", "delivery", "slots", "support"):
        positive = [compose_feedback(dice, [(topic, "positive")]) for _ in range(60)]
        assert compound(pd.Series(positive)).mean() > 0.2, topic


def test_simulated_comments_are_varied(demo: SimulatedData) -> None:
    texts = demo.events["text"].dropna()
    assert len(texts) > 200
    assert texts.nunique() > 100
    assert set(demo.events.loc[demo.events["text"].notna(), "event"]) == {
        "checkout_survey",
        "slot_survey",
        "delivery_survey",
        "support_survey",
        "review_posted",
    }


def test_sentiment_is_lower_for_the_planted_group(demo: SimulatedData) -> None:
    events = demo.events
    persona = demo.truth["planted_problem"]["persona"]
    hit = set(events.loc[events["event"] == "payment_failed", "customer_id"])
    comments = events[events["text"].notna()]
    scores = compound(comments["text"])
    in_group = comments["customer_id"].isin(hit) & (comments["persona"] == persona)
    assert in_group.sum() > 20
    assert scores[in_group].mean() < 0 < scores[~in_group].mean()
    assert scores[in_group].mean() < scores[~in_group].mean() - 0.4


def test_slot_comments_are_positive(demo: SimulatedData) -> None:
    comments = demo.events["text"].dropna()
    slots = comments[comments.str.contains("slot", case=False)]
    assert len(slots) > 10
    assert compound(slots).mean() > 0.2
