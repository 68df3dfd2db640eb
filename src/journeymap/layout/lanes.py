"""What each lane shows in one stage's cell: cards built from the map and measurements.

A cell builder takes the stage and the cell's top-left corner and width, and returns
the items and their height; the swim-lane layout calls it once to measure and once to
place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from journeymap.layout.cards import CardSpec, Chip, stack_cards
from journeymap.layout.diagram import ASCENT, Box, Group, Item, Text
from journeymap.layout.formats import (
    format_channel,
    format_count,
    format_duration,
    format_metric,
    format_share,
    format_target,
    humanise,
)
from journeymap.layout.text import NBSP
from journeymap.model.cards import Kpi, Opportunity, PainPoint
from journeymap.model.journey import JourneyMap, Stage, Touchpoint
from journeymap.model.measured import (
    Emotion,
    KpiValue,
    MeasuredMap,
    PainPointVerdict,
    StageFigures,
    TouchpointFigures,
)

VERDICTS = {
    "supported": ("✓ SUPPORTED", "supported"),
    "not_supported": ("✗ NOT SUPPORTED", "not-supported"),
    "insufficient_data": ("? INSUFFICIENT DATA", "insufficient"),
}
STATUS = {
    "idea": "IDEA",
    "planned": "PLANNED",
    "in_progress": "IN PROGRESS",
    "done": "DONE",
    "dropped": "DROPPED",
}


@dataclass(frozen=True)
class Context:
    """The map and its measurements, indexed for the cell builders."""

    journey: JourneyMap
    measured: MeasuredMap | None = None
    stage_figures: dict[str, StageFigures] = field(default_factory=dict)
    touchpoints: dict[str, TouchpointFigures] = field(default_factory=dict)
    verdicts: dict[str, PainPointVerdict] = field(default_factory=dict)
    kpis: dict[str, KpiValue] = field(default_factory=dict)
    touchpoint_names: dict[str, str] = field(default_factory=dict)


def make_context(journey: JourneyMap, measured: MeasuredMap | None) -> Context:
    """Index ``measured`` by id for quick lookups while laying out cells."""
    names = {tp.id: tp.name for _, tp in journey.touchpoints()}
    if measured is None:
        return Context(journey, touchpoint_names=names)
    return Context(
        journey,
        measured,
        stage_figures={s.stage_id: s for s in measured.stages},
        touchpoints={t.touchpoint_id: t for t in measured.touchpoints},
        verdicts={v.id: v for v in measured.pain_points},
        kpis={k.id: k for k in measured.kpis},
        touchpoint_names=names,
    )


def stage_emotion(ctx: Context, stage: Stage) -> Emotion:
    """Assumed emotion from the map, measured from the data (when there is some)."""
    found = ctx.measured.stage_emotion.get(stage.id) if ctx.measured else None
    if found is None:
        return Emotion(assumed=stage.emotion)
    assumed = stage.emotion if stage.emotion is not None else found.assumed
    return Emotion(assumed, found.measured, found.n, found.ci_low, found.ci_high)


# -- cards ---------------------------------------------------------------------------


def action_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [
        CardSpec(f"action-{stage.id}-{i + 1}", text, "action", accent="action")
        for i, text in enumerate(stage.actions)
    ]


def thought_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [
        CardSpec(f"thought-{stage.id}-{i + 1}", f"“{text}”", "thought", italic=True)
        for i, text in enumerate(stage.thoughts)
    ]


def business_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    """What the business does behind the scenes, then its backstage touchpoints."""
    actions = [
        CardSpec(f"business-{stage.id}-{i + 1}", text, "business", accent="business")
        for i, text in enumerate(stage.business_actions)
    ]
    return actions + touchpoint_cards("backstage")(ctx, stage)


def touchpoint_cards(layer: str) -> Callable[[Context, Stage], list[CardSpec]]:
    """Cards for the touchpoints of one blueprint layer (frontstage, backstage,
    support)."""

    def cards(ctx: Context, stage: Stage) -> list[CardSpec]:
        return [
            touchpoint_card(ctx, tp) for tp in stage.touchpoints if tp.layer == layer
        ]

    return cards


def touchpoint_card(ctx: Context, tp: Touchpoint) -> CardSpec:
    """A touchpoint: channel badge (online/offline), moment of truth, figures."""
    reach = "online" if tp.online else "offline"
    chips = [Chip(format_channel(tp.channel) if tp.channel else "NO CHANNEL", reach)]
    if tp.moment_of_truth:
        chips.append(Chip("★ MOMENT OF TRUTH", "mot"))
    meta = [_touchpoint_meta(ctx, tp, reach)]
    if tp.description:
        meta.insert(0, tp.description)
    style = "touchpoint-mot" if tp.moment_of_truth else f"touchpoint-{reach}"
    return CardSpec(f"touchpoint-{tp.id}", tp.name, style, tuple(chips), tuple(meta),
                    bold=True)  # fmt: skip


def _touchpoint_meta(ctx: Context, tp: Touchpoint, reach: str) -> str:
    parts = [reach.capitalize()]
    figures = ctx.touchpoints.get(tp.id)
    if figures is not None:
        parts.append(f"{format_count(figures.reached)} reached")
        # TouchpointFigures.csat is the top-2-box share (answers 4-5), CES a 1-7 mean
        scores = (("NPS", figures.nps, "+.0f"), ("CSAT", figures.csat, ".0%"),
                  ("CES", figures.ces, ".1f"))  # fmt: skip
        parts += [
            f"{name} {value:{spec}}"
            for name, value, spec in scores
            if value is not None
        ]
    return " · ".join(parts)


def pain_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    """The map's pain points, then what the data found that the map lacks: persona
    suggestions and incidents of this stage ("found in data" cards)."""
    cards = [pain_card(ctx, pain) for pain in stage.pain_points]
    if ctx.measured is None:
        return cards
    for i, found in enumerate(ctx.measured.suggested_pain_points):
        if found.get("stage_id") == stage.id:
            cards.append(
                _found_card(f"suggested-{stage.id}-{i}", found, "FOUND IN DATA")
            )
    for i, found in enumerate(ctx.measured.incidents):
        if _incident_stage(ctx, found) == stage.id:
            cards.append(_found_card(f"incident-{stage.id}-{i}", found, "INCIDENT"))
    return cards


def _incident_stage(ctx: Context, incident: dict[str, Any]) -> str | None:
    if incident.get("level") == "stage":
        return str(incident.get("id"))
    for stage, tp in ctx.journey.touchpoints():
        if tp.id == incident.get("id"):
            return stage.id
    return None


def _found_card(card_id: str, found: dict[str, Any], label: str) -> CardSpec:
    """A finding from the data (a suggestion or an incident) as its own card."""
    q = found.get("q_value")
    meta = "Found in data" + (f" · q{NBSP}{q:.1g}" if isinstance(q, float) else "")
    if label == "INCIDENT":
        meta = f"{found.get('from')} to {found.get('to')} · " + meta
    return CardSpec(
        card_id,
        str(found.get("text", "")),
        "pain-found",
        (Chip(label, "found"),),
        (meta,),
        accent="pain-found",
    )


def verdict_line(verdict: PainPointVerdict) -> str | None:
    """One line saying what supports or refutes a verdict (rates, q, group sizes)."""
    test = verdict.test
    if not test or test.get("exposed", {}).get("rate") is None:
        return verdict.reason
    e, c = test["exposed"], test["comparison"]
    if c.get("rate") is None:
        return verdict.reason
    words = OUTCOME_WORDS.get(str(test.get("outcome")), str(test.get("outcome")))
    q = test.get("q_value")
    q_text = "" if q is None else f" · q{NBSP}{q:.1g}"
    return (
        f"{words} {e['rate']:.0%} vs {c['rate']:.0%}{q_text} · "
        f"n{NBSP}{e['units']:,}/{c['units']:,}"
    )


OUTCOME_WORDS = {
    "dropoff": "Drop-off",
    "loop": "Loops",
    "slow": "Slow",
    "low_score": "Low scores",
    "negative_text": "Negative comments",
}


def pain_card(ctx: Context, pain: PainPoint) -> CardSpec:
    """A pain point coloured and labelled by severity, with its verdict when
    measured."""
    chips = [Chip(pain.severity.upper(), f"severity-{pain.severity}")]
    verdict = ctx.verdicts.get(pain.id)
    if verdict is not None:
        label, style = VERDICTS.get(
            verdict.verdict, (verdict.verdict.upper(), "insufficient")
        )
        chips.append(Chip(label, style))
    meta = pain.evidence.capitalize()
    if pain.touchpoint:
        meta += f" · at {ctx.touchpoint_names.get(pain.touchpoint, pain.touchpoint)}"
    if verdict is not None and verdict.impact is not None:
        # impact is in customer equivalents (docs/reference/measured-map.md), not a share
        meta += f" · impact{NBSP}≈{NBSP}{verdict.impact:,.0f}{NBSP}customers"
    style = f"pain-{pain.severity}"
    lines: tuple[str, ...] = (meta,)
    if verdict is not None:
        line = verdict_line(verdict)
        if line:
            lines = (meta, line)
    return CardSpec(
        f"pain-{pain.id}", pain.text, style, tuple(chips), lines, accent=style
    )


def opportunity_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [opportunity_card(opp) for opp in stage.opportunities]


def opportunity_card(opp: Opportunity) -> CardSpec:
    """An opportunity with its status, owner, value and effort."""
    chips = (Chip(STATUS[opp.status], f"status-{opp.status.replace('_', '-')}"),)
    meta = [f"Value{NBSP}{opp.value:g}/5 · Effort{NBSP}{opp.effort:g}/5"]
    if opp.owner:
        meta.insert(0, f"Owner: {opp.owner}")
    if opp.due:
        meta.append(f"Due {opp.due.isoformat()}")
    return CardSpec(f"opportunity-{opp.id}", opp.text, "opportunity", chips,
                    tuple(meta), accent="opportunity")  # fmt: skip


def kpi_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [kpi_card(ctx, kpi) for kpi in stage.kpis]


def kpi_card(ctx: Context, kpi: Kpi) -> CardSpec:
    """A KPI: value against target, met or missed said in words and in colour."""
    value = ctx.kpis.get(kpi.id)
    target = kpi.target_parts()
    target_text = format_target(kpi.metric, target, kpi.unit) if target else "no target"
    name = kpi.name or humanise(kpi.metric)
    if value is None or value.value is None:
        status = "NOT MEASURED" if ctx.measured is None else "NO DATA"
        return CardSpec(f"kpi-{kpi.id}", name, "kpi", (Chip(status, "kpi-none"),),
                        (f"Target {target_text}",), accent="kpi-none", bold=True)  # fmt: skip
    line = f"{format_metric(kpi.metric, value.value, kpi.unit)} vs target {target_text}"
    if value.met is None:
        chip, style = Chip("NO TARGET", "kpi-none"), "kpi-none"
    else:
        style = "kpi-met" if value.met else "kpi-missed"
        chip = Chip("✓ MET" if value.met else "✗ MISSED", style)
    return CardSpec(
        f"kpi-{kpi.id}", name, "kpi", (chip,), (line,), accent=style, bold=True
    )


# -- measured figures ----------------------------------------------------------------

ROW_HEIGHT = 19.0
FIGURES_PAD = 9.0
BAR_HEIGHT = 6.0


def figure_rows(figures: StageFigures, is_last: bool) -> list[tuple[str, str]]:
    """(label, value) rows for one stage's measured figures."""
    rows = [("Customers reached", format_count(figures.reached))]
    if not is_last:
        conversion = figures.conversion_next
        rows.append(
            ("To next stage", "—" if conversion is None else format_share(conversion))
        )
    if figures.median_time_s is not None:
        rows.append(("Median time in stage", format_duration(figures.median_time_s)))
    if figures.dropoff is not None:
        rows.append(("Drop-off", format_share(figures.dropoff)))
    return rows


