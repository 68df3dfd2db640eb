"""The measured emotion curve: survey scores and comment sentiment on one −1..1 scale.

Every observation becomes one value on −1 (angry) .. 1 (delighted):

=========  ====================  ==========================================
source     scale                 emotion value
=========  ====================  ==========================================
NPS        0–10                  (x − 5) / 5
CSAT       1–5                   (x − 3) / 2
CES        1–7, high = easy      (x − 4) / 3
comment    VADER compound        compound (already −1..1)
=========  ====================  ==========================================

The measured emotion of a touchpoint, stage or persona is the plain mean of all its
observations (each survey answer and each comment weighs one), with a Student t 95%
interval. Score moments are summed in the engine and comment moments in Python, then
added exactly (:class:`~journeymap.voc.moments.Moments`). The assumed emotion from the
map is carried beside it, never mixed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap.model.measured import Emotion
from journeymap.model.values import plain
from journeymap.voc.moments import Moments
from journeymap.voc.scores import SCORE_RANGES

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from journeymap.engine import EventLog

Key = tuple[Any, ...]

# kind -> (centre, scale): emotion = (answer - centre) / scale, as in the module doc
EMOTION_SCALES: dict[str, tuple[float, float]] = {
    "nps": (5.0, 5.0),
    "csat": (3.0, 2.0),
    "ces": (4.0, 3.0),
}


def score_emotion_expr(table: ibis.Table) -> ibis.Table:
    """Survey rows with a column ``emotion`` on −1..1 (formula in the module doc).

    Rows with no score, an unknown kind or an out-of-range answer are dropped.
    """
    import ibis

    kind = table.score_kind.lower().strip()
    score = table.score.cast("float64")
    value = ibis.cases(
        *(
            (
                (kind == name) & score.between(*SCORE_RANGES[name]),
                (score - centre) / scale,
            )
            for name, (centre, scale) in EMOTION_SCALES.items()
        ),
        else_=ibis.null("float64"),
    )
    rows = table.filter(table.score.notnull()).mutate(emotion=value, emotion_kind=kind)
    return rows.filter(rows.emotion.notnull())


def score_emotion_moments(
    log: EventLog, table: ibis.Table, by: Sequence[str]
) -> dict[Key, Moments]:
    """Moments of the score-derived emotion per group, aggregated in the engine.

    The engine sums the raw answers (whole numbers, so the float sums are exact and
    do not depend on the order parallel threads add them in); the linear map of each
    kind onto −1..1 is applied here, kinds in a fixed order. Summing the mapped values
    (0.2, 1/3, ...) in the engine made results differ in the last bits between runs.
    """
    rows = score_emotion_expr(table)
    score = rows.score.cast("float64")
    frame = log.execute(
        rows.group_by([*by, "emotion_kind"]).aggregate(
            n=rows.count(), total=score.sum(), total_sq=(score * score).sum()
        )
    )
    out: dict[Key, Moments] = {}
    records = sorted(frame.to_dict("records"), key=lambda r: str(r["emotion_kind"]))
    for row in records:
        key = _key(row, by)
        out[key] = out.get(key, Moments()) + _mapped_moments(row)
    return out


def _mapped_moments(row: dict[str, Any]) -> Moments:
    """Moments of ``(x - centre) / scale`` from the moments of the raw answers x."""
    centre, scale = EMOTION_SCALES[str(row["emotion_kind"])]
    n, total, total_sq = int(row["n"]), float(row["total"]), float(row["total_sq"])
    return Moments(
        n,
        (total - centre * n) / scale,
        (total_sq - 2 * centre * total + centre * centre * n) / (scale * scale),
    )


def text_emotion_moments(frame: pd.DataFrame, by: Sequence[str]) -> dict[Key, Moments]:
    """Moments of comment sentiment per group; ``frame`` has ``sentiment`` and ``by``."""
    rows = frame[frame["sentiment"].notna()]
    out: dict[Key, Moments] = {}
    if rows.empty:
        return out
    grouped = rows.groupby(list(by), sort=True, dropna=False)["sentiment"]
    for key, values in grouped:
        key = key if isinstance(key, tuple) else (key,)
        # sorted: the sum must not depend on the order the rows arrived in
        out[tuple(plain(k) for k in key)] = Moments.of(sorted(float(v) for v in values))
    return out


def merge_moments(*parts: dict[Key, Moments]) -> dict[Key, Moments]:
    """Add moments group by group."""
    out: dict[Key, Moments] = {}
    for part in parts:
        for key, moments in part.items():
            out[key] = out.get(key, Moments()) + moments
    return out


def emotion_of(
    moments: Moments | None, *, assumed: float | None = None, confidence: float = 0.95
) -> Emotion:
    """An :class:`Emotion` from moments: mean, n and t interval clipped to −1..1.

    Parameters
    ----------
    moments
        Moments of the emotion values, or None.
    assumed
        The map's assumed emotion, carried along.
    confidence
        Interval coverage.

    Returns
    -------
    Emotion
        Measured mean, n and interval beside the assumed value.

    Examples
    --------
    >>> e = emotion_of(Moments.of([0.5, -0.5, 0.0]), assumed=0.2)
    >>> e.assumed, e.measured, e.n
    (0.2, 0.0, 3)
    """
    if moments is None or moments.n == 0:
        return Emotion(assumed=assumed)
    low, high = moments.interval(confidence)
    return Emotion(
        assumed=assumed,
        measured=moments.mean,
        n=moments.n,
        ci_low=None if low is None else max(-1.0, low),
        ci_high=None if high is None else min(1.0, high),
    )


def _key(row: dict[str, Any], by: Sequence[str]) -> Key:
    return tuple(plain(row[column]) for column in by)


@dataclass(frozen=True, slots=True)
class EmotionIndex:
    """Emotion moments per touchpoint, stage and persona, and their combinations.

    Keys of ``touchpoint_persona`` and ``stage_persona`` are ``(id, persona_id)``.
    ``total`` covers every observation, including those before any touchpoint.
    """

    total: Moments = Moments()
    touchpoint: dict[str, Moments] = field(default_factory=dict)
    stage: dict[str, Moments] = field(default_factory=dict)
    persona: dict[str, Moments] = field(default_factory=dict)
    touchpoint_persona: dict[tuple[str, str], Moments] = field(default_factory=dict)
    stage_persona: dict[tuple[str, str], Moments] = field(default_factory=dict)


def index_emotion(
    log: EventLog,
    observations: ibis.Table,
    members: ibis.Table,
    texts: pd.DataFrame,
    members_of_texts: pd.DataFrame,
) -> EmotionIndex:
    """Score moments from the engine plus comment moments, grouped every way needed.

    Parameters
    ----------
    observations
        From :func:`journeymap.voc.observations.observations_expr`.
    members
        ``customer_id, persona_id`` (:func:`journeymap.voc.segments.persona_members_expr`).
    texts
        From :func:`journeymap.voc.observations.feedback_texts`.
    members_of_texts
        ``customer_id, persona_id`` for the customers in ``texts``.
    """
    keys = ["touchpoint_id", "stage_id"]
    joined = observations.join(members, "customer_id")
    plain = merge_moments(
        score_emotion_moments(log, observations, keys),
        text_emotion_moments(texts, keys),
    )
    tagged_texts = texts.merge(members_of_texts, on="customer_id", how="inner")
    by_persona = merge_moments(
        score_emotion_moments(log, joined, [*keys, "persona_id"]),
        text_emotion_moments(tagged_texts, [*keys, "persona_id"]),
    )
    return _fold(plain, by_persona)


def _fold(plain: dict[Key, Moments], by_persona: dict[Key, Moments]) -> EmotionIndex:
    index = EmotionIndex()
    total = Moments()
    for (touchpoint, stage), moments in sorted(plain.items(), key=_sort_key):
        total = total + moments
        if touchpoint is not None:
            _add(index.touchpoint, touchpoint, moments)
            _add(index.stage, stage, moments)
    for (touchpoint, stage, persona), moments in sorted(
        by_persona.items(), key=_sort_key
    ):
        _add(index.persona, persona, moments)
        if touchpoint is not None:
            _add(index.touchpoint_persona, (touchpoint, persona), moments)
            _add(index.stage_persona, (stage, persona), moments)
    return EmotionIndex(
        total,
        index.touchpoint,
        index.stage,
        index.persona,
        index.touchpoint_persona,
        index.stage_persona,
    )


def _add(target: dict[Any, Moments], key: Any, moments: Moments) -> None:
    target[key] = target.get(key, Moments()) + moments


def _sort_key(item: tuple[Key, Moments]) -> tuple[str, ...]:
    return tuple("" if k is None else str(k) for k in item[0])
