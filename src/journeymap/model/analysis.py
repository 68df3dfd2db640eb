"""Result types of the stage, comparison, driver, retention and matching analyses.

Plain, frozen data (docs/adr/0003-layers.md): render, report and the facade name them
without importing the analytics that compute them. ``to_pandas()`` loads pandas lazily.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from journeymap.model.measured import StageFigures
from journeymap.model.results import _pandas

Period = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class StageTable:
    """Per-stage figures in map order."""

    stages: tuple[StageFigures, ...]
    customers: int = 0  # customers with at least one matched event

    @property
    def closed_stays(self) -> tuple[int, ...]:
        """Per stage: stays with a known end (the ones behind the times)."""
        return tuple(f.closed_stays for f in self.stages)

    def figures(self, stage_id: str) -> StageFigures:
        for figures in self.stages:
            if figures.stage_id == stage_id:
                return figures
        raise KeyError(stage_id)

    def to_dict(self) -> dict[str, Any]:
        rows = [asdict(f) for f in self.stages]
        return {"customers": self.customers, "stages": rows}

    def to_pandas(self) -> Any:
        pd = _pandas()
        return pd.DataFrame(self.to_dict()["stages"])


@dataclass(frozen=True, slots=True)
class StageMove:
    """Moves between two stages (``from_stage`` None: not yet in any stage)."""

    from_stage: str | None
    to_stage: str
    moves: int
    customers: int
    regression: bool


@dataclass(frozen=True, slots=True)
class StageTransitions:
    """Stage-to-stage moves between consecutive matched events, regressions flagged."""

    stage_ids: tuple[str, ...]
    moves: tuple[StageMove, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stages": list(self.stage_ids),
            "moves": [asdict(m) for m in self.moves],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        columns = ["from_stage", "to_stage", "moves", "customers", "regression"]
        return pd.DataFrame([asdict(m) for m in self.moves], columns=columns)

    def matrix(self) -> Any:
        """Moves as a from × to matrix over all stages, in map order (zeros filled)."""
        pd = _pandas()
        ids = list(self.stage_ids)
        grid = pd.DataFrame(0, index=pd.Index(ids, name="from"), columns=ids)
        for move in self.moves:
            grid.loc[move.from_stage, move.to_stage] = move.moves
        return grid


@dataclass(frozen=True, slots=True)
class StageProgress:
    """Current-stage distribution at the start and end of a period, and the moves."""

    start: dt.datetime
    end: dt.datetime
    at_start: dict[str, int]  # stage id -> customers currently there at `start`
    at_end: dict[str, int]
    moves: tuple[StageMove, ...]  # from stage at start (None: none yet) -> at end

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "at_start": dict(self.at_start),
            "at_end": dict(self.at_end),
            "moves": [asdict(m) for m in self.moves],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        columns = ["from_stage", "to_stage", "moves", "customers", "regression"]
        return pd.DataFrame([asdict(m) for m in self.moves], columns=columns)


@dataclass(frozen=True, slots=True)
class StageDifference:
    """One stage metric in period A and period B; ``diff = b_rate - a_rate``."""

    stage_id: str
    metric: str  # reach | conversion_next | conversion_later
    a_count: int
    a_total: int
    b_count: int
    b_total: int
    a_rate: float | None
    b_rate: float | None
    diff: float | None
    z: float | None
    p_value: float | None
    q_value: float | None = None


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """Stage metrics of two periods side by side, in map order."""

    period_a: Period
    period_b: Period
    customers_a: int
    customers_b: int
    rows: tuple[StageDifference, ...]

    def row(self, stage_id: str, metric: str) -> StageDifference:
        for row in self.rows:
            if row.stage_id == stage_id and row.metric == metric:
                return row
        raise KeyError((stage_id, metric))

    def to_dict(self) -> dict[str, Any]:
        return {
            "period_a": [t.isoformat() for t in self.period_a],
            "period_b": [t.isoformat() for t in self.period_b],
            "customers_a": self.customers_a,
            "customers_b": self.customers_b,
            "rows": [asdict(r) for r in self.rows],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        return pd.DataFrame([asdict(r) for r in self.rows])


@dataclass(frozen=True, slots=True)
class Driver:
    """One feature's 2×2 table and the evidence drawn from it."""

    feature: str  # "event: name" or "first <column>: value"
    kind: str  # "event" | "first_touch"
    column: str  # "event" or the first-touch column
    value: str
    with_customers: int
    with_converted: int
    without_customers: int
    without_converted: int
    odds_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float
    # every converter had this event before converting: a step on the path to
    # conversion by construction (checkout before purchase), not a driver of it
    on_path: bool = False

    @property
    def conversion_with(self) -> float | None:
        return _rate(self.with_converted, self.with_customers)

    @property
    def conversion_without(self) -> float | None:
        return _rate(self.without_converted, self.without_customers)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "conversion_with": self.conversion_with,
            "conversion_without": self.conversion_without,
        }