def figures_block(
    stage_id: str,
    rows: list[tuple[str, str]],
    x: float,
    y: float,
    width: float,
    *,
    share: float | None = None,
) -> tuple[Group, float]:
    """A framed table of label/value rows, with a bar for ``share`` (0..1) if given."""
    items: list[Item] = []
    top = y + FIGURES_PAD
    for i, (label, value) in enumerate(rows):
        baseline = top + i * ROW_HEIGHT + ASCENT * 12
        items.append(Text(x + 10, baseline, (label,), "text.figure-label", size=11.5))
        items.append(Text(x + width - 10, baseline, (value,), "text.figure-value",
                          size=12.5, weight="bold", anchor="end"))  # fmt: skip
    height = FIGURES_PAD * 2 + len(rows) * ROW_HEIGHT - 4
    if share is not None:
        items.extend(_share_bar(x + 10, y + height - 2, width - 20, share))
        height += BAR_HEIGHT + 4
    frame = Box(x, y, width, height, "card.figures", radius=6.0)
    title = "; ".join(f"{label}: {value}" for label, value in rows)
    return Group(f"figures-{stage_id}", tuple(items), frame=frame, title=title), height


def _share_bar(x: float, y: float, width: float, share: float) -> list[Item]:
    # The bar repeats the "to next stage" figure; the number stays in the row above,
    # so the bar is never the only carrier of the information.
    filled = max(0.0, min(1.0, share)) * width
    return [
        Box(x, y, width, BAR_HEIGHT, "bar-track", radius=BAR_HEIGHT / 2),
        Box(x, y, filled, BAR_HEIGHT, "bar-fill", radius=BAR_HEIGHT / 2),
    ]


# -- cells ---------------------------------------------------------------------------

CardMaker = Callable[[Context, Stage], list[CardSpec]]


def card_cell(
    maker: CardMaker,
) -> Callable[[Context, Stage, float, float, float], tuple[list[Item], float]]:
    """A cell builder that stacks the cards ``maker`` returns."""

    def cell(
        ctx: Context, stage: Stage, x: float, y: float, width: float
    ) -> tuple[list[Item], float]:
        return stack_cards(maker(ctx, stage), x, y, width)

    return cell


def figures_cell(
    ctx: Context, stage: Stage, x: float, y: float, width: float
) -> tuple[list[Item], float]:
    """The measured figures of one stage (empty before measuring)."""
    if ctx.measured is None:
        return [], 0.0
    figures = ctx.stage_figures.get(stage.id)
    if figures is None:
        note = CardSpec(f"figures-{stage.id}", "No events matched this stage", "note",
                        italic=True)  # fmt: skip
        return stack_cards([note], x, y, width)
    is_last = stage.id == ctx.journey.stages[-1].id
    share = None if is_last else figures.conversion_next
    rows = figure_rows(figures, is_last)
    group, height = figures_block(stage.id, rows, x, y, width, share=share)
    return [group], height
