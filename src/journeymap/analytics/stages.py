"""Stage metrics: how customers move through the stages of a journey map.

Definitions (docs/reference/metrics.md "Stages"): an event's stage is
the stage of the first touchpoint whose rule it matches; only matched events take
part, in each customer's order ``(timestamp, event_seq)``. A *stay* is a run of
consecutive matched events in one stage (unmatched events in between do not break
it); a *move* is a pair of consecutive matched events in different stages, and a
*regression* is a move to an earlier stage.

Each figure is an Ibis expression built with window functions and joins, so the
same code runs on DuckDB and Spark; quantiles are exact (linear interpolation
between order statistics: :func:`exact_quantiles_expr`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from journeymap.analytics.matching import matched_events_expr
from journeymap.errors import AnalysisError
from journeymap.model.analysis import (
    StageMove,
    StageProgress,
    StageTable,
    StageTransitions,
)
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import StageFigures
from journeymap.model.values import optional_float

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.engine import EventLog

__all__ = [
    "StageMove",
    "StageProgress",
    "StageTable",
    "StageTransitions",
    "customer_sequence_expr",
    "customer_stages_expr",
    "exact_quantiles_expr",
    "measure_stages",
    "stage_counts_expr",
    "stage_progress",
    "stage_progress_expr",
    "stage_sequence_expr",
    "stage_transitions",
    "stage_transitions_expr",
]

ORDER = ("timestamp", "event_seq")
# the count columns of ``stage_counts_expr``, in their order
STAGE_COUNTS = (
    "reached",
    "entries",
    "events",
    "regressions_out",
    "current",
    "furthest",
    "converted_next",
    "converted_later",
    "closed_stays",
)


# -- building blocks --------------------------------------------------------------
def _customer_window(*, descending: bool = False) -> Any:
    keys = [ibis.desc(c) for c in ORDER] if descending else list(ORDER)
    return ibis.window(group_by="customer_id", order_by=keys)


def stage_sequence_expr(log: EventLog, journey: JourneyMap) -> ir.Table:
    """Matched events with ``pos`` (0-based, per customer), ``prev_stage``, ``entry``.

    ``prev_stage`` is the stage of the customer's previous matched event (null for
    the first); ``entry`` is true where a stay begins.
    """
    return customer_sequence_expr(matched_events_expr(log, journey))


def customer_sequence_expr(matched: ir.Table) -> ir.Table:
    """Matched events (any table with ``customer_id``, ``timestamp``, ``event_seq``
    and ``stage_index``) with ``pos``, ``prev_stage`` and ``entry`` per customer, as
    :func:`stage_sequence_expr`."""
    window = _customer_window()
    seq = matched.mutate(
        pos=ibis.row_number().over(window),
        prev_stage=matched.stage_index.lag().over(window),
    )
    return seq.mutate(
        entry=seq.prev_stage.isnull() | (seq.prev_stage != seq.stage_index)
    )


def _with_entry(seq: ir.Table) -> ir.Table:
    """A caller's sequence with the ``entry`` flag (derived when it has none)."""
    if "entry" in seq.columns:
        return seq
    return seq.mutate(
        entry=seq.prev_stage.isnull() | (seq.prev_stage != seq.stage_index)
    )


def _stays_per_customer(seq: ir.Table) -> ir.Table:
    """Per (customer, stage): first and last position, time of first entry, and
    whether the customer's next reached stage is k+1 with an event after entry."""
    stays = seq.group_by(["customer_id", "stage_index"]).agg(
        first_pos=seq.pos.min(),
        last_pos=seq.pos.max(),
        first_ts=seq.timestamp.min(),
    )
    # rows are one per (customer, stage): the next row in stage order is the next
    # stage reached, so "k+1 after first entry" needs no self-join
    window = ibis.window(group_by="customer_id", order_by="stage_index")
    return stays.mutate(
        next_ok=(stays.stage_index.lead().over(window) == stays.stage_index + 1)
        & (stays.last_pos.lead().over(window) > stays.first_pos)
    )


