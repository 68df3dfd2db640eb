"""What a measured map says, as plain rows every format draws the same way.

The deck, the report, the tables and the Markdown summary all rank pain points and
opportunities here, so they never disagree. Verdict and opportunity fields are read
defensively: the evidence model grows new fields (issue 12 coordination note).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeymap.layout.formats import (
    format_comparison,
    format_metric,
    format_target,
    format_what_if,
    humanise,
)
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap

VERDICT_LABELS = {
    "supported": "Supported by the data",
    "not_supported": "Not supported",
    "insufficient_data": "Insufficient data",
}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class PainPointRow:
    id: str
    text: str
    stage_id: str
    stage: str
    touchpoint: str | None
    severity: str
    evidence: str  # observed | assumed | proposed (what the map claims)
    verdict: str | None  # None when the map was not measured
    impact: float | None  # customer equivalents
    q_value: float | None
    persona: str | None
    quotes: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()  # "dropoff 0.20 vs 0.04 (n=84)"

    @property
    def verdict_label(self) -> str:
        if self.verdict is None:
            return "Not measured"
        return VERDICT_LABELS.get(self.verdict, humanise(self.verdict))


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    id: str
    text: str
    stage_id: str
    stage: str
    owner: str | None
    status: str
    value: float
    effort: float
    addresses: tuple[str, ...]
    priority: float | None = None
    what_if: Mapping[str, Any] = field(default_factory=dict)

    def what_if_text(self) -> str | None:
        """``"Conversion rate 35.2% → 36.6% (+14 customers)"`` or None."""
        return format_what_if(self.what_if)


@dataclass(frozen=True, slots=True)
class KpiRow:
    id: str
    name: str
    stage: str
    metric: str
    value: float | None
    value_text: str
    target_text: str
    met: bool | None
    n: int | None

    @property
    def status(self) -> str:
        if self.value is None:
            return "no data"
        return "no target" if self.met is None else ("met" if self.met else "missed")


def pain_point_rows(
    journey: JourneyMap, measured: MeasuredMap | None
) -> list[PainPointRow]:
    """Every pain point of the map, supported ones first by impact, then by severity."""
    verdicts = {v.id: v for v in measured.pain_points} if measured else {}
    touchpoints = {tp.id: tp.name for _, tp in journey.touchpoints()}
    rows = []
    for stage in journey.stages:
        for pain in stage.pain_points:
            verdict = verdicts.get(pain.id)
            evidence: Mapping[str, Any] = getattr(verdict, "evidence", None) or {}
            rows.append(
                PainPointRow(
                    id=pain.id,
                    text=pain.text,
                    stage_id=stage.id,
                    stage=stage.name,
                    touchpoint=touchpoints.get(pain.touchpoint or ""),
                    severity=pain.severity,
                    evidence=pain.evidence,
                    verdict=getattr(verdict, "verdict", None),
                    impact=_number(getattr(verdict, "impact", None)),
                    q_value=_number(getattr(verdict, "q_value", None)),
                    persona=_text(evidence.get("persona") or _hypothesis(verdict)),
                    quotes=tuple(str(q) for q in evidence.get("quotes") or ())[:3],
                    outcomes=_outcomes(evidence.get("outcomes")) or _summary(verdict),
                )
            )
    rank = {"supported": 0, "insufficient_data": 1, "not_supported": 2}
    return sorted(
        rows,
        key=lambda r: (
            rank.get(r.verdict or "", 1),
            -(r.impact or 0.0),
            SEVERITY_ORDER.get(r.severity, 9),
            r.id,
        ),
    )


def opportunity_rows(
    journey: JourneyMap, measured: MeasuredMap | None
) -> list[OpportunityRow]:
    """Every opportunity, highest measured priority first (then value ÷ effort)."""
    measured_by_id: dict[str, Mapping[str, Any]] = {}
    for item in measured.opportunities if measured else ():
        if isinstance(item, Mapping) and "id" in item:
            measured_by_id[str(item["id"])] = item
    rows = []
    for stage in journey.stages:
        for opp in stage.opportunities:
            found = measured_by_id.get(opp.id, {})
            what_if = found.get("what_if")
            rows.append(
                OpportunityRow(
                    id=opp.id,
                    text=opp.text,
                    stage_id=stage.id,
                    stage=stage.name,
                    owner=opp.owner,
                    status=opp.status,
                    value=float(opp.value),
                    effort=float(opp.effort),
                    addresses=tuple(opp.addresses),
                    priority=_number(found.get("priority")),
                    what_if=what_if if isinstance(what_if, Mapping) else {},
                )
            )
    return sorted(
        rows, key=lambda r: (-(r.priority or 0.0), -(r.value / r.effort), r.id)
    )


def kpi_rows(journey: JourneyMap, measured: MeasuredMap | None) -> list[KpiRow]:
    """Every KPI in map order, with its measured value when there is one."""
    values = {k.id: k for k in measured.kpis} if measured else {}
    rows = []
    for stage in journey.stages:
        for kpi in stage.kpis:
            found = values.get(kpi.id)
            value = None if found is None else _number(found.value)
            target = kpi.target_parts()
            rows.append(
                KpiRow(
                    id=kpi.id,
                    name=kpi.name or humanise(kpi.metric),
                    stage=stage.name,
                    metric=kpi.metric,
                    value=value,
                    value_text=_value_text(kpi.metric, value, target, kpi.unit),
                    target_text=_target_text(kpi.metric, value, target, kpi.unit),
                    met=None if found is None else found.met,
                    n=None if found is None else found.n,
                )
            )
    return rows


def _value_text(
    metric: str, value: float | None, target: tuple[str, float] | None, unit: str | None
) -> str:
    if value is None:
        return "—"
    if target is None:
        return format_metric(metric, value, unit)
    return format_comparison(metric, value, target, unit)[0]


def _target_text(
    metric: str, value: float | None, target: tuple[str, float] | None, unit: str | None
) -> str:
    if target is None:
        return "—"
    if value is None:
        return format_target(metric, target, unit)
    return format_comparison(metric, value, target, unit)[1]


def _outcomes(outcomes: Any) -> tuple[str, ...]:
    """Tested outcomes in words, e.g. ``"dropoff 0.202 vs 0.036 (n=84 vs 248)"``."""
    if not isinstance(outcomes, Mapping):
        return ()
    found = []
    for name in sorted(outcomes):
        test = outcomes[name]
        if not isinstance(test, Mapping):
            continue
        value, base = _number(test.get("value")), _number(test.get("base_value"))
        if value is None or base is None:
            continue
        found.append(
            f"{humanise(str(name))} {value:.3g} vs {base:.3g} "
            f"(n={test.get('n', '?')} vs {test.get('base_n', '?')})"
        )
    return tuple(found)


def _hypothesis(verdict: Any) -> Any:
    """The persona a verdict's hypothesis names (the evidence model of issue 11)."""
    hypothesis = getattr(verdict, "hypothesis", None)
    return hypothesis.get("persona") if isinstance(hypothesis, Mapping) else None


def _summary(verdict: Any) -> tuple[str, ...]:
    """The verdict's one-line summary, without its leading verdict word."""
    summary = getattr(verdict, "summary", None)
    if not isinstance(summary, str) or not summary:
        return ()
    head, _, rest = summary.partition(": ")
    return (rest if rest and head in VERDICT_LABELS else summary,)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if value != value else float(value)  # NaN is no number


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
