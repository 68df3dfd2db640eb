"""Funnels: how many customers reach each step, in order, strictly or in any order.

Every mode first builds one row per customer who reached step 1 (the *reach table*:
``r0..r{n-1}`` flags, ``t0..t{n-1}`` timestamps of the matched events, and the
breakdown value ``b``), then a single aggregation counts customers per step. The exact
definitions are in docs/reference/metrics.md; in short (docs/reference/metrics.md):

* ``ordered``: greedy earliest match. ``t0`` is the first step-1 event; step ``j``
  matches the earliest ``steps[j]`` event strictly later than its reference step (the
  last required step before it) and inside the windows. Computed by one join per step,
  so repeated step names work and no ordered ``collect`` is needed.
* ``strict``: the steps are consecutive events of the customer (no other event between)
  with strictly increasing timestamps; the run reaching furthest (earliest on ties)
  counts. Computed with ``lead`` windows.
* ``any_order``: the customer has every step (with multiplicity) within ``window_s`` of
  its first event that is a step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics._funnel_spec import FunnelSpec, make_spec
from journeymap.analytics._sequence import (
    after_seconds,
    customer_window,
    require_column,
    seconds_between,
)
from journeymap.model.results import FunnelResult, FunnelStep, StepTime
from journeymap.model.values import optional_float, plain

if TYPE_CHECKING:
    from journeymap.engine import EventLog

__all__ = ["funnel_expr", "make_spec", "measure_funnel", "reach_expr"]

NULL_TS = ibis.null("timestamp")


def _name(value: str) -> Any:
    return ibis.literal(value, type="string")


# -- ordered ----------------------------------------------------------------------------
def _ordered_reach(log: EventLog, spec: FunnelSpec) -> ibis.Table:
    """One table per step (customers reaching it, with ``t{j}``), joined side by side."""
    t = log.table
    # every step joins this same relation, the step name being a join condition: DuckDB
    # then materialises it once as a common subplan, as a hand-written CTE would; a
    # per-step filter made it scan the log once per step (see bench/RESULTS.md)
    events = t.filter(t.event.isin([*dict.fromkeys(spec.steps), *spec.exclude]))
    events = events.select(cid=t.customer_id, ts=t.timestamp, name=t.event)
    first = events.filter(events.name == _name(spec.steps[0]))
    reached = [first.group_by(customer_id=first.cid).aggregate(t0=first.ts.min())]
    for j in range(1, len(spec.steps)):
        reached.append(_ordered_step(reached[spec.reference(j)], events, spec, j))
    reach = reached[0]
    for j in range(1, len(spec.steps)):
        step = reached[j].select(cid=reached[j].customer_id, **{f"t{j}": f"t{j}"})
        reach = reach.left_join(step, reach.customer_id == step.cid).drop("cid")
    return reach.mutate(
        **{f"r{j}": reach[f"t{j}"].notnull() for j in range(len(spec.steps))}
    )


def _ordered_step(
    ref: ibis.Table, cand: ibis.Table, spec: FunnelSpec, j: int
) -> ibis.Table:
    """Customers reaching step ``j`` from those reaching its reference step: the
    earliest ``steps[j]`` after it, unless an exclusion event lies strictly between."""
    t_ref = f"t{spec.reference(j)}"
    # t0 travels along only when the window from step 1 needs it
    carried = ["t0"] if spec.window_s is not None else []
    keys = ["customer_id", *dict.fromkeys([t_ref, *carried])]
    if spec.exclude:
        return _ordered_step_excluding(ref, cand, spec, j, keys)
    preds = [
        ref.customer_id == cand.cid,
        cand.name == _name(spec.steps[j]),
        cand.ts > ref[t_ref],
        *_windows(spec, j, cand.ts, ref),
    ]
    joined = ref.join(cand, preds)
    out = joined.group_by(keys).aggregate(**{f"t{j}": joined.ts.min()})
    return out.select("customer_id", f"t{j}", *carried)


def _ordered_step_excluding(
    ref: ibis.Table, cand: ibis.Table, spec: FunnelSpec, j: int, keys: list[str]
) -> ibis.Table:
    t_ref = f"t{spec.reference(j)}"
    names = [spec.steps[j], *spec.exclude]
    preds = [ref.customer_id == cand.cid, cand.name.isin(names), cand.ts > ref[t_ref]]
    joined = ref.join(cand, preds)
    is_step = joined.name == _name(spec.steps[j])
    for cond in _windows(spec, j, joined.ts, joined):
        is_step = is_step & cond
    out = joined.group_by(keys).aggregate(
        step=joined.ts.min(where=is_step),
        x=joined.ts.min(where=joined.name.isin(list(spec.exclude))),
    )
    out = out.filter(out.step.notnull(), out.x.isnull() | (out.x >= out.step))
    carried = ["t0"] if spec.window_s is not None else []
    return out.select("customer_id", *carried, **{f"t{j}": out.step})


def _windows(spec: FunnelSpec, j: int, ts: Any, ref: ibis.Table) -> list[Any]:
    """Conditions on the candidate time ``ts`` from ``window_s`` and the step window."""
    conds = []
    if spec.window_s is not None:
        conds.append(ts <= after_seconds(ref.t0, spec.window_s))
    step_window = spec.step_window(j)
    if step_window is not None:
        conds.append(ts <= after_seconds(ref[f"t{spec.reference(j)}"], step_window))
    return conds


# -- strict -----------------------------------------------------------------------------
def _strict_reach(log: EventLog, spec: FunnelSpec) -> ibis.Table:
    t = log.table
    w = customer_window(t)
    n = len(spec.steps)
    cols: dict[str, Any] = {"customer_id": t.customer_id, "timestamp": t.timestamp}
    cols["event_seq"] = t.event_seq
    for k in range(n):
        cols[f"e{k}"] = t.event.lead(k).over(w) if k else t.event
        cols[f"t{k}"] = t.timestamp.lead(k).over(w) if k else t.timestamp
        if spec.breakdown:
            col = t[spec.breakdown]
            cols[f"b{k}"] = col.lead(k).over(w) if k else col
    runs = t.select(**cols)
    runs = runs.filter(runs.e0 == _name(spec.steps[0]))
    runs = runs.mutate(**_strict_flags(runs, spec))
    runs = runs.mutate(length=sum(ibis.ifelse(runs[f"r{k}"], 1, 0) for k in range(n)))
    best = ibis.window(
        group_by=runs.customer_id,
        order_by=[ibis.desc(runs.length), runs.timestamp, runs.event_seq],
    )
    runs = runs.filter(ibis.row_number().over(best) == 0)
    return runs.mutate(
        **{
            f"t{k}": ibis.ifelse(runs[f"r{k}"], runs[f"t{k}"], NULL_TS)
            for k in range(n)
        }
    )


def _strict_flags(runs: ibis.Table, spec: FunnelSpec) -> dict[str, Any]:
    flags: dict[str, Any] = {"r0": ibis.literal(True)}
    for k in range(1, len(spec.steps)):
        ts, prev = runs[f"t{k}"], runs[f"t{k - 1}"]
        cond = (runs[f"e{k}"] == _name(spec.steps[k])) & (ts > prev)
        if spec.window_s is not None:
            cond = cond & (ts <= after_seconds(runs.t0, spec.window_s))
        step_window = spec.step_window(k)
        if step_window is not None:
            cond = cond & (ts <= after_seconds(prev, step_window))
        flags[f"r{k}"] = flags[f"r{k - 1}"] & cond.fill_null(False)
    return flags


# -- any order --------------------------------------------------------------------------
def _any_order_reach(log: EventLog, spec: FunnelSpec) -> ibis.Table:
    t = log.table
    events = t.filter(t.event.isin(list(dict.fromkeys(spec.steps))))
    w = customer_window(events)
    events = events.mutate(
        anchor=events.timestamp.min().over(ibis.window(group_by=events.customer_id)),
        first=ibis.row_number().over(w) == 0,
    )
    if spec.window_s is not None:
        events = events.filter(
            events.timestamp <= after_seconds(events.anchor, spec.window_s)
        )
    names = list(dict.fromkeys(spec.steps))
    aggs: dict[str, Any] = {
        f"c{i}": ibis.ifelse(events.event == _name(name), 1, 0).sum()
        for i, name in enumerate(names)
    }
    aggs["t0"] = events.anchor.min()
    if spec.breakdown:
        aggs["b"] = events[spec.breakdown].max(where=events["first"])
    counts = events.group_by("customer_id").aggregate(**aggs)
    flags = _any_order_flags(counts, spec, names)
    return counts.mutate(**flags).filter(flags["r0"])


def _any_order_flags(
    counts: ibis.Table, spec: FunnelSpec, names: list[str]
) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for j in range(len(spec.steps)):
        needed: dict[str, int] = {}
        for i in range(j + 1):
            if i == j or i not in spec.optional:
                needed[spec.steps[i]] = needed.get(spec.steps[i], 0) + 1
        cond = ibis.literal(True)
        for name, times in needed.items():
            cond = cond & (counts[f"c{names.index(name)}"] >= times)
        flags[f"r{j}"] = cond
    return flags


# -- breakdown and aggregation ------------------------------------------------------------
def _attach_breakdown(reach: ibis.Table, log: EventLog, spec: FunnelSpec) -> ibis.Table:
    """Add ``b``: the breakdown column's value at the matched event of the chosen step."""
    at = spec.breakdown_step()
    n = len(spec.steps)
    if at is None:  # last touch: the furthest step reached
        cases = [(reach[f"r{k}"], k) for k in reversed(range(n))]
        reach = reach.mutate(at=ibis.cases(*cases, else_=0))
    else:
        reach = reach.mutate(at=ibis.literal(at, type="int64"))
    when = ibis.cases(*[(reach.at == k, reach[f"t{k}"]) for k in range(n)])
    name = ibis.cases(*[(reach.at == k, _name(spec.steps[k])) for k in range(n)])
    keys = reach.select(cid=reach.customer_id, at_ts=when, at_name=name)
    t = log.table
    hit = keys.join(
        t,
        [keys.cid == t.customer_id, keys.at_ts == t.timestamp, keys.at_name == t.event],
    )
    values = hit.group_by("cid").aggregate(b=hit[spec.breakdown].argmin(hit.event_seq))
    joined = reach.left_join(values, reach.customer_id == values.cid)
    return joined.drop("cid", "at")


