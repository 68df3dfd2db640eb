"""``attribute_conversions``: which channels earn the conversions, under one model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.analytics.stats import exact_sum
from journeymap.attribution.heuristics import HEURISTICS, Rule, credits_expr
from journeymap.attribution.markov import (
    FOLDS,
    best_order,
    chain_from_counts,
    markov_credits,
    order_scores,
    sort_credits,
)
from journeymap.attribution.paths import (
    BLOCK,
    MAX_ORDER,
    UNORDERED,
    PathSpec,
    base_expr,
    coalitions_expr,
    path_rows_expr,
    touch_channels_expr,
    transition_counts_expr,
)
from journeymap.attribution.shapley import (
    EXACT_MAX,
    SAMPLES,
    Z95,
    coalitions_from_masks,
    exact_shapley,
    sampled_shapley,
)
from journeymap.errors import AnalysisError
from journeymap.model.attribution import AttributionResult, ChannelCredit, OrderScore

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.engine import EventLog

__all__ = ["MODELS", "attribute_conversions", "attribute_paths"]

MODELS = (*HEURISTICS, "markov", "shapley")


def attribute_conversions(
    log: EventLog,
    conversion: str | Sequence[str],
    *,
    model: str = "markov",
    by: str = "channel",
    exclude: Sequence[str] = (),
    keep_repeats: bool = False,
    scope: str = "customer",
    order: int | str = 1,
    half_life_s: float = 7 * 86400.0,
    position: tuple[float, float] = (0.4, 0.4),
    direct: Sequence[str] = ("direct",),
    samples: int = SAMPLES,
    seed: int = 0,
) -> AttributionResult:
    """Attribute the conversions of ``log`` to the values of its ``by`` column.

    Parameters
    ----------
    log
        The events.
    conversion
        The conversion event name(s).
    model
        ``first``, ``last``, ``last-non-direct``, ``linear``, ``time-decay``,
        ``position``, ``markov`` or ``shapley`` (docs/reference/attribution.md).
    by
        The column whose values are the touches (``channel``, ``event``, a property).
    exclude
        Event names or touch values dropped before paths are built.
    keep_repeats
        Keep consecutive repeats of a touch (collapsed by default).
    scope
        ``customer`` (one path per customer) or ``session`` (per ``session_id``).
    order
        Markov order 1 to 4, or ``"auto"``: the order with the best held-out
        likelihood (5-fold cross-validation over units).
    half_life_s
        Time decay: a touch this many seconds before the conversion gets half the
        weight of one at the conversion.
    position
        Position-based: the shares of the first and the last touch (the middle ones
        split the rest).
    direct
        Last non-direct: touch values that count only when nothing else precedes.
    samples, seed
        Sampled Shapley (more than 15 channels): random orders drawn, and their seed.

    Returns
    -------
    AttributionResult
        Credits per channel, largest first.

    Examples
    --------
    >>> import journeymap as jm
    >>> result = attribute_conversions(jm.examples.events(), "purchase", model="markov")
    >>> [(c.channel, round(c.attributed_conversions, 3)) for c in result.credits]
    [('social', 1.5), ('email', 0.5)]
    """
    names = (conversion,) if isinstance(conversion, str) else tuple(conversion)
    spec = PathSpec(
        conversion=names,
        by=by,
        exclude=tuple(exclude),
        keep_repeats=keep_repeats,
        scope=scope,
    )
    rule = None
    if model in HEURISTICS:
        rule = Rule(
            model,
            half_life_s=half_life_s,
            first_share=position[0],
            last_share=position[1],
            direct=tuple(direct),
        )
    elif model not in ("markov", "shapley"):
        raise AnalysisError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    base = base_expr(log.table, spec)
    return attribute_paths(
        log,
        base,
        spec,
        model=model,
        rule=rule,
        order=order,
        samples=samples,
        seed=seed,
        has_value=log.has("value"),
    )


def attribute_paths(
    log: EventLog,
    base: ir.Table,
    spec: PathSpec,
    *,
    model: str,
    rule: Rule | None = None,
    order: int | str = 1,
    samples: int = SAMPLES,
    seed: int = 0,
    has_value: bool = False,
) -> AttributionResult:
    """Attribution over a prepared base table (see :func:`paths.base_expr`); stage
    attribution reuses it with its own goal."""
    if model == "markov":
        return _markov(log, base, spec, order=order, has_value=has_value)
    if model == "shapley":
        return _shapley(
            log, base, spec, samples=samples, seed=seed, has_value=has_value
        )
    assert rule is not None
    return _heuristic(log, base, spec, rule, has_value=has_value)


def _markov(
    log: EventLog, base: ir.Table, spec: PathSpec, *, order: int | str, has_value: bool
) -> AttributionResult:
    scores: tuple[OrderScore, ...] = ()
    if order == "auto":
        frames = {
            k: log.execute(transition_counts_expr(base, spec, order=k, folds=FOLDS))
            for k in range(1, MAX_ORDER + 1)
        }
        scores = tuple(order_scores(frames))
        order = best_order(scores)
    if not isinstance(order, int) or isinstance(order, bool):
        raise AnalysisError(f"order must be 1 to {MAX_ORDER} or auto, not {order!r}")
    frame = _transition_counts(log, base, spec, order)
    chain = chain_from_counts(frame, order)
    result = markov_credits(chain, by=spec.by, has_value=has_value)
    return replace(result, order=order, order_scores=scores)


def _transition_counts(
    log: EventLog, base: ir.Table, spec: PathSpec, order: int
) -> pd.DataFrame:
    """The chain's counts; over the stored order first where the engine streams it,
    again the ordinary way if those rows were not in event order."""
    streams = log.engine.streams_stored_order
    expr = transition_counts_expr(base, spec, order=order, stored_order=streams)
    frame = log.execute(expr)
    if streams and (frame["kind"] == UNORDERED).any():
        frame = log.execute(transition_counts_expr(base, spec, order=order))
    return frame


def _totals(log: EventLog, base: ir.Table, spec: PathSpec) -> dict[str, Any]:
    """Paths, conversions, their value and the empty paths."""
    import ibis

    rows = path_rows_expr(base, spec.units)
    per_unit = rows.group_by(list(spec.units)).aggregate(
        touches=(~rows.is_conv).cast("int64").sum(),
        conv=rows.is_conv.cast("int64").max(),
        value=exact_sum(
            ibis.cases((rows.is_conv, rows.value.fill_null(0.0)), else_=0.0)
        ),
    )
    has = per_unit.touches > 0
    expr = per_unit.aggregate(
        paths=has.cast("int64").sum(),
        conversions=(has & (per_unit.conv == 1)).cast("int64").sum(),
        empty=(~has).cast("int64").sum(),
        value=exact_sum(ibis.cases((has, per_unit.value), else_=0.0)),
    )
    row = log.execute(expr).iloc[0]
    return {
        "paths": int(row["paths"] or 0),
        "conversions": int(row["conversions"] or 0),
        "empty": int(row["empty"] or 0),
        "value": float(row["value"] or 0.0),
    }


def _heuristic(
    log: EventLog, base: ir.Table, spec: PathSpec, rule: Rule, *, has_value: bool
) -> AttributionResult:
    frame = log.execute(credits_expr(base, spec, rule))
    totals = _totals(log, base, spec)
    channels = log.execute(touch_channels_expr(base, spec))["touch"].tolist()
    found = {
        row.touch: (float(row.attributed_conversions), float(row.attributed_value))
        for row in frame.itertuples(index=False)
    }
    credits = [
        ChannelCredit(
            channel=channel,
            attributed_conversions=found.get(channel, (0.0, 0.0))[0],
            attributed_value=found.get(channel, (0.0, 0.0))[1] if has_value else None,
        )
        for channel in channels
    ]
    return AttributionResult(
        model=rule.model,
        by=spec.by,
        credits=sort_credits(credits),
        paths=totals["paths"],
        conversions=totals["conversions"],
        value=totals["value"] if has_value else None,
        empty_paths=totals["empty"],
        notes=_empty_note(totals["empty"]),
    )


def _empty_note(empty: int) -> tuple[str, ...]:
    if not empty:
        return ()
    return (f"{empty:,} units converted before any touch and have no path",)


def _shapley(
    log: EventLog,
    base: ir.Table,
    spec: PathSpec,
    *,
    samples: int,
    seed: int,
    has_value: bool,
) -> AttributionResult:
    if samples < 2:
        raise AnalysisError("Shapley samples must be at least 2", field="samples")
    channels = sorted(log.execute(touch_channels_expr(base, spec))["touch"].tolist())
    totals = _totals(log, base, spec)
    if not channels:  # no unit has a touch: nothing to share
        return AttributionResult(
            model="shapley",
            by=spec.by,
            credits=(),
            paths=0,
            conversions=0,
            value=0.0 if has_value else None,
            empty_paths=totals["empty"],
            notes=_empty_note(totals["empty"]),
        )
    frame = log.execute(coalitions_expr(base, spec, channels))
    mask_cols = [c for c in frame.columns if c.startswith("mask")]
    mask_cols.sort(key=lambda c: int(c[4:]))
    coalitions = coalitions_from_masks(
        channels,
        frame[mask_cols].to_numpy(dtype=np.int64),
        frame["paths"].to_numpy(),
        frame["conversions"].to_numpy(),
        frame["value"].to_numpy(),
        BLOCK,
    )
    worth = coalitions.worth_all()
    exact = len(channels) <= EXACT_MAX
    if exact:
        phi, error = exact_shapley(coalitions), None
    else:
        phi, error = sampled_shapley(coalitions, samples=samples, seed=seed)
    scale = totals["conversions"] / worth if worth > 0 else 0.0
    value_scale = totals["value"] / worth if worth > 0 else 0.0
    credits = []
    for i, channel in enumerate(channels):
        low = high = None
        if error is not None:
            low = (phi[i] - Z95 * error[i]) * scale
            high = (phi[i] + Z95 * error[i]) * scale
        credits.append(
            ChannelCredit(
                channel=channel,
                attributed_conversions=float(phi[i] * scale),
                attributed_value=float(phi[i] * value_scale) if has_value else None,
                ci_low=None if low is None else float(low),
                ci_high=None if high is None else float(high),
            )
        )
    notes = list(_empty_note(totals["empty"]))
    if not exact:
        notes.append(
            f"{len(channels)} channels: Shapley values estimated from {samples:,} "
            f"random orders (seed {seed}); ci_low/ci_high are 95 % intervals"
        )
    return AttributionResult(
        model="shapley",
        by=spec.by,
        credits=sort_credits(credits),
        paths=totals["paths"],
        conversions=totals["conversions"],
        value=totals["value"] if has_value else None,
        empty_paths=totals["empty"],
        samples=None if exact else samples,
        notes=tuple(notes),
    )
