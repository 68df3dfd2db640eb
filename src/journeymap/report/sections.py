"""The report's sections as HTML fragments: summary, tables, quotes, data quality and
the definitions every figure links to.

Tables show numbers as people read them (45.2%, 2.3 h, +0.31) and sort on the raw
value (``data-sort``), so sorting by a share or a duration is numeric.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from journeymap.layout.formats import (
    format_count,
    format_duration,
    format_share,
    format_signed,
)
from journeymap.layout.lanes import verdict_line
from journeymap.model.flows import JourneyFlows
from journeymap.model.measured import MeasuredMap
from journeymap.render.findings import kpi_rows, opportunity_rows, pain_point_rows
from journeymap.render.tables import Cell, Table

# definition id -> (label, text); every section heading links to one of these
DEFINITIONS: dict[str, tuple[str, str]] = {
    "map": ("Reading the map",
            "Stages run left to right, lanes top to bottom: what the customer does, the "
            "touchpoints, what the map assumes they think, real quotes, emotion, pain "
            "points, opportunities, measured figures and KPIs, then the service "
            "blueprint (backstage and support) below the line of visibility. Assumed "
            "content comes from the map file; measured content from the event data."),
    "stages": ("Stage figures",
               "Reached: distinct customers with at least one event matched to the "
               "stage. Entries: entries into the stage (re-entering counts again). To "
               "next: share of those reached who later reach the next stage. Drop-off: "
               "share whose furthest stage is this one. Time in stage: from first entry "
               "to first entry into a later stage, closed stays only (median and 90th "
               "percentile). Regressions: moves from this stage back to an earlier one."),
    "funnel": ("Funnel",
               "Customers who reached each stage, and their share of those who reached "
               "the first stage. An event belongs to the first touchpoint (in file "
               "order) whose match rule it satisfies."),
    "flows": ("Flows",
              "A flow is a pair of consecutive matched events of one customer, in the "
              "order (timestamp, input row), whose stage (or touchpoint) differs; "
              "repeats in the same place are not flows. Widths are distinct customers. "
              "A loop back goes to an earlier stage; 'left the journey' is each stage's "
              "drop-off share times its customers reached."),
    "emotion": ("Emotion",
                "Survey answers (NPS, CSAT, CES) rescaled to −1..1 and comment sentiment "
                "(VADER compound score) on the same scale; each answer or comment weighs "
                "one. Shown as the mean with a Student t 95% confidence interval, per "
                "stage and per touchpoint, beside the emotion the map assumes."),
    "personas": ("Persona comparison",
                 "A persona is the set of customers its segment rule selects. Conversion "
                 "rate: converted customers of the persona over its customers, with a "
                 "Wilson 95% confidence interval. Emotion per persona and stage as in "
                 "the emotion definition."),
    "kpis": ("KPIs",
             "Each KPI's metric is computed as in the metric reference and compared "
             "with its target; values are shown with as many decimals as the "
             "comparison needs, so a missed target never reads as equal to it."),
    "verdicts": ("Pain-point verdicts",
                 "Each pain point is a testable claim (where, who, when, which outcome: "
                 "drop-off, loop, slow, low score, negative comment). It is tested "
                 "against an explicit comparison group with a one-sided test; "
                 "Benjamini–Hochberg controls the false discovery rate over the map's "
                 "tests. Supported needs q ≤ α and a practical effect; otherwise not "
                 "supported, or insufficient data with the reason. Impact is in "
                 "customer equivalents: exposed customers times the excess rate."),
    "opportunities": ("Opportunity priority and what-if",
                      "Priority = measured impact × value ÷ effort, where measured "
                      "impact sums the impact of the supported pain points the "
                      "opportunity addresses (unsupported ones count 0). What-if: the "
                      "conversion rate if the excess drop-off of those pain points were "
                      "removed and the recovered customers converted like their group."),
    "quotes": ("Quotes",
               "Comments are split into negative (VADER compound ≤ −0.05) and positive "
               "(≥ 0.05). A phrase is characteristic when its log-odds z-score against "
               "the other comments is at least 1.96 in at least three comments; the "
               "quote is the most extreme comment containing it."),
    "attribution": ("Attribution",
                    "Each customer's path is the channels of their events before their "
                    "first conversion. A channel's removal effect is the share of "
                    "conversions lost when the Markov chain can no longer pass through "
                    "it; conversions are credited in proportion to removal effects, "
                    "solved exactly."),
    "data-quality": ("Data quality",
                     "Every input row is loaded or quarantined with a reason (read = "
                     "loaded + quarantined + duplicates). Events no touchpoint matches "
                     "are counted, not silently dropped."),
}  # fmt: skip

PERCENT = frozenset({"conversion_next", "dropoff", "share", "conversion_rate",
                     "conversion_ci_low", "conversion_ci_high", "csat"})  # fmt: skip
DURATION = frozenset({"median_time_s", "p90_time_s"})
SIGNED = frozenset({"emotion_assumed", "emotion_measured", "emotion_ci_low",
                    "emotion_ci_high", "sentiment"})  # fmt: skip
HEADERS = {
    "conversion_next": "to next",
    "median_time_s": "median time",
    "p90_time_s": "p90 time",
    "regressions_out": "moves back",
    "impact_customers": "impact (customers)",
    "q_value": "q",
    "emotion_n": "emotion n",
}


# -- tables --------------------------------------------------------------------------


def table_html(table: Table, *, hide_ids: bool = True) -> str:
    """A sortable table; ids (for joins in CSV) are left out when a name column
    says the same thing."""
    keep = [
        i
        for i, column in enumerate(table.columns)
        if not (hide_ids and column.endswith("_id") and _has_name(table, column))
    ]
    columns = [table.columns[i] for i in keep]
    rows = [[row[i] for i in keep] for row in table.rows]
    return sortable(columns, rows)


def _has_name(table: Table, column: str) -> bool:
    return column.removesuffix("_id") in table.columns


def sortable(
    columns: list[str], rows: list[list[Cell]], *, classes: list[str] | None = None
) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{escape(_header(c))}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(
            _cell(column, value) for column, value in zip(columns, row, strict=True)
        )
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    return (f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(body) + "</tbody></table>")  # fmt: skip


def _header(column: str) -> str:
    return HEADERS.get(column, column.replace("_", " "))


def _cell(column: str, value: Cell) -> str:
    if isinstance(value, float) and value != value:  # NaN: no value
        value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"<td>{escape('—' if value is None else str(value))}</td>"
    return (
        f'<td class="num" data-sort="{value!r}">{escape(_number(column, value))}</td>'
    )


def _number(column: str, value: float) -> str:
    if column in PERCENT:
        return format_share(value)
    if column in DURATION:
        return format_duration(value)
    if column in SIGNED:
        return format_signed(value)
    if column in ("nps",):
        return f"{value:+.0f}"
    if isinstance(value, int):
        return format_count(value)
    if column == "q_value":
        return f"{value:.2g}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def kpi_table(measured: MeasuredMap) -> str:
    rows = kpi_rows(measured.journey, measured)
    body: list[list[Cell]] = [
        [r.name, r.stage, r.value_text, r.target_text, r.status.upper(), r.n]
        for r in rows
    ]
    classes = ["" if r.status != "no data" else "refuted" for r in rows]
    return sortable(
        ["kpi", "stage", "value", "target", "status", "n"], body, classes=classes
    )


def pain_point_table(measured: MeasuredMap) -> str:
    """Every pain point ranked, with its verdict and the evidence in one line."""
    verdicts = {v.id: v for v in measured.pain_points}
    rows = pain_point_rows(measured.journey, measured)
    body: list[list[Cell]] = []
    for i, r in enumerate(rows, start=1):
        found = verdicts.get(r.id)
        evidence = (found.summary or verdict_line(found)) if found else None
        body.append([i, r.text, r.stage, r.severity, r.verdict_label,
                     r.impact, evidence or "—"])  # fmt: skip
    classes = ["refuted" if r.verdict == "not_supported" else "" for r in rows]
    columns = ["rank", "pain point", "stage", "severity", "verdict",
               "impact_customers", "evidence"]  # fmt: skip
    return sortable(columns, body, classes=classes)


def persona_table(measured: MeasuredMap) -> str:
    """Personas side by side: size, conversion with CI, emotion."""
    body: list[list[Cell]] = []
    for p in measured.personas:
        ci = p.get("conversion_ci") or (None, None)
        emotion = p.get("emotion")
        body.append([str(p.get("name") or p.get("id")), _int(p.get("customers")),
                     _float(p.get("share")), _float(p.get("conversion_rate")),
                     _float(ci[0]), _float(ci[1]), _float(_field(emotion, "measured")),
                     _int(_field(emotion, "n"))])  # fmt: skip
    columns = ["persona", "customers", "share", "conversion_rate", "conversion_ci_low",
               "conversion_ci_high", "emotion_measured", "emotion_n"]  # fmt: skip
    return sortable(columns, body)


def flow_tables(measured: MeasuredMap, flows: JourneyFlows) -> list[str]:
    stages = {s.id: s.name for s in measured.journey.stages}
    touchpoints = {tp.id: tp.name for _, tp in measured.journey.touchpoints()}
    columns = ["from", "to", "direction", "customers", "moves"]
    stage_rows: list[list[Cell]] = [
        [stages.get(f.source, f.source), stages.get(f.target, f.target),
         "loop back" if f.back else "forward", f.customers, f.moves]
        for f in flows.stages
    ]  # fmt: skip
    tp_rows: list[list[Cell]] = [
        [touchpoints.get(f.source, f.source), touchpoints.get(f.target, f.target),
         "loop back" if f.back else "forward", f.customers, f.moves]
        for f in flows.touchpoints
    ]  # fmt: skip
    return [
        "<h3>Stage to stage</h3>",
        sortable(columns, stage_rows),
        f"<details><summary>All {format_count(len(tp_rows))} touchpoint-to-touchpoint "
        "flows</summary>" + sortable(columns, tp_rows) + "</details>",
    ]


# -- summary -------------------------------------------------------------------------


def summary(measured: MeasuredMap) -> list[str]:
    """What works, the top supported pain points with evidence, the top
    opportunities with their what-if, and the KPI tally."""
    parts = ['<h2 id="summary">Executive summary</h2>']
    parts += _what_works(measured)
    parts += _top_pain_points(measured)
    parts += _top_opportunities(measured)
    kpis = kpi_rows(measured.journey, measured)
    met = sum(k.status == "met" for k in kpis)
    missed = [k.name for k in kpis if k.status == "missed"]
    parts.append(f"<p>KPIs: {met} met, {len(missed)} missed"
                 + (f" ({escape(', '.join(missed))})" if missed else "")
                 + '. <a href="#kpis">All KPIs</a></p>')  # fmt: skip
    return parts


def _what_works(measured: MeasuredMap) -> list[str]:
    items = []
    stages = measured.journey.stages
    moving = [(f.conversion_next, s.name) for s in stages[:-1]
              if (f := measured.stage_figures(s.id)) and f.conversion_next is not None]  # fmt: skip
    if moving:
        share, name = max(moving, key=lambda m: (m[0], m[1]))
        items.append(f"Strongest step: {format_share(share)} of those who reach "
                     f"{escape(name)} move on")  # fmt: skip
    happy = [(t.emotion.measured, t.touchpoint_id) for t in measured.touchpoints
             if t.emotion.measured is not None and t.emotion.n >= 30]  # fmt: skip
    if happy:
        value, tp_id = max(happy, key=lambda h: (h[0], h[1]))
        names = {tp.id: tp.name for _, tp in measured.journey.touchpoints()}
        items.append(f"Best-liked touchpoint: {escape(names.get(tp_id, tp_id))} "
                     f"(emotion {format_signed(value)})")  # fmt: skip
    for k in kpi_rows(measured.journey, measured):
        if k.status == "met":
            items.append(f"KPI met: {escape(k.name)}, {escape(k.value_text)} (target "
                         f"{escape(k.target_text)})")  # fmt: skip
    if not items:
        return []
    lis = "".join(f"<li>{item}</li>" for item in items)
    return [f'<h3>What works</h3><div class="card works"><ul>{lis}</ul></div>']


def _top_pain_points(measured: MeasuredMap) -> list[str]:
    verdicts = {v.id: v for v in measured.pain_points}
    rows = [r for r in pain_point_rows(measured.journey, measured)
            if r.verdict == "supported"]  # fmt: skip
    if not rows:
        return ["<h3>Top pain points</h3><p>No pain point of the map is supported by "
                'the data. <a href="#pain-points">All verdicts</a></p>']  # fmt: skip
    places = {p.id: p.touchpoint for _, p in measured.journey.pain_points()}
    parts = [f"<h3>Top pain points the data supports ({min(len(rows), 3)} of "
             f"{len(rows)})</h3>"]  # fmt: skip
    for row in rows[:3]:
        found = verdicts.get(row.id)
        persona = row.persona or _persona_of(found)
        impact = f" · impact ≈ {row.impact:,.0f} customers" if row.impact else ""
        who = f" · persona {escape(persona)}" if persona else ""
        evidence = (found.summary or verdict_line(found)) if found else None
        where = getattr(found, "touchpoint_id", None) or places.get(row.id)
        quote = row.quotes[0] if row.quotes else _quote_at(measured, where)
        parts.append(
            f'<div class="card"><strong>{escape(row.text)}</strong>'
            f'<div class="muted">{escape(row.stage)}{who}{impact}</div>'
            + (f"<div>{escape(evidence)}</div>" if evidence else "")
            + (f"<blockquote>“{escape(quote)}”</blockquote>" if quote else "")
            + "</div>"
        )
    return parts


def _persona_of(verdict: Any) -> str | None:
    hypothesis = getattr(verdict, "hypothesis", None) or {}
    found = hypothesis.get("persona") if isinstance(hypothesis, Mapping) else None
    return None if found is None else str(found)


def _quote_at(measured: MeasuredMap, tp_id: str | None) -> str | None:
    """A negative comment at the pain point's touchpoint, if feedback has one."""
    phrases = (measured.phrases.get("touchpoints") or {}).get(tp_id) or {}
    for phrase in phrases.get("negative") or ():
        quote = _field(phrase, "quote")
        if isinstance(quote, str) and quote:
            return quote
    return None


