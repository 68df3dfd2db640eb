"""Flows between stages and between touchpoints, for the report's Sankey.

A flow is a pair of consecutive matched events of one customer (order
``(timestamp, event_seq)``) whose stage (or touchpoint) differs; repeats in the same
place are not flows. Counts come back as plain :class:`~journeymap.model.flows.Flow`
rows sorted by source, target (map order), so the result never depends on the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from journeymap.analytics.matching import matched_events_expr
from journeymap.model.flows import Flow, JourneyFlows
from journeymap.model.journey import JourneyMap

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine import EventLog

ORDER = ("timestamp", "event_seq")


def flows_expr(log: EventLog, journey: JourneyMap, level: str) -> ir.Table:
    """Moves between places of ``level`` (``"stage"`` or ``"touchpoint"``):
    ``source``, ``target``, ``source_index``, ``target_index``, ``moves``,
    ``customers``."""
    matched = matched_events_expr(log, journey)
    column = "stage_id" if level == "stage" else "touchpoint_id"
    window = ibis.window(group_by="customer_id", order_by=list(ORDER))
    seq = matched.mutate(
        source=matched[column].lag().over(window),
        source_index=matched.stage_index.lag().over(window),
    )
    moves = seq.filter(seq.source.notnull() & (seq.source != seq[column]))
    return moves.group_by(
        source=moves.source,
        target=moves[column],
        source_index=moves.source_index,
        target_index=moves.stage_index,
    ).agg(moves=moves.count(), customers=moves.customer_id.nunique())


LEVELS = {"stage": "stage_id", "touchpoint": "touchpoint_id"}


def _moves_expr(log: EventLog, journey: JourneyMap) -> ir.Table:
    """Consecutive matched events of one customer whose stage or touchpoint differs,
    with the previous event's place: ``prev_stage_id``, ``prev_touchpoint_id``,
    ``prev_index``."""
    matched = matched_events_expr(log, journey)
    window = ibis.window(group_by="customer_id", order_by=list(ORDER))
    seq = matched.select(
        "customer_id",
        "stage_id",
        "touchpoint_id",
        "stage_index",
        prev_stage_id=matched.stage_id.lag().over(window),
        prev_touchpoint_id=matched.touchpoint_id.lag().over(window),
        prev_index=matched.stage_index.lag().over(window),
    )
    return seq.filter(
        seq.prev_index.notnull()
        & (
            (seq.prev_stage_id != seq.stage_id)
            | (seq.prev_touchpoint_id != seq.touchpoint_id)
        )
    )


def _counts(moves: ir.Table, level: str) -> ir.Table:
    """:func:`flows_expr`'s counts from :func:`_moves_expr`'s moves."""
    column = LEVELS[level]
    source = moves[f"prev_{column}"]
    mine = moves.filter(source != moves[column])
    return mine.group_by(
        source=mine[f"prev_{column}"],
        target=mine[column],
        source_index=mine.prev_index,
        target_index=mine.stage_index,
    ).agg(moves=mine.count(), customers=mine.customer_id.nunique())


def measure_flows(log: EventLog, journey: JourneyMap) -> JourneyFlows:
    """Stage-to-stage and touchpoint-to-touchpoint flows of a map on an event log.

    Examples
    --------
    >>> import journeymap as jm
    >>> log, journey = jm.examples.events(), jm.examples.journey()
    >>> [(f.source, f.target, f.back) for f in measure_flows(log, journey).stages]
    [('aware', 'buy', False), ('buy', 'aware', True)]
    """
    order = {tp.id: i for i, (_, tp) in enumerate(journey.touchpoints())}
    order.update({s.id: i for i, s in enumerate(journey.stages)})
    found = {}
    engine = log.engine
    with engine.scratch():
        # one sort of the log for both levels (each level's own query sorted it again)
        moves = engine.materialize(_moves_expr(log, journey), prefix="moves")
        frames = {level: engine.to_pandas(_counts(moves, level)) for level in LEVELS}
    for level, frame in frames.items():
        rows = [
            Flow(
                source=str(r["source"]),
                target=str(r["target"]),
                moves=int(r["moves"]),
                customers=int(r["customers"]),
                back=int(r["target_index"]) < int(r["source_index"]),
            )
            for r in frame.to_dict("records")
        ]
        found[level] = tuple(
            sorted(
                rows,
                key=lambda f: (
                    order.get(f.source, -1),
                    order.get(f.target, -1),
                    f.source,
                    f.target,
                ),
            )  # fmt: skip
        )
    return JourneyFlows(stages=found["stage"], touchpoints=found["touchpoint"])
