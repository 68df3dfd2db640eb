"""MeasuredMap: a journey map plus what the data says about it (plain, frozen data).

Analytics and voc fill it; layout, render and report draw it without touching the engine.
Field names here are a contract (issue 5, docs/reference/measured-map.md): add, never rename.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from journeymap.model.display import MapDisplay
from journeymap.model.journey import JourneyMap
from journeymap.model.results import IngestReport


@dataclass(frozen=True, slots=True)
class Emotion:
    """Assumed (from the map) beside measured (from data) emotion on -1..1."""

    assumed: float | None = None
    measured: float | None = None
    n: int = 0
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class StageFigures:
    """Per-stage measurements (definitions: docs/reference/metrics.md)."""

    stage_id: str
    reached: int = 0  # distinct customers with at least one event in the stage
    entries: int = 0  # entries into the stage (a customer re-entering counts again)
    conversion_next: float | None = (
        None  # share of `reached` who later reach the next stage
    )
    conversion_later: float | None = (
        None  # share of `reached` who later reach any later stage
    )
    dropoff: float | None = None  # share of `reached` whose furthest stage is this one
    median_time_s: float | None = None  # time in stage, closed stays only
    p90_time_s: float | None = None
    regressions_out: int = 0  # moves from this stage back to an earlier one
    current: int = 0  # customers whose current (latest) stage is this one
    events: int = 0
    closed_stays: int = 0  # stays timed (median/p90): a later stage followed entry


@dataclass(frozen=True, slots=True)
class TouchpointFigures:
    touchpoint_id: str
    stage_id: str
    reached: int = 0
    events: int = 0
    nps: float | None = None
    csat: float | None = None
    ces: float | None = None
    sentiment: float | None = None
    emotion: Emotion = field(default_factory=Emotion)


@dataclass(frozen=True, slots=True)
class PainPointVerdict:
    id: str
    verdict: str  # supported | not_supported | insufficient_data
    impact: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    stage_id: str | None = None
    touchpoint_id: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # why this verdict, in plain words
    summary: str | None = None  # one line: what supports or refutes it
    hypothesis: dict[str, Any] = field(default_factory=dict)  # what was tested
    test: dict[str, Any] | None = None  # both groups, effect, CI, p, q


@dataclass(frozen=True, slots=True)
class KpiValue:
    id: str
    metric: str
    value: float | None
    target: str | None = None
    met: bool | None = None
    stage_id: str | None = None
    n: int | None = None


@dataclass(frozen=True, slots=True)
class MeasuredMap(MapDisplay):
    """The map and its measurements. `to_dict()` is the `measured.json` contract."""

    journey: JourneyMap
    stages: tuple[StageFigures, ...] = ()
    stage_emotion: dict[str, Emotion] = field(default_factory=dict)
    touchpoints: tuple[TouchpointFigures, ...] = ()
    pain_points: tuple[PainPointVerdict, ...] = ()
    suggested_pain_points: tuple[dict[str, Any], ...] = ()
    opportunities: tuple[dict[str, Any], ...] = ()
    kpis: tuple[KpiValue, ...] = ()
    personas: tuple[dict[str, Any], ...] = ()
    clusters: tuple[dict[str, Any], ...] = ()
    customers: int = 0
    events: int = 0
    unmatched_events: int = 0
    unmatched_top: tuple[
        tuple[str, int], ...
    ] = ()  # (event, count), most frequent first
    ingest: IngestReport | None = None
    notes: tuple[str, ...] = ()
    scores: tuple[
        dict[str, Any], ...
    ] = ()  # NPS/CSAT/CES per touchpoint/stage/persona/period
    phrases: dict[str, Any] = field(
        default_factory=dict
    )  # characteristic phrases + quotes
    candidates: tuple[dict[str, Any], ...] = ()  # every ranked pain-point candidate
    incidents: tuple[dict[str, Any], ...] = ()  # periods where a rate departs
    scope: str = "customer"  # unit of the evidence: customer or session
    # Markov attribution of the conversions and the journey forecast (issue 13);
    # empty when the map names no conversion event (docs/reference/measured-map.md)
    attribution: dict[str, Any] = field(default_factory=dict)

    def stage_figures(self, stage_id: str) -> StageFigures | None:
        return next((s for s in self.stages if s.stage_id == stage_id), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "map": self.journey.model_dump(
                mode="json", exclude_none=True, by_alias=True
            )
        }
        by_stage = {s.stage_id: s for s in self.stages}
        out["stages"] = [
            {
                "id": stage.id,
                "name": stage.name,
                **_plain(by_stage.get(stage.id, StageFigures(stage.id))),
                "emotion": _plain(
                    self.stage_emotion.get(stage.id, Emotion(assumed=stage.emotion))
                ),
            }
            for stage in self.journey.stages
        ]
        for name in (
            "touchpoints",
            "pain_points",
            "suggested_pain_points",
            "opportunities",
            "kpis",
            "personas",
            "clusters",
            "scores",
            "candidates",
            "incidents",
        ):
            out[name] = [_plain(item) for item in getattr(self, name)]
        out["totals"] = {
            "customers": self.customers,
            "events": self.events,
            "unmatched_events": self.unmatched_events,
            "unmatched_top": [list(pair) for pair in self.unmatched_top],
        }
        out["ingest"] = None if self.ingest is None else self.ingest.to_dict()
        out["notes"] = list(self.notes)
        out["scope"] = self.scope
        out["phrases"] = _plain(self.phrases)
        out["attribution"] = _plain(self.attribution)
        return out

    def to_json(self) -> str:
        """The text of ``measured.json``: :meth:`to_dict` as indented UTF-8 JSON.

        The one serialisation every writer uses (issue 8); dates become ISO text.
        """
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)
        return text + "\n"


def _plain(value: Any) -> Any:
    """JSON-ready copy: dataclasses to dicts, NaN to None, tuples to lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _plain(value.item())
    return value
