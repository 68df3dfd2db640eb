"""Stage-level attribution: which touches move customers from stage k to the next.

For each stage k but the last, the units that reached k have a path: the touches from
their first entry into k (that event included) until their first event in a later
stage (the *move*, which plays the conversion's part). Units that never move on end
in ``null``. Any model of :mod:`journeymap.attribution.channels` then splits the moves
among the touches. A move that skips stages (k to k+2) counts as moving on from k.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from journeymap.analytics.matching import match_touchpoints_expr
from journeymap.attribution.channels import MODELS, attribute_paths
from journeymap.attribution.heuristics import HEURISTICS, Rule
from journeymap.attribution.paths import PathSpec, base_expr
from journeymap.errors import AnalysisError
from journeymap.model.attribution import StageAttribution, StageStep

if TYPE_CHECKING:
    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

__all__ = ["attribute_stage_moves", "stage_base_expr"]


def stage_base_expr(
    log: EventLog, journey: JourneyMap, spec: PathSpec, k: int
) -> ir.Table:
    """The base table of the move out of stage ``k`` (see :func:`paths.base_expr`)."""
    matched = match_touchpoints_expr(log, journey)
    units = [matched[u] for u in spec.units]
    ordered = ibis.window(
        group_by=units, order_by=[matched.timestamp, matched.event_seq]
    )
    numbered = matched.mutate(_pos=ibis.row_number().over(ordered))
    entry = ibis.cases((numbered.stage_index == k, numbered._pos)).min()
    entered = numbered.mutate(
        _entry=entry.over(ibis.window(group_by=[numbered[u] for u in spec.units]))
    )
    after = entered.filter(entered._pos >= entered._entry)
    return base_expr(after, spec, goal=lambda t: t.stage_index.fill_null(-1) > k)


def attribute_stage_moves(
    log: EventLog,
    journey: JourneyMap,
    *,
    model: str = "markov",
    by: str = "channel",
    exclude: Sequence[str] = (),
    keep_repeats: bool = False,
    scope: str = "customer",
    order: int | str = 1,
    **options: Any,
) -> StageAttribution:
    """Attribute every move from stage k to a later stage (k = first to last but one).

    ``options`` as :func:`~journeymap.attribution.attribute_conversions`
    (``half_life_s``, ``position``, ``direct``, ``samples``, ``seed``).
    """
    if model not in MODELS:
        raise AnalysisError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    if len(journey.stages) < 2:
        raise AnalysisError("stage attribution needs a map with at least two stages")
    spec = PathSpec(
        conversion=("\x00stage",),  # unused: the move is the goal
        by=by,
        exclude=tuple(exclude),
        keep_repeats=keep_repeats,
        scope=scope,
    )
    rule = None
    if model in HEURISTICS:
        position = options.pop("position", (0.4, 0.4))
        rule = Rule(
            model,
            half_life_s=options.pop("half_life_s", 7 * 86400.0),
            first_share=position[0],
            last_share=position[1],
            direct=tuple(options.pop("direct", ("direct",))),
        )
    steps = []
    for k, (stage, later) in enumerate(
        zip(journey.stages, journey.stages[1:], strict=False)
    ):
        base = stage_base_expr(log, journey, spec, k)
        result = attribute_paths(
            log,
            base,
            spec,
            model=model,
            rule=rule,
            order=order,
            has_value=False,
            samples=options.get("samples", 2000),
            seed=options.get("seed", 0),
        )
        steps.append(StageStep(stage.id, later.id, result))
    return StageAttribution(model=model, by=by, steps=tuple(steps))