def reach_expr(log: EventLog, spec: FunnelSpec) -> ibis.Table:
    """One row per customer reaching step 1: flags ``r*``, times ``t*`` and ``b``."""
    if spec.mode == "strict":
        reach = _strict_reach(log, spec)
        if spec.breakdown:
            reach = reach.mutate(b=_strict_breakdown(reach, spec))
        return reach
    if spec.mode == "any_order":
        return _any_order_reach(log, spec)
    reach = _ordered_reach(log, spec)
    return _attach_breakdown(reach, log, spec) if spec.breakdown else reach


def _strict_breakdown(runs: ibis.Table, spec: FunnelSpec) -> Any:
    at = spec.breakdown_step()
    n = len(spec.steps)
    if at is None:
        return ibis.cases(*[(runs.length == k + 1, runs[f"b{k}"]) for k in range(n)])
    return ibis.ifelse(runs[f"r{at}"], runs[f"b{at}"], ibis.null(runs[f"b{at}"].type()))


def funnel_expr(log: EventLog, spec: FunnelSpec) -> ibis.Table:
    """Customers per step (``n0..``) and step times (``mean{j}``, ``median{j}``,
    ``p90_{j}`` seconds from the reference step), one row per breakdown value."""
    reach = reach_expr(log, spec)
    aggs: dict[str, Any] = {}
    for j in range(len(spec.steps)):
        aggs[f"n{j}"] = ibis.ifelse(reach[f"r{j}"], 1, 0).sum()
        if j and spec.mode != "any_order":
            seconds = seconds_between(reach[f"t{j}"], reach[f"t{spec.reference(j)}"])
            aggs[f"mean{j}"] = seconds.mean()
            aggs[f"median{j}"] = seconds.quantile(0.5)
            aggs[f"p90_{j}"] = seconds.quantile(0.9)
    if spec.breakdown:
        return reach.group_by("b").aggregate(**aggs)
    return reach.aggregate(**aggs)


