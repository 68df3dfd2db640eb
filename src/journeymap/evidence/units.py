"""The journey table, built once: every unit's stays, touches, signals and answers.

A *unit* is a customer (scope ``customer``) or a session (scope ``session``). Built
from the matched events in each unit's canonical order ``(timestamp, event_seq)``:

- ``stays``: one row per unit and stage it entered — ``entry_ts`` (first event in the
  stage), ``moved_ts`` (first event of a later stage after that entry; null if none),
  ``dropped`` (the unit's furthest stage is this one and it is not the last),
  ``looped`` (within one session, the unit moved from this stage back to an earlier
  one) and ``returned`` (the unit came back to an earlier stage at the start of a
  later session: a *return*, not a loop).
- ``touches``: one row per unit and touchpoint: ``first_ts``.
- ``signals``: per unit and signal event (the events pain points name): ``last_ts``.
- ``answers``: per unit and touchpoint of survey answers and comments: whether any
  answer was low (NPS 0–6, CSAT 1–2, CES 1–3 on CES 2.0's 1–7 ease scale) and any
  comment negative (VADER compound ≤ −0.05).

Each table is materialised once and every judge (verdicts, suggestions, incidents,
series) aggregates over it, so the cost of ``measure`` grows with the number of
pain points by one small aggregation each, not by a rebuild of the sequence.

Observation windows differ between units: a customer who entered checkout yesterday
has had no time to move on. For every stage ``k`` a horizon ``H_k`` is the 95th
percentile of the time units took to move on (capped at a third of the data's span);
a stay is *observable* when it began at least ``H_k`` before the data end, and only
observable stays enter drop-off, loop and slow contrasts (equal windows for all
cohorts). A drop-off in those contrasts is ``left``: the stay did not move on within
``H_k`` — not "never moved on", which an old cohort had months to disprove and a
recent one only ``H_k``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics.matching import matched_events_expr
from journeymap.analytics.stages import exact_quantiles_expr
from journeymap.voc.scores import SCORE_RANGES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

__all__ = ["LOW_SCORE", "Units", "build_units"]

# the highest answer that counts as low, per score kind (inclusive)
LOW_SCORE = {"nps": 6.0, "csat": 2.0, "ces": 3.0}
NEGATIVE_TEXT = -0.05


@dataclass(frozen=True)
class Horizon:
    """Per stage: observation horizon ``seconds`` and median move-on ``median_s``."""

    seconds: float
    median_s: float | None


@dataclass(frozen=True)
class Units:
    """The materialised journey table of one log, map and scope."""

    log: EventLog
    journey: JourneyMap
    scope: str
    events: ir.Table  # the log's events with ``unit_id``
    stays: ir.Table
    touches: ir.Table
    signals: ir.Table | None
    answers: ir.Table | None
    observations: ir.Table | None  # the answers and comments they come from
    texts: pd.DataFrame | None  # the comments with their sentiment
    start: dt.datetime
    end: dt.datetime
    horizons: dict[int, Horizon] = field(default_factory=dict)
    event_names: frozenset[str] = frozenset()
    seq: ir.Table | None = None  # the matched events in order, per unit and session
    signal_events: frozenset[str] = frozenset()  # the events pain points name
    # tables derived from these once and shared by every judge (session visits,
    # persona attributes): see :meth:`shared`
    _shared: dict[Any, ir.Table] = field(
        default_factory=dict, compare=False, repr=False
    )

    def execute(self, expr: Any) -> Any:
        return self.log.execute(expr)

    def shared(self, key: Any, build: Callable[[], ir.Table], prefix: str) -> ir.Table:
        """``build()`` materialised on the first call for ``key``, reused after.

        The judges aggregate the same derived tables many times (each persona's
        tests, each series, each hypothesis); computed once, each later query is a
        scan of a small table instead of a rebuild from the sequence or the events.
        """
        table = self._shared.get(key)
        if table is None:
            table = self.log.engine.materialize(build(), prefix=prefix)
            self._shared[key] = table
        return table


def unit_events_expr(log: EventLog, scope: str) -> ir.Table:
    """The events with ``unit_id``: the customer id, or the session id."""
    table = log.table
    unit = table.customer_id if scope == "customer" else table.session_id
    return table.mutate(unit_id=unit.cast("string"))


def build_units(
    log: EventLog,
    journey: JourneyMap,
    *,
    scope: str = "customer",
    signal_events: frozenset[str] = frozenset(),
    observations: ir.Table | None = None,
    texts: pd.DataFrame | None = None,
    negative_texts: ir.Table | None = None,
) -> Units:
    """Build and materialise the journey table of ``log`` under ``journey``.

    Parameters
    ----------
    log
        Canonical events with a non-null ``session_id`` (sessions are derived by the
        caller when the data has none).
    journey
        The map.
    scope
        ``customer`` or ``session``.
    signal_events
        Event names whose latest time per unit is kept (pain points' signals).
    observations
        Survey answers and comments with ``customer_id``, ``timestamp``,
        ``touchpoint_id``, ``stage_index``, ``score``, ``score_kind``, ``text``.
    texts
        The comments with their sentiment (kept for the caller).
    negative_texts
        ``text, negative`` for every distinct comment (its sentiment).

    Returns
    -------
    Units
        Materialised ``stays``, ``touches``, ``signals`` and ``answers``.
    """
    engine = log.engine
    # a projection of the (materialised) log, not a copy of every column of it
    events = unit_events_expr(log, scope)
    unit_log = log.with_table(events)
    seq = _sequence(unit_log, journey)
    seq = engine.materialize(seq, prefix="seq")
    stays = engine.materialize(_stays(seq, len(journey.stages)), prefix="stays")
    touches = engine.materialize(
        seq.group_by(["unit_id", "touchpoint_id", "stage_index"]).agg(
            first_ts=seq.timestamp.min()
        ),
        prefix="touches",
    )
    signals = None
    if signal_events:
        hits = events.filter(events.event.isin(sorted(signal_events)))
        signals = engine.materialize(
            hits.group_by(["unit_id", "event"]).agg(
                first_ts=hits.timestamp.min(), last_ts=hits.timestamp.max()
            ),
            prefix="signals",
        )
    bounds = log.execute(
        events.aggregate(start=events.timestamp.min(), end=events.timestamp.max())
    )
    start, end = _timestamp(bounds["start"].iloc[0]), _timestamp(bounds["end"].iloc[0])
    names = log.execute(events.select("event").distinct())["event"]
    answers = None
    if observations is not None:
        answers = engine.materialize(
            _answers(events, observations, negative_texts, scope), prefix="answers"
        )
    horizons = _horizons(log, stays, end, (end - start).total_seconds())
    stays = engine.materialize(
        _judged(stays, horizons, end, len(journey.stages)), prefix="stays_judged"
    )
    return Units(
        log=log,
        journey=journey,
        scope=scope,
        events=events,
        stays=stays,
        touches=touches,
        signals=signals,
        answers=answers,
        observations=observations,
        texts=texts,
        start=start,
        end=end,
        horizons=horizons,
        event_names=frozenset(str(n) for n in names if n is not None),
        seq=seq,
        signal_events=frozenset(signal_events),
    )


def _timestamp(value: Any) -> dt.datetime:
    import pandas as pd

    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()  # type: ignore[no-any-return]


def _sequence(log: EventLog, journey: JourneyMap) -> ir.Table:
    matched = matched_events_expr(log, journey)
    order = [matched.timestamp, matched.event_seq]
    by_unit = ibis.window(group_by=matched.unit_id, order_by=order)
    by_session = ibis.window(group_by=matched.session_id, order_by=order)
    return matched.select(
        "unit_id",
        "customer_id",
        "session_id",
        "timestamp",
        "event_seq",
        "touchpoint_id",
        "stage_index",
        pos=ibis.row_number().over(by_unit),
        prev_stage=matched.stage_index.lag().over(by_unit),
        prev_in_session=matched.stage_index.lag().over(by_session),
    )


def _stays(seq: ir.Table, stages: int) -> ir.Table:
    stays = seq.group_by(["unit_id", "stage_index"]).agg(
        customer_id=seq.customer_id.min(),
        entry_ts=seq.timestamp.min(),
        entry_pos=seq.pos.min(),
    )
    # the first later-stage event after an entry is always a stage change, so the
    # non-equi join only needs the (few) rows where the stage changes
    changes = seq.filter(
        seq.prev_stage.isnull() | (seq.prev_stage != seq.stage_index)
    ).select(
        c_unit=seq.unit_id, c_stage=seq.stage_index, c_pos=seq.pos, c_ts=seq.timestamp
    )
    later = stays.join(
        changes,
        [
            stays.unit_id == changes.c_unit,
            changes.c_stage > stays.stage_index,
            changes.c_pos > stays.entry_pos,
        ],
    )
    moved = later.group_by(["unit_id", "stage_index"]).agg(moved_ts=later.c_ts.min())
    furthest = seq.group_by("unit_id").agg(furthest=seq.stage_index.max())
    loops = (
        seq.filter(seq.prev_in_session > seq.stage_index)
        .select("unit_id", stage_index=seq.prev_in_session)
        .distinct()
        .mutate(looped=ibis.literal(True))
    )
    returns = (
        seq.filter(seq.prev_in_session.isnull() & (seq.prev_stage > seq.stage_index))
        .select("unit_id", stage_index=seq.prev_stage)
        .distinct()
        .mutate(returned=ibis.literal(True))
    )
    out = stays.left_join(moved, ["unit_id", "stage_index"]).select(
        stays, moved_ts=moved.moved_ts
    )
    out = out.left_join(furthest, "unit_id").select(out, furthest=furthest.furthest)
    out = out.left_join(loops, ["unit_id", "stage_index"]).select(
        out, looped=loops.looped
    )
    out = out.left_join(returns, ["unit_id", "stage_index"]).select(
        out, returned=returns.returned
    )
    return out.select(
        "unit_id",
        "customer_id",
        "stage_index",
        "entry_ts",
        "moved_ts",
        dropped=(out.furthest == out.stage_index) & (out.stage_index < stages - 1),
        looped=out.looped.fill_null(False),
        returned=out.returned.fill_null(False),
    )


def _horizons(
    log: EventLog, stays: ir.Table, end: dt.datetime, span_s: float
) -> dict[int, Horizon]:
    delay = (stays.moved_ts.delta(stays.entry_ts, unit="millisecond") / 1000).cast(
        "float64"
    )
    timed = stays.select("stage_index", "entry_ts", seconds=delay)
    p95 = log.execute(
        exact_quantiles_expr(timed, "stage_index", "seconds", {"q": 0.95})
    )
    cap = span_s / 3
    horizon = {
        int(r["stage_index"]): min(float(r["q"]), cap)
        for r in p95.to_dict("records")
        if r["q"] == r["q"]
    }
    # the median move-on time within the horizon, among observable stays
    parts = []
    for k, seconds in sorted(horizon.items()):
        cutoff = end - dt.timedelta(seconds=seconds)
        parts.append(
            timed.filter(
                (timed.stage_index == k)
                & (timed.entry_ts <= ibis.literal(cutoff, "timestamp"))
                & (timed.seconds <= seconds)
            )
        )
    medians: dict[int, float] = {}
    if parts:
        within = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
        frame = log.execute(
            exact_quantiles_expr(within, "stage_index", "seconds", {"q": 0.5})
        )
        medians = {
            int(r["stage_index"]): float(r["q"])
            for r in frame.to_dict("records")
            if r["q"] == r["q"]
        }
    return {k: Horizon(s, medians.get(k)) for k, s in horizon.items()}


def _judged(
    stays: ir.Table, horizons: dict[int, Horizon], end: dt.datetime, stages: int
) -> ir.Table:
    """Stays with ``observable``, ``timed`` (moved on within the horizon), ``left``
    (observable, not the last stage, and not moved on within the horizon: a drop-off
    judged in the same window for every cohort) and ``slow``."""
    delay = (stays.moved_ts.delta(stays.entry_ts, unit="millisecond") / 1000).cast(
        "float64"
    )
    cutoff = (
        ibis.cases(
            *[
                (
                    stays.stage_index == k,
                    ibis.literal(end - dt.timedelta(seconds=h.seconds), "timestamp"),
                )
                for k, h in sorted(horizons.items())
            ],
            else_=ibis.literal(end, "timestamp"),
        )
        if horizons
        else ibis.literal(end, "timestamp")
    )
    limit = (
        ibis.cases(
            *[(stays.stage_index == k, h.seconds) for k, h in sorted(horizons.items())],
            else_=ibis.null("float64"),
        )
        if horizons
        else ibis.null("float64")
    )
    median = (
        ibis.cases(
            *[
                (stays.stage_index == k, h.median_s)
                for k, h in sorted(horizons.items())
                if h.median_s is not None
            ],
            else_=ibis.null("float64"),
        )
        if any(h.median_s is not None for h in horizons.values())
        else ibis.null("float64")
    )
    observable = stays.entry_ts <= cutoff
    timed = (observable & delay.notnull() & (delay <= limit)).fill_null(False)
    return stays.mutate(
        observable=observable,
        timed=timed,
        left=(observable & ~timed & (stays.stage_index < stages - 1)).fill_null(False),
        slow=(timed & (delay > median)).fill_null(False),
    )


def _answers(
    events: ir.Table,
    observations: ir.Table,
    negative_texts: ir.Table | None,
    scope: str,
) -> ir.Table:
    """Per unit and touchpoint: ``first_ts``, ``scored``, ``low``, ``commented``,
    ``negative`` (counts of answers and comments, and of the low / negative ones)."""
    obs = observations.filter(observations.touchpoint_id.notnull())
    kind = obs.score_kind.lower()
    valid = ibis.literal(False)
    low = ibis.literal(False)
    for name, (lo, hi) in SCORE_RANGES.items():
        in_range = (kind == name) & obs.score.between(lo, hi)
        valid = valid | in_range
        low = low | (in_range & (obs.score <= LOW_SCORE[name]))
    obs = obs.mutate(
        _scored=valid.fill_null(False).cast("int64"),
        _low=low.fill_null(False).cast("int64"),
        _text=(obs.text.notnull() & (obs.text.strip() != "")).cast("int64"),
    )
    if negative_texts is not None:
        obs = obs.left_join(negative_texts, obs.text == negative_texts.text).select(
            obs, _neg=negative_texts.negative.fill_null(False).cast("int64")
        )
    else:
        obs = obs.mutate(_neg=ibis.literal(0, "int64"))
    if scope == "customer":
        obs = obs.mutate(unit_id=obs.customer_id.cast("string"))
    else:
        obs = _to_sessions(events, obs)
    return obs.group_by(["unit_id", "touchpoint_id", "stage_index"]).agg(
        first_ts=obs.timestamp.min(),
        scored=obs._scored.sum(),
        low=obs._low.sum(),
        commented=obs._text.sum(),
        negative=obs._neg.sum(),
    )


def _to_sessions(events: ir.Table, obs: ir.Table) -> ir.Table:
    """Each answer to the customer's latest session that began at or before it."""
    starts = events.group_by(["customer_id", "unit_id"]).agg(
        s_start=events.timestamp.min()
    )
    starts = starts.select(
        s_customer=starts.customer_id, s_unit=starts.unit_id, s_start=starts.s_start
    )
    numbered = obs.mutate(
        _obs=ibis.row_number().over(
            order_by=[obs.customer_id, obs.timestamp, obs.text, obs.score]
        )
    )
    joined = numbered.join(
        starts,
        [
            numbered.customer_id == starts.s_customer,
            starts.s_start <= numbered.timestamp,
        ],
    )
    ranked = joined.mutate(
        _r=ibis.row_number().over(
            group_by=joined._obs, order_by=[ibis.desc(joined.s_start), joined.s_unit]
        )
    )
    chosen = ranked.filter(ranked._r == 0)
    return chosen.mutate(unit_id=chosen.s_unit).drop(
        "s_customer", "s_unit", "s_start", "_r", "_obs"
    )
