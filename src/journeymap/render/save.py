"""One ``save`` for every format: the suffix picks the writer (like Altair's ``save``).

Each writer turns a map (measured or not) into bytes; the registry maps a format name to
it, and suffixes to format names. Heavy converters load only when their format is asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from journeymap.errors import RenderError
from journeymap.layout.compare import side_by_side
from journeymap.layout.diagram import Diagram
from journeymap.layout.swimlane import layout_map, layout_to_fit
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import MeasuredMap
from journeymap.render.pages import PAPERS, stage_groups
from journeymap.render.themes import DEFAULT, Theme


@dataclass(frozen=True, slots=True)
class MapOutput:
    """What a writer draws: the map, its measurements and how to draw them."""

    journey: JourneyMap
    measured: MeasuredMap | None = None
    theme: Theme = DEFAULT
    lanes: tuple[str, ...] | None = None
    persona: str | None = None
    data_as_of: str | None = None
    paper: str = "fit"
    stages_per_page: int | None = None
    png_scale: float = 2.0
    department: str | None = None
    compare: JourneyMap | MeasuredMap | None = None  # the current state, drawn left
    previous: MeasuredMap | None = None  # an earlier period (period over period)

    def diagram(self, journey: JourneyMap | None = None) -> Diagram:
        if self.compare is not None:
            return self.side_by_side()
        if self.paper in PAPERS and journey is None:
            # printing on paper: lay the map out landscape, as flat as the sheet
            short, long = PAPERS[self.paper]
            return layout_to_fit(self.journey, self.measured, aspect=short / long,
                                 lanes=self.lanes, persona=self.persona,
                                 data_as_of=self.data_as_of, department=self.department,
                                 logo=self.theme.logo, previous=self.previous)  # fmt: skip
        return layout_map(
            journey or self.journey,
            self.measured,
            lanes=self.lanes,
            persona=self.persona,
            data_as_of=self.data_as_of,
            department=self.department,
            logo=self.theme.logo,
            previous=self.previous,
        )

    def side_by_side(self) -> Diagram:
        """The compared (current) map on the left, this (future) map on the right."""
        assert self.compare is not None
        if isinstance(self.compare, MeasuredMap):
            current, measured = self.compare.journey, self.compare
        else:
            current, measured = self.compare, None
        left, right = (
            layout_map(journey, found, lanes=self.lanes, department=self.department,
                       logo=self.theme.logo)
            for journey, found in ((current, measured), (self.journey, self.measured))
        )  # fmt: skip
        labels = (f"{current.state.capitalize()} state: {current.name}",
                  f"{self.journey.state.capitalize()} state: {self.journey.name}")  # fmt: skip
        return side_by_side(left, right, labels)

    def pages(self) -> list[Diagram]:
        """The whole map, or one diagram per group of stages with the same lanes."""
        whole = self.diagram()
        if not self.stages_per_page or self.compare is not None:
            return [whole]
        lanes = self.lanes or tuple(lane.id for lane in whole.lanes)
        pages, first = [], 1
        for group in stage_groups(self.journey.stage_ids(), self.stages_per_page):
            stages = [s for s in self.journey.stages if s.id in group]
            part = self.journey.model_copy(update={"stages": tuple(stages)})
            pages.append(
                layout_map(
                    part,
                    self.measured,
                    lanes=lanes,
                    persona=self.persona,
                    data_as_of=self.data_as_of,
                    first_stage_number=first,
                    department=self.department,
                    logo=self.theme.logo,
                    previous=self.previous,
                )
            )
            first += len(stages)
        return pages


Writer = Callable[[MapOutput], bytes]


def _svg(out: MapOutput) -> bytes:
    from journeymap.render.svg import render_svg

    return render_svg(out.diagram(), theme=out.theme).encode("utf-8")


def _html(out: MapOutput) -> bytes:
    from journeymap.render.html import render_html

    return render_html(out.diagram(), theme=out.theme).encode("utf-8")


def _pdf(out: MapOutput) -> bytes:
    from journeymap.render.pdf import render_pdf

    return render_pdf(out.pages(), paper=out.paper, theme=out.theme)


def _png(out: MapOutput) -> bytes:
    from journeymap.render.png import render_png

    return render_png(out.diagram(), theme=out.theme, scale=out.png_scale)


def _pptx(out: MapOutput) -> bytes:
    from journeymap.render.deck import render_pptx

    return render_pptx(out.journey, out.measured, theme=out.theme,
                       persona=out.persona, department=out.department)  # fmt: skip


def _json(out: MapOutput) -> bytes:
    if out.measured is not None:  # measured.json, as `journeymap measure` writes it
        return out.measured.to_json().encode("utf-8")
    data = out.journey.model_dump(mode="json", exclude_none=True)
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _yaml(out: MapOutput) -> bytes:
    from journeymap.model.spec import dump_map

    return dump_map(out.journey).encode("utf-8")


def _csv(out: MapOutput) -> bytes:
    from journeymap.render.tables import measured_tables, tables_csv

    return tables_csv(measured_tables(out.journey, out.measured)).encode("utf-8")


def _xlsx(out: MapOutput) -> bytes:
    from journeymap.render.tables import measured_tables, tables_xlsx

    return tables_xlsx(measured_tables(out.journey, out.measured))


def _markdown(out: MapOutput) -> bytes:
    from journeymap.render.summary import render_markdown

    return render_markdown(out.journey, out.measured).encode("utf-8")


def _mermaid(out: MapOutput) -> bytes:
    from journeymap.render.mermaid import render_mermaid

    return render_mermaid(out.journey, out.measured).encode("utf-8")


DRAWINGS = ("svg", "png", "pdf", "html")
WRITERS: dict[str, Writer] = {
    "svg": _svg,
    "png": _png,
    "pdf": _pdf,
    "pptx": _pptx,
    "html": _html,
    "json": _json,
    "yaml": _yaml,
    "csv": _csv,
    "xlsx": _xlsx,
    "md": _markdown,
    "mermaid": _mermaid,
}
SUFFIXES: dict[str, str] = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".pptx": "pptx",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
    ".mmd": "mermaid",
}


def output_format(path: str | Path, format: str | None = None) -> str:
    """The format ``save`` writes: ``format`` when given, else from the suffix."""
    if format is not None:
        if format.lower() not in WRITERS:
            raise RenderError(
                f"unknown format {format!r}; known: {', '.join(sorted(WRITERS))}"
            )
        return format.lower()
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(sorted(set(SUFFIXES)))
        shown = repr(suffix) if suffix else "no suffix"
        raise RenderError(
            f"unknown output format {shown}; known: {known}", file=str(path)
        )
    return SUFFIXES[suffix]


def save_map(out: MapOutput, path: str | Path, *, format: str | None = None) -> Path:
    """Write a map in the format its suffix (or ``format``) names; return the path.

    Raises
    ------
    RenderError
        On an unknown format or a file that cannot be written.
    MissingExtraError
        When the format needs an extra that is not installed.
    """
    target = Path(path)
    kind = output_format(target, format)
    if out.compare is not None and kind not in DRAWINGS:
        raise RenderError(f"a side-by-side comparison is drawn as {', '.join(DRAWINGS)}, "
                          f"not {kind}", file=str(target))  # fmt: skip
    data = WRITERS[kind](out)
    try:
        target.write_bytes(data)
    except OSError as error:
        raise RenderError(f"cannot write: {error.strerror}", file=str(target)) from None
    return target
