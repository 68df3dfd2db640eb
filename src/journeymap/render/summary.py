"""A Markdown summary of a (measured) map: for a pull request, a wiki or a chat."""

from __future__ import annotations

import re

from journeymap.layout.formats import format_count, format_duration, format_share
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap
from journeymap.render.findings import kpi_rows, opportunity_rows, pain_point_rows

# Markdown (and the HTML it allows) would act on these in user text
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def render_markdown(journey: JourneyMap, measured: MeasuredMap | None = None) -> str:
    """Title, stage table, pain points with verdicts, opportunities and KPIs.

    Examples
    --------
    >>> from journeymap.model import JourneyMap, Stage
    >>> text = render_markdown(JourneyMap(name="<b>Demo</b>", stages=[Stage(id="s", name="S")]))
    >>> text.splitlines()[0]
    '# \\\\<b\\\\>Demo\\\\</b\\\\>'
    """
    parts = [f"# {md(journey.name)}", ""]
    if journey.description:
        parts += [md(journey.description), ""]
    if measured is not None:
        parts += [
            f"Measured on {format_count(measured.customers)} customers and "
            f"{format_count(measured.events)} events.",
            "",
        ]
    parts += _stage_section(journey, measured)
    parts += _pain_section(journey, measured)
    parts += _opportunity_section(journey, measured)
    parts += _kpi_section(journey, measured)
    return "\n".join(parts).rstrip() + "\n"


def md(text: str) -> str:
    """User text made inert in Markdown: special characters escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _stage_section(journey: JourneyMap, measured: MeasuredMap | None) -> list[str]:
    lines = ["## Stages", "", "| # | Stage | Reached | To next | Drop-off | Median time |",
             "|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    for i, stage in enumerate(journey.stages, start=1):
        fig = measured.stage_figures(stage.id) if measured else None
        cells = ["—"] * 4
        if fig is not None:
            cells = [
                format_count(fig.reached),
                "—"
                if fig.conversion_next is None
                else format_share(fig.conversion_next),
                "—" if fig.dropoff is None else format_share(fig.dropoff),
                "—"
                if fig.median_time_s is None
                else format_duration(fig.median_time_s),
            ]
        lines.append(f"| {i} | {md(stage.name)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _pain_section(journey: JourneyMap, measured: MeasuredMap | None) -> list[str]:
    rows = pain_point_rows(journey, measured)
    if not rows:
        return []
    lines = ["## Pain points", ""]
    for row in rows:
        impact = "" if not row.impact else f", impact ≈ {row.impact:,.0f} customers"
        lines.append(
            f"- **{md(row.text)}** ({md(row.stage)}, {row.severity}) — "
            f"{row.verdict_label}{impact}"
        )
        lines += [f"  - {md(outcome)}" for outcome in row.outcomes]
        lines += [f"  - > {md(quote)}" for quote in row.quotes[:1]]
    return [*lines, ""]


def _opportunity_section(
    journey: JourneyMap, measured: MeasuredMap | None
) -> list[str]:
    rows = opportunity_rows(journey, measured)
    if not rows:
        return []
    lines = ["## Opportunities", ""]
    for row in rows:
        owner = f", owner {md(row.owner)}" if row.owner else ""
        what_if = row.what_if_text()
        extra = f" — what if: {md(what_if)}" if what_if else ""
        lines.append(
            f"- **{md(row.text)}** ({md(row.stage)}, {row.status.replace('_', ' ')}"
            f"{owner}; value {row.value:g}/5, effort {row.effort:g}/5){extra}"
        )
    return [*lines, ""]


def _kpi_section(journey: JourneyMap, measured: MeasuredMap | None) -> list[str]:
    rows = kpi_rows(journey, measured)
    if not rows:
        return []
    lines = ["## KPIs", "", "| KPI | Stage | Value | Target | Status |",
             "|---|---|---:|---:|---|"]  # fmt: skip
    for row in rows:
        lines.append(
            f"| {md(row.name)} | {md(row.stage)} | {md(row.value_text)} | "
            f"{md(row.target_text)} | {row.status} |"
        )
    return [*lines, ""]
