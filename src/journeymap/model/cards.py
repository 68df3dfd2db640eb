"""Cards placed on a stage: pain points, opportunities, KPIs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"id {value!r} must be lower-case letters, digits, '-' or '_' "
            "and start with a letter or digit"
        )
    return value


# One id type for everything a map defines (stages, touchpoints, departments,
# personas, cards), checked when the model is built. A reference to an id is an
# ``IdRef``: check_references resolves it, with a did-you-mean.
Id = Annotated[str, AfterValidator(check_id)]
IdRef = str


class Card(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Outcome = Literal["dropoff", "loop", "slow", "low_score", "negative_text"]


class Period(BaseModel):
    """A closed range of days, ``{from: 2026-03-02, to: 2026-03-20}`` (both included)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    start: dt.date = Field(alias="from", description="First day (included).")
    end: dt.date = Field(alias="to", description="Last day (included).")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(
                f"period ends ({self.end}) before it starts ({self.start})"
            )
        return self

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class Signal(BaseModel):
    """What shows a pain point in the data: events that mark it and the outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    events: tuple[str, ...] = Field(
        default=(),
        description="Units (customers or sessions) with any of these events are exposed.",
    )
    outcome: Outcome | None = Field(
        default=None,
        description="dropoff | loop | slow | low_score | negative_text (default: dropoff).",
    )

    @field_validator("events", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class PainPoint(Card):
    """A problem customers meet; `evidence` says whether it is observed or assumed.

    ``persona``, ``period`` and ``signal`` make it a testable hypothesis: who feels it,
    when, and what in the data shows it (docs/reference/journey-file.md).
    """

    id: Id
    text: str
    touchpoint: IdRef | None = Field(
        default=None, description="Touchpoint where the pain is felt (id)."
    )
    persona: IdRef | None = Field(
        default=None, description="Persona who feels it (id); default: everyone."
    )
    period: Period | None = Field(
        default=None, description="When: {from: DATE, to: DATE}; default: all data."
    )
    signal: Signal | None = Field(
        default=None, description="What shows it: signal events and the outcome."
    )
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    evidence: Literal["observed", "assumed", "proposed"] = "assumed"
    department: str | None = None
    source: str | None = Field(default=None, description="Research source or link.")


class Opportunity(Card):
    """An improvement idea, linked to the pain points it addresses."""

    id: Id
    text: str
    addresses: tuple[IdRef, ...] = Field(default=(), description="Pain point ids.")
    owner: str | None = None
    department: str | None = None
    status: Literal["idea", "planned", "in_progress", "done", "dropped"] = "idea"
    value: float = Field(default=3, ge=1, le=5, description="Business value, 1..5.")
    effort: float = Field(default=3, ge=1, le=5, description="Effort, 1..5.")
    due: dt.date | None = None
    kpis: tuple[IdRef, ...] = Field(default=(), description="KPI ids it should move.")


KpiMetric = Literal[
    "stage_reach",
    "stage_conversion",
    "stage_dropoff",
    "median_time_in_stage_s",
    "conversion_rate",
    "nps",
    "csat",
    "ces",
    "sentiment",
    "revenue_per_customer",
    "regression_rate",
    "touchpoint_reach",
]

_TARGET = re.compile(r"^\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")


class Kpi(Card):
    """A measured number with an optional target such as ``">= 0.40"``."""

    id: Id
    metric: KpiMetric
    name: str | None = None
    target: str | None = Field(
        default=None, description='Comparison and number, e.g. ">= 0.40" or "< 86400".'
    )
    unit: str | None = None
    touchpoint: IdRef | None = Field(
        default=None,
        description="For touchpoint-level metrics (touchpoint_reach, nps...).",
    )

    @field_validator("target")
    @classmethod
    def _valid_target(cls, value: str | None) -> str | None:
        if value is not None and not _TARGET.match(value):
            raise ValueError(
                f"target {value!r} must be a comparison and a number, e.g. '>= 0.4'"
            )
        return value

    def target_parts(self) -> tuple[str, float] | None:
        if self.target is None:
            return None
        found = _TARGET.match(self.target)
        assert found is not None
        return found.group(1), float(found.group(2))