# -- public -----------------------------------------------------------------------------
def measure_funnel(
    log: EventLog,
    steps: Sequence[str],
    *,
    mode: str = "ordered",
    window_s: float | None = None,
    step_windows_s: Sequence[float | None] | None = None,
    exclude: Sequence[str] = (),
    optional: Sequence[str | int] = (),
    breakdown: str | None = None,
    breakdown_at: str = "first_touch",
) -> FunnelResult:
    """Count the customers reaching each step of a funnel.

    Parameters
    ----------
    log
        The events.
    steps
        Event names, in funnel order; a name may repeat.
    mode
        ``"ordered"`` (greedy earliest match, strictly increasing timestamps),
        ``"strict"`` (consecutive events) or ``"any_order"``.
    window_s
        Every step must happen within this many seconds of step 1.
    step_windows_s
        One entry per step after the first: seconds allowed since the reference step
        (the last required step before it); ``None`` for no limit.
    exclude
        Event names that disqualify a customer from step ``j`` on when they happen
        strictly between the reference step and step ``j``.
    optional
        Steps (names or 1-based numbers) that are counted but not required later.
    breakdown
        A column to split the funnel by.
    breakdown_at
        Which matched event gives the breakdown value: ``"first_touch"`` (step 1),
        ``"last_touch"`` (furthest step reached) or a step name.

    Returns
    -------
    FunnelResult
        ``rows``: step, name, customers, conversion_from_previous and
        conversion_from_start (per breakdown value); ``step_times``: mean, median and
        p90 seconds from the reference step.

    Examples
    --------
    >>> import pandas as pd
    >>> import journeymap as jm
    >>> log = jm.read_events(pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01",
    ...         "2024-01-01 10:05", "2024-01-01 10:00", "2024-01-01 10:02"]),
    ...     "event": ["visit", "cart", "buy", "visit", "cart"]}))
    >>> result = measure_funnel(log, ["visit", "cart", "buy"])
    >>> [(r.name, r.customers, r.conversion_from_start) for r in result.rows]
    [('visit', 2, 1.0), ('cart', 2, 1.0), ('buy', 1, 0.5)]
    >>> result.step_times[0].median_seconds
    90.0
    """
    spec = make_spec(
        steps,
        mode=mode,
        window_s=window_s,
        step_windows_s=step_windows_s,
        exclude=exclude,
        optional=optional,
        breakdown=breakdown,
        breakdown_at=breakdown_at,
    )
    if breakdown:
        require_column(log, breakdown, field="breakdown")
    frame = log.engine.to_pandas(funnel_expr(log, spec))
    groups = sorted(
        (row._asdict() for row in frame.itertuples(index=False)), key=_group_order
    )
    return FunnelResult(
        steps=spec.steps,
        mode=spec.mode,
        rows=tuple(r for g in groups for r in _step_rows(g, spec)),
        step_times=tuple(s for g in groups for s in _step_times(g, spec)),
        breakdown=breakdown,
        window_s=window_s,
    )


