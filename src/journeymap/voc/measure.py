"""``measure_map``: the journey map measured against events, surveys and feedback.

One entry point that runs every voc measurement and returns the plain-data
:class:`~journeymap.model.measured.MeasuredMap` (``measured.json``; every field is
described in docs/reference/measured-map.md). Counting happens in the engine; only
aggregates, the comment texts and (for clusters) one row per sampled customer come
back to Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journeymap._importers import has_sklearn
from journeymap.analytics.matching import unmatched_events
from journeymap.analytics.stages import measure_stages, stage_sequence_expr
from journeymap.analytics.stats import exact_sum
from journeymap.engine import with_scratch
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap, PainPointVerdict, TouchpointFigures
from journeymap.voc.emotion import (
    EmotionIndex,
    emotion_of,
    index_emotion,
    text_emotion_moments,
)
from journeymap.voc.evidence import PainPointRanking, rank_pain_points
from journeymap.voc.kpis import KpiInputs, compute_kpis
from journeymap.voc.moments import Moments
from journeymap.voc.observations import feedback_texts, observations_expr
from journeymap.voc.opportunities import prioritise_opportunities
from journeymap.voc.outcomes import (
    ALL,
    OutcomeCounts,
    count_outcomes,
    customer_outcomes_expr,
)
from journeymap.voc.painpoints import build_candidates, collect_quotes
from journeymap.voc.personas import cluster_customers, describe_personas
from journeymap.voc.scores import ScoreSummary, score_surveys
from journeymap.voc.segments import persona_members_expr
from journeymap.voc.sentiment import (
    characteristic_phrases,
    phrases_of,
    summarise_sentiment,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.engine import EventLog


@dataclass(frozen=True)
class _Inputs:
    """Materialised building blocks shared by the measurements."""

    log: EventLog
    journey: JourneyMap
    sequence: ir.Table  # matched events in each customer's order
    stays: ir.Table | None  # per customer and stage: entry_ts, moved_ts
    members: ir.Table
    customers: ir.Table
    observations: ir.Table
    texts: pd.DataFrame
    members_of_texts: pd.DataFrame


def _prepare(
    journey: JourneyMap,
    log: EventLog,
    obs: ir.Table | None = None,
    texts: pd.DataFrame | None = None,
    sequence: ir.Table | None = None,
    stays: ir.Table | None = None,
) -> _Inputs:
    engine = log.engine
    if sequence is None:
        sequence = engine.materialize(stage_sequence_expr(log, journey), prefix="seq")
    members = engine.materialize(persona_members_expr(log.table, journey), prefix="pm")
    customers = engine.materialize(
        customer_outcomes_expr(log, journey, sequence=sequence), prefix="cust"
    )
    if obs is None:
        obs = engine.materialize(observations_expr(log, journey), prefix="obs")
    if texts is None:
        texts = feedback_texts(log, obs)
    commenters = obs.filter(obs.text.notnull()).select("customer_id").distinct()
    members_of_texts = log.execute(members.semi_join(commenters, "customer_id"))
    return _Inputs(
        log, journey, sequence, stays, members, customers, obs, texts, members_of_texts
    )


@with_scratch  # nothing it materialises outlives the call (ADR 0010)
def measure_map(
    journey: JourneyMap,
    log: EventLog,
    *,
    surveys: EventLog | None = None,
    feedback: EventLog | None = None,
    alpha: float = 0.05,
    min_customers: int = 30,
    min_observations: int = 20,
    clusters: bool | None = None,
    verdicts: tuple[PainPointVerdict, ...] = (),
    suggestions: tuple[dict[str, Any], ...] = (),
    observations: ir.Table | None = None,
    texts: pd.DataFrame | None = None,
    sequence: ir.Table | None = None,
    stays: ir.Table | None = None,
) -> MeasuredMap:
    """Measure a journey map: stages, touchpoints, emotion, pain points and more.

    Parameters
    ----------
    journey
        The map.
    log
        Events (docs/reference/events.md); ``score``/``score_kind``/``text`` columns count as
        survey answers and comments.
    surveys, feedback
        Optional separate survey and feedback rows (same columns, read with
        ``read_events``): appended to the events, so they count exactly as the same
        rows inside ``log`` would.
    alpha, min_customers, min_observations
        Verdict thresholds: BH q below ``alpha``, at least ``min_customers`` on both
        sides of a proportion test and ``min_observations`` of a sentiment test.
    clusters
        Whether to run the k-means behavioural clustering: ``None`` runs it when the
        ``clusters`` extra (scikit-learn) is installed and notes it when not; ``True``
        without the extra raises :class:`~journeymap.errors.MissingExtraError`.
    verdicts, suggestions
        The map pain points' verdicts and the suggested pain points, judged on the
        journey table (:func:`journeymap.pipeline.measure_map` passes them).
    observations, texts
        The log's materialised observations (:func:`observations_expr`) and comments
        (:func:`feedback_texts`) from a caller that already appended the survey and
        feedback rows and materialised ``log``; then neither is done again.

    Returns
    -------
    MeasuredMap
        ``to_dict()`` is the ``measured.json`` contract.

    Examples
    --------
    >>> import journeymap as jm
    >>> measured = measure_map(jm.examples.journey(), jm.examples.events())
    >>> [(s.stage_id, s.reached) for s in measured.stages]
    [('aware', 3), ('buy', 2)]
    """
    # survey and feedback files are events like the rows inside the events: the same
    # rows give the same measured map wherever they are kept (issue 8)
    if observations is None:
        log = log.append(surveys, feedback).materialize()
    inputs = _prepare(journey, log, observations, texts, sequence, stays)
    counts = count_outcomes(
        log,
        journey,
        inputs.customers,
        inputs.members,
        sequence=inputs.sequence,
        stays=inputs.stays,
    )
    emotion = index_emotion(
        log, inputs.observations, inputs.members, inputs.texts, inputs.members_of_texts
    )
    ranking = rank_pain_points(
        build_candidates(
            journey,
            counts,
            emotion,
            collect_quotes(inputs.texts, inputs.members_of_texts),
        ),
        alpha=alpha,
        min_customers=min_customers,
        min_observations=min_observations,
    )
    if clusters is None:
        clusters = has_sklearn()
        skipped = () if clusters else (_NO_SKLEARN,)
    else:
        skipped = ()
    found = (
        cluster_customers(log, journey, inputs.customers, sequence=inputs.sequence)
        if clusters
        else None
    )
    measured = _assemble(inputs, counts, emotion, ranking, verdicts, suggestions)
    return replace(
        measured,
        clusters=() if found is None else _cluster_dicts(found),
        notes=_notes(ranking, found is not None or not clusters) + skipped,
    )


def _assemble(
    inputs: _Inputs,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    ranking: PainPointRanking,
    verdicts: tuple[PainPointVerdict, ...],
    suggestions: tuple[dict[str, Any], ...],
) -> MeasuredMap:
    journey, log = inputs.journey, inputs.log
    scores = _scores(inputs)
    stage_table = measure_stages(log, journey, sequence=inputs.sequence)
    unmatched = unmatched_events(log, journey)
    comments = _comment_moments(inputs.texts)
    kpi_inputs = _kpi_inputs(inputs, counts, stage_table, scores, comments)
    return MeasuredMap(
        journey=journey,
        stages=stage_table.stages,
        stage_emotion={
            s.id: emotion_of(emotion.stage.get(s.id), assumed=s.emotion)
            for s in journey.stages
        },
        touchpoints=_touchpoint_figures(inputs, counts, emotion, scores, comments),
        pain_points=verdicts,
        suggested_pain_points=suggestions,
        opportunities=prioritise_opportunities(journey, verdicts, counts),
        kpis=compute_kpis(journey, kpi_inputs),
        personas=describe_personas(journey, counts, emotion),
        customers=counts.customers.get(ALL, 0),
        events=unmatched.events,
        unmatched_events=unmatched.unmatched,
        unmatched_top=unmatched.top,
        ingest=log.report,
        scores=tuple(
            _score_dict(s) for s in _flatten_scores(scores) + _sentiments(inputs)
        ),
        phrases=_phrases(inputs.texts),
        candidates=tuple(c.to_dict() for c in ranking.candidates),
    )


# -- survey scores ------------------------------------------------------------------
ScoreIndex = dict[tuple[str, str, str], ScoreSummary]  # (level, id, kind)


def _scores(inputs: _Inputs) -> dict[str, list[ScoreSummary]]:
    log, obs = inputs.log, inputs.observations
    with_persona = obs.join(inputs.members, "customer_id")
    return {
        "touchpoint": score_surveys(log, obs, by=["touchpoint_id"]),
        "stage": score_surveys(log, obs, by=["stage_id"]),
        "persona": score_surveys(log, with_persona, by=["persona_id"]),
        "persona_stage": score_surveys(
            log, with_persona, by=["persona_id", "stage_id"]
        ),
        "month": score_surveys(log, obs, period="month"),
    }


def _sentiments(inputs: _Inputs) -> list[ScoreSummary]:
    texts = inputs.texts
    tagged = texts.merge(inputs.members_of_texts, on="customer_id", how="inner")
    return [
        *summarise_sentiment(texts, ["touchpoint_id"]),
        *summarise_sentiment(texts, ["stage_id"]),
        *summarise_sentiment(tagged, ["persona_id"]),
    ]


def _flatten_scores(scores: dict[str, list[ScoreSummary]]) -> list[ScoreSummary]:
    return [s for level in scores.values() for s in level]


def _score_index(scores: dict[str, list[ScoreSummary]]) -> ScoreIndex:
    index: ScoreIndex = {}
    for s in scores["touchpoint"]:
        if s.group.get("touchpoint_id") is not None:
            index[("tp", s.group["touchpoint_id"], s.kind)] = s
    for s in scores["stage"]:
        if s.group.get("stage_id") is not None:
            index[("stage", s.group["stage_id"], s.kind)] = s
    return index


def _score_dict(summary: ScoreSummary) -> dict[str, Any]:
    return {
        "group": dict(summary.group),
        "kind": summary.kind,
        "n": summary.n,
        "value": summary.value,
        "ci_low": summary.ci_low,
        "ci_high": summary.ci_high,
        "mean": summary.mean,
        "mean_ci_low": summary.mean_ci_low,
        "mean_ci_high": summary.mean_ci_high,
        "shares": dict(summary.shares),
    }


# -- comments -----------------------------------------------------------------------
def _comment_moments(texts: pd.DataFrame) -> dict[tuple[str, str], Moments]:
    out: dict[tuple[str, str], Moments] = {}
    for (tp,), moments in text_emotion_moments(texts, ["touchpoint_id"]).items():
        if tp is not None:
            out[("tp", tp)] = moments
    for (stage,), moments in text_emotion_moments(texts, ["stage_id"]).items():
        if stage is not None:
            out[("stage", stage)] = moments
    return out


def _phrases(texts: pd.DataFrame, *, min_comments: int = 20) -> dict[str, Any]:
    if texts.empty:
        return {}
    all_texts = texts["text"].tolist()
    background = Counter(p for t in all_texts for p in phrases_of(t))
    out: dict[str, Any] = {
        "overall": characteristic_phrases(
            all_texts, texts["sentiment"].tolist(), background=background
        )
    }
    per_tp = {}
    for tp, group in texts.dropna(subset=["touchpoint_id"]).groupby("touchpoint_id"):
        if len(group) >= min_comments:
            per_tp[str(tp)] = characteristic_phrases(
                group["text"].tolist(),
                group["sentiment"].tolist(),
                background=background,
            )
    out["touchpoints"] = per_tp
    return out


# -- figures --------------------------------------------------------------------------
def _touchpoint_events(inputs: _Inputs) -> dict[str, int]:
    matched = inputs.sequence
    frame = inputs.log.execute(
        matched.group_by("touchpoint_id").agg(events=matched.count())
    )
    return {str(r["touchpoint_id"]): int(r["events"]) for r in frame.to_dict("records")}


def _touchpoint_figures(
    inputs: _Inputs,
    counts: OutcomeCounts,
    emotion: EmotionIndex,
    scores: dict[str, list[ScoreSummary]],
    comments: dict[tuple[str, str], Moments],
) -> tuple[TouchpointFigures, ...]:
    index = _score_index(scores)
    events = _touchpoint_events(inputs)

    def value(tp: str, kind: str) -> float | None:
        found = index.get(("tp", tp, kind))
        return None if found is None else found.value

    return tuple(
        TouchpointFigures(
            touchpoint_id=tp.id,
            stage_id=stage.id,
            reached=counts.touchpoints.get((tp.id, ALL), (0, 0))[0],
            events=events.get(tp.id, 0),
            nps=value(tp.id, "nps"),
            csat=value(tp.id, "csat"),
            ces=value(tp.id, "ces"),
            sentiment=comments.get(("tp", tp.id), Moments()).mean,
            emotion=emotion_of(emotion.touchpoint.get(tp.id)),
        )
        for stage, tp in inputs.journey.touchpoints()
    )


def _regressed_customers(inputs: _Inputs) -> dict[str, int]:
    seq = inputs.sequence
    back = seq.filter(seq.prev_stage > seq.stage_index)
    frame = inputs.log.execute(
        back.group_by(stage_index=back.prev_stage).agg(
            customers=back.customer_id.nunique()
        )
    )
    ids = inputs.journey.stage_ids()
    return {
        ids[int(r["stage_index"])]: int(r["customers"])
        for r in frame.to_dict("records")
    }


def _revenue(inputs: _Inputs) -> float:
    table = inputs.log.table
    if "value" not in table.columns:
        return 0.0
    total = inputs.log.execute(exact_sum(table.value))
    return 0.0 if total is None or total != total else float(total)


def _kpi_inputs(
    inputs: _Inputs,
    counts: OutcomeCounts,
    stage_table: Any,
    scores: dict[str, list[ScoreSummary]],
    comments: dict[tuple[str, str], Moments],
) -> KpiInputs:
    return KpiInputs(
        customers=counts.customers.get(ALL, 0),
        converted=counts.converted.get(ALL, 0),
        revenue=_revenue(inputs),
        stages={f.stage_id: f for f in stage_table.stages},
        regressed=_regressed_customers(inputs),
        touchpoint_reach={
            tp: n for (tp, p), (n, _) in counts.touchpoints.items() if p == ALL
        },
        scores=_score_index(scores),
        comments=comments,
    )


def _cluster_dicts(found: Any) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            **cluster,
            "k": found.k,
            "silhouette": found.silhouette,
            "sampled_customers": found.customers,
        }
        for cluster in found.clusters
    )


_NO_SKLEARN = 'clusters: skipped, scikit-learn is not installed (pip install "journeymap[clusters]")'


def _notes(ranking: PainPointRanking, clustered: bool) -> tuple[str, ...]:
    notes = [
        f"pain points: {len(ranking.candidates)} candidates, {ranking.tests} tests, "
        f"Benjamini-Hochberg at q < {ranking.alpha}, min {ranking.min_customers} "
        "customers per group"
    ]
    if not clustered:
        notes.append("clusters: too few customers to cluster")
    return tuple(notes)
