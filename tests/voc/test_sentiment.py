"""Comment sentiment and characteristic phrases."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from journeymap.voc.sentiment import (
    characteristic_phrases,
    comment_sentiment,
    log_odds_z,
    phrases_of,
)


def test_vader_scores_follow_tone_and_skip_empty_text() -> None:
    good, bad, empty = comment_sentiment(
        ["Lovely, quick and easy", "awful, useless", " "]
    )
    assert good > 0.5 and bad < -0.5 and empty is None


def test_log_odds_z_matches_the_formula_and_is_antisymmetric() -> None:
    a = Counter({"slow": 6, "card": 3, "nice": 1})
    b = Counter({"slow": 1, "card": 2, "nice": 7})
    prior = a + b
    z = log_odds_z(a, b, prior, prior_size=10.0)
    n_a, n_b, total = 10, 10, 20
    alpha = 10.0 * 7 / total  # "slow": 7 of 20 background phrases
    delta = math.log((6 + alpha) / (n_a + 10 - 6 - alpha)) - math.log(
        (1 + alpha) / (n_b + 10 - 1 - alpha)
    )
    assert z["slow"] == pytest.approx(
        delta / math.sqrt(1 / (6 + alpha) + 1 / (1 + alpha))
    )
    flipped = log_odds_z(b, a, prior, prior_size=10.0)
    assert all(flipped[p] == pytest.approx(-z[p]) for p in z)


def test_phrases_skip_stopword_edges() -> None:
    assert phrases_of("The card was declined") == {
        "card",
        "declined",
        "card was declined",
    }


def test_characteristic_phrases_with_quotes() -> None:
    texts = [
        "my card was declined again, awful",
        "card declined twice, terrible experience",
        "the card declined and I gave up, horrible",
        "card declined, so frustrating",
        "lovely fresh food, great service",
        "great service and fresh food",
        "fresh food, great prices, happy",
        "great service, happy family",
        "delivery on time",
    ] * 4
    scores = [s or 0.0 for s in comment_sentiment(texts)]
    found = characteristic_phrases(texts, scores)
    negative = [p.text for p in found["negative"]]
    positive = [p.text for p in found["positive"]]
    assert negative[0] == "card declined"
    assert "great service" in positive or "great" in positive
    top = found["negative"][0]
    assert top.comments == 12 and "card declined" in top.quote
    assert not set(negative) & set(positive)


def test_summarise_sentiment_per_group() -> None:
    import numpy as np
    import pandas as pd
    from scipy import stats

    from journeymap.voc.sentiment import summarise_sentiment

    frame = pd.DataFrame(
        {
            "touchpoint_id": ["a", "a", "a", "b", None],
            "sentiment": [0.5, -0.4, 0.0, 0.9, -1.0],
        }
    )
    a, b = summarise_sentiment(frame, ["touchpoint_id"])
    values = [0.5, -0.4, 0.0]
    low, high = stats.t.interval(0.95, 2, loc=np.mean(values), scale=stats.sem(values))
    assert a.group == {"touchpoint_id": "a"} and a.n == 3
    assert (a.value, a.ci_low, a.ci_high) == pytest.approx((np.mean(values), low, high))
    assert a.shares == pytest.approx(
        {"positive": 1 / 3, "negative": 1 / 3, "neutral": 1 / 3}
    )
    assert b.n == 1 and b.ci_low is None
