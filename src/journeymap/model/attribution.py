"""Result types of attribution and the journey forecast (plain, frozen data).

Definitions: docs/reference/attribution.md. The engine-facing code lives in
``journeymap.attribution``; these types sit in ``model`` so render and report can show
them without importing the code that computes them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


def _pandas() -> Any:
    # model must not import pandas at module level (layers test)
    import importlib

    return importlib.import_module("pandas")


@dataclass(frozen=True, slots=True)
class ChannelCredit:
    """The conversions (and value) one channel earns under one model."""

    channel: str
    attributed_conversions: float
    attributed_value: float | None = None
    removal_effect: float | None = None  # markov only
    ci_low: float | None = None  # sampled Shapley only: 95 % interval
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class OrderScore:
    """Held-out log-likelihood of one Markov order (cross-validated)."""

    order: int
    log_likelihood: float  # mean per held-out transition (nats)
    transitions: int  # held-out transitions scored


@dataclass(frozen=True, slots=True)
class AttributionResult:
    """Credits per channel (or the value of the ``by`` column), largest first."""

    model: str
    by: str
    credits: tuple[ChannelCredit, ...]
    paths: int  # units (customers or sessions) with at least one touch
    conversions: int  # of those, the ones that converted
    value: float | None = None  # value of their conversions (when a value exists)
    order: int | None = None  # markov
    conversion_probability: float | None = None  # markov: P(conv) of the chain
    empty_paths: int = 0  # converted before any touch: no path, left out
    samples: int | None = None  # sampled Shapley: permutations drawn
    order_scores: tuple[OrderScore, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns this model fills (``channel, attributed_conversions``…)."""
        names = ["channel", "attributed_conversions"]
        if self.value is not None:
            names.append("attributed_value")
        if self.model == "markov":
            names.append("removal_effect")
        if any(c.ci_low is not None for c in self.credits):
            names += ["ci_low", "ci_high"]
        return tuple(names)

    def summary(self) -> str:
        order = f" order {self.order}" if self.order else ""
        return (
            f"{self.model}{order} attribution by {self.by}: {self.conversions:,} "
            f"conversions of {self.paths:,} paths"
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["credits"] = [{k: row[k] for k in self.columns} for row in out["credits"]]
        return out

    def to_pandas(self) -> Any:
        rows = [{k: getattr(c, k) for k in self.columns} for c in self.credits]
        return _pandas().DataFrame(rows, columns=list(self.columns))


@dataclass(frozen=True, slots=True)
class StageStep:
    """Attribution of the moves from one stage to the next."""

    from_stage: str
    to_stage: str
    result: AttributionResult


@dataclass(frozen=True, slots=True)
class StageAttribution:
    """Credit for moving customers from stage k to k+1, for every k."""

    model: str
    by: str
    steps: tuple[StageStep, ...]

    def summary(self) -> str:
        return f"{self.model} attribution of stage moves by {self.by}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "by": self.by,
            "steps": [
                {
                    "from_stage": s.from_stage,
                    "to_stage": s.to_stage,
                    **s.result.to_dict(),
                }
                for s in self.steps
            ],
        }

    def to_pandas(self) -> Any:
        pd = _pandas()
        frames = []
        for step in self.steps:
            frame = step.result.to_pandas()
            frame.insert(0, "to_stage", step.to_stage)
            frame.insert(0, "from_stage", step.from_stage)
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["from_stage", "to_stage", "channel"])
        return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True, slots=True)
class ForecastPeriod:
    """Forecast (or backtest) figures of one period."""

    start: str  # ISO date of the period's first day (UTC)
    conversions: float
    revenue: float | None = None
    actual_conversions: float | None = None  # backtest only
    naive_conversions: float | None = None  # backtest only


@dataclass(frozen=True, slots=True)
class Backtest:
    """The forecast of held-out periods against what happened, and a naive baseline."""

    periods: tuple[ForecastPeriod, ...]
    mape: float | None  # mean absolute percentage error of the forecast, 0..inf
    naive_mape: float | None  # the same for "as many as in the last fitted period"
    scored: int  # periods in the MAPE (periods with no actual conversion are left out)


@dataclass(frozen=True, slots=True)
class ForecastResult:
    """Conversions and revenue the journey will deliver in the next periods."""

    period: str  # day | week
    origin: str  # ISO start of the first forecast period (end of the data's last
    # complete period)
    occupancy: dict[str, int]  # stage id -> customers whose current stage it is
    periods: tuple[ForecastPeriod, ...]
    backtest: Backtest | None
    fitted_periods: int
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        text = f"forecast of {len(self.periods)} {self.period}s from {self.origin}"
        if self.backtest is not None and self.backtest.mape is not None:
            text += (
                f"; backtest MAPE {self.backtest.mape:.1%} "
                f"(naive {_percent(self.backtest.naive_mape)})"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_pandas(self) -> Any:
        rows = [
            {
                "period_start": p.start,
                "conversions": p.conversions,
                "revenue": p.revenue,
            }
            for p in self.periods
        ]
        return _pandas().DataFrame(
            rows, columns=["period_start", "conversions", "revenue"]
        )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