def _top_opportunities(measured: MeasuredMap) -> list[str]:
    opps = opportunity_rows(measured.journey, measured)
    if not opps:
        return []
    parts = [f"<h3>Top opportunities ({min(len(opps), 3)} of {len(opps)})</h3>"]
    for opp in opps[:3]:
        what_if = opp.what_if_text()
        extra = f"<div>What if: {escape(what_if)}</div>" if what_if else ""
        owner = f" · {escape(opp.owner)}" if opp.owner else ""
        parts.append(f'<div class="card opp"><strong>{escape(opp.text)}</strong>'
                     f'<div class="muted">{escape(opp.stage)}{owner} · value '
                     f"{opp.value:g}/5 · effort {opp.effort:g}/5</div>{extra}</div>")  # fmt: skip
    return parts


# -- quotes, attribution -------------------------------------------------------------


def quotes_section(measured: MeasuredMap) -> list[str]:
    """Every quoted comment per stage and touchpoint (the map shows a few)."""
    by_touchpoint = measured.phrases.get("touchpoints") or {}
    parts = []
    for stage in measured.journey.stages:
        rows: list[list[Cell]] = []
        seen: set[str] = set()
        for tp in stage.touchpoints:
            tones = by_touchpoint.get(tp.id) or {}
            for tone in ("negative", "positive"):
                for phrase in tones.get(tone) or ():
                    quote = _field(phrase, "quote")
                    if not isinstance(quote, str) or quote in seen:
                        continue
                    seen.add(quote)
                    rows.append([f"“{quote}”", tp.name, tone,
                                 str(_field(phrase, "text")),
                                 _int(_field(phrase, "comments"))])  # fmt: skip
        if rows:
            parts.append(f"<h3>{escape(stage.name)}</h3>")
            parts.append(
                sortable(["quote", "touchpoint", "tone", "phrase", "comments"], rows)
            )
    return parts or ['<p class="muted">No feedback comments were measured.</p>']


