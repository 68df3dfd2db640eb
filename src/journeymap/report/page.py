"""The report page: executive summary, map, tables, charts, methodology; one HTML file.

Nothing is fetched: the map is inline SVG, plotly.js is inlined once, the table sorter
is a few lines of script. Every piece of map and data text is escaped (it is user data).
Every figure and table links to its definition in the methodology section. The PDF
print has the same sections with each chart drawn as a static SVG (WeasyPrint runs no
JavaScript; :mod:`journeymap.report.static`); without kaleido or a browser it prints
the tables only and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape
from pathlib import Path

from journeymap._importers import import_plotly, import_weasyprint
from journeymap.errors import RenderError
from journeymap.layout.diagram import Diagram
from journeymap.layout.formats import format_count
from journeymap.layout.swimlane import layout_map
from journeymap.model.flows import JourneyFlows
from journeymap.model.measured import MeasuredMap
from journeymap.render.svg import render_svg
from journeymap.render.tables import measured_tables
from journeymap.report import charts, static
from journeymap.report.sections import (
    DEFINITIONS,
    attribution_section,
    data_quality,
    definitions,
    flow_tables,
    kpi_table,
    pain_point_table,
    persona_table,
    quotes_section,
    summary,
    table_html,
)

_STYLE = """
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
       color: #1f2937; margin: 0; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { color: #1e3a5f; margin-bottom: 4px; } h2 { color: #1e3a5f; margin-top: 40px;
  border-bottom: 2px solid #e5e7eb; padding-bottom: 4px; }
