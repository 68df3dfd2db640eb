"""The report page: executive summary, map, tables, charts, methodology; one HTML file.

Nothing is fetched: the map is inline SVG, plotly.js is inlined once, the table sorter
is a few lines of script. Every piece of map and data text is escaped (it is user data).
The PDF print has the same sections without the interactive charts (WeasyPrint runs no
JavaScript); its tables carry the same numbers.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from journeymap._importers import import_plotly, import_weasyprint
from journeymap.errors import RenderError
from journeymap.layout.formats import format_count
from journeymap.layout.swimlane import layout_map
from journeymap.model.flows import JourneyFlows
from journeymap.model.measured import MeasuredMap
from journeymap.render.findings import kpi_rows, opportunity_rows, pain_point_rows
from journeymap.render.svg import render_svg
from journeymap.render.tables import Table, measured_tables
from journeymap.report import charts

_STYLE = """
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
       color: #1f2937; margin: 0; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { color: #1e3a5f; margin-bottom: 4px; } h2 { color: #1e3a5f; margin-top: 40px;
  border-bottom: 2px solid #e5e7eb; padding-bottom: 4px; }
.lead { color: #4b5563; } .figure { overflow-x: auto; border: 1px solid #e5e7eb; }
.figure svg { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; }
th { background: #1e3a5f; color: #fff; cursor: pointer; user-select: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.card { border-left: 4px solid #dc2626; background: #fef2f2; padding: 8px 12px;
        margin: 8px 0; } .card.opp { border-color: #16a34a; background: #f0fdf4; }
blockquote { font-style: italic; color: #422006; margin: 4px 0 0 0; }
.muted { color: #4b5563; font-size: 13px; }
@media print { .chart { display: none; } h2 { break-after: avoid; } }
"""

_SORTER = """
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], up = th.dataset.dir !== "up";
    var rows = Array.from(body.rows), key = function (r) {
      var c = r.cells[col], v = c.dataset.sort !== undefined ? c.dataset.sort : c.textContent;
      var n = parseFloat(v); return isNaN(n) ? v.toLowerCase() : n; };
    rows.sort(function (a, b) { var x = key(a), y = key(b);
      return (x > y ? 1 : x < y ? -1 : 0) * (up ? 1 : -1); });
    th.dataset.dir = up ? "up" : "down"; rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def render_report(
    measured: MeasuredMap,
    *,
    charts_inline: bool = True,
    flows: JourneyFlows | None = None,
) -> str:
    """The report as one HTML document; ``charts_inline=False`` leaves out the Plotly
    charts (for the PDF print)."""
    journey = measured.journey
    parts = [f"<h1>{escape(journey.name)}</h1>"]
    if journey.description:
        parts.append(f'<p class="lead">{escape(journey.description)}</p>')
    parts.append(f'<p class="muted">Measured on {format_count(measured.customers)} customers '
                 f"and {format_count(measured.events)} events.</p>")  # fmt: skip
    parts += _summary(measured)
    svg = render_svg(layout_map(journey, measured))
    parts += ['<h2 id="map">The map</h2>', f'<div class="figure">{svg}</div>']
    tables = measured_tables(journey, measured)
    parts += ['<h2 id="stages">Stages</h2>', _table(tables["stages"])]
    if charts_inline:
        parts += ['<h2 id="funnel">Funnel</h2>', f'<div class="chart">{charts.funnel_chart(measured)}</div>',
                  '<h2 id="emotion">Emotion curve</h2>',
                  f'<div class="chart">{charts.emotion_chart(measured)}</div>']  # fmt: skip
    parts.append('<h2 id="personas">Personas</h2>')
    persona = charts.persona_chart(measured) if charts_inline else None
    parts += [f'<div class="chart">{persona}</div>'] if persona else []
    parts.append(_table(tables["personas"]))
    parts += ['<h2 id="kpis">KPIs</h2>', _table(tables["kpis"])]
    parts += ['<h2 id="pain-points">Pain points</h2>', _table(tables["pain_points"])]
    parts += [
        '<h2 id="opportunities">Opportunities</h2>',
        _table(tables["opportunities"]),
    ]
    parts += _methodology(measured)
    script = ""
    if charts_inline:
        script = f"<script>{import_plotly().offline.get_plotlyjs()}</script>\n"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(journey.name)} — journey report</title>"
            f"<style>{_STYLE}</style>{script}</head>\n<body><main>\n" + "\n".join(parts)
            + f"\n</main><script>{_SORTER}</script></body></html>\n")  # fmt: skip


def save_report(
    measured: MeasuredMap, path: str | Path, *, flows: JourneyFlows | None = None
) -> Path:
    """Write the report as ``.html`` (interactive) or ``.pdf`` (print)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise RenderError(f"unknown report format {suffix!r}; known: .html, .pdf",
                          file=str(target))  # fmt: skip
    try:
        if suffix == ".pdf":
            html = render_report(measured, charts_inline=False, flows=flows)
            target.write_bytes(import_weasyprint().HTML(string=html).write_pdf())
        else:
            target.write_text(render_report(measured, flows=flows), encoding="utf-8")
    except OSError as error:
        raise RenderError(f"cannot write: {error.strerror}", file=str(target)) from None
    return target


def _summary(measured: MeasuredMap) -> list[str]:
    journey = measured.journey
    parts = ['<h2 id="summary">Executive summary</h2>']
    pains = [r for r in pain_point_rows(journey, measured) if r.verdict == "supported"][
        :3
    ]
    if pains:
        parts.append("<h3>Top pain points the data supports</h3>")
    for row in pains:
        impact = f" · impact ≈ {row.impact:,.0f} customers" if row.impact else ""
        who = f" · persona {escape(row.persona)}" if row.persona else ""
        evidence = "".join(f"<li>{escape(o)}</li>" for o in row.outcomes)
        quote = (
            f"<blockquote>“{escape(row.quotes[0])}”</blockquote>" if row.quotes else ""
        )
        parts.append(f'<div class="card"><strong>{escape(row.text)}</strong>'
                     f'<div class="muted">{escape(row.stage)}{who}{impact}</div>'
                     f"<ul class=\"muted\">{evidence}</ul>{quote}</div>")  # fmt: skip
    opps = opportunity_rows(journey, measured)[:3]
    if opps:
        parts.append("<h3>Top opportunities</h3>")
    for opp in opps:
        what_if = opp.what_if_text()
        extra = f"<div>What if: {escape(what_if)}</div>" if what_if else ""
        owner = f" · {escape(opp.owner)}" if opp.owner else ""
        parts.append(f'<div class="card opp"><strong>{escape(opp.text)}</strong>'
                     f'<div class="muted">{escape(opp.stage)}{owner} · value {opp.value:g}/5'
                     f" · effort {opp.effort:g}/5</div>{extra}</div>")  # fmt: skip
    kpis = kpi_rows(journey, measured)
    met = sum(k.status == "met" for k in kpis)
    missed = [k.name for k in kpis if k.status == "missed"]
    parts.append(f"<p>KPIs: {met} met, {len(missed)} missed"
                 + (f" ({escape(', '.join(missed))})" if missed else "") + ".</p>")  # fmt: skip
    return parts


def _methodology(measured: MeasuredMap) -> list[str]:
    parts = ['<h2 id="method">Methodology and data quality</h2>']
    ingest = measured.ingest
    if ingest is not None:
        parts.append(f"<p>Rows read {format_count(ingest.read)} = loaded "
                     f"{format_count(ingest.loaded)} + quarantined "
                     f"{format_count(ingest.quarantined)} + duplicates "
                     f"{format_count(ingest.duplicates)} (source {escape(ingest.source)}).</p>")  # fmt: skip
        reasons = "".join(f"<li>{escape(r)}: {format_count(n)}</li>"
                          for r, n in sorted(ingest.reasons.items()))  # fmt: skip
        parts += [f"<ul>{reasons}</ul>"] if reasons else []
    top = ", ".join(
        f"{escape(e)} ({format_count(n)})" for e, n in measured.unmatched_top
    )
    parts.append(f"<p>Events no touchpoint matches: {format_count(measured.unmatched_events)}"
                 + (f" — most frequent: {top}" if top else "") + ".</p>")  # fmt: skip
    parts += [f'<p class="muted">{escape(note)}</p>' for note in measured.notes]
    parts.append(
        "<dl><dt>Reached</dt><dd>Distinct customers with at least one event in the stage.</dd>"
        "<dt>To next / drop-off</dt><dd>Share of those reached who later reach the next "
        "stage / whose furthest stage is this one.</dd><dt>Time in stage</dt><dd>From "
        "first entry to first entry into a later stage (closed stays only).</dd>"
        "<dt>Pain-point verdicts</dt><dd>Each pain point is tested against an explicit "
        "comparison group; Benjamini–Hochberg over the map's tests; <em>supported</em> "
        "needs q ≤ α and a practical effect.</dd><dt>Emotion</dt><dd>Survey scores and "
        "comment sentiment on −1..1, mean with a 95% confidence interval.</dd></dl>"
    )
    return parts


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in table.columns)
    rows = []
    for row in table.rows:
        cells = []
        for cell in row:
            if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                cells.append(f"<td>{escape('' if cell is None else str(cell))}</td>")
            else:
                cells.append(
                    f'<td class="num" data-sort="{cell!r}">{_number(cell)}</td>'
                )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return '<p class="muted">None.</p>'
    return (f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")  # fmt: skip


def _number(value: float) -> str:
    return format_count(value) if isinstance(value, int) else f"{value:,.4g}"