def attribution_section(measured: MeasuredMap) -> list[str]:
    """Channel attribution (Markov removal effects) and the conversion forecast, when
    the measured map carries them."""
    found = measured.attribution if isinstance(measured.attribution, Mapping) else {}
    parts: list[str] = []
    markov = found.get("markov")
    if isinstance(markov, Mapping) and markov.get("credits"):
        credits = [c for c in markov["credits"] if isinstance(c, Mapping)]
        rows: list[list[Cell]] = [
            [str(c.get("channel")), _float(c.get("attributed_conversions")),
             _float(c.get("attributed_value")), _float(c.get("removal_effect"))]
            for c in credits
        ]  # fmt: skip
        about = (f"Markov chain of order {markov.get('order', 1)} over "
                 f"{format_count(_int(markov.get('paths')) or 0)} customer paths by "
                 f"{escape(str(found.get('by', 'channel')))}; "
                 f"{format_count(_int(markov.get('conversions')) or 0)} conversions.")  # fmt: skip
        parts += ['<h2 id="attribution">Attribution</h2>',
                  '<p class="def">How this is measured: <a href="#def-attribution">'
                  "Attribution</a></p>", f"<p>{about}</p>",
                  sortable(["channel", "attributed conversions", "attributed value",
                            "removal effect"], rows)]  # fmt: skip
    forecast = found.get("forecast")
    if isinstance(forecast, Mapping) and forecast.get("periods"):
        period = escape(str(forecast.get("period", "period")))
        rows = [
            [str(f.get("start")), _float(f.get("conversions")), _float(f.get("revenue"))]
            for f in forecast["periods"] if isinstance(f, Mapping)
        ]  # fmt: skip
        parts += ["<h3>Forecast</h3>",
                  f'<p class="muted">Conversions expected per {period} from the '
                  "customers in each stage today.</p>",
                  sortable(["period start", "conversions", "revenue"], rows)]  # fmt: skip
    return parts