def _exits(seq: ir.Table, stays: ir.Table) -> ir.Table:
    """Per (customer, stage): the first later-stage event after first entry.

    ``seconds`` is null for open stays (no such event).

    That event always begins a stay (the event before it is in stage k or earlier,
    or is the first entry itself), so only entries need joining: the same result
    from a join about four times smaller.
    """
    entries = seq.filter(seq.entry)
    later = entries.select("customer_id", "stage_index", "pos", "timestamp").view()
    joined = stays.left_join(
        later,
        (stays.customer_id == later.customer_id)
        & (later.stage_index > stays.stage_index)
        & (later.pos > stays.first_pos),
    )
    exits = joined.group_by(
        customer_id=stays.customer_id, stage_index=stays.stage_index
    ).agg(
        first_ts=stays.first_ts.min(),
        exit_ts=later.timestamp.min(),
        next_ok=stays.next_ok.fill_null(False).max(),
    )
    return exits.mutate(
        seconds=exits.exit_ts.delta(exits.first_ts, unit="millisecond") / 1000
    )


def exact_quantiles_expr(
    table: ir.Table, by: str, value: str, quantiles: dict[str, float]
) -> ir.Table:
    """Exact quantiles of ``value`` per ``by`` group (linear interpolation, type 7),
    with ``n`` values behind them. Null values are ignored.

    The one quantile of the project, as in transitions, funnels and time to convert:
    Ibis' ``quantile`` is exact on every engine we run (DuckDB ``quantile_cont``,
    Spark ``percentile``, PostgreSQL ``percentile_cont``), never an approximation.
    """
    data = table.filter(table[value].notnull())
    column = data[value]
    return data.group_by(by).agg(
        n=column.count(), **{name: column.quantile(q) for name, q in quantiles.items()}
    )


def _per_event(seq: ir.Table) -> ir.Table:
    """Event-level counts in one pass over one window (the next matched event)."""
    flagged = seq.mutate(_next=seq.stage_index.lead().over(_customer_window()))
    return flagged.group_by("stage_index").agg(
        entries=flagged.entry.sum(),
        events=flagged.count(),
        regressions_out=(flagged._next < flagged.stage_index).fill_null(False).sum(),
        # matched events always have a stage: only the latest has no next one
        current=flagged._next.isnull().sum(),
    )


def _per_stay(exits: ir.Table) -> ir.Table:
    """Per stage from the one row per (customer, stage) entered."""
    return exits.group_by("stage_index").agg(
        reached=exits.count(),
        converted_next=exits.next_ok.sum(),
        converted_later=exits.exit_ts.notnull().sum(),
    )


def _per_furthest(seq: ir.Table) -> ir.Table:
    """Customers whose furthest stage is each stage."""
    top = seq.group_by("customer_id").agg(stage_index=seq.stage_index.max())
    return top.group_by("stage_index").agg(furthest=top.count())


def _stage_spine(journey: JourneyMap) -> ir.Table:
    return ibis.memtable(
        {"stage_index": list(range(len(journey.stages)))},
        schema={"stage_index": "int64"},
    )


def stage_counts_expr(
    log: EventLog, journey: JourneyMap, *, sequence: ir.Table | None = None
) -> ir.Table:
    """One row per stage (``stage_index``) with the counts behind ``StageFigures``.

    Columns: ``reached``, ``entries``, ``events``, ``converted_next``,
    ``converted_later``, ``furthest``, ``current``, ``regressions_out``,
    ``closed_stays``, ``median_time_s``, ``p90_time_s``. Missing counts are 0.
    ``sequence`` is :func:`stage_sequence_expr` of ``log`` computed (and
    materialised) by the caller, or a table with the same rows and columns.
    """
    seq = (
        stage_sequence_expr(log, journey) if sequence is None else _with_entry(sequence)
    )
    exits = _exits(seq, _stays_per_customer(seq))
    times = exact_quantiles_expr(
        exits, "stage_index", "seconds", {"median_time_s": 0.5, "p90_time_s": 0.9}
    ).rename(closed_stays="n")
    table = _stage_spine(journey)
    for part in (_per_event(seq), _per_stay(exits), _per_furthest(seq), times):
        table = table.left_join(part, "stage_index").drop("stage_index_right")
    counts = {c: table[c].fill_null(0) for c in STAGE_COUNTS}
    return table.select(
        "stage_index", **counts, median_time_s="median_time_s", p90_time_s="p90_time_s"
    ).order_by("stage_index")