def _group_order(group: dict[str, Any]) -> tuple[Any, ...]:
    value = plain(group.get("b"))
    return (-_count(group, 0), value is None, "" if value is None else value)


def _count(group: dict[str, Any], j: int) -> int:
    return int(plain(group[f"n{j}"]) or 0)  # a sum over no customers is null


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _step_rows(group: dict[str, Any], spec: FunnelSpec) -> list[FunnelStep]:
    counts = [_count(group, j) for j in range(len(spec.steps))]
    rows = []
    for j, name in enumerate(spec.steps):
        previous = counts[spec.reference(j)] if j else counts[0]
        rows.append(
            FunnelStep(
                step=j + 1,
                name=name,
                customers=counts[j],
                conversion_from_previous=_ratio(counts[j], previous),
                conversion_from_start=_ratio(counts[j], counts[0]),
                optional=j in spec.optional,
                breakdown=plain(group.get("b")),
            )
        )
    return rows


def _step_times(group: dict[str, Any], spec: FunnelSpec) -> list[StepTime]:
    if spec.mode == "any_order":
        return []
    return [
        StepTime(
            step=j + 1,
            name=spec.steps[j],
            customers=_count(group, j),
            mean_seconds=optional_float(group[f"mean{j}"]),
            median_seconds=optional_float(group[f"median{j}"]),
            p90_seconds=optional_float(group[f"p90_{j}"]),
            breakdown=plain(group.get("b")),
        )
        for j in range(1, len(spec.steps))
    ]
