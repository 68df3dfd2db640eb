"""Feedback text: VADER sentiment per comment, and the phrases that characterise it.

Sentiment is VADER's compound score (−1..1), computed offline. VADER is imported on
first use so that ``import journeymap.voc`` stays light. A comment counts as positive
at compound ≥ 0.05 and negative at ≤ −0.05 (VADER's own thresholds).

Characteristic phrases are n-grams (1–3 words) ranked by the log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): for a
phrase w with counts y_a, y_b in the two sets of comments (totals n_a, n_b) and prior
pseudo-count α_w = α₀ · (background frequency of w),

    δ_w = log((y_a + α_w) / (n_a + α₀ − y_a − α_w))
        − log((y_b + α_w) / (n_b + α₀ − y_b − α_w)),
    z_w = δ_w / sqrt(1 / (y_a + α_w) + 1 / (y_b + α_w)).

A phrase with z ≥ 1.96 is characteristic of set a. Each comes with an example quote.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

_WORD = re.compile(r"[a-z][a-z']*")
# Phrases may contain these words inside but never start or end with them.
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by
    can could did do does even ever for from get got had has have he her here his how
    i i'd i'll i'm i've if in into is it it's its just me more most my of off on once
    only or other our out over she so some such than that the their them then there
    these they this those through to too up us very was we were what when where which
    while who why will with would you you're your""".split()
)


@functools.lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def comment_sentiment(texts: Iterable[str | None]) -> list[float | None]:
    """VADER compound score (−1..1) per comment; None for empty or missing text.

    Parameters
    ----------
    texts
        The comments.

    Returns
    -------
    list of float or None
        One score per comment, in order.

    Examples
    --------
    >>> [round(s, 2) for s in comment_sentiment(["Great, fast and easy!", "awful"])]
    [0.81, -0.46]
    """
    analyzer = _analyzer()
    out: list[float | None] = []
    for text in texts:
        if text is None or not str(text).strip():
            out.append(None)
        else:
            out.append(float(analyzer.polarity_scores(str(text))["compound"]))
    return out


def tokenize(text: str) -> list[str]:
    """Lower-case words (letters and apostrophes)."""
    return _WORD.findall(text.lower())


def phrases_of(text: str, *, max_words: int = 3) -> frozenset[str]:
    """The distinct n-grams (1..max_words) of a comment, minus stopword-edged ones.

    Cached: a measurement looks at every comment's phrases several times (overall,
    per touchpoint, for quotes), and survey comments repeat.
    """
    return _phrases(text, max_words)


@functools.lru_cache(maxsize=1 << 16)
def _phrases(text: str, max_words: int) -> frozenset[str]:
    words = tokenize(text)
    found: set[str] = set()
    for size in range(1, max_words + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS:
                continue
            found.add(" ".join(gram))
    return frozenset(found)


def log_odds_z(
    counts_a: Counter[str],
    counts_b: Counter[str],
    prior: Counter[str],
    *,
    prior_size: float | None = None,
) -> dict[str, float]:
    """z-scores of the log-odds ratio with informative Dirichlet prior (a vs b).

    Parameters
    ----------
    counts_a, counts_b
        Phrase counts in the two sets.
    prior
        Background phrase counts (usually ``counts_a + counts_b`` or the whole corpus).
    prior_size
        α₀, the prior's total pseudo-count; default: the background total.

    Returns
    -------
    dict
        Phrase -> z; positive means characteristic of ``a``.

    Examples
    --------
    >>> a, b = Counter(slow=8, nice=1), Counter(slow=1, nice=8)
    >>> z = log_odds_z(a, b, a + b)
    >>> z["slow"] > 1.96 > -1.96 > z["nice"]
    True
    """
    background = sum(prior.values())
    alpha0 = float(background if prior_size is None else prior_size)
    n_a, n_b = sum(counts_a.values()), sum(counts_b.values())
    out: dict[str, float] = {}
    for phrase in sorted(set(counts_a) | set(counts_b)):
        alpha = alpha0 * prior.get(phrase, 0) / background if background else 0.0
        y_a, y_b = counts_a.get(phrase, 0), counts_b.get(phrase, 0)
        if alpha <= 0:
            continue
        delta = math.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha)) - math.log(
            (y_b + alpha) / (n_b + alpha0 - y_b - alpha)
        )
        out[phrase] = delta / math.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    return out


@dataclass(frozen=True, slots=True)
class Phrase:
    """A characteristic phrase: its z-score, how many comments use it, one quote."""

    text: str
    z: float
    comments: int
    quote: str


