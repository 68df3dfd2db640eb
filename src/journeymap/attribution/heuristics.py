"""Rule-based attribution: first, last, last non-direct, linear, time decay, position.

Each converting path's one conversion is split among its touches by a rule; the
credits are summed per touch value in the engine (window functions, then one
aggregate), so only one row per channel comes back. Paths as in
:mod:`journeymap.attribution.paths` (repeats collapsed unless ``keep_repeats``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.analytics.stats import exact_sum
from journeymap.attribution.paths import PathSpec, runs_expr
from journeymap.errors import AnalysisError

__all__ = ["HEURISTICS", "Rule", "credits_expr"]

HEURISTICS = ("first", "last", "last-non-direct", "linear", "time-decay", "position")


@dataclass(frozen=True)
class Rule:
    """A heuristic model and its parameters."""

    model: str
    half_life_s: float = 7 * 86400.0  # time decay: credit halves every half-life
    first_share: float = 0.4  # position-based
    last_share: float = 0.4
    direct: tuple[str, ...] = ("direct",)  # last non-direct: touches that don't count

    def __post_init__(self) -> None:
        if self.model not in HEURISTICS:
            known = ", ".join(HEURISTICS)
            raise AnalysisError(f"unknown model {self.model!r}; known: {known}")
        if not self.half_life_s > 0:
            raise AnalysisError("the half-life must be positive", field="half_life")
        shares = (self.first_share, self.last_share)
        if min(shares) < 0 or sum(shares) > 1:
            raise AnalysisError(
                "position shares must be >= 0 and first + last <= 1, not "
                f"{self.first_share} + {self.last_share}",
                field="position",
            )


def _per_path(runs: ir.Table, units: Sequence[str]) -> ir.Table:
    path = ibis.window(group_by=[runs[u] for u in units])
    ordered = ibis.window(
        group_by=[runs[u] for u in units], order_by=[runs.timestamp, runs.event_seq]
    )
    touch = ~runs.is_conv
    return runs.mutate(
        pos=ibis.row_number().over(ordered),
        n=touch.cast("int64").sum().over(path),
        converted=runs.is_conv.cast("int64").max().over(path),
        conv_time=ibis.cases((runs.is_conv, runs.timestamp)).max().over(path),
        conv_value=ibis.cases((runs.is_conv, runs.value.fill_null(0.0)))
        .max()
        .over(path),
    )


def _credit(rows: ir.Table, rule: Rule, units: Sequence[str]) -> tuple[ir.Table, Any]:
    """The table and the credit expression of one touch under ``rule``."""
    last = rows.n - 1
    if rule.model == "first":
        return rows, (rows.pos == 0).cast("float64")
    if rule.model == "last":
        return rows, (rows.pos == last).cast("float64")
    if rule.model == "linear":
        return rows, 1.0 / rows.n.cast("float64")
    if rule.model == "position":
        return rows, _position(rows, rule)
    path = ibis.window(group_by=[rows[u] for u in units])
    if rule.model == "last-non-direct":
        counted = ibis.cases((~rows.touch.isin(list(rule.direct)), rows.pos))
        rows = rows.mutate(_pick=counted.max().over(path))
        return rows, (rows.pos == rows._pick.fill_null(last)).cast("float64")
    # time decay: weight 2^(-age / half-life), age = seconds before the conversion
    age = rows.conv_time.delta(rows.timestamp, unit="millisecond").cast("float64")
    rows = rows.mutate(_w=(-(age / 1000.0) / rule.half_life_s * math.log(2)).exp())
    rows = rows.mutate(_total=rows._w.sum().over(path))
    return rows, rows._w / rows._total


def _position(rows: ir.Table, rule: Rule) -> Any:
    first, last_share = rule.first_share, rule.last_share
    middle = 1.0 - first - last_share
    n = rows.n
    both = first + last_share
    two_first = first / both if both > 0 else 0.5
    return ibis.cases(
        (n == 1, 1.0),
        ((n == 2) & (rows.pos == 0), two_first),
        (n == 2, 1.0 - two_first),
        (rows.pos == 0, first),
        (rows.pos == n - 1, last_share),
        else_=middle / (n - 2).cast("float64"),
    )


def credits_expr(base: ir.Table, spec: PathSpec, rule: Rule) -> ir.Table:
    """Per touch: ``attributed_conversions`` and ``attributed_value`` (unexecuted)."""
    runs = runs_expr(base, spec.units, keep_repeats=spec.keep_repeats)
    rows = _per_path(runs, spec.units)
    rows = rows.filter(~rows.is_conv & (rows.converted == 1))
    rows, credit = _credit(rows, rule, spec.units)
    scored = rows.mutate(_credit=credit)
    return scored.group_by(scored.touch).aggregate(
        attributed_conversions=exact_sum(scored._credit, scale=18),
        attributed_value=exact_sum(scored._credit * scored.conv_value),
    )
