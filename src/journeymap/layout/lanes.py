"""What each lane shows in one stage's cell: cards built from the map and measurements.

A cell builder takes the stage and the cell's top-left corner and width, and returns
the items and their height; the swim-lane layout calls it once to measure and once to
place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from journeymap.layout.cards import CardSpec, Chip, stack_cards
from journeymap.layout.diagram import ASCENT, Box, Group, Item, Text
from journeymap.layout.formats import (
    format_channel,
    format_comparison,
    format_count,
    format_duration,
    format_metric,
    format_share,
    format_target,
    format_what_if,
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
    opportunities: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    priority_rank: dict[str, int] = field(default_factory=dict)
    # draw the data's own findings (not in a department view)
    found_in_data: bool = True
    previous: MeasuredMap | None = None  # an earlier period, for period-over-period
    previous_figures: dict[str, StageFigures] = field(default_factory=dict)


def make_context(
    journey: JourneyMap,
    measured: MeasuredMap | None,
    *,
    found_in_data: bool = True,
    previous: MeasuredMap | None = None,
) -> Context:
    """Index ``measured`` by id for quick lookups while laying out cells."""
    names = {tp.id: tp.name for _, tp in journey.touchpoints()}
    if measured is None:
        return Context(journey, touchpoint_names=names)
    opportunities: dict[str, Mapping[str, Any]] = {
        str(o["id"]): o
        for o in measured.opportunities
        if isinstance(o, Mapping) and "id" in o
    }
    ranked = sorted(
        (o for o in opportunities.values() if _is_number(o.get("priority"))),
        key=lambda o: (-float(o["priority"]), str(o["id"])),
    )
    return Context(
        journey,
        measured,
        stage_figures={s.stage_id: s for s in measured.stages},
        touchpoints={t.touchpoint_id: t for t in measured.touchpoints},
        verdicts={v.id: v for v in measured.pain_points},
        kpis={k.id: k for k in measured.kpis},
        touchpoint_names=names,
        opportunities=opportunities,
        priority_rank={str(o["id"]): i + 1 for i, o in enumerate(ranked)},
        found_in_data=found_in_data,
        previous=previous,
        previous_figures={}
        if previous is None
        else {f.stage_id: f for f in previous.stages},
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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


# Channels where the customer meets a person or paper, not a screen (issue 12: mail,
# store, phone are offline); matched word by word, so "email" stays online.
OFFLINE_WORDS = frozenset(
    {"mail", "post", "letter", "store", "shop", "branch", "phone", "telephone", "call",
     "print", "tv", "radio", "billboard", "outdoor", "event", "person", "kiosk",
     "delivery", "driver", "warehouse", "courier", "counter", "flyer"}
)  # fmt: skip


def is_online(tp: Touchpoint) -> bool | None:
    """Whether a touchpoint is online: as the map says, else inferred from its channel
    (None when there is neither).

    Examples
    --------
    >>> from journeymap.model import Touchpoint
    >>> [is_online(Touchpoint(id="t", name="T", channel=c)) for c in ("email", "call_centre")]
    [True, False]
    >>> is_online(Touchpoint(id="t", name="T")) is None
    True
    """
    if "online" in tp.model_fields_set:
        return tp.online
    if not tp.channel:
        return None
    words = set(re.split(r"[^a-z]+", tp.channel.lower()))
    return not (words & OFFLINE_WORDS)


def touchpoint_card(ctx: Context, tp: Touchpoint) -> CardSpec:
    """A touchpoint: channel badge (online/offline), moment of truth, figures. A
    touchpoint without a channel gets no badge."""
    online = is_online(tp)
    reach = None if online is None else ("online" if online else "offline")
    chips = [Chip(format_channel(tp.channel), reach or "info")] if tp.channel else []
    if tp.moment_of_truth:
        chips.append(Chip("★ MOMENT OF TRUTH", "mot"))
    meta = [line] if (line := _touchpoint_meta(ctx, tp, reach)) else []
    if tp.description:
        meta.insert(0, tp.description)
    style = (
        "touchpoint-mot" if tp.moment_of_truth else f"touchpoint-{reach or 'online'}"
    )
    return CardSpec(f"touchpoint-{tp.id}", tp.name, style, tuple(chips), tuple(meta),
                    bold=True)  # fmt: skip


def _touchpoint_meta(ctx: Context, tp: Touchpoint, reach: str | None) -> str:
    parts = [reach.capitalize()] if reach else []
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
    if ctx.measured is None or not ctx.found_in_data:
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
    """A pain point coloured and labelled by severity, with its verdict when measured.

    An assumption the data did not support is greyed, not drawn as an alarm.
    """
    verdict = ctx.verdicts.get(pain.id)
    refuted = verdict is not None and verdict.verdict == "not_supported"
    severity_style = "refuted" if refuted else f"severity-{pain.severity}"
    chips = [Chip(pain.severity.upper(), severity_style)]
    if verdict is not None:
        label, style = VERDICTS.get(
            verdict.verdict, (verdict.verdict.upper(), "insufficient")
        )
        chips.append(Chip(label, style))
    meta = pain.evidence.capitalize()
    if verdict is not None and verdict.impact is not None and not refuted:
        # impact is in customer equivalents (docs/reference/measured-map.md), not a
        # share; it comes before the touchpoint's name, which may be long
        meta += f" · impact{NBSP}≈{NBSP}{verdict.impact:,.0f}{NBSP}customers"
    if pain.touchpoint:
        meta += f" · at {ctx.touchpoint_names.get(pain.touchpoint, pain.touchpoint)}"
    style = "pain-refuted" if refuted else f"pain-{pain.severity}"
    lines: tuple[str, ...] = (meta,)
    if verdict is not None:
        line = verdict_line(verdict)
        if line:
            lines = (meta, line)
    return CardSpec(
        f"pain-{pain.id}", pain.text, style, tuple(chips), lines, accent=style
    )


def opportunity_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [opportunity_card(ctx, opp) for opp in stage.opportunities]


def opportunity_card(ctx: Context, opp: Opportunity) -> CardSpec:
    """An opportunity with its status, owner, value and effort and, once measured,
    its priority among all opportunities and its what-if."""
    chips = [Chip(STATUS[opp.status], f"status-{opp.status.replace('_', '-')}")]
    rank = ctx.priority_rank.get(opp.id)
    if rank is not None:
        chips.append(Chip(f"PRIORITY {rank} OF {len(ctx.priority_rank)}", "priority"))
    meta = [f"Value{NBSP}{opp.value:g}/5 · Effort{NBSP}{opp.effort:g}/5"]
    if opp.owner:
        meta.insert(0, f"Owner: {opp.owner}")
    if opp.due:
        meta.append(f"Due {opp.due.isoformat()}")
    found = ctx.opportunities.get(opp.id, {})
    what_if = found.get("what_if")
    text = format_what_if(what_if) if isinstance(what_if, Mapping) else None
    if text:
        meta.append(f"What if solved: {text}")
    return CardSpec(f"opportunity-{opp.id}", opp.text, "opportunity", tuple(chips),
                    tuple(meta), accent="opportunity")  # fmt: skip


def kpi_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    return [kpi_card(ctx, kpi) for kpi in stage.kpis]


def kpi_card(ctx: Context, kpi: Kpi) -> CardSpec:
    """A KPI: value against target, met or missed said in words and in colour; the
    value has as many decimals as the comparison needs."""
    value = ctx.kpis.get(kpi.id)
    target = kpi.target_parts()
    name = kpi.name or humanise(kpi.metric)
    if value is None or value.value is None:
        status = "NOT MEASURED" if ctx.measured is None else "NO DATA"
        meta = (
            (f"Target {format_target(kpi.metric, target, kpi.unit)}",) if target else ()
        )
        return CardSpec(f"kpi-{kpi.id}", name, "kpi", (Chip(status, "kpi-none"),),
                        meta, accent="kpi-none", bold=True)  # fmt: skip
    if target is None:
        line = f"{format_metric(kpi.metric, value.value, kpi.unit)} · no target set"
    else:
        shown, goal = format_comparison(kpi.metric, value.value, target, kpi.unit)
        line = f"{shown} vs target {goal}"
    if value.met is None:
        chip, style = Chip("MEASURED", "kpi-none"), "kpi-none"
    else:
        style = "kpi-met" if value.met else "kpi-missed"
        chip = Chip("✓ MET" if value.met else "✗ MISSED", style)
    return CardSpec(
        f"kpi-{kpi.id}", name, "kpi", (chip,), (line,), accent=style, bold=True
    )


# -- what customers said -------------------------------------------------------------

MAX_QUOTES = 3


def quote_cards(ctx: Context, stage: Stage) -> list[CardSpec]:
    """Real comments from the feedback at this stage's touchpoints: the most
    characteristic negative ones first, then a positive one; the rest are counted."""
    if ctx.measured is None:
        return []
    by_touchpoint = ctx.measured.phrases.get("touchpoints") or {}
    found: list[tuple[int, float, str, str, str, int]] = []
    for tp in stage.touchpoints:
        tones = by_touchpoint.get(tp.id) or {}
        for order, tone in enumerate(("negative", "positive")):
            for phrase in tones.get(tone) or ():
                quote = _field(phrase, "quote")
                if isinstance(quote, str) and quote.strip():
                    z = float(_field(phrase, "z") or 0.0)
                    found.append((order, -z, quote.strip(), tone, tp.name,
                                  int(_field(phrase, "comments") or 0)))  # fmt: skip
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    unique: dict[str, tuple[str, str, int]] = {}
    for _, _, quote, tone, where, comments in found:
        unique.setdefault(quote, (tone, where, comments))
    picked = _pick_quotes(list(unique.items()))
    cards = [
        CardSpec(f"said-{stage.id}-{i + 1}", f"“{quote}”", f"said-{tone}",
                 meta=(f"{tone.capitalize()} · at {where}",), italic=True,
                 accent=f"said-{tone}")
        for i, (quote, (tone, where, _)) in enumerate(picked)
    ]  # fmt: skip
    rest = len(unique) - len(picked)
    if rest > 0:
        cards.append(CardSpec(None, f"+{rest} more comments in the report",
                              "note", italic=True))  # fmt: skip
    return cards


def _field(item: Any, name: str) -> Any:
    """A field of a phrase: a dict once read from measured.json, an object before."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _pick_quotes(
    quotes: list[tuple[str, tuple[str, str, int]]],
) -> list[tuple[str, tuple[str, str, int]]]:
    negative = [q for q in quotes if q[1][0] == "negative"]
    positive = [q for q in quotes if q[1][0] == "positive"]
    picked = negative[: MAX_QUOTES - 1] + positive[:1]
    for quote in negative[MAX_QUOTES - 1 :] + positive[1:]:
        if len(picked) >= MAX_QUOTES:
            break
        picked.append(quote)
    return picked