h3 { color: #1e3a5f; margin-bottom: 4px; }
nav.toc { font-size: 14px; margin: 12px 0; } nav.toc a { margin-right: 12px; }
a { color: #1d4ed8; }
.lead { color: #4b5563; } .figure { overflow-x: auto; border: 1px solid #e5e7eb; }
.figure svg { display: block; max-width: none; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 6px 8px; text-align: left;
         vertical-align: top; }
th { background: #1e3a5f; color: #fff; cursor: pointer; user-select: none; }
th[data-dir="up"]::after { content: " ▲"; } th[data-dir="down"]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.refuted td { color: #4b5563; }
.card { border-left: 4px solid #dc2626; background: #fef2f2; padding: 8px 12px;
        margin: 8px 0; } .card.opp { border-color: #16a34a; background: #f0fdf4; }
.card.works { border-color: #0f766e; background: #f0fdfa; }
blockquote { font-style: italic; color: #422006; margin: 4px 0 0 0; }
.muted { color: #4b5563; font-size: 13px; }
p.def { font-size: 13px; color: #4b5563; margin: 2px 0 12px; }
dl.defs dt { font-weight: bold; margin-top: 10px; } dl.defs dd { margin-left: 0; }
dl.defs dt:target, dl.defs dt:target + dd { background: #fef9c3; }
details summary { cursor: pointer; color: #1d4ed8; font-size: 14px; }
@page { size: A4 landscape; margin: 12mm; }
.chart-image { display: block; width: 100%; height: auto; break-inside: avoid; }
@media print { .chart { display: none; } p.def { break-after: avoid; }
  .chart-static { display: block; break-before: avoid; } h2 { break-after: avoid; }
  table { font-size: 10px; } th, td { padding: 3px 5px; } tr { break-inside: avoid; }
  .figure { overflow: visible; border: none; } .figure svg { width: 100%; }
  main { max-width: none; padding: 0; } details > * { display: block; } }
"""

_SORTER = """
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.setAttribute("title", "Sort by this column");
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], up = th.dataset.dir !== "up";
    var rows = Array.from(body.rows), key = function (r) {
      var c = r.cells[col], v = c.dataset.sort !== undefined ? c.dataset.sort : c.textContent;
      var n = parseFloat(v); return isNaN(n) ? v.toLowerCase() : n; };
    rows.sort(function (a, b) { var x = key(a), y = key(b);
      return (x > y ? 1 : x < y ? -1 : 0) * (up ? 1 : -1); });
    th.closest("tr").querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = up ? "up" : "down"; rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

SECTIONS = (
    ("summary", "Summary"),
    ("map", "Map"),
    ("stages", "Stages"),
    ("funnel", "Funnel"),
    ("flows", "Flows"),
    ("emotion", "Emotion"),
    ("personas", "Personas"),
    ("kpis", "KPIs"),
    ("pain-points", "Pain points"),
    ("opportunities", "Opportunities"),
    ("quotes", "Quotes"),
    ("method", "Methodology and data quality"),
)


def render_report(
    measured: MeasuredMap,
    *,
    charts_inline: bool = True,
    flows: JourneyFlows | None = None,
    static_charts: bool = False,
    charts_note: str | None = None,
) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    measured
        The measured map.
    charts_inline
        False leaves out the Plotly charts (for the PDF print, which runs no script).
    flows
        Stage and touchpoint flows (:func:`journeymap.measure_flows`) for the Sankey
        diagrams; without them the flows section says how to get them.
    static_charts
        Draw the charts as static SVG images (the PDF print) instead of Plotly divs.
    charts_note
        Why the charts are left out, for the methodology section.
    """
    pending: list[charts.Chart] = []

    def chart(figure: charts.Chart) -> str:
        if not static_charts:
            return f'<div class="chart">{figure}</div>'
        pending.append(figure)  # drawn together below: one browser for all
        return f'<div class="chart-static"><!--jm-chart-{len(pending) - 1}--></div>'

    journey = measured.journey
    parts = [f"<h1>{escape(journey.name)}</h1>"]
    if journey.description:
        parts.append(f'<p class="lead">{escape(journey.description)}</p>')
    parts.append(f'<p class="muted">Measured on {format_count(measured.customers)} '
                 f"customers and {format_count(measured.events)} events.</p>")  # fmt: skip
    attribution = attribution_section(measured)
    sections = [*SECTIONS[:-1], *([("attribution", "Attribution")] if attribution else []),
                SECTIONS[-1]]  # fmt: skip
    links = " ".join(f'<a href="#{key}">{escape(name)}</a>' for key, name in sections)
    parts.append(f'<nav class="toc">{links}</nav>')
    parts += summary(measured)
    diagram = layout_map(journey, measured)
    svg = render_svg(diagram)
    parts += [_heading("map", "The map", "map"), f'<div class="figure">{svg}</div>']
    tables = measured_tables(journey, measured)
    parts += [_heading("stages", "Stages", "stages"), table_html(tables["stages"])]
    parts.append(_heading("funnel", "Funnel", "funnel"))
    if charts_inline:
        parts.append(chart(charts.funnel_chart(measured)))
    parts += _flows(measured, flows, chart if charts_inline else None)
    parts.append(_heading("emotion", "Emotion curve", "emotion"))
    if charts_inline:
        parts.append(chart(charts.emotion_chart(measured)))
        by_touchpoint = charts.touchpoint_emotion_chart(measured)
        if by_touchpoint:
            parts += [
                "<h3>Per touchpoint</h3>",
                chart(by_touchpoint),
            ]
    parts.append(table_html(tables["touchpoints"]))
    parts.append(_heading("personas", "Persona comparison", "personas"))
    if charts_inline:
        for figure in (charts.persona_chart(measured),
                       charts.persona_emotion_chart(measured)):  # fmt: skip
            parts += [chart(figure)] if figure else []
    parts.append(persona_table(measured))
    parts += [_heading("kpis", "KPIs", "kpis"), kpi_table(measured)]
    parts += [
        _heading("pain-points", "Pain points", "verdicts"),
        pain_point_table(measured),
    ]
    parts += [
        _heading("opportunities", "Opportunities", "opportunities"),
        table_html(tables["opportunities"]),
    ]
    parts += [_heading("quotes", "What customers said", "quotes"),
              *quotes_section(measured)]  # fmt: skip
    parts += attribution
    note = (
        [f'<p class="muted">Charts: {escape(charts_note)}</p>'] if charts_note else []
    )
    parts += ['<h2 id="method">Methodology and data quality</h2>',
              *data_quality(measured, flows), *note, *definitions(measured)]  # fmt: skip
    body = "\n".join(parts)
    for i, image in enumerate(static.render_svgs(pending)):
        body = body.replace(f"<!--jm-chart-{i}-->", image, 1)
    script = ""
    if charts_inline and not static_charts:
        script = f"<script>{import_plotly().offline.get_plotlyjs()}</script>\n"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(journey.name)} — journey report</title>"
            f"<style>{_STYLE}{_map_page(diagram)}</style>{script}</head>\n<body><main>\n"
            + body
            + f"\n</main><script>{_SORTER}</script></body></html>\n")  # fmt: skip


def _map_page(diagram: Diagram) -> str:
    """In print, the map gets a page of its own shape, so a tall map is neither cut
    at the page end nor shrunk to an A4 column (a PDF page can be any size)."""
    margin = 12 * 96 / 25.4
    return (f"@page jm-map {{ size: {diagram.width + 2 * margin:.0f}px "
            f"{diagram.height + 2 * margin:.0f}px; margin: {margin:.0f}px; }}\n"
            "@media print { .figure { page: jm-map; } .figure svg { width: auto; } }\n")  # fmt: skip


def _heading(anchor: str, title: str, definition: str) -> str:
    """A section heading and the link to how its figures are measured."""
    label = DEFINITIONS[definition][0]
    return (f'<h2 id="{anchor}">{escape(title)}</h2>'
            f'<p class="def">How this is measured: <a href="#def-{definition}">'
            f"{escape(label)}</a></p>")  # fmt: skip


def _flows(
    measured: MeasuredMap,
    flows: JourneyFlows | None,
    chart: Callable[[charts.Chart], str] | None,
) -> list[str]:
    parts = [_heading("flows", "Flows between stages and touchpoints", "flows")]
    if flows is None:
        parts.append('<p class="muted">Not computed for this report: pass the event '
                     "data (<code>journeymap report --data</code>, or "
                     "<code>save_report(..., flows=measure_flows(map, log))</code>)."
                     "</p>")  # fmt: skip
        return parts
    if chart is not None:
        parts.append(chart(charts.stage_sankey(measured, flows)))
        touchpoints = charts.touchpoint_sankey(measured, flows)
        if touchpoints:
            shown = len(charts.largest_touchpoint_flows(flows))
            parts.append(f'<p class="muted">Touchpoint flows: the {shown} largest of '
                         f"{format_count(len(flows.touchpoints))}, by customers; the "
                         "table below lists them all.</p>")  # fmt: skip
            parts.append(chart(touchpoints))
    parts += flow_tables(measured, flows)
    return parts


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
            html = _print_html(measured, flows)
            target.write_bytes(import_weasyprint().HTML(string=html).write_pdf())
        else:
            target.write_text(render_report(measured, flows=flows), encoding="utf-8")
    except OSError as error:
        raise RenderError(f"cannot write: {error.strerror}", file=str(target)) from None
    return target


_log = logging.getLogger("journeymap")


def _print_html(measured: MeasuredMap, flows: JourneyFlows | None) -> str:
    """The report for the PDF print: charts as static SVG when kaleido and a browser
    are there; otherwise the tables only, with a note in the report and on stderr."""
    reason = static.unavailable()
    if reason is None:
        try:
            return render_report(measured, flows=flows, static_charts=True)
        except Exception as error:  # noqa: BLE001 - the browser failed; tables remain
            reason = f"drawing them failed ({type(error).__name__}: {error})"
    note = f"left out of this PDF: {reason}; to draw them: {static.HINT}."
    _log.warning("report PDF: charts %s", note)
    return render_report(measured, charts_inline=False, flows=flows, charts_note=note)
