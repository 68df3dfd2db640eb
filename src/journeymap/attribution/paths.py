"""Paths of touches, built in the engine (docs/reference/attribution.md).

A *unit* (a customer, or a session with ``scope="session"``) has a path: the values of
the ``by`` column (the *touches*) of its events strictly before its first conversion
event, in ``(timestamp, event_seq)`` order, with consecutive repeats collapsed (unless
``keep_repeats``). Events listed in ``exclude`` (by event name or by touch value) are
dropped before paths are built; conversion events are never dropped. Units with an
empty path (they converted before any touch) are counted, then left out.

Everything here is an Ibis expression over window functions: an ordered ``collect``
fails on Spark through Ibis, and only aggregated counts (per state, per channel, per
channel set) ever come back to Python, so the engine does the heavy work.

Order-1 counts have a second plan for engines that stream a plain scan in its stored
order (``Engine.streams_stored_order``, DuckDB): ingest stores the events sorted in
content order, so ``lag``/``lead`` over the stored order give each event's neighbours
without the sort a window partitioned by customer costs. The plan proves in the same
pass that the order it read was event order, and the caller runs the ordinary plan
when it was not (:data:`UNORDERED`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.analytics.stats import exact_sum
from journeymap.errors import AnalysisError

__all__ = [
    "NONE",
    "UNORDERED",
    "PathSpec",
    "base_expr",
    "coalitions_expr",
    "path_rows_expr",
    "runs_expr",
    "touch_channels_expr",
    "transition_counts_expr",
]

NONE = "(none)"  # the touch of an event whose ``by`` value is null
# the kind of the count row by which the stored-order plan says that the rows it read
# were not in event order: its counts are void, run the plan again without it
UNORDERED = "unordered"
SCOPES = ("customer", "session")
MAX_ORDER = 4
BLOCK = 62  # channels per int64 bit mask (Shapley coalitions)


@dataclass(frozen=True)
class PathSpec:
    """How paths are built: the touch column, what converts, what is dropped."""

    conversion: tuple[str, ...]
    by: str = "channel"
    exclude: tuple[str, ...] = ()
    keep_repeats: bool = False
    scope: str = "customer"

    def __post_init__(self) -> None:
        if not self.conversion:
            raise AnalysisError(
                "attribution needs a conversion event", field="conversion"
            )
        if self.scope not in SCOPES:
            raise AnalysisError(
                f"unknown scope {self.scope!r}; known: customer, session", field="scope"
            )

    @property
    def units(self) -> tuple[str, ...]:
        return (
            ("customer_id",)
            if self.scope == "customer"
            else ("customer_id", "session_id")
        )


def _require(table: ir.Table, column: str, field: str) -> None:
    if column not in table.columns:
        known = ", ".join(table.columns)
        hint = (  # the default touch: say how to get one (a GA4 export's medium...)
            "; map one with --channel COLUMN (data.columns.channel in the map) or "
            "attribute by another column with --by"
            if column == "channel"
            else ""
        )
        raise AnalysisError(
            f"no column {column!r} in the events; known: {known}{hint}", field=field
        )


def base_expr(
    table: ir.Table,
    spec: PathSpec,
    *,
    goal: Callable[[ir.Table], ir.BooleanValue] | None = None,
) -> ir.Table:
    """The events as ``units…, timestamp, event_seq, touch, is_conv, value``.

    ``touch`` is the ``by`` value as text (``(none)`` when null); excluded events are
    gone; ``value`` is the ``value`` column (0.0 when the events have none).
    ``goal`` replaces the conversion events as what ends a path (stage moves).
    """
    _require(table, spec.by, "by")
    if spec.scope == "session":
        _require(table, "session_id", "scope")

    def reached(t: ir.Table) -> ir.BooleanValue:
        return goal(t) if goal is not None else t.event.isin(list(spec.conversion))

    is_conv = reached(table)
    touch = table[spec.by].cast("string").fill_null(NONE)
    if spec.exclude:
        dropped = table.event.isin(list(spec.exclude)) | touch.isin(list(spec.exclude))
        table = table.filter(is_conv | ~dropped)
        is_conv = reached(table)
        touch = table[spec.by].cast("string").fill_null(NONE)
    value = (
        table.value.cast("float64")
        if "value" in table.columns
        else ibis.literal(0.0, "float64")
    )
    return table.select(
        *[table[u].cast("string").name(u) for u in spec.units],
        timestamp=table.timestamp,
        event_seq=table.event_seq,
        touch=touch,
        is_conv=is_conv,
        value=value,
    )


def _window(base: ir.Table, units: Sequence[str], **frame: Any) -> Any:
    return ibis.window(
        group_by=[base[u] for u in units],
        order_by=[base.timestamp, base.event_seq],
        **frame,
    )


def path_rows_expr(base: ir.Table, units: Sequence[str]) -> ir.Table:
    """Each unit's touches before its first conversion, and that conversion's row.

    Adds ``prev`` (the previous touch, null at the start). Rows with ``is_conv`` are
    the first conversion of their unit (the *marker* that ends a converting path).
    """
    flag = base.is_conv.cast("int64")
    seen = flag.sum().over(_window(base, units, rows=(None, 0)))
    marked = base.mutate(
        _before=seen - flag, prev=base.touch.lag().over(_window(base, units))
    )
    return marked.filter(marked._before == 0).drop("_before")


def runs_expr(base: ir.Table, units: Sequence[str], *, keep_repeats: bool) -> ir.Table:
    """Path rows with consecutive repeats collapsed (the first of each run kept)."""
    rows = path_rows_expr(base, units)
    if keep_repeats:
        return rows
    keep = rows.is_conv | rows.prev.isnull() | (rows.prev != rows.touch)
    return rows.filter(keep)


def _history(runs: ir.Table, units: Sequence[str], order: int) -> dict[str, Any]:
    w = _window(runs, units)
    cols: dict[str, Any] = {f"h{j}": runs.touch.lag(j).over(w) for j in range(1, order)}
    cols.update(
        pos=ibis.row_number().over(w),
        nxt=runs.touch.lead().over(w),
        nxt_conv=runs.is_conv.lead().over(w),
        nxt_value=runs.value.lead().over(w),
    )
    return cols


def transition_counts_expr(
    base: ir.Table,
    spec: PathSpec,
    *,
    order: int = 1,
    folds: int | None = None,
    stored_order: bool = False,
) -> ir.Table:
    """Counts per (history, touch, next, kind): the order-``order`` chain's edges.

    Columns ``h{order-1} … h1`` (earlier touches, null before the path starts),
    ``touch``, ``nxt`` (the next touch when ``kind`` is ``touch``), ``kind``
    (``touch`` · ``conv`` · ``null`` · ``empty``: a unit that converted before any
    touch · ``start``: no edge, the row only opens its path), ``first`` (the touch
    starts its path), ``count`` and ``value`` (of the conversions reached). With
    ``folds`` a ``fold`` column splits the units (for held-out likelihood).

    ``stored_order`` (the engine's ``streams_stored_order``) lets order 1 per customer
    read the events in their stored order when ``base`` is a plain scan of one table.
    Its result then may hold a row of kind :data:`UNORDERED`: the stored order was not
    event order, and the counts must be computed again without ``stored_order``.
    """
    if not 1 <= order <= MAX_ORDER:
        raise AnalysisError(
            f"order must be 1 to {MAX_ORDER}, not {order}", field="order"
        )
    if order == 1 and folds is None:
        if stored_order and spec.units == ("customer_id",) and _plain_scan(base):
            return _order_one_streamed(base, spec)
        return _order_one_counts(base, spec)
    runs = runs_expr(base, spec.units, keep_repeats=spec.keep_repeats)
    hist = runs.mutate(**_history(runs, spec.units, order))
    rows = hist.filter(~hist.is_conv | (hist.pos == 0))
    if folds is not None:
        rows = rows.join(_folds(rows, spec.units, folds), list(spec.units))
    kind = ibis.cases(
        (rows.is_conv, "empty"),
        (rows.nxt_conv.fill_null(False), "conv"),
        (rows.nxt.isnull(), "null"),
        else_="touch",
    )
    keys: dict[str, Any] = {f"h{j}": rows[f"h{j}"] for j in range(order - 1, 0, -1)}
    keys.update(
        touch=ibis.cases((rows.is_conv, ibis.null("string")), else_=rows.touch),
        nxt=ibis.cases((kind == "touch", rows.nxt), else_=ibis.null("string")),
        kind=kind,
        first=rows.pos == 0,
    )
    if folds is not None:
        keys["fold"] = rows.fold
    conv_value = ibis.cases((kind == "conv", rows.nxt_value.fill_null(0.0)), else_=0.0)
    keyed = rows.select(**{f"_k_{k}": v for k, v in keys.items()}, _v=conv_value)
    return keyed.group_by([keyed[f"_k_{k}"].name(k) for k in keys]).aggregate(
        count=keyed.count(), value=exact_sum(keyed._v)
    )


def _order_one_counts(base: ir.Table, spec: PathSpec) -> ir.Table:
    """Order 1 in one window pass (the common case, and the benchmark's).

    The cut at the first conversion, the previous and the next touch come from one
    window over the events; a repeat is skipped as an edge instead of being dropped
    as a row (its row still counts as the start when it opens the path: kind
    ``start``). The same counts as the general plan, with one sort of the events
    instead of two (bench/bench_attribution.py).
    """
    w = _window(base, spec.units)
    flag = base.is_conv.cast("int64")
    seen = flag.sum().over(_window(base, spec.units, rows=(None, 0)))
    first = base.touch.lag().over(w).isnull()
    after = base.touch.lead().over(w)
    rows = base.mutate(
        _first=first,
        _drop=~((seen - flag == 0) & (~base.is_conv | first)).fill_null(False),
        _same=after.notnull(),  # a touch is never null: the unit goes on
        _touch_after=after,
        _conv_after=base.is_conv.lead().over(w),
        _value_after=base.value.lead().over(w),
    )
    return _edge_counts(rows, spec)


def _order_one_streamed(base: ir.Table, spec: PathSpec) -> ir.Table:
    """Order 1 per customer over the events as stored, checked in the same pass.

    Every window is ``OVER ()``: the neighbours in the order the rows are read. That
    is event order when ``event_seq`` rises from row to row and ``(customer_id,
    timestamp)`` never falls (ingest's content order); then a customer's events are
    one run, ``customer_id`` of the row before or after says whether a neighbour is
    the same customer's, and "a conversion earlier in the path" is a running maximum
    of the converting customers' ids reaching this row's id. Each kind of window
    (``lag``, ``lead``, running maximum) checks ``event_seq`` itself, so the proof
    holds even if the engine ran them apart; a row that breaks it is counted under
    :data:`UNORDERED` and voids the result.
    """
    w = ibis.window()
    running = ibis.window(rows=(None, 0))
    seq, cust, ts = base.event_seq, base.customer_id, base.timestamp
    before = cust.lag().over(w)
    first = before.isnull() | (before != cust)
    converted = ibis.cases((base.is_conv, cust), else_=ibis.null("string"))
    conv_before = (converted.max().over(running) == cust).fill_null(False)
    rows = base.mutate(
        _bad=(
            seq.isnull()
            | cust.isnull()
            | ts.isnull()
            | base.is_conv.isnull()
            | (seq.lag().over(w) >= seq).fill_null(False)
            | (seq.lead().over(w) <= seq).fill_null(False)
            | (seq.max().over(running) != seq).fill_null(False)
            | (before > cust).fill_null(False)
            | ((before == cust) & (ts.lag().over(w) > ts)).fill_null(False)
        ),
        _first=first,
        # a conversion ends the path only as its first event; any other event counts
        # while no conversion came before it (the running maximum includes the row
        # itself, which is no conversion there)
        _drop=ibis.cases((base.is_conv, ~first), else_=conv_before),
        _same=(cust.lead().over(w) == cust).fill_null(False),
        _touch_after=base.touch.lead().over(w),
        _conv_after=base.is_conv.lead().over(w),
        _value_after=base.value.lead().over(w),
    )
    return _edge_counts(rows, spec, unordered=rows._bad)


def _edge_counts(
    rows: ir.Table, spec: PathSpec, *, unordered: ir.BooleanValue | None = None
) -> ir.Table:
    """The order-1 counts of events that know whether they start their unit's path
    (``_first``), fall outside it (``_drop``), and the unit's next event
    (``_same``: there is one; ``_touch_after``, ``_conv_after``, ``_value_after``:
    its touch, whether it converts, its value).

    Every event gets a small integer code of its kind (dropped ones too) and is
    grouped by it with the raw next touch, so no event is filtered or named one by
    one; the kind's name and the keys it blanks out are set on the groups (a few
    hundred rows), and the dropped ones are left out there (bench/RESULTS.md,
    attribution: the plans measured).
    """
    same = rows._same
    repeat = ibis.literal(False)
    if not spec.keep_repeats:
        repeat = same & (rows._touch_after == rows.touch)
    codes: list[tuple[Any, int]] = [
        (rows._drop, _DROPPED),
        (rows.is_conv, 1),
        (same & rows._conv_after, 2),
        (~same, 3),
        (repeat & rows._first, 4),
        (repeat, _DROPPED),  # a repeat inside a path: no edge, no start
    ]
    if unordered is not None:
        codes.insert(0, (unordered, 0))
    coded = rows.select(
        "touch",
        "_first",
        "_touch_after",
        "_value_after",
        _code=ibis.cases(*codes, else_=5).cast("int8"),
    )
    groups = coded.group_by(["touch", "_touch_after", "_code", "_first"]).aggregate(
        _count=coded.count(), _value=exact_sum(coded._value_after)
    )
    code = groups._code
    keyed = groups.select(
        touch=ibis.cases((code == 1, ibis.null("string")), else_=groups.touch),
        nxt=ibis.cases((code == 5, groups._touch_after), else_=ibis.null("string")),
        kind=code.cases(*enumerate(_KINDS), else_=ibis.null("string")),
        first=groups._first,
        _count=ibis.cases((code == _DROPPED, 0), else_=groups._count),
        _value=ibis.cases((code == 2, groups._value.fill_null(0.0)), else_=0.0),
    )
    counts = keyed.group_by(["touch", "nxt", "kind", "first"]).aggregate(
        count=keyed._count.sum(), value=exact_sum(keyed._value)
    )
    # the dropped events leave by their count, not by their code: a filter on the
    # code would be pushed below the grouping and code every event twice
    return counts.filter(counts["count"] > 0)


_KINDS = (UNORDERED, "empty", "conv", "null", "start", "touch")  # by code
_DROPPED = len(_KINDS)


def _plain_scan(table: ir.Table) -> bool:
    """Whether ``table`` only selects, computes row by row and filters the rows of one
    stored table: no window, join, union or aggregate can have reordered them."""
    import ibis.expr.operations as ops

    node = table.op()
    relations = node.find(ops.Relation)
    row_wise = (ops.Project, ops.Filter, ops.DropColumns, ops.DatabaseTable)
    stored = [r for r in relations if isinstance(r, ops.DatabaseTable)]
    return (
        all(isinstance(r, row_wise) for r in relations)
        and len(stored) == 1
        and not node.find(ops.WindowFunction)
    )


def _folds(rows: ir.Table, units: Sequence[str], folds: int) -> ir.Table:
    """Each unit's fold: its rank in id order modulo ``folds`` (portable, and the
    same under any row order, unlike a backend's hash)."""
    ids = rows.select(*units).distinct()
    rank = ibis.row_number().over(order_by=[ids[u] for u in units])
    return ids.mutate(fold=rank % folds)


def touch_channels_expr(base: ir.Table, spec: PathSpec) -> ir.Table:
    """The distinct touches of all paths (column ``touch``)."""
    rows = path_rows_expr(base, spec.units)
    return rows.filter(~rows.is_conv).select("touch").distinct()


def coalitions_expr(
    base: ir.Table, spec: PathSpec, channels: Sequence[str]
) -> ir.Table:
    """Units per channel set: ``mask0 … maskB`` (bit i of block b: channel 62·b+i),
    ``paths``, ``conversions``, ``value``. Every unit with a touch counts once."""
    rows = path_rows_expr(base, spec.units)
    touches = rows.filter(~rows.is_conv).select(*spec.units, "touch").distinct()
    blocks = range((len(channels) + BLOCK - 1) // BLOCK)
    bits = {
        f"mask{b}": ibis.cases(
            *(
                (touches.touch == name, ibis.literal(1 << i, "int64"))
                for i, name in enumerate(channels[b * BLOCK : (b + 1) * BLOCK])
            ),
            else_=ibis.literal(0, "int64"),
        )
        for b in blocks
    }
    masked = touches.mutate(**bits)
    per_unit = masked.group_by(list(spec.units)).aggregate(
        **{name: masked[name].sum() for name in bits}
    )
    conv = rows.filter(rows.is_conv).select(
        *spec.units, _conv=ibis.literal(1, "int64"), _value=rows.value.fill_null(0.0)
    )
    joined = per_unit.left_join(conv, list(spec.units))
    return joined.group_by([joined[name] for name in bits]).aggregate(
        paths=joined.count(),
        conversions=joined._conv.fill_null(0).sum(),
        value=exact_sum(joined._value.fill_null(0.0)),
    )