# -- measured figures ----------------------------------------------------------------

ROW_HEIGHT = 19.0
FIGURES_PAD = 9.0
BAR_HEIGHT = 6.0


def figure_rows(
    figures: StageFigures, is_last: bool, previous: StageFigures | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows for one stage's measured figures; with an earlier period,
    shares carry their change in percentage points."""
    rows = [("Customers reached", format_count(figures.reached))]
    if not is_last:
        conversion = figures.conversion_next
        text = "—" if conversion is None else format_share(conversion)
        before = None if previous is None else previous.conversion_next
        rows.append(("To next stage", text + _points(conversion, before)))
    if figures.median_time_s is not None:
        rows.append(("Median time in stage", format_duration(figures.median_time_s)))
    if figures.dropoff is not None:
        before = None if previous is None else previous.dropoff
        rows.append(
            (
                "Drop-off",
                format_share(figures.dropoff) + _points(figures.dropoff, before),
            )
        )
    return rows


def _points(now: float | None, before: float | None) -> str:
    """`` (▲2.1 pts)``: the change of a share since an earlier period."""
    if now is None or before is None:
        return ""
    change = (now - before) * 100
    mark = "▲" if change > 0.05 else "▼" if change < -0.05 else "="
    return f" ({mark}{NBSP}{abs(change):.1f}{NBSP}pts)"


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
    rows = figure_rows(figures, is_last, ctx.previous_figures.get(stage.id))
    group, height = figures_block(stage.id, rows, x, y, width, share=share)
    return [group], height