# -- data quality and definitions ----------------------------------------------------


def data_quality(measured: MeasuredMap, flows: JourneyFlows | None) -> list[str]:
    parts = ['<h3 id="def-data-quality">Data quality</h3>']
    ingest = measured.ingest
    if ingest is not None:
        parts.append(f"<p>Rows read {format_count(ingest.read)} = loaded "
                     f"{format_count(ingest.loaded)} + quarantined "
                     f"{format_count(ingest.quarantined)} + duplicates "
                     f"{format_count(ingest.duplicates)} (source "
                     f"{escape(ingest.source)}).</p>")  # fmt: skip
        reasons: list[list[Cell]] = [
            [reason, count] for reason, count in sorted(ingest.reasons.items())
        ]
        if reasons:
            parts.append(sortable(["quarantine reason", "rows"], reasons))
        parts += [f'<p class="muted">{escape(w)}</p>' for w in ingest.warnings]
    else:
        parts.append('<p class="muted">No ingest report: the events came from memory, '
                     "not a file.</p>")  # fmt: skip
    parts.append(f"<p>Events no touchpoint matches: {format_count(measured.unmatched_events)}"
                 f" of {format_count(measured.events)}.</p>")  # fmt: skip
    if measured.unmatched_top:
        rows: list[list[Cell]] = [[e, n] for e, n in measured.unmatched_top]
        parts.append(sortable(["unmatched event", "events"], rows))
    empty = [s.name for s in measured.journey.stages
             if (f := measured.stage_figures(s.id)) is None or f.reached == 0]  # fmt: skip
    if empty:
        parts.append(f"<p>Stages no event reached: {escape(', '.join(empty))}.</p>")
    no_data = [
        k.name for k in kpi_rows(measured.journey, measured) if k.status == "no data"
    ]
    if no_data:
        parts.append(f"<p>KPIs without data: {escape(', '.join(no_data))}.</p>")
    insufficient = [
        v.id for v in measured.pain_points if v.verdict == "insufficient_data"
    ]
    if insufficient:
        parts.append(f"<p>Pain points with insufficient data: {escape(', '.join(insufficient))}"
                     " (reasons in the pain-point table).</p>")  # fmt: skip
    if flows is None:
        parts.append('<p class="muted">Flows were not computed for this report.</p>')
    parts += [f'<p class="muted">{escape(note)}</p>' for note in measured.notes]
    return parts


def definitions(measured: MeasuredMap) -> list[str]:
    """The definitions every figure links to, and the statistical tests used."""
    items = "".join(
        f'<dt id="def-{key}">{escape(label)}</dt><dd>{escape(text)}</dd>'
        for key, (label, text) in DEFINITIONS.items()
        if key != "data-quality"
    )
    tests = sorted({str(v.test.get("test")) for v in measured.pain_points
                    if isinstance(v.test, Mapping) and v.test.get("test")})  # fmt: skip
    used = (
        "<p>Tests used: "
        + escape("; ".join(tests))
        + "; Benjamini–Hochberg over the map's tests.</p>"
        if tests
        else ""
    )
    return ["<h3>Definitions</h3>", f'<dl class="defs">{items}</dl>', used]


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _int(value: Any) -> int | None:
    return (
        int(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else None
    )


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