# -- public metrics ---------------------------------------------------------------
def _share(count: int, total: int) -> float | None:
    return None if total == 0 else count / total


def _figures(stage_id: str, row: dict[str, Any], *, last: bool) -> StageFigures:
    reached = int(row["reached"])
    return StageFigures(
        stage_id=stage_id,
        reached=reached,
        entries=int(row["entries"]),
        conversion_next=None if last else _share(int(row["converted_next"]), reached),
        conversion_later=None if last else _share(int(row["converted_later"]), reached),
        dropoff=None if last else _share(int(row["furthest"]), reached),
        median_time_s=optional_float(row["median_time_s"]),
        p90_time_s=optional_float(row["p90_time_s"]),
        regressions_out=int(row["regressions_out"]),
        current=int(row["current"]),
        events=int(row["events"]),
        closed_stays=int(row["closed_stays"]),
    )


def measure_stages(
    log: EventLog, journey: JourneyMap, *, sequence: ir.Table | None = None
) -> StageTable:
    """Measure every stage of the map: reach, entries, conversion, drop-off, time.

    Parameters
    ----------
    log
        The events.
    journey
        The map; its touchpoints' rules assign events to stages.
    sequence
        :func:`stage_sequence_expr` of ``log``, already materialised by a caller
        that uses it more than once (at least ``customer_id``, ``timestamp``,
        ``stage_index``, ``pos`` and ``prev_stage``); built here when None.

    Returns
    -------
    StageTable
        One ``StageFigures`` per stage, in map order (see docs/reference/metrics.md).

    Examples
    --------
    >>> import journeymap as jm
    >>> log, journey = jm.examples.events(), jm.examples.journey()
    >>> aware = measure_stages(log, journey).figures("aware")
    >>> aware.reached, aware.conversion_next, aware.median_time_s
    (3, 0.6666666666666666, 240.0)
    """
    frame = log.engine.to_pandas(stage_counts_expr(log, journey, sequence=sequence))
    rows = frame.sort_values("stage_index").to_dict("records")
    last = len(journey.stages) - 1
    stages = tuple(
        _figures(stage.id, row, last=i == last)
        for i, (stage, row) in enumerate(zip(journey.stages, rows, strict=True))
    )
    customers = int(sum(int(r["current"]) for r in rows))
    return StageTable(stages=stages, customers=customers)


def _stage_id_of(index: ir.IntegerValue, journey: JourneyMap) -> ir.StringValue:
    cases = [(index == i, stage.id) for i, stage in enumerate(journey.stages)]
    if not cases:
        return ibis.null("string")
    return ibis.cases(*cases, else_=ibis.null("string"))


def stage_transitions_expr(log: EventLog, journey: JourneyMap) -> ir.Table:
    """Moves between stages: ``from_index``, ``to_index``, ``moves``, ``customers``."""
    seq = stage_sequence_expr(log, journey)
    moves = seq.filter(seq.prev_stage.notnull() & seq.entry)
    return moves.group_by(from_index=moves.prev_stage, to_index=moves.stage_index).agg(
        moves=moves.count(), customers=moves.customer_id.nunique()
    )


