"""Customer outcomes per touchpoint, stage and stage regression, for everyone and per
persona — the counts behind pain-point candidates, aggregated in the engine.

Definitions (on matched events, in each customer's order; docs/reference/metrics.md):

- a customer **drops off at stage k** when its furthest stage is k (k not the last);
- a customer **exits at touchpoint t** (stage k, not the last) when its latest matched
  event is at t and it drops off at k: the journey ended there;
- a customer **regresses k → j** when two consecutive matched events move it from
  stage k back to j < k before its first conversion (counted once per customer and
  pair); after converting, coming back to browse is a repeat purchase, not a setback;
- a stay in stage k is **slow** when the time from first entry into k to the first
  later-stage event after it exceeds the 90th percentile of all customers' closed
  stays in k (open stays are not timed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics.stages import (
    customer_stages_expr,
    exact_quantiles_expr,
    stage_sequence_expr,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

ALL = ""  # persona key for "all customers"


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """Counts keyed by ``(id, persona)``; persona ``""`` means all customers.

    ``touchpoints[(tp, p)] = (reached, exits)``, ``stages[(k, p)] = (reached, dropped,
    timed, slow)``, ``regressions[((k, j), p)] = customers``; ``carried_on[(tp, p)]``
    and ``carried_on_stage[(k, p)]`` = ``(customers who did not exit / drop there,
    those of them who converted)`` (for what-if estimates).
    """

    touchpoints: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    carried_on: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    carried_on_stage: dict[tuple[int, str], tuple[int, ...]] = field(
        default_factory=dict
    )
    stages: dict[tuple[int, str], tuple[int, int, int, int]] = field(
        default_factory=dict
    )
    regressions: dict[tuple[tuple[int, int], str], int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    converted: dict[str, int] = field(default_factory=dict)


def customer_outcomes_expr(
    log: EventLog, journey: JourneyMap, *, sequence: ir.Table | None = None
) -> ir.Table:
    """Per customer: ``furthest_stage_index``, ``converted`` and ``last_touchpoint``.

    ``sequence``: the matched events in each customer's order, as
    :func:`~journeymap.analytics.stages.stage_sequence_expr` (built when None).
    """
    seq = sequence if sequence is not None else stage_sequence_expr(log, journey)
    # ``pos`` numbers a customer's matched events in order: the latest has the largest
    last = seq.group_by("customer_id").agg(
        last_touchpoint=seq.touchpoint_id.argmax(seq.pos)
    )
    customers = customer_stages_expr(log, journey, sequence=seq)
    joined = customers.left_join(last, "customer_id").drop("customer_id_right")
    return joined.select(
        "customer_id", "furthest_stage_index", "converted", "last_touchpoint"
    )


def customer_stays_expr(seq: ir.Table) -> ir.Table:
    """Per customer and stage entered: ``entry_ts`` and ``moved_ts``, the time of the
    first later-stage event after the first entry (null for an open stay).

    That event always begins a stay (the event before it is in the stage or earlier,
    or is the entry itself), so only the rows where the stage changes are joined.
    """
    stays = seq.group_by(["customer_id", "stage_index"]).agg(
        entry_ts=seq.timestamp.min(), entry_pos=seq.pos.min()
    )
    changes = seq.filter(
        seq.prev_stage.isnull() | (seq.prev_stage != seq.stage_index)
    ).select(
        c_customer=seq.customer_id,
        c_stage=seq.stage_index,
        c_pos=seq.pos,
        c_ts=seq.timestamp,
    )
    joined = stays.left_join(
        changes,
        [
            stays.customer_id == changes.c_customer,
            changes.c_stage > stays.stage_index,
            changes.c_pos > stays.entry_pos,
        ],
    )
    return joined.group_by(["customer_id", "stage_index"]).agg(
        entry_ts=joined.entry_ts.min(), moved_ts=joined.c_ts.min()
    )


def stage_times_expr(stays: ir.Table) -> ir.Table:
    """Per customer and stage: ``seconds`` in the stage (null for an open stay), from
    :func:`customer_stays_expr` (or the journey table's stays, scope customer)."""
    seconds = stays.moved_ts.delta(stays.entry_ts, unit="millisecond") / 1000
    return stays.select("customer_id", "stage_index", seconds=seconds.cast("float64"))


def _slow_stays_expr(times: ir.Table) -> ir.Table:
    p90 = exact_quantiles_expr(times, "stage_index", "seconds", {"p90": 0.9})
    joined = times.left_join(p90, "stage_index").drop("stage_index_right")
    return joined.select(
        "customer_id",
        "stage_index",
        timed=joined.seconds.notnull().cast("int64"),
        slow=(joined.seconds > joined.p90).fill_null(False).cast("int64"),
    )


def _with_personas(table: ir.Table, members: ir.Table) -> ir.Table:
    """The rows once for all customers (persona ``""``) and once per persona."""
    everyone = table.mutate(persona_id=ibis.literal(ALL, "string"))
    tagged = table.join(members, "customer_id")
    return ibis.union(everyone, tagged.select(everyone.columns), distinct=False)


def count_touchpoint_outcomes_expr(
    journey: JourneyMap, seq: ir.Table, customers: ir.Table, members: ir.Table
) -> ir.Table:
    """Per touchpoint and persona: ``reached``, ``exits``."""
    touches = seq.select("customer_id", "touchpoint_id", "stage_index").distinct()
    last_stage = len(journey.stages) - 1
    joined = touches.join(customers, "customer_id")
    exit_ = (
        (joined.last_touchpoint == joined.touchpoint_id)
        & (joined.furthest_stage_index == joined.stage_index)
        & (joined.stage_index < last_stage)
    )
    rows = joined.select(
        "customer_id",
        "touchpoint_id",
        exit=exit_.cast("int64"),
        on_converted=((~exit_) & joined.converted).cast("int64"),
        off_converted=(exit_ & joined.converted).cast("int64"),
    )
    rows = _with_personas(rows, members)
    return rows.group_by(["touchpoint_id", "persona_id"]).agg(
        reached=rows.count(),
        exits=rows.exit.sum(),
        on_converted=rows.on_converted.sum(),
        off_converted=rows.off_converted.sum(),
    )


def count_stage_outcomes_expr(
    journey: JourneyMap, stays: ir.Table, customers: ir.Table, members: ir.Table
) -> ir.Table:
    """Per stage and persona: ``reached``, ``dropped``, ``timed``, ``slow``."""
    slow = _slow_stays_expr(stage_times_expr(stays))
    joined = slow.join(customers, "customer_id")
    last_stage = len(journey.stages) - 1
    dropped = (joined.furthest_stage_index == joined.stage_index) & (
        joined.stage_index < last_stage
    )
    rows = joined.select(
        "customer_id",
        "stage_index",
        "timed",
        "slow",
        dropped=dropped.cast("int64"),
        on_converted=((~dropped) & joined.converted).cast("int64"),
        off_converted=(dropped & joined.converted).cast("int64"),
    )
    rows = _with_personas(rows, members)
    return rows.group_by(["stage_index", "persona_id"]).agg(
        reached=rows.count(),
        dropped=rows.dropped.sum(),
        on_converted=rows.on_converted.sum(),
        off_converted=rows.off_converted.sum(),
        timed=rows.timed.sum(),
        slow=rows.slow.sum(),
    )


def count_regressions_expr(
    log: EventLog, journey: JourneyMap, seq: ir.Table, members: ir.Table
) -> ir.Table:
    """Per (from, to) regression pair and persona: distinct ``customers``."""
    back = seq.filter(seq.prev_stage > seq.stage_index)
    first = first_conversion_expr(log, journey, seq)
    back = back.left_join(first, "customer_id").drop("customer_id_right")
    back = back.filter(
        back.converted_at.isnull() | (back.timestamp <= back.converted_at)
    )
    pairs = back.select(
        "customer_id", from_index=back.prev_stage, to_index=back.stage_index
    ).distinct()
    rows = _with_personas(pairs, members)
    return rows.group_by(["from_index", "to_index", "persona_id"]).agg(
        customers=rows.count()
    )


def first_conversion_expr(
    log: EventLog, journey: JourneyMap, seq: ir.Table
) -> ir.Table:
    """Per converting customer: ``converted_at``, its first conversion event (or, for
    a map converting by stage only, its first event in that stage; without a
    conversion, its first event in the last stage)."""
    conversion = journey.conversion
    if conversion is not None and conversion.event:
        hits = log.table.filter(log.table.event.isin(list(conversion.event)))
    else:
        stage = None if conversion is None else conversion.stage
        ids = journey.stage_ids()
        index = ids.index(stage) if stage in ids else len(ids) - 1
        hits = seq.filter(seq.stage_index == index)
    return hits.group_by("customer_id").agg(converted_at=hits.timestamp.min())


def count_customers_expr(customers: ir.Table, members: ir.Table) -> ir.Table:
    """Per persona (and ``""``): ``customers`` and ``converted``."""
    rows = _with_personas(customers.select("customer_id", "converted"), members)
    return rows.group_by("persona_id").agg(
        customers=rows.count(), converted=rows.converted.cast("int64").sum()
    )


def count_outcomes(
    log: EventLog,
    journey: JourneyMap,
    customers: ir.Table,
    members: ir.Table,
    *,
    sequence: ir.Table | None = None,
    stays: ir.Table | None = None,
) -> OutcomeCounts:
    """Run the four outcome counts and return them as plain dictionaries.

    Parameters
    ----------
    log
        The events.
    journey
        The map.
    customers
        From :func:`customer_outcomes_expr`.
    members
        From :func:`journeymap.voc.segments.persona_members_expr`.
    sequence
        The matched events in each customer's order (``customer_id``,
        ``timestamp``, ``touchpoint_id``, ``stage_index``, ``pos``, ``prev_stage``),
        materialised by the caller: the journey table's sequence. Built from ``log``
        when None.
    stays
        Per customer and stage: ``entry_ts`` and ``moved_ts`` (the journey table's
        stays at scope customer); derived from ``sequence`` when None.

    Returns
    -------
    OutcomeCounts
        Plain dictionaries keyed by place and persona.
    """
    seq = sequence if sequence is not None else stage_sequence_expr(log, journey)
    stays = stays if stays is not None else customer_stays_expr(seq)
    run = log.execute
    tps = run(count_touchpoint_outcomes_expr(journey, seq, customers, members))
    stages = run(count_stage_outcomes_expr(journey, stays, customers, members))
    regs = run(count_regressions_expr(log, journey, seq, members))
    people = run(count_customers_expr(customers, members))
    tp_rows, stage_rows = tps.to_dict("records"), stages.to_dict("records")
    return OutcomeCounts(
        carried_on={
            (r["touchpoint_id"], r["persona_id"]): (
                as_count(r["reached"]) - as_count(r["exits"]),
                as_count(r["on_converted"]),
                as_count(r["exits"]),
                as_count(r["off_converted"]),
            )
            for r in tp_rows
        },
        carried_on_stage={
            (as_count(r["stage_index"]), r["persona_id"]): (
                as_count(r["reached"]) - as_count(r["dropped"]),
                as_count(r["on_converted"]),
                as_count(r["dropped"]),
                as_count(r["off_converted"]),
            )
            for r in stage_rows
        },
        touchpoints={
            (r["touchpoint_id"], r["persona_id"]): (
                as_count(r["reached"]),
                as_count(r["exits"]),
            )
            for r in tp_rows
        },
        stages={
            (as_count(r["stage_index"]), r["persona_id"]): (
                as_count(r["reached"]),
                as_count(r["dropped"]),
                as_count(r["timed"]),
                as_count(r["slow"]),
            )
            for r in stage_rows
        },
        regressions={
            (
                (as_count(r["from_index"]), as_count(r["to_index"])),
                r["persona_id"],
            ): as_count(r["customers"])
            for r in regs.to_dict("records")
        },
        customers={
            r["persona_id"]: as_count(r["customers"]) for r in people.to_dict("records")
        },
        converted={
            r["persona_id"]: as_count(r["converted"]) for r in people.to_dict("records")
        },
    )


def as_count(value: Any) -> int:
    """A count from a query result: a missing (null or NaN) sum is 0."""
    return 0 if value is None or value != value else int(value)