@dataclass(frozen=True, slots=True)
class DriverTable:
    """Drivers sorted by q-value, then |log odds ratio| (largest first), then name."""

    conversion_event: tuple[str, ...]
    customers: int
    converted: int
    tested: int  # features with at least ``min_customers`` customers
    drivers: tuple[Driver, ...]  # the top ones

    @property
    def label(self) -> str:
        return f"top {len(self.drivers)} of {self.tested}"

    @property
    def on_path(self) -> tuple[str, ...]:
        """The listed features every converter had first: on the path by construction."""
        return tuple(d.feature for d in self.drivers if d.on_path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversion_event": list(self.conversion_event),
            "customers": self.customers,
            "converted": self.converted,
            "tested": self.tested,
            "label": self.label,
            "drivers": [d.to_dict() for d in self.drivers],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        return pd.DataFrame([d.to_dict() for d in self.drivers])


@dataclass(frozen=True, slots=True)
class RetentionCell:
    """One cohort × offset cell: ``active = continuing + returning`` for k ≥ 1."""

    active: int
    share: float
    continuing: int = 0
    returning: int = 0


@dataclass(frozen=True, slots=True)
class RetentionMatrix:
    """Cohorts (oldest first) × offsets 0..periods-1; ``None`` cells are unobserved."""

    period: str
    cohorts: tuple[dt.date, ...]
    sizes: tuple[int, ...]
    cells: tuple[tuple[RetentionCell | None, ...], ...]

    @property
    def periods(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "cohorts": [
                {
                    "cohort": cohort.isoformat(),
                    "size": size,
                    "cells": [
                        None
                        if cell is None
                        else {
                            "active": cell.active,
                            "share": cell.share,
                            "continuing": cell.continuing,
                            "returning": cell.returning,
                        }
                        for cell in row
                    ],
                }
                for cohort, size, row in zip(
                    self.cohorts, self.sizes, self.cells, strict=True
                )
            ],
        }

    def to_pandas(self) -> Any:
        """Long format: one row per observed cell."""
        pd = _pandas()
        rows = [
            {
                "cohort": cohort,
                "size": size,
                "offset": k,
                "active": cell.active,
                "share": cell.share,
                "continuing": cell.continuing,
                "returning": cell.returning,
            }
            for cohort, size, row in zip(
                self.cohorts, self.sizes, self.cells, strict=True
            )
            for k, cell in enumerate(row)
            if cell is not None
        ]
        columns = [
            "cohort",
            "size",
            "offset",
            "active",
            "share",
            "continuing",
            "returning",
        ]
        return pd.DataFrame(rows, columns=columns)

    def shares(self) -> Any:
        """Cohort × offset matrix of shares (NaN where unobserved)."""
        pd = _pandas()
        data = [[None if c is None else c.share for c in row] for row in self.cells]
        return pd.DataFrame(data, index=list(self.cohorts), dtype="float64")


@dataclass(frozen=True, slots=True)
class UnmatchedReport:
    """Events that no touchpoint matches: totals and the most frequent names."""

    events: int  # all events in the log
    unmatched: int
    distinct: int  # distinct unmatched event names
    top: tuple[tuple[str, int], ...]  # (event, count), most frequent first

    @property
    def share(self) -> float | None:
        return None if self.events == 0 else self.unmatched / self.events

    @property
    def label(self) -> str:
        return f"top {len(self.top)} of {self.distinct}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "unmatched": self.unmatched,
            "share": self.share,
            "distinct": self.distinct,
            "label": self.label,
            "top": [list(pair) for pair in self.top],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        return pd.DataFrame(list(self.top), columns=["event", "events"])


def _rate(count: int, total: int) -> float | None:
    return None if total == 0 else count / total
