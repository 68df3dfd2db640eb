"""Verdicts for the map's pain points: each stated hypothesis, tested as stated.

For every pain point: resolve its hypothesis (:mod:`journeymap.evidence.hypotheses`),
check that the data can decide it, count the two groups in the engine and test them
(:mod:`journeymap.evidence.contrasts`). The p-values of all tested pain points of the
map form one Benjamini–Hochberg family. The verdict is

- ``supported`` when q ≤ alpha **and** the effect is practical (≥ 2 points and ≥ 10 %
  relative, by default) with at least ``min_units`` units in each group;
- ``not_supported`` when it was tested and one of these fails (the reason says which);
- ``insufficient_data`` when it could not be tested: too few units, signal events or
  a persona the data does not have, a period with no units, a circular persona or
  signal, or a stage-level claim with nothing to compare it with.

A verdict only ever rests on its own hypothesis: its persona, its outcome, its period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stages import exact_quantiles_expr
from journeymap.analytics.stats import benjamini_hochberg
from journeymap.evidence.contrasts import (
    Contrast,
    Group,
    Thresholds,
    cluster_sums_expr,
    clustered_variance,
    rank_sums_expr,
)
from journeymap.evidence.hypotheses import (
    JOURNEY_OUTCOMES,
    Hypothesis,
    contrast_rows,
    hypothesis_of,
    place_rows,
)
from journeymap.model.measured import PainPointVerdict
from journeymap.model.references import did_you_mean
from journeymap.model.values import format_duration, optional_float
from journeymap.voc.outcomes import as_count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units
    from journeymap.model.journey import JourneyMap

__all__ = ["judge_pain_points", "signal_stage_of"]


@dataclass(frozen=True)
class _Judged:
    hyp: Hypothesis
    contrast: Contrast | None
    problem: str | None
    sides: tuple[str, str] | None = None
    warnings: tuple[str, ...] = ()


def signal_stage_of(journey: JourneyMap, event: str) -> int | None:
    """The stage whose touchpoint lists ``event`` in its match rule (first in order)."""
    for k, stage in enumerate(journey.stages):
        for tp in stage.touchpoints:
            match = tp.match
            if match is None:
                continue
            if event in match.event or (
                match.event_prefix is not None and event.startswith(match.event_prefix)
            ):
                return k
    return None


def _touchpoint_stage(journey: JourneyMap, touchpoint_id: str | None) -> int | None:
    for k, stage in enumerate(journey.stages):
        if any(tp.id == touchpoint_id for tp in stage.touchpoints):
            return k
    return None


def _problem(
    units: Units, hyp: Hypothesis, memberships: dict[str, Membership]
) -> str | None:
    if hyp.contrast == "none":
        return (
            f"stage-level pain point with no persona, period or signal: nothing to "
            f"compare `{hyp.stage_id}` with (stages differ by design); add a persona, "
            "a period or signal events"
        )
    for event in hyp.signal_events:
        if event not in units.event_names:
            hint = did_you_mean(event, sorted(units.event_names))
            return f"signal event `{event}` never occurs in the data{hint}"
        stage = signal_stage_of(units.journey, event)
        if (
            stage is not None
            and hyp.outcome in ("dropoff", "slow")
            and stage > hyp.stage_index
        ):
            return (
                f"circular: signal event `{event}` belongs to a later stage, which rules "
                f"out {hyp.outcome} by construction"
            )
        if stage is not None and hyp.outcome == "loop" and stage < hyp.stage_index:
            return (
                f"circular: signal event `{event}` belongs to an earlier stage, so it "
                "is itself a move back"
            )
    where = _touchpoint_stage(units.journey, hyp.touchpoint_id)
    if (
        where is not None
        and where > hyp.stage_index
        and hyp.outcome in ("dropoff", "slow")
    ):
        return (
            f"circular: touchpoint `{hyp.touchpoint_id}` belongs to a later stage "
            f"(`{units.journey.stages[where].id}`): who touched it moved on, which "
            f"rules out {hyp.outcome} by construction; name a touchpoint of "
            f"`{hyp.stage_id}`"
        )
    if where is not None and where < hyp.stage_index and hyp.outcome == "loop":
        return (
            f"circular: touchpoint `{hyp.touchpoint_id}` belongs to an earlier stage "
            f"(`{units.journey.stages[where].id}`), so touching it is itself a move "
            f"back; name a touchpoint of `{hyp.stage_id}`"
        )
    period = hyp.period
    if period is not None and (
        period.end < units.start.date() or period.start > units.end.date()
    ):
        return (
            f"the period {period} is outside the data ({units.start:%Y-%m-%d} to "
            f"{units.end:%Y-%m-%d})"
        )
    if hyp.persona is not None:
        membership = memberships.get(hyp.persona)
        if membership is None or membership.problem is not None:
            return (
                membership.problem
                if membership is not None
                else f"persona `{hyp.persona}` is not defined"
            )
        if membership.circular and hyp.outcome in JOURNEY_OUTCOMES:
            return (
                f"circular: persona `{hyp.persona}` is defined by events, which also "
                f"define {hyp.outcome}; it is left out of this test"
            )
    return None


def _count(
    units: Units,
    hyp: Hypothesis,
    rows: ir.Table,
    memberships: dict[str, Membership],
) -> _Judged:
    membership = memberships.get(hyp.persona) if hyp.persona else None
    table, sides = contrast_rows(units, hyp, rows, membership)
    sums = units.execute(cluster_sums_expr(table, [])).to_dict("records")[0]
    exposed = Group(sides.exposed, as_count(sums["n_e"]), as_count(sums["x_e"]))
    comparison = Group(sides.comparison, as_count(sums["n_c"]), as_count(sums["x_c"]))
    if hyp.outcome == "slow":
        sided = table.filter(table.side.notnull())
        horizon = units.horizons.get(hyp.stage_index)  # set: the rows are timed
        limit = None if horizon is None else float(horizon.seconds)
        ranks = units.execute(rank_sums_expr(sided, horizon=limit)).to_dict("records")[
            0
        ]
        medians = {
            str(r["side"]): float(r["q"])
            for r in units.execute(
                exact_quantiles_expr(sided, "side", "seconds", {"q": 0.5})
            ).to_dict("records")
            if r["q"] == r["q"]
        }
        contrast = Contrast.of_times(
            hyp.outcome,
            exposed,
            comparison,
            ranks,
            (medians.get("e"), medians.get("c")),
        )
    else:
        contrast = Contrast.of(
            hyp.outcome, exposed, comparison, variance=clustered_variance(sums)
        )
    return _Judged(hyp, contrast, None, (sides.exposed, sides.comparison))


def judge_pain_points(
    units: Units,
    memberships: dict[str, Membership],
    *,
    thresholds: Thresholds = Thresholds(),
) -> tuple[PainPointVerdict, ...]:
    """A verdict for every pain point of the map, in map order.

    Parameters
    ----------
    units
        The journey table (:func:`journeymap.evidence.units.build_units`).
    memberships
        Persona id → membership per unit.
    thresholds
        Significance, practical effect and minimum group size.

    Returns
    -------
    tuple of PainPointVerdict
        Each with its hypothesis, both groups, the effect with its CI, p and q.
    """
    journey = units.journey
    judged: list[_Judged] = []
    for stage, pain in journey.pain_points():
        hyp = hypothesis_of(journey, stage.id, pain)
        problem = _problem(units, hyp, memberships)
        if problem is None:
            rows = place_rows(units, hyp)
            if isinstance(rows, str):
                problem = rows
            else:
                judged.append(_count(units, hyp, rows, memberships))
                continue
        judged.append(_Judged(hyp, None, problem))
    tested = [
        j for j in judged if j.contrast is not None and j.contrast.enough(thresholds)
    ]
    qs = benjamini_hochberg(
        [j.contrast.p_value for j in tested if j.contrast is not None]
    )
    q_of = {id(j): q for j, q in zip(tested, qs, strict=True)}
    out = []
    for j in judged:
        contrast = j.contrast
        if contrast is not None and id(j) in q_of:
            contrast = contrast.with_q(q_of[id(j)])
        out.append(_verdict(j, contrast, thresholds, family=len(tested)))
    return tuple(out)


def _verdict(
    j: _Judged, contrast: Contrast | None, thresholds: Thresholds, *, family: int
) -> PainPointVerdict:
    hyp = j.hyp
    if contrast is None:
        verdict, reason = "insufficient_data", j.problem or "not tested"
    elif not contrast.enough(thresholds):
        verdict = "insufficient_data"
        e, c = contrast.exposed, contrast.comparison
        reason = (
            f"too few units (need {thresholds.min_units} each): {e.units:,} "
            f"{e.label} and {c.units:,} {c.label}"
        )
    elif contrast.holds(thresholds):
        verdict, reason = "supported", "significant and practically relevant"
    else:
        verdict, reason = "not_supported", _why_not(contrast, thresholds)
    summary = _summary(verdict, hyp, contrast, reason)
    test = None if contrast is None else contrast.to_dict()
    impact = 0.0
    if verdict == "supported" and contrast is not None and contrast.difference:
        impact = contrast.exposed.units * max(0.0, contrast.difference)
    evidence: dict[str, Any] = {
        "hypothesis": hyp.to_dict(),
        "test": test,
        "reason": reason,
        "summary": summary,
        "thresholds": {**thresholds.to_dict(), "family": family},
    }
    return PainPointVerdict(
        hyp.pain_point_id,
        verdict,
        impact=impact,
        p_value=None if contrast is None else optional_float(contrast.p_value),
        q_value=None if contrast is None else optional_float(contrast.q_value),
        stage_id=hyp.stage_id,
        touchpoint_id=hyp.touchpoint_id,
        evidence=evidence,
        reason=reason,
        summary=summary,
        hypothesis=hyp.to_dict(),
        test=test,
    )


def _why_not(contrast: Contrast, thresholds: Thresholds) -> str:
    diff = contrast.difference or 0.0
    if diff <= 0:
        return "the exposed group does not do worse"
    if math.isnan(contrast.q_value) or contrast.q_value > thresholds.alpha:
        return f"not significant (q = {contrast.q_value:.3g} > {thresholds.alpha})"
    if contrast.times is not None:
        return (
            f"effect below the practical threshold (P(slower) = "
            f"{contrast.times.superiority:.2f}, geometric mean "
            f"{(contrast.relative or 0.0) * 100:+.0f} %; needs P(slower) ≥ "
            f"{0.5 + thresholds.min_difference:.2f} and ≥ "
            f"+{thresholds.min_relative * 100:.0f} %)"
        )
    return (
        f"effect below the practical threshold ({diff * 100:+.1f} points; needs "
        f"≥ {thresholds.min_difference * 100:.0f} points and "
        f"≥ {thresholds.min_relative * 100:.0f} % relative)"
    )


OUTCOME_WORDS = {
    "dropoff": "drop off",
    "loop": "loop back",
    "slow": "are slow",
    "low_score": "score low",
    "negative_text": "comment negatively",
}


def _summary(
    verdict: str, hyp: Hypothesis, contrast: Contrast | None, reason: str
) -> str:
    if (
        contrast is None
        or contrast.exposed.rate is None
        or contrast.comparison.rate is None
    ):
        return f"{verdict.replace('_', ' ')}: {reason}"
    e, c = contrast.exposed, contrast.comparison
    if verdict == "insufficient_data":  # say why beside the numbers: "too few units"
        verdict = f"{verdict}, {reason.split(':', 1)[0]}"
    if contrast.times is not None:
        return _time_summary(verdict, contrast)
    diff = (contrast.difference or 0.0) * 100
    ci = ""
    if not math.isnan(contrast.ci_low):
        ci = f", 95% CI {contrast.ci_low * 100:+.1f} to {contrast.ci_high * 100:+.1f}"
    q = "" if math.isnan(contrast.q_value) else f"; q = {contrast.q_value:.2g}"
    return (
        f"{verdict.replace('_', ' ')}: {OUTCOME_WORDS[hyp.outcome]} "
        f"{e.rate:.0%} vs {c.rate:.0%} ({diff:+.1f} points{ci}{q}; "
        f"n = {e.units:,} vs {c.units:,})"
    )


def _duration(seconds: float | None) -> str:
    return "n/a" if seconds is None else format_duration(seconds)


def _time_summary(verdict: str, contrast: Contrast) -> str:
    times = contrast.times
    assert times is not None
    e, c = contrast.exposed, contrast.comparison
    q = "" if math.isnan(contrast.q_value) else f"; q = {contrast.q_value:.2g}"
    late = ""
    if times.not_moved_exposed is not None and times.not_moved_comparison is not None:
        late = (
            f"; did not move on within the horizon: {times.not_moved_exposed:.0%} "
            f"vs {times.not_moved_comparison:.0%}"
        )
    return (
        f"{verdict.replace('_', ' ')}: time to move on (geometric mean) "
        f"{_duration(times.geomean_exposed)} vs {_duration(times.geomean_comparison)} "
        f"(×{(contrast.relative or 0.0) + 1:.2f}, P(slower) = {times.superiority:.2f}"
        f"{q}; n = {e.units:,} vs {c.units:,}{late})"
    )
