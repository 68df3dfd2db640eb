"""The measured map as tables: CSV (one table) and XLSX (one sheet per table).

Numbers stay numbers (shares as 0..1, durations in seconds) so a spreadsheet can compute
with them; the map's ids are kept beside names so rows can be joined back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeymap._importers import import_openpyxl
from journeymap.errors import RenderError
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap, StageFigures
from journeymap.render.findings import kpi_rows, opportunity_rows, pain_point_rows

Cell = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Table:
    """A named table: column names and rows of plain cells."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


TABLE_NAMES = (
    "stages",
    "touchpoints",
    "pain_points",
    "opportunities",
    "kpis",
    "personas",
)


def measured_tables(
    journey: JourneyMap, measured: MeasuredMap | None
) -> dict[str, Table]:
    """Every table of a (measured) map, keyed by ``TABLE_NAMES``."""
    tables = [
        stage_table(journey, measured),
        touchpoint_table(journey, measured),
        pain_point_table(journey, measured),
        opportunity_table(journey, measured),
        kpi_table(journey, measured),
        persona_table(measured),
    ]
    return {table.name: table for table in tables}


def stage_table(journey: JourneyMap, measured: MeasuredMap | None) -> Table:
    columns = ("stage_id", "stage", "reached", "entries", "conversion_next",
               "dropoff", "median_time_s", "p90_time_s", "regressions_out",
               "emotion_assumed", "emotion_measured", "emotion_ci_low",
               "emotion_ci_high", "emotion_n")  # fmt: skip
    rows = []
    for stage in journey.stages:
        fig = (measured.stage_figures(stage.id) if measured else None) or StageFigures(
            stage.id
        )
        emotion = measured.stage_emotion.get(stage.id) if measured else None
        rows.append((
            stage.id, stage.name, fig.reached, fig.entries, fig.conversion_next,
            fig.dropoff, fig.median_time_s, fig.p90_time_s, fig.regressions_out,
            stage.emotion, emotion.measured if emotion else None,
            emotion.ci_low if emotion else None, emotion.ci_high if emotion else None,
            emotion.n if emotion else 0,
        ))  # fmt: skip
    return Table("stages", columns, tuple(rows))


def touchpoint_table(journey: JourneyMap, measured: MeasuredMap | None) -> Table:
    columns = ("touchpoint_id", "touchpoint", "stage", "channel", "layer", "reached",
               "events", "nps", "csat", "ces", "sentiment", "emotion_measured",
               "emotion_ci_low", "emotion_ci_high", "emotion_n")  # fmt: skip
    figures = {t.touchpoint_id: t for t in measured.touchpoints} if measured else {}
    rows = []
    for stage, tp in journey.touchpoints():
        f = figures.get(tp.id)
        e = f.emotion if f else None
        rows.append((
            tp.id, tp.name, stage.name, tp.channel, tp.layer,
            f.reached if f else None, f.events if f else None, f.nps if f else None,
            f.csat if f else None, f.ces if f else None, f.sentiment if f else None,
            e.measured if e else None, e.ci_low if e else None,
            e.ci_high if e else None, e.n if e else None,
        ))  # fmt: skip
    return Table("touchpoints", columns, tuple(rows))


def pain_point_table(journey: JourneyMap, measured: MeasuredMap | None) -> Table:
    columns = ("rank", "pain_point_id", "pain_point", "stage", "touchpoint",
               "severity", "evidence", "verdict", "impact_customers", "q_value")  # fmt: skip
    rows = tuple(
        (
            i,
            r.id,
            r.text,
            r.stage,
            r.touchpoint,
            r.severity,
            r.evidence,
            r.verdict,
            r.impact,
            r.q_value,
        )  # fmt: skip
        for i, r in enumerate(pain_point_rows(journey, measured), start=1)
    )
    return Table("pain_points", columns, rows)


def opportunity_table(journey: JourneyMap, measured: MeasuredMap | None) -> Table:
    columns = ("rank", "opportunity_id", "opportunity", "stage", "owner", "status",
               "value", "effort", "priority", "what_if")  # fmt: skip
    rows = tuple(
        (
            i,
            r.id,
            r.text,
            r.stage,
            r.owner,
            r.status,
            r.value,
            r.effort,
            r.priority,
            r.what_if_text(),
        )  # fmt: skip
        for i, r in enumerate(opportunity_rows(journey, measured), start=1)
    )
    return Table("opportunities", columns, rows)


def kpi_table(journey: JourneyMap, measured: MeasuredMap | None) -> Table:
    columns = ("kpi_id", "kpi", "stage", "metric", "value", "target", "status", "n")
    rows = tuple(
        (r.id, r.name, r.stage, r.metric, r.value, r.target_text, r.status, r.n)
        for r in kpi_rows(journey, measured)
    )
    return Table("kpis", columns, rows)


def persona_table(measured: MeasuredMap | None) -> Table:
    columns = ("persona_id", "persona", "customers", "share", "conversion_rate",
               "conversion_ci_low", "conversion_ci_high", "emotion_measured")  # fmt: skip
    rows = []
    for p in measured.personas if measured else ():
        ci = p.get("conversion_ci") or (None, None)
        found = p.get("emotion")
        emotion: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        rows.append((
            p.get("id"), p.get("name"), p.get("customers"), p.get("share"),
            p.get("conversion_rate"), ci[0], ci[1], emotion.get("measured"),
        ))  # fmt: skip
    return Table("personas", columns, tuple(rows))


def tables_csv(tables: Mapping[str, Table], name: str = "stages") -> str:
    """One table as CSV (header row first); ``name`` is one of ``TABLE_NAMES``."""
    if name not in tables:
        raise RenderError(f"unknown table {name!r}; known: {', '.join(tables)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(tables[name].columns)
    writer.writerows(_plain_row(row) for row in tables[name].rows)
    return out.getvalue()


def tables_xlsx(tables: Mapping[str, Table]) -> bytes:
    """Every table as a sheet of one workbook (extra ``excel``)."""
    openpyxl = import_openpyxl()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in tables.values():
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([_sheet_cell(cell) for cell in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain_row(row: tuple[Cell, ...]) -> list[Any]:
    return ["" if cell is None else _sheet_cell(cell) for cell in row]


def _round(cell: Cell) -> Cell:
    return round(cell, 6) if isinstance(cell, float) else cell


def _sheet_cell(cell: Cell) -> Cell:
    # a cell starting with "=" would become a formula in Excel: user text stays text
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return _round(cell)
