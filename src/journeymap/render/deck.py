"""A journey map as an editable PowerPoint deck (16:9): native shapes, text and charts.

Slides: title, overview of the whole map, one slide per stage, pain-point ranking,
opportunity matrix (value × effort) and, when measured, the emotion curve and the stage
funnel as native charts. Colours come from the render theme, so the deck matches the
SVG; fonts are left to the deck's theme (PowerPoint's "+Body"), so a corporate template
restyles them. Shortened text keeps its full wording in the slide notes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from journeymap._importers import import_pptx
from journeymap.layout.formats import (
    format_channel,
    format_count,
    format_duration,
    format_share,
    format_signed,
)
from journeymap.layout.lanes import is_online, make_context, quote_cards
from journeymap.layout.personas import measured_chips as persona_chips
from journeymap.layout.swimlane import department_of, department_view
from journeymap.model.journey import JourneyMap, Stage
from journeymap.model.measured import Emotion, MeasuredMap, StageFigures
from journeymap.model.persona import Persona
from journeymap.render._slides import (
    Canvas,
    Para,
    Run,
    clean,
    height_needed,
    para,
    shorten,
)
from journeymap.render.findings import (
    OpportunityRow,
    PainPointRow,
    kpi_rows,
    opportunity_rows,
    pain_point_rows,
)
from journeymap.render.themes import DEFAULT, Theme

WIDTH, HEIGHT = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
TITLE_TOP, TITLE_HEIGHT = 0.3, 0.75
CONTENT_TOP = 1.55  # below title and subtitle: nothing is drawn over a title
CONTENT_BOTTOM = 7.0
INK, MUTED, NAVY = "#1f2937", "#4b5563", "#1e3a5f"
TITLE_ONLY_LAYOUT = 5  # in python-pptx's default template
PERSONAS_PER_SLIDE = 3


def render_pptx(
    journey: JourneyMap,
    measured: MeasuredMap | None = None,
    *,
    theme: Theme = DEFAULT,
    persona: str | None = None,
    department: str | None = None,
) -> bytes:
    """The deck as PPTX bytes.

    ``persona`` names the persona whose customers ``measured`` was measured on (a
    persona view: said on the title slide and every slide's footer); ``department``
    keeps only what that department owns, as the map's department view does.

    Raises
    ------
    MissingExtraError
        When python-pptx is not installed (extra ``pptx``).
    RenderError
        When ``department`` is not a department of the map.
    """
    pptx = import_pptx()
    util = Canvas.module("pptx.util")
    deck = pptx.Presentation()
    deck.slide_width, deck.slide_height = util.Emu(12_192_000), util.Emu(6_858_000)
    views = []
    if department is not None:
        views.append(f"Department: {department_of(journey, department)}")
        journey = department_view(journey, department)
    if persona is not None:
        names = {p.id: p.name for p in journey.personas}
        views.append(f"Persona: {names.get(persona, persona)}")
    builder = _DeckBuilder(deck, theme, journey, measured, views=tuple(views),
                           found_in_data=department is None)  # fmt: skip
    builder.title_slide()
    builder.persona_slides()
    builder.overview_slide()
    builder.blueprint_slide()
    for number, stage in enumerate(journey.stages, start=1):
        builder.stage_slide(stage, number)
    builder.pain_point_slide()
    builder.opportunity_slide()
    if measured is not None:
        builder.emotion_slide()
        builder.funnel_slide()
    core = deck.core_properties
    core.title = clean(journey.name)[:250]
    core.author = clean(journey.owner or "journeymap")[:250]
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


class _DeckBuilder:
    def __init__(
        self,
        deck: Any,
        theme: Theme,
        journey: JourneyMap,
        measured: MeasuredMap | None,
        *,
        views: tuple[str, ...] = (),
        found_in_data: bool = True,
    ) -> None:
        self.deck, self.theme, self.journey, self.measured = (
            deck,
            theme,
            journey,
            measured,
        )
        self.views = views  # "Persona: …", "Department: …" of a view
        self.ctx = make_context(journey, measured, found_in_data=found_in_data)

    # -- slide scaffolding ------------------------------------------------------------

    def new_slide(self, title: str, subtitle: str | None = None) -> Canvas:
        util = Canvas.module("pptx.util")
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[TITLE_ONLY_LAYOUT])
        canvas = Canvas(slide)
        heading = slide.shapes.title
        heading.left, heading.top = util.Inches(MARGIN), util.Inches(TITLE_TOP)
        heading.width, heading.height = (
            util.Inches(WIDTH - 2 * MARGIN),
            util.Inches(TITLE_HEIGHT),
        )
        short = shorten(title, WIDTH - 2 * MARGIN - 0.3, 28, lines=1, bold=True)
        canvas.text(0, 0, 0, 0, [para(short, 28, bold=True, colour=NAVY)], shape=heading,
                    anchor="bottom", inset=0.02)  # fmt: skip
        if short != title:
            canvas.notes.append(f"Title: {title}")
        if subtitle:
            text = shorten(subtitle, WIDTH - 2 * MARGIN, 14, lines=2)
            canvas.text(MARGIN, TITLE_TOP + TITLE_HEIGHT + 0.02, WIDTH - 2 * MARGIN, 0.6,
                        [para(text, 14, colour=MUTED)], inset=0.02)  # fmt: skip
            if text != subtitle:
                canvas.notes.append(subtitle)
        footer = " · ".join((self.journey.name, *self.views, "journeymap"))
        canvas.text(MARGIN, HEIGHT - 0.38, WIDTH - 2 * MARGIN, 0.3,
                    [para(shorten(footer, 8, 9, lines=1), 9, colour=MUTED)], inset=0)  # fmt: skip
        return canvas

    def finish(self, canvas: Canvas) -> None:
        if canvas.notes:
            canvas.slide.notes_slide.notes_text_frame.text = clean(
                "\n".join(canvas.notes)
            )

    def paint(self, style: str) -> str:
        found = self.theme.paint(style)
        return found.fill or found.stroke or INK

    # -- slides -----------------------------------------------------------------------

    def title_slide(self) -> None:
        j, m = self.journey, self.measured
        facts = [*self.views, f"{j.state.title()} state"]
        facts += [f"Owner: {j.owner}"] if j.owner else []
        facts += [f"Version {j.version}"] if j.version else []
        if m is not None:
            facts.append(f"Measured on {format_count(m.customers)} customers, "
                          f"{format_count(m.events)} events")  # fmt: skip
        canvas = self.new_slide(j.name, j.description)
        canvas.box(MARGIN, 2.3, 0.12, 2.2, fill=NAVY)
        lines = [para(fact, 18, colour=INK, space_after=8) for fact in facts]
        if j.personas:
            names = ", ".join(p.name for p in j.personas)
            lines.append(para(f"Personas: {names}", 18, colour=INK, space_after=8))
        lines.append(para(f"{len(j.stages)} stages · " + " → ".join(s.name for s in j.stages),
                          14, colour=MUTED))  # fmt: skip
        canvas.text(MARGIN + 0.35, 2.3, WIDTH - 2 * MARGIN - 0.5, 4.0, lines)
        self.logo(canvas)
        self.finish(canvas)

    def logo(self, canvas: Canvas) -> None:
        """The brand logo at the bottom right of the title slide (PNG logos: an SVG
        cannot be a native PowerPoint picture)."""
        logo = self.theme.logo
        prefix = "data:image/png;base64,"
        if logo is None or not logo.href.startswith(prefix):
            return
        util = Canvas.module("pptx.util")
        data = base64.b64decode(logo.href.removeprefix(prefix))
        width = min(0.8 * logo.aspect, 4.0)
        height = width / logo.aspect
        canvas.slide.shapes.add_picture(
            io.BytesIO(data), util.Inches(WIDTH - MARGIN - width),
            util.Inches(CONTENT_BOTTOM - height), util.Inches(width), util.Inches(height),
        )  # fmt: skip

    def persona_slides(self) -> None:
        """Who the journey is about: up to three persona cards per slide."""
        personas = list(self.journey.personas)
        for start in range(0, len(personas), PERSONAS_PER_SLIDE):
            group = personas[start : start + PERSONAS_PER_SLIDE]
            canvas = self.new_slide(
                "Who this journey is about",
                f"{len(personas)} personas" + (" · measured share and conversion"
                                               if self.measured else ""),
            )  # fmt: skip
            gap = 0.25
            width = (
                WIDTH - 2 * MARGIN - gap * (PERSONAS_PER_SLIDE - 1)
            ) / PERSONAS_PER_SLIDE
            for i, persona in enumerate(group):
                x = MARGIN + i * (width + gap)
                height = CONTENT_BOTTOM - CONTENT_TOP
                body = fit_paragraphs(self.persona_paragraphs(persona), width, height,
                                      canvas, persona.name)  # fmt: skip
                shape = canvas.box(x, CONTENT_TOP, width, height, fill="#f8fafc",
                                   line="#cbd5e1", rounded=True,
                                   name=f"persona {persona.id}")  # fmt: skip
                canvas.text(0, 0, 0, 0, body, shape=shape, inset=0.15)
            self.finish(canvas)

    def persona_paragraphs(self, persona: Persona) -> list[Para]:
        rows = [para(persona.name, 18, bold=True, colour=NAVY, space_after=4)]
        chips = [chip.label.replace("\u00a0", " ")
                 for chip in persona_chips(self.ctx, persona.id)]  # fmt: skip
        if chips:
            rows.append(para(" · ".join(chips), 12, bold=True, colour="#134e4a",
                             space_after=6))  # fmt: skip
        if persona.description:
            rows.append(para(persona.description, 12, space_after=6))
        for label, values in (("Goals", persona.goals), ("Needs", persona.needs),
                              ("Frustrations", persona.frustrations)):  # fmt: skip
            if values:
                rows.append(para(label, 11, bold=True, colour=MUTED, space_after=1))
                rows += [para(f"• {v}", 12, space_after=1) for v in values]
                rows[-1].space_after = 6
        if persona.quote:
            rows.append(para(f"“{persona.quote}”", 13, italic=True, colour="#422006"))
        return rows

    def overview_slide(self) -> None:
        """Every stage as a column: header, reach, touchpoints, emotion, pain points."""
        count = f"{len(self.journey.stages)} stages"
        if self.measured is not None:
            count += f", measured on {format_count(self.measured.customers)} customers"
        canvas = self.new_slide("The journey at a glance", count)
        stages = self.journey.stages
        gap = 0.12
        width = (WIDTH - 2 * MARGIN - gap * (len(stages) - 1)) / len(stages)
        size = 12 if width > 1.8 else (10 if width > 1.1 else 8)
        for i, stage in enumerate(stages):
            x = MARGIN + i * (width + gap)
            self.stage_header(canvas, stage, i + 1, x, CONTENT_TOP, width, 0.9, size)
            self.overview_column(canvas, stage, x, CONTENT_TOP + 1.0, width, size)
        self.finish(canvas)

    def stage_header(self, canvas: Canvas, stage: Stage, number: int, x: float, y: float,
                     w: float, h: float, size: float) -> None:  # fmt: skip
        shape = canvas.box(x, y, w, h, fill=NAVY, shape="PENTAGON" if w > 1 else None,
                           name=f"stage {stage.id}")  # fmt: skip
        name = shorten(stage.name, w - 0.35, size + 1, lines=2, bold=True)
        canvas.text(0, 0, 0, 0, [
            Para([Run(f"STAGE {number}", size - 3, bold=True, colour="#b9cde4")], 0),
            Para([Run(name, size + 1, bold=True, colour="#ffffff")], 0),
        ], shape=shape, anchor="middle", inset=0.08)  # fmt: skip
        if name != stage.name:
            canvas.notes.append(f"Stage {number}: {stage.name}")

    def overview_column(self, canvas: Canvas, stage: Stage, x: float, y: float,
                        w: float, size: float) -> None:  # fmt: skip
        rows: list[Para] = []
        figures = self.measured.stage_figures(stage.id) if self.measured else None
        if figures is not None:
            reach = f"{format_count(figures.reached)} reached"
            if figures.conversion_next is not None:
                reach += f" · {format_share(figures.conversion_next)} move on"
            rows.append(
                para(reach, size - 1, bold=True, colour="#134e4a", space_after=6)
            )
        emotion = self.emotion_of(stage)
        rows.append(
            para(emotion_text(emotion), size - 1, colour="#3730a3", space_after=6)
        )
        touchpoints = [tp.name for tp in stage.touchpoints if tp.layer != "backstage"]
        if touchpoints:
            rows.append(
                para("Touchpoints", size - 2, bold=True, colour=MUTED, space_after=1)
            )
            rows.append(para(", ".join(touchpoints), size - 1, space_after=6))
        verdicts = {r.id: r for r in pain_point_rows(self.journey, self.measured)}
        for pain in stage.pain_points:
            row = verdicts[pain.id]
            rows.append(Para([Run(f"{verdict_mark(row)} ", size - 1, bold=True,
                                  colour=self.verdict_colour(row)),
                              Run(pain.text, size - 1, colour=INK)], 4))  # fmt: skip
        for opp in stage.opportunities:
            rows.append(Para([Run("+ ", size - 1, bold=True, colour="#15803d"),
                              Run(opp.text, size - 1, colour=INK)], 4))  # fmt: skip
        fitted = fit_paragraphs(rows, w, CONTENT_BOTTOM - y, canvas, stage.name)
        canvas.box(x, y, w, CONTENT_BOTTOM - y, fill="#f7f9fc", line="#e5e7eb",
                   name=f"overview {stage.id}")  # fmt: skip
        canvas.text(x, y, w, CONTENT_BOTTOM - y, fitted)

    def blueprint_slide(self) -> None:
        """The service blueprint: customer actions, frontstage, backstage and support
        per stage, with the lines of interaction, visibility and internal
        interaction between them."""
        rows = ("Customer actions", "Frontstage", "Backstage", "Support")
        lines = (
            "line of interaction",
            "line of visibility",
            "line of internal interaction",
        )
        stages = self.journey.stages
        canvas = self.new_slide("Service blueprint", "What the customer sees, and what "
                                "happens behind the line of visibility")  # fmt: skip
        label_w, gap = 1.45, 0.08
        col_w = (WIDTH - 2 * MARGIN - label_w - gap * len(stages)) / len(stages)
        row_h = (CONTENT_BOTTOM - CONTENT_TOP - 0.35 - 0.12 * len(lines)) / len(rows)
        for i, stage in enumerate(stages):
            x = MARGIN + label_w + gap + i * (col_w + gap)
            canvas.text(x, CONTENT_TOP, col_w, 0.3,
                        [para(shorten(stage.name, col_w - 0.1, 11, lines=1, bold=True), 11,
                              bold=True, colour=NAVY)], inset=0.02)  # fmt: skip
        y = CONTENT_TOP + 0.35
        for r, label in enumerate(rows):
            canvas.text(MARGIN, y, label_w, row_h,
                        [para(label, 11, bold=True, colour=MUTED)], inset=0.04)  # fmt: skip
            for i, stage in enumerate(stages):
                x = MARGIN + label_w + gap + i * (col_w + gap)
                body = [para(f"• {item}", 9, space_after=1)
                        for item in blueprint_items(stage, label)]  # fmt: skip
                fitted = fit_paragraphs(
                    body, col_w, row_h, canvas, f"{label}, {stage.name}"
                )
                shape = canvas.box(x, y, col_w, row_h, fill="#ffffff" if r < 2 else "#f8fafc",
                                   line="#cbd5e1", name=f"blueprint {label} {stage.id}")  # fmt: skip
                canvas.text(0, 0, 0, 0, fitted, shape=shape, inset=0.05)
            y += row_h
            if r < len(lines):
                canvas.box(MARGIN + label_w, y + 0.05, WIDTH - 2 * MARGIN - label_w, 0.02,
                           fill="#475569" if r < 2 else "#94a3b8")  # fmt: skip
                canvas.text(MARGIN, y - 0.03, label_w, 0.18,
                            [para(lines[r], 8, italic=True, colour=MUTED)], inset=0)  # fmt: skip
                y += 0.12
        self.finish(canvas)

    def stage_slide(self, stage: Stage, number: int) -> None:
        canvas = self.new_slide(
            f"Stage {number} · {stage.name}", stage.goal or stage.description
        )
        self.figure_tiles(canvas, stage)
        top = CONTENT_TOP + 0.95
        col = (WIDTH - 2 * MARGIN - 2 * 0.25) / 3
        xs = [MARGIN + i * (col + 0.25) for i in range(3)]
        self.column(
            canvas,
            xs[0],
            top,
            col,
            "What the customer does",
            self.customer_cards(stage),
        )
        self.column(canvas, xs[1], top, col, "How it feels", self.feeling_cards(stage))
        self.column(
            canvas, xs[2], top, col, "What we do about it", self.action_cards(stage)
        )
        self.finish(canvas)

    def figure_tiles(self, canvas: Canvas, stage: Stage) -> None:
        figures = self.measured.stage_figures(stage.id) if self.measured else None
        if figures is None:
            tiles = [
                ("Not measured", "Measure the map against event data to fill these")
            ]
        else:
            tiles = [("Customers reached", format_count(figures.reached)),
                     ("Move to the next stage", "—" if figures.conversion_next is None
                      else format_share(figures.conversion_next)),
                     ("Drop off here", "—" if figures.dropoff is None
                      else format_share(figures.dropoff)),
                     ("Median time in stage", "—" if figures.median_time_s is None
                      else format_duration(figures.median_time_s))]  # fmt: skip
        w = (WIDTH - 2 * MARGIN - 0.2 * (len(tiles) - 1)) / len(tiles)
        for i, (label, value) in enumerate(tiles):
            x = MARGIN + i * (w + 0.2)
            shape = canvas.box(x, CONTENT_TOP, w, 0.75, fill="#f0fdfa", line="#99f6e4",
                               rounded=True)  # fmt: skip
            canvas.text(0, 0, 0, 0, [para(label, 11, colour=MUTED, space_after=0),
                                     para(value, 20, bold=True, colour="#134e4a")],
                        shape=shape, anchor="middle", inset=0.12)  # fmt: skip

    def column(self, canvas: Canvas, x: float, y: float, w: float, heading: str,
               cards: list[tuple[str, list[Para], str, str]]) -> None:  # fmt: skip
        """A heading and cards stacked down; cards that do not fit are named in notes."""
        canvas.text(x, y, w, 0.35, [para(heading.upper(), 11, bold=True, colour=MUTED)],
                    inset=0.02)  # fmt: skip
        y += 0.38
        left_out: list[str] = []
        for kind, paragraphs, fill, line in cards:
            h = height_needed(paragraphs, w)
            if y + h > CONTENT_BOTTOM:
                left_out.append(" ".join(p.text for p in paragraphs))
                continue
            shape = canvas.box(
                x, y, w, h, fill=fill, line=line, rounded=True, name=kind
            )
            canvas.text(0, 0, 0, 0, paragraphs, shape=shape)
            y += h + 0.08
        if left_out:
            canvas.text(x, CONTENT_BOTTOM - 0.05, w, 0.3,
                        [para(f"+{len(left_out)} more in the notes", 10, italic=True,
                              colour=MUTED)], inset=0.02)  # fmt: skip
            canvas.notes.append(f"{heading}, not shown on the slide:")
            canvas.notes.extend(f"- {text}" for text in left_out)

    def customer_cards(self, stage: Stage) -> list[tuple[str, list[Para], str, str]]:
        cards = []
        if stage.actions:
            cards.append(("actions", [para("Actions", 11, bold=True, colour="#1d4ed8")]
                          + [para(f"• {a}", 11) for a in stage.actions], "#ffffff", "#cbd5e1"))  # fmt: skip
        figures = (
            {t.touchpoint_id: t for t in self.measured.touchpoints}
            if self.measured
            else {}
        )
        lines = [para("Touchpoints", 11, bold=True, colour="#0e7490")]
        for tp in stage.touchpoints:
            if tp.layer == "backstage":
                continue
            meta = [format_channel(tp.channel)] if tp.channel else []
            online = is_online(tp)
            if online is not None:
                meta.append("online" if online else "offline")
            found = figures.get(tp.id)
            if found is not None:
                meta.append(f"{format_count(found.reached)} reached")
            head = [Run(tp.name, 11, bold=True)]
            if tp.moment_of_truth:
                head.append(Run(" ★ moment of truth", 10, bold=True, colour="#b45309"))
            head.append(Run("  " + " · ".join(meta), 9, colour=MUTED))
            lines.append(Para(head, 3))
        if len(lines) > 1:
            cards.append(("touchpoints", lines, "#ffffff", "#93c5fd"))
        thoughts = [
            para(f"“{t}”", 11, italic=True, colour="#422006") for t in stage.thoughts
        ]
        if thoughts:
            cards.append(("thoughts", thoughts, "#fef9c3", "#fde68a"))
        return cards

    def feeling_cards(self, stage: Stage) -> list[tuple[str, list[Para], str, str]]:
        emotion = self.emotion_of(stage)
        feeling = [para("Emotion (−1 frustrated … +1 delighted)", 11, bold=True,
                        colour="#6d28d9"), para(emotion_text(emotion), 12)]  # fmt: skip
        for tp in stage.touchpoints:
            found = self.ctx.touchpoints.get(tp.id)
            value = None if found is None else found.emotion.measured
            if found is not None and value is not None:
                e = found.emotion
                feeling.append(para(f"{tp.name}: {format_signed(value)} "
                                    f"(n={format_count(e.n)})", 10, colour="#9a3412",
                                    space_after=0))  # fmt: skip
        cards = [("emotion", feeling, "#f5f3ff", "#ddd6fe")]
        cards += self.pain_cards(stage)  # before the quotes: they matter more
        quotes = [spec for spec in quote_cards(self.ctx, stage) if spec.id][:1]
        if quotes:
            said = [para("What customers said", 11, bold=True, colour="#be185d")]
            for spec in quotes:
                said.append(
                    para(spec.text, 11, italic=True, colour="#4a0d2b", space_after=0)
                )
                said.append(para(" · ".join(spec.meta), 9, colour=MUTED, space_after=4))
            cards.append(("quotes", said, "#fff1f2", "#fecdd3"))
        return cards

    def pain_cards(self, stage: Stage) -> list[tuple[str, list[Para], str, str]]:
        cards = []
        rows = {r.id: r for r in pain_point_rows(self.journey, self.measured)}
        for pain in stage.pain_points:
            row = rows[pain.id]
            paint = self.theme.paint(f"card.pain-{row.severity}")
            if (
                row.verdict == "not_supported"
            ):  # an assumption the data did not bear out
                fill, line = "#f3f4f6", "#d1d5db"
            else:
                fill, line = paint.fill or "#fef2f2", paint.stroke or "#fca5a5"
            body = [Para([Run(f"{row.severity.upper()} · ", 10, bold=True,
                              colour=self.paint(f"accent.pain-{row.severity}")),
                          Run(f"{verdict_mark(row)} {row.verdict_label}", 10, bold=True,
                              colour=self.verdict_colour(row))], 1),
                    para(row.text, 12, colour=MUTED if row.verdict == "not_supported" else INK)]  # fmt: skip
            if row.impact:
                body.append(
                    para(f"Impact ≈ {row.impact:,.0f} customers", 10, colour=MUTED)
                )
            body += [
                para(outcome, 9, colour=MUTED, space_after=0)
                for outcome in row.outcomes[:2]
            ]
            if row.quotes:
                body.append(
                    para(f"“{row.quotes[0]}”", 10, italic=True, colour="#422006")
                )
            cards.append((f"pain point {row.id}", body, fill, line))
        return cards

    def action_cards(self, stage: Stage) -> list[tuple[str, list[Para], str, str]]:
        cards = []
        rows = {r.id: r for r in opportunity_rows(self.journey, self.measured)}
        for opp in stage.opportunities:
            row = rows[opp.id]
            meta = f"{row.status.replace('_', ' ')} · value {row.value:g}/5 · effort {row.effort:g}/5"
            body = [para(row.text, 12, bold=True), para(meta, 10, colour=MUTED)]
            rank = self.ctx.priority_rank.get(opp.id)
            if rank is not None:
                body.insert(0, para(f"PRIORITY {rank} OF {len(self.ctx.priority_rank)}",
                                    10, bold=True, colour="#166534", space_after=0))  # fmt: skip
            if row.owner:
                body.append(para(f"Owner: {row.owner}", 10, colour=MUTED))
            what_if = row.what_if_text()
            if what_if:
                body.append(para(f"What if: {what_if}", 10, colour="#166534"))
            cards.append((f"opportunity {row.id}", body, "#f0fdf4", "#86efac"))
        for kpi in [
            k for k in kpi_rows(self.journey, self.measured) if k.stage == stage.name
        ]:
            colour = {"met": "#166534", "missed": "#b91c1c"}.get(kpi.status, MUTED)
            mark = {"met": "✓ MET", "missed": "✗ MISSED"}.get(
                kpi.status, kpi.status.upper()
            )
            body = [Para([Run(f"{mark}  ", 10, bold=True, colour=colour),
                          Run(kpi.name, 12, bold=True)], 1),
                    para(f"{kpi.value_text} vs target {kpi.target_text}", 10, colour=MUTED)]  # fmt: skip
            cards.append((f"kpi {kpi.id}", body, "#ffffff", "#c7d2fe"))
        return cards

    def pain_point_slide(self) -> None:
        rows = pain_point_rows(self.journey, self.measured)
        canvas = self.new_slide("Pain points, ranked by what the data shows",
                                "Supported first, by impact in customers; assumptions the "
                                "data did not bear out are greyed")  # fmt: skip
        header = ["#", "Pain point", "Stage", "Severity", "Verdict", "Impact"]
        body = [[str(i), r.text, r.stage, r.severity, f"{verdict_mark(r)} {r.verdict_label}",
                 "—" if not r.impact else f"≈ {r.impact:,.0f}"]
                for i, r in enumerate(rows, start=1)]  # fmt: skip
        widths = [0.5, 6.0, 1.7, 1.1, 2.0, 1.03]
        greyed = [r.verdict == "not_supported" for r in rows]
        self.table(canvas, header, body, widths, greyed=greyed)
        self.finish(canvas)

    def table(self, canvas: Canvas, header: list[str], body: list[list[str]],
              widths: list[float], *, greyed: Sequence[bool] = ()) -> None:  # fmt: skip
        util = Canvas.module("pptx.util")
        shown = body[:12]
        if len(body) > len(shown):
            canvas.notes.append("Rows not shown on the slide:")
            canvas.notes.extend(" · ".join(row) for row in body[len(shown) :])
        if not shown:
            canvas.text(MARGIN, CONTENT_TOP, 8, 0.5,
                        [para("The map has none yet.", 14, italic=True, colour=MUTED)])  # fmt: skip
            return
        frame = canvas.slide.shapes.add_table(
            len(shown) + 1, len(header), util.Inches(MARGIN), util.Inches(CONTENT_TOP),
            util.Inches(sum(widths)), util.Inches(0.4 * (len(shown) + 1)))  # fmt: skip
        table = frame.table
        for i, w in enumerate(widths):
            table.columns[i].width = util.Inches(w)
        for r, row in enumerate([header, *shown]):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                text = shorten(value, widths[c] - 0.2, 12, lines=2)
                colour = (
                    "#ffffff"
                    if r == 0
                    else ("#6b7280" if r - 1 < len(greyed) and greyed[r - 1] else INK)
                )
                canvas.text(0, 0, 0, 0, [para(text, 12, bold=r == 0, colour=colour, space_after=0)],
                            shape=cell, inset=0.06)  # fmt: skip
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(
                    NAVY if r == 0 else ("#f8fafc" if r % 2 else "#ffffff")
                )

    def opportunity_slide(self) -> None:
        """Value (up) against effort (right): quick wins sit top left."""
        rows = opportunity_rows(self.journey, self.measured)
        canvas = self.new_slide("Opportunities: value × effort",
                                "Each opportunity placed by its value and effort (1–5); "
                                "the number is its rank by measured priority")  # fmt: skip
        x0, y0, size = MARGIN + 0.9, CONTENT_TOP + 0.1, 5.0
        quadrants = [("Quick wins", 0, 0, "#ecfdf5"), ("Big bets", 1, 0, "#eff6ff"),
                     ("Fill-ins", 0, 1, "#f8fafc"), ("Money pits", 1, 1, "#fef2f2")]  # fmt: skip
        for name, qx, qy, fill in quadrants:
            shape = canvas.box(x0 + qx * size / 2, y0 + qy * size / 2, size / 2, size / 2,
                               fill=fill, line="#e5e7eb", name=f"quadrant {name}")  # fmt: skip
            canvas.text(0, 0, 0, 0, [para(name, 12, bold=True, colour=MUTED,
                                          align="right" if qx else "left")],
                        shape=shape, anchor="bottom" if qy else "top")  # fmt: skip
        canvas.text(x0, y0 + size + 0.02, size, 0.3,
                    [para("Effort →", 11, bold=True, colour=MUTED, align="center")], inset=0)  # fmt: skip
        canvas.text(MARGIN, y0 + size / 2 - 0.2, 0.85, 0.4,
                    [para("Value ↑", 11, bold=True, colour=MUTED)], inset=0)  # fmt: skip
        legend: list[Para] = []
        seen: dict[tuple[float, float], int] = {}
        for rank, row in enumerate(rows, start=1):
            cx = x0 + (row.effort - 1) / 4 * (size - 0.5) + 0.25
            cy = y0 + (5 - row.value) / 4 * (size - 0.5) + 0.25
            same = seen.get((row.value, row.effort), 0)
            seen[(row.value, row.effort)] = same + 1
            cx, cy = nudge(cx, cy, same)
            dot = canvas.box(cx - 0.2, cy - 0.2, 0.4, 0.4, fill="#16a34a", line="#ffffff",
                             shape="OVAL", name=f"opportunity {row.id}")  # fmt: skip
            canvas.text(0, 0, 0, 0, [para(str(rank), 11, bold=True, colour="#ffffff",
                                          align="center", space_after=0)],
                        shape=dot, anchor="middle", inset=0)  # fmt: skip
            legend.append(opportunity_legend(rank, row))
        lx = x0 + size + 0.5
        fitted = fit_paragraphs(legend, WIDTH - MARGIN - lx, CONTENT_BOTTOM - y0, canvas,
                                "Opportunities")  # fmt: skip
        canvas.text(lx, y0, WIDTH - MARGIN - lx, CONTENT_BOTTOM - y0,
                    fitted or [para("The map has no opportunities yet.", 14, italic=True,
                                    colour=MUTED)])  # fmt: skip
        self.finish(canvas)

    def emotion_slide(self) -> None:
        charts = Canvas.module("pptx.chart.data")
        enums = Canvas.module("pptx.enum.chart")
        util = Canvas.module("pptx.util")
        canvas = self.new_slide("Emotion along the journey",
                                "What the map assumes beside what customers' scores and "
                                "comments measured (−1 frustrated … +1 delighted)")  # fmt: skip
        data = charts.CategoryChartData(number_format="0.00")
        data.categories = [clean(s.name) for s in self.journey.stages]
        emotions = [self.emotion_of(s) for s in self.journey.stages]
        data.add_series("Assumed", [e.assumed for e in emotions])
        data.add_series("Measured", [e.measured for e in emotions])
        frame = canvas.slide.shapes.add_chart(
            enums.XL_CHART_TYPE.LINE_MARKERS, util.Inches(MARGIN), util.Inches(CONTENT_TOP),
            util.Inches(8.6), util.Inches(CONTENT_BOTTOM - CONTENT_TOP), data)  # fmt: skip
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = enums.XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale = -1.0, 1.0
        axis.has_major_gridlines = True
        axis.major_unit = 0.5
        axis.tick_labels.number_format = "+0.0;−0.0;0"
        axis.tick_labels.number_format_is_linked = False
        style_chart(chart)
        for series, colour in zip(
            chart.plots[0].series, ("#4f46e5", "#ea580c"), strict=True
        ):
            series.format.line.color.rgb = _rgb(colour)
            series.format.line.width = util.Pt(2.5)
            series.smooth = False
        notes = [
            para("Measured, with 95% confidence interval", 12, bold=True, colour=MUTED)
        ]
        for stage, e in zip(self.journey.stages, emotions, strict=True):
            notes.append(Para([Run(f"{stage.name}: ", 12, bold=True),
                               Run(emotion_text(e), 12, colour=INK)], 6))  # fmt: skip
        canvas.text(MARGIN + 8.8, CONTENT_TOP, WIDTH - 2 * MARGIN - 8.8,
                    CONTENT_BOTTOM - CONTENT_TOP,
                    fit_paragraphs(notes, WIDTH - 2 * MARGIN - 8.8,
                                   CONTENT_BOTTOM - CONTENT_TOP, canvas, "Emotion"))  # fmt: skip
        self.finish(canvas)

    def funnel_slide(self) -> None:
        charts = Canvas.module("pptx.chart.data")
        enums = Canvas.module("pptx.enum.chart")
        util = Canvas.module("pptx.util")
        assert self.measured is not None
        canvas = self.new_slide("Stage funnel",
                                "Customers who reached each stage, and the share who "
                                "moved on to the next")  # fmt: skip
        data = charts.CategoryChartData(number_format="#,##0")
        stages = list(reversed(self.journey.stages))  # a bar chart draws bottom-up
        data.categories = [clean(s.name) for s in stages]
        reached = [(self.measured.stage_figures(s.id) or StageFigures(s.id)).reached
                   for s in stages]  # fmt: skip
        data.add_series("Customers reached", reached)
        frame = canvas.slide.shapes.add_chart(
            enums.XL_CHART_TYPE.BAR_CLUSTERED, util.Inches(MARGIN), util.Inches(CONTENT_TOP),
            util.Inches(8.6), util.Inches(CONTENT_BOTTOM - CONTENT_TOP), data)  # fmt: skip
        chart = frame.chart
        chart.has_legend = False
        chart.has_title = False
        style_chart(chart)
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        plot.data_labels.number_format = "#,##0"
        plot.data_labels.number_format_is_linked = False
        plot.series[0].format.fill.solid()
        plot.series[0].format.fill.fore_color.rgb = _rgb("#0f766e")
        moves = [para("Move on to the next stage", 12, bold=True, colour=MUTED)]
        for stage in self.journey.stages[:-1]:
            figures = self.measured.stage_figures(stage.id)
            share = figures.conversion_next if figures else None
            moves.append(Para([Run(f"{stage.name}: ", 12, bold=True),
                               Run("—" if share is None else format_share(share), 12)], 6))  # fmt: skip
        canvas.text(MARGIN + 8.8, CONTENT_TOP, WIDTH - 2 * MARGIN - 8.8,
                    CONTENT_BOTTOM - CONTENT_TOP,
                    fit_paragraphs(moves, WIDTH - 2 * MARGIN - 8.8,
                                   CONTENT_BOTTOM - CONTENT_TOP, canvas, "Funnel"))  # fmt: skip
        self.finish(canvas)

    # -- helpers ----------------------------------------------------------------------

    def emotion_of(self, stage: Stage) -> Emotion:
        if self.measured is not None and stage.id in self.measured.stage_emotion:
            return self.measured.stage_emotion[stage.id]
        return Emotion(assumed=stage.emotion)

    def verdict_colour(self, row: PainPointRow) -> str:
        return {"supported": "#166534", "not_supported": "#4b5563",
                "insufficient_data": "#92400e"}.get(row.verdict or "", MUTED)  # fmt: skip


def blueprint_items(stage: Stage, row: str) -> list[str]:
    """What one row of the service blueprint holds for a stage."""
    if row == "Customer actions":
        return list(stage.actions)
    if row == "Backstage":
        behind = [t.name for t in stage.touchpoints if t.layer == "backstage"]
        return [*stage.business_actions, *behind]
    layer = "frontstage" if row == "Frontstage" else "support"
    return [t.name for t in stage.touchpoints if t.layer == layer]


def _rgb(colour: str) -> Any:
    from journeymap.render._slides import rgb

    return rgb(colour)


def style_chart(chart: Any) -> None:
    """Readable axis labels: 12 pt, never rotated away from their bars."""
    util = Canvas.module("pptx.util")
    chart.font.size = util.Pt(12)
    chart.has_title = False
    chart.category_axis.tick_labels.font.size = util.Pt(12)
    chart.value_axis.tick_labels.font.size = util.Pt(11)


def verdict_mark(row: PainPointRow) -> str:
    return {"supported": "✓", "not_supported": "✗", "insufficient_data": "?"}.get(
        row.verdict or "", "•"
    )


def emotion_text(emotion: Emotion) -> str:
    parts = []
    if emotion.assumed is not None:
        parts.append(f"assumed {format_signed(emotion.assumed)}")
    if emotion.measured is not None:
        measured = f"measured {format_signed(emotion.measured)}"
        if emotion.ci_low is not None and emotion.ci_high is not None:
            measured += (f" [{format_signed(emotion.ci_low)}, "
                         f"{format_signed(emotion.ci_high)}]")  # fmt: skip
        parts.append(measured + f", n={format_count(emotion.n)}")
    return " · ".join(parts) or "no emotion assumed or measured"


def opportunity_legend(rank: int, row: OpportunityRow) -> Para:
    extra = f" — {row.what_if_text()}" if row.what_if_text() else ""
    return Para([Run(f"{rank}  ", 12, bold=True, colour="#15803d"),
                 Run(row.text, 12, bold=True),
                 Run(f"  {row.stage} · value {row.value:g} · effort {row.effort:g}{extra}",
                     10, colour=MUTED)], 6)  # fmt: skip


def nudge(x: float, y: float, earlier: int) -> tuple[float, float]:
    """Opportunities with the same value and effort would hide each other: the
    ``earlier``-th repeat of a position moves aside (a ring of eight, then outwards)."""
    if earlier == 0:
        return x, y
    ring = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]
    dx, dy = ring[(earlier - 1) % len(ring)]
    step = 0.42 * (1 + (earlier - 1) // len(ring))
    return x + dx * step, y + dy * step


def fit_paragraphs(paragraphs: list[Para], width: float, height: float, canvas: Canvas,
                   where: str) -> list[Para]:  # fmt: skip
    """The paragraphs that fit in ``height``; the rest go to the slide notes."""
    kept: list[Para] = []
    for i, paragraph in enumerate(paragraphs):
        if height_needed([*kept, paragraph], width) > height:
            rest = paragraphs[i:]
            canvas.notes.append(f"{where}, not shown on the slide:")
            canvas.notes.extend(f"- {p.text}" for p in rest)
            kept.append(
                para(f"+{len(rest)} more in the notes", 9, italic=True, colour=MUTED)
            )
            break
        kept.append(paragraph)
    return kept