def _moves_from_frame(
    frame: pd.DataFrame, journey: JourneyMap
) -> tuple[StageMove, ...]:
    ids = journey.stage_ids()
    rows = []
    for record in frame.to_dict("records"):
        start = record["from_index"]
        start = None if start is None or start != start else int(start)
        end = int(record["to_index"])
        rows.append((-1 if start is None else start, end, record))
    return tuple(
        StageMove(
            from_stage=None if start < 0 else ids[start],
            to_stage=ids[end],
            moves=int(record["moves"]),
            customers=int(record["customers"]),
            regression=start >= 0 and end < start,
        )
        for start, end, record in sorted(rows, key=lambda r: (r[0], r[1]))
    )


def stage_transitions(log: EventLog, journey: JourneyMap) -> StageTransitions:
    """Count moves between stages, regressions (moves to an earlier stage) flagged.

    Parameters
    ----------
    log
        The events.
    journey
        The map.

    Returns
    -------
    StageTransitions
        One ``StageMove`` per (from, to) stage pair seen; ``matrix()`` pivots them.

    Examples
    --------
    >>> import journeymap as jm
    >>> log, journey = jm.examples.events(), jm.examples.journey()
    >>> [(m.from_stage, m.to_stage, m.moves) for m in stage_transitions(log, journey).moves]
    [('aware', 'buy', 2), ('buy', 'aware', 1)]
    """
    frame = log.engine.to_pandas(stage_transitions_expr(log, journey))
    moves = _moves_from_frame(frame, journey)
    return StageTransitions(stage_ids=tuple(journey.stage_ids()), moves=moves)


def _current_stage_at(seq: ir.Table, moment: dt.datetime) -> ir.Table:
    """Per customer: the stage of the latest matched event strictly before ``moment``."""
    before = seq.filter(seq.timestamp < moment)
    ranked = before.mutate(
        _rn=ibis.row_number().over(_customer_window(descending=True))
    )
    last = ranked.filter(ranked._rn == 0)
    return last.select("customer_id", "stage_index")


def stage_progress_expr(
    log: EventLog, journey: JourneyMap, start: dt.datetime, end: dt.datetime
) -> ir.Table:
    """Customers per (stage at ``start``, stage at ``end``): ``from_index``,
    ``to_index``, ``customers`` (``from_index`` null: no stage yet at ``start``)."""
    seq = stage_sequence_expr(log, journey)
    at_start = _current_stage_at(seq, start).rename(from_index="stage_index")
    at_end = _current_stage_at(seq, end).rename(to_index="stage_index")
    joined = at_end.left_join(at_start, "customer_id")
    counts = joined.group_by("from_index", "to_index").agg(customers=joined.count())
    return counts.mutate(moves=counts.customers)


def stage_progress(
    log: EventLog, journey: JourneyMap, start: dt.datetime, end: dt.datetime
) -> StageProgress:
    """Where customers stood at ``start`` and at ``end`` of a period, and how they moved.

    A customer's stage at a moment is the stage of its latest matched event strictly
    before that moment; customers with no matched event before ``end`` are left out.

    Parameters
    ----------
    log
        The events.
    journey
        The map.
    start, end
        The period ``[start, end)`` as naive UTC datetimes.

    Returns
    -------
    StageProgress
        Counts per stage at both moments and one ``StageMove`` per (from, to) pair;
        ``from_stage`` None counts customers who had no stage yet at ``start``.

    Examples
    --------
    >>> import journeymap as jm
    >>> log, journey = jm.examples.events(), jm.examples.journey()
    >>> import datetime as dt
    >>> progress = stage_progress(
    ...     log, journey, dt.datetime(2024, 1, 1, 10, 1), dt.datetime(2024, 1, 2))
    >>> progress.at_start, progress.at_end
    ({'aware': 2}, {'aware': 2, 'buy': 1})
    """
    if end <= start:
        raise AnalysisError(f"period end {end} must be after start {start}")
    frame = log.engine.to_pandas(stage_progress_expr(log, journey, start, end))
    moves = _moves_from_frame(frame, journey)
    at_start: dict[str, int] = {}
    at_end: dict[str, int] = {}
    for move in moves:
        if move.from_stage is not None:
            at_start[move.from_stage] = (
                at_start.get(move.from_stage, 0) + move.customers
            )
        at_end[move.to_stage] = at_end.get(move.to_stage, 0) + move.customers
    order = {sid: i for i, sid in enumerate(journey.stage_ids())}
    return StageProgress(
        start=start,
        end=end,
        at_start=dict(sorted(at_start.items(), key=lambda kv: order[kv[0]])),
        at_end=dict(sorted(at_end.items(), key=lambda kv: order[kv[0]])),
        moves=moves,
    )


