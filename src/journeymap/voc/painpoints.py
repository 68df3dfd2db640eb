"""Pain points from data: candidates for every place and persona, for ranking by impact.

Candidates (counts: :mod:`journeymap.voc.outcomes`; tests and impact:
:mod:`journeymap.voc.evidence`), each for all customers and for every persona:

==========  ===============  ==============================================================
kind        outcome          exposed group vs comparison
==========  ===============  ==============================================================
touchpoint  dropoff (exit)   all: exits at t / reached t vs the journey baseline, the
                             pooled exits / reach of every other touchpoint before the
                             last stage; persona: persona at t vs the other customers at t
touchpoint  sentiment        all: emotion at t vs every other observation; persona:
                             persona at t vs the others at t
stage       dropoff          all: drop-off at k vs the pooled drop-off of the other
                             stages before the last; persona: persona vs the others at k
stage       slow (persona)   stays above the stage's p90: persona vs the others at k
stage       sentiment        as for touchpoints, at the stage
transition  regression       k → j: customers regressing / reached k; all: vs the pooled
                             rate of the other regression pairs; persona: vs the others
==========  ===============  ==============================================================

Verdicts on the map's own pain points are judged on the journey table
(:mod:`journeymap.evidence`); the ranked candidates are reported beside them
(``candidates`` in measured.json).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.voc.emotion import EmotionIndex
from journeymap.voc.evidence import (
    Candidate,
    Proportion,
)
from journeymap.voc.moments import Moments
from journeymap.voc.outcomes import ALL, OutcomeCounts

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.model.journey import JourneyMap


@dataclass(frozen=True, slots=True)
class Quotes:
    """Negative comments per touchpoint and per (touchpoint, persona), worst first."""

    touchpoint: dict[str, tuple[str, ...]]
    touchpoint_persona: dict[tuple[str, str], tuple[str, ...]]
    stage: dict[str, tuple[str, ...]]

    def of(self, candidate_kind: str, key: str, persona: str | None) -> tuple[str, ...]:
        if candidate_kind == "touchpoint":
            if persona is None:
                return self.touchpoint.get(key, ())
            return self.touchpoint_persona.get((key, persona), ())
        return self.stage.get(key, ()) if persona is None else ()


def collect_quotes(
    texts: pd.DataFrame, members_of_texts: pd.DataFrame, *, per_group: int = 3
) -> Quotes:
    """The most negative distinct comments (sentiment ≤ −0.05) per group.

    Ties break on the text, so the choice is deterministic.
    """
    negative = texts[texts["sentiment"] <= -0.05]
    tagged = negative.merge(members_of_texts, on="customer_id", how="inner")
    return Quotes(
        touchpoint=_worst(negative, ["touchpoint_id"], per_group),
        touchpoint_persona=_worst(tagged, ["touchpoint_id", "persona_id"], per_group),
        stage=_worst(negative, ["stage_id"], per_group),
    )


def _worst(
    frame: pd.DataFrame, by: list[str], count: int
) -> dict[Any, tuple[str, ...]]:
    out: dict[Any, tuple[str, ...]] = {}
    rows = frame.dropna(subset=by).sort_values(["sentiment", "text"], kind="mergesort")
    for key, group in rows.groupby(by, sort=True):
        key = key if len(by) > 1 else (key[0] if isinstance(key, tuple) else key)
        out[key] = tuple(dict.fromkeys(group["text"]))[:count]
    return out


# -- candidates ---------------------------------------------------------------------
def build_candidates(
    journey: JourneyMap,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    quotes: Quotes,
) -> list[Candidate]:
    """Every touchpoint, stage and regression candidate, for all and per persona.

    Parameters
    ----------
    journey
        The map.
    counts
        From :func:`journeymap.voc.outcomes.count_outcomes`.
    emotion
        From :func:`journeymap.voc.emotion.index_emotion`.
    quotes
        From :func:`collect_quotes`.

    Returns
    -------
    list of Candidate
        In map order: touchpoints, stages, then regression pairs.
    """
    personas = [p.id for p in journey.personas if p.segment is not None]
    out: list[Candidate] = []
    out += _touchpoint_candidates(journey, counts, emotion, quotes, personas)
    out += _stage_candidates(journey, counts, emotion, quotes, personas)
    out += _transition_candidates(journey, counts, personas)
    return out


def _non_final_touchpoints(journey: JourneyMap) -> list[str]:
    return [tp.id for stage in journey.stages[:-1] for tp in stage.touchpoints]


def _touchpoint_candidates(
    journey: JourneyMap,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    quotes: Quotes,
    personas: list[str],
) -> list[Candidate]:
    non_final = set(_non_final_touchpoints(journey))
    pooled = _sum_pairs(counts.touchpoints.get((t, ALL), (0, 0)) for t in non_final)
    out = []
    for stage, tp in journey.touchpoints():
        reached, exits = counts.touchpoints.get((tp.id, ALL), (0, 0))
        if reached == 0:
            continue
        dropoff: tuple[Proportion, ...] = ()
        if tp.id in non_final:
            base = (pooled[0] - reached, pooled[1] - exits)
            dropoff = (
                Proportion("dropoff_vs_journey", exits, reached, base[1], base[0]),
            )
        mine = emotion.touchpoint.get(tp.id, Moments())
        out.append(
            Candidate(
                "touchpoint",
                tp.id,
                stage.id,
                reached,
                tp.id,
                None,
                dropoff,
                mine,
                emotion.total - mine,
                quotes.of("touchpoint", tp.id, None),
            )
        )
        for persona in personas:
            found = _persona_touchpoint(
                tp.id,
                stage.id,
                persona,
                counts,
                emotion,
                quotes,
                with_dropoff=tp.id in non_final,
            )
            if found is not None:
                out.append(found)
    return out


def _persona_touchpoint(
    tp: str,
    stage: str,
    persona: str,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    quotes: Quotes,
    *,
    with_dropoff: bool,
) -> Candidate | None:
    reached, exits = counts.touchpoints.get((tp, persona), (0, 0))
    if reached == 0:
        return None
    all_reached, all_exits = counts.touchpoints[(tp, ALL)]
    dropoff = (
        (
            Proportion(
                "dropoff", exits, reached, all_exits - exits, all_reached - reached
            ),
        )
        if with_dropoff
        else ()
    )
    mine = emotion.touchpoint_persona.get((tp, persona), Moments())
    everyone = emotion.touchpoint.get(tp, Moments())
    return Candidate(
        "touchpoint",
        tp,
        stage,
        reached,
        tp,
        persona,
        dropoff,
        mine,
        everyone - mine,
        quotes.of("touchpoint", tp, persona),
    )


def _stage_candidates(
    journey: JourneyMap,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    quotes: Quotes,
    personas: list[str],
) -> list[Candidate]:
    last = len(journey.stages) - 1
    pooled = [0, 0]
    for k in range(last):
        reached, dropped, _, _ = counts.stages.get((k, ALL), (0, 0, 0, 0))
        pooled[0] += reached
        pooled[1] += dropped
    out = []
    for k, stage in enumerate(journey.stages):
        reached, dropped, timed, slow = counts.stages.get((k, ALL), (0, 0, 0, 0))
        if reached == 0:
            continue
        props: tuple[Proportion, ...] = ()
        if k < last:
            props = (
                Proportion(
                    "dropoff_vs_journey",
                    dropped,
                    reached,
                    pooled[1] - dropped,
                    pooled[0] - reached,
                ),
            )
        mine = emotion.stage.get(stage.id, Moments())
        out.append(
            Candidate(
                "stage",
                stage.id,
                stage.id,
                reached,
                None,
                None,
                props,
                mine,
                emotion.total - mine,
                quotes.of("stage", stage.id, None),
            )
        )
        for persona in personas:
            found = _persona_stage(k, stage.id, persona, counts, emotion, last=last)
            if found is not None:
                out.append(found)
    return out


def _persona_stage(
    k: int,
    stage: str,
    persona: str,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    *,
    last: int,
) -> Candidate | None:
    reached, dropped, timed, slow = counts.stages.get((k, persona), (0, 0, 0, 0))
    if reached == 0:
        return None
    a_reached, a_dropped, a_timed, a_slow = counts.stages[(k, ALL)]
    props = [Proportion("slow", slow, timed, a_slow - slow, a_timed - timed)]
    if k < last:
        props.insert(
            0,
            Proportion(
                "dropoff", dropped, reached, a_dropped - dropped, a_reached - reached
            ),
        )
    mine = emotion.stage_persona.get((stage, persona), Moments())
    everyone = emotion.stage.get(stage, Moments())
    return Candidate(
        "stage",
        stage,
        stage,
        reached,
        None,
        persona,
        tuple(props),
        mine,
        everyone - mine,
    )


def _transition_candidates(
    journey: JourneyMap, counts: OutcomeCounts, personas: list[str]
) -> list[Candidate]:
    ids = journey.stage_ids()
    pairs = sorted({pair for pair, p in counts.regressions if p == ALL})
    reach = {k: counts.stages.get((k, ALL), (0, 0, 0, 0))[0] for k in range(len(ids))}
    total_moved = sum(counts.regressions[(pair, ALL)] for pair in pairs)
    total_reach = sum(reach[pair[0]] for pair in pairs)
    out = []
    for pair in pairs:
        moved, reached = counts.regressions[(pair, ALL)], reach[pair[0]]
        name = f"{ids[pair[0]]}->{ids[pair[1]]}"
        base = Proportion(
            "regression_vs_journey",
            moved,
            reached,
            total_moved - moved,
            total_reach - reached,
        )
        out.append(
            Candidate("transition", name, ids[pair[0]], reached, proportions=(base,))
        )
        for persona in personas:
            p_moved = counts.regressions.get((pair, persona), 0)
            p_reached = counts.stages.get((pair[0], persona), (0, 0, 0, 0))[0]
            if p_reached == 0:
                continue
            prop = Proportion(
                "regression", p_moved, p_reached, moved - p_moved, reached - p_reached
            )
            out.append(
                Candidate(
                    "transition",
                    name,
                    ids[pair[0]],
                    p_reached,
                    persona=persona,
                    proportions=(prop,),
                )
            )
    return out


def _sum_pairs(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    a = b = 0
    for x, y in pairs:
        a, b = a + x, b + y
    return (a, b)