def characteristic_phrases(
    texts: Sequence[str],
    scores: Sequence[float],
    *,
    top: int = 5,
    min_comments: int = 3,
    background: Counter[str] | None = None,
) -> dict[str, list[Phrase]]:
    """The most characteristic phrases of negative and of positive comments.

    Negative comments (compound ≤ −0.05) are compared with the others, and positive
    ones (≥ 0.05) likewise, by :func:`log_odds_z`. A phrase must appear in at least
    ``min_comments`` comments and have z ≥ 1.96. Ties break on the phrase text. The
    quote is the most extreme comment containing the phrase (ties: shortest, then text).

    Returns
    -------
    dict
        ``{"negative": [Phrase, ...], "positive": [Phrase, ...]}``.

    Parameters
    ----------
    texts, scores
        Comments and their VADER compound scores.
    top
        Phrases per list.
    min_comments
        Fewest comments that must use a phrase.
    background
        Phrase counts of the prior (default: these comments).
    """
    grams = [phrases_of(text) for text in texts]
    prior = background if background is not None else _count(grams)
    out: dict[str, list[Phrase]] = {}
    for label, chosen in (
        ("negative", [s <= NEGATIVE_AT for s in scores]),
        ("positive", [s >= POSITIVE_AT for s in scores]),
    ):
        inside = _count(g for g, keep in zip(grams, chosen, strict=True) if keep)
        outside = _count(g for g, keep in zip(grams, chosen, strict=True) if not keep)
        z = log_odds_z(inside, outside, prior)
        ranked = sorted(
            (p for p in z if z[p] >= 1.96 and inside[p] >= min_comments),
            key=lambda p: (-z[p], p),
        )
        sign = -1.0 if label == "negative" else 1.0
        kept = sorted(_drop_contained(ranked, inside), key=lambda p: (-z[p], p))
        out[label] = [
            Phrase(p, z[p], inside[p], _quote(p, texts, grams, scores, sign))
            for p in kept[:top]
        ]
    return out


def _count(grams: Iterable[frozenset[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for found in grams:
        counts.update(found)
    return counts


def _drop_contained(ranked: list[str], counts: Counter[str]) -> list[str]:
    """One phrase per overlapping family: the best-ranked, unless a longer phrase
    containing it is used by at least 3/4 as many comments (more telling evidence)."""
    kept: list[str] = []
    for phrase in ranked:
        clash = [k for k in kept if _overlaps(k, phrase)]
        if not clash:
            kept.append(phrase)
        elif all(_longer_and_common(phrase, k, counts) for k in clash):
            kept[kept.index(clash[0])] = phrase
            kept = [k for k in kept if k not in clash[1:]]
    return kept


def _overlaps(a: str, b: str) -> bool:
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _longer_and_common(phrase: str, other: str, counts: Counter[str]) -> bool:
    return (
        len(phrase.split()) > len(other.split())
        and counts[phrase] >= 0.75 * counts[other]
    )


def _quote(
    phrase: str,
    texts: Sequence[str],
    grams: Sequence[frozenset[str]],
    scores: Sequence[float],
    sign: float,
) -> str:
    candidates = [
        (-sign * scores[i], len(texts[i]), texts[i])
        for i in range(len(texts))
        if phrase in grams[i]
    ]
    return min(candidates)[2] if candidates else ""


def summarise_sentiment(frame: Any, by: Sequence[str]) -> list[Any]:
    """Comment sentiment per group: mean compound with a t interval and tone shares.

    Parameters
    ----------
    frame
        A pandas frame with ``sentiment`` (VADER compound) and the ``by`` columns, e.g.
        from :func:`journeymap.voc.observations.feedback_texts`.
    by
        Grouping columns; rows with a null key are left out.

    Returns
    -------
    list of ScoreSummary
        ``kind="sentiment"``, ``value`` = ``mean``, ``shares`` = positive (≥ 0.05),
        negative (≤ −0.05) and neutral shares; sorted by group.
    """
    from dataclasses import replace

    from journeymap.voc.moments import Moments
    from journeymap.voc.scores import ScoreSummary

    rows = frame.dropna(subset=[*by, "sentiment"])
    out = []
    for key, group in rows.groupby(list(by), sort=True):
        values = [float(v) for v in group["sentiment"]]
        moments = Moments.of(values)
        low, high = moments.interval()
        n = len(values)
        positive = sum(v >= POSITIVE_AT for v in values) / n
        negative = sum(v <= NEGATIVE_AT for v in values) / n
        shares = {
            "positive": positive,
            "negative": negative,
            "neutral": 1 - positive - negative,
        }
        summary = ScoreSummary(
            "sentiment",
            n,
            moments.mean,
            low,
            high,
            moments.mean,
            low,
            high,
            shares=shares,
        )
        keys = key if isinstance(key, tuple) else (key,)
        out.append(replace(summary, group=dict(zip(by, keys, strict=True))))
    return out