# -- per customer (voc and drivers reuse this) ------------------------------------
def _converted_expr(log: EventLog, journey: JourneyMap, seq: ir.Table) -> ir.Table:
    """Per customer who converted: ``customer_id`` (see ``customer_stages_expr``)."""
    table = log.table
    first = table.group_by("customer_id").agg(first_ts=table.timestamp.min())
    conversion = journey.conversion
    hits: list[ir.Table] = []
    if conversion is None:
        last = len(journey.stages) - 1
        hits.append(
            seq.filter(seq.stage_index == last).select("customer_id", "timestamp")
        )
    else:
        if conversion.event:
            hits.append(
                table.filter(table.event.isin(list(conversion.event))).select(
                    "customer_id", "timestamp"
                )
            )
        if conversion.stage is not None:
            if conversion.stage not in journey.stage_ids():
                raise AnalysisError(
                    f"conversion stage {conversion.stage!r} is not a stage"
                )
            index = journey.stage_ids().index(conversion.stage)
            hits.append(
                seq.filter(seq.stage_index == index).select("customer_id", "timestamp")
            )
    window_s = None if conversion is None else conversion.window_days
    result: ir.Table | None = None
    for hit in hits:
        if window_s is not None:
            hit = hit.join(first, "customer_id")
            seconds = hit.timestamp.delta(hit.first_ts, unit="millisecond") / 1000
            hit = hit.filter(seconds <= window_s * 86400)
        ids = hit.select("customer_id").distinct()
        result = ids if result is None else result.semi_join(ids, "customer_id")
    assert result is not None  # Conversion validates that one condition is given
    return result.mutate(converted=ibis.literal(True))


def customer_stages_expr(
    log: EventLog, journey: JourneyMap, *, sequence: ir.Table | None = None
) -> ir.Table:
    """One row per customer: furthest and current stage, and whether it converted.

    Columns: ``customer_id``, ``furthest_stage_index``, ``furthest_stage``,
    ``current_stage_index``, ``current_stage`` (nulls for customers with no matched
    event) and ``converted``. A customer converts when it has a conversion event
    (``journey.conversion.event``) and/or reaches the conversion stage, within
    ``window_days`` of its first event if set; a map without ``conversion`` counts
    reaching the last stage. ``sequence`` as for :func:`measure_stages`.
    """
    seq = sequence if sequence is not None else stage_sequence_expr(log, journey)
    customers = log.table.select("customer_id").distinct()
    furthest = seq.group_by("customer_id").agg(
        furthest_stage_index=seq.stage_index.max()
    )
    ranked = seq.mutate(_rn=ibis.row_number().over(_customer_window(descending=True)))
    current = ranked.filter(ranked._rn == 0).select(
        "customer_id", current_stage_index=ranked.stage_index
    )
    converted = _converted_expr(log, journey, seq)
    table = customers
    for part in (furthest, current, converted):
        table = table.left_join(part, "customer_id").drop("customer_id_right")
    return table.select(
        "customer_id",
        "furthest_stage_index",
        furthest_stage=_stage_id_of(table.furthest_stage_index, journey),
        current_stage_index=table.current_stage_index,
        current_stage=_stage_id_of(table.current_stage_index, journey),
        converted=table.converted.fill_null(False),
    )
