"""Diagram → SVG text: deterministic, accessible, every piece of user text escaped.

Numbers are written with at most two decimals and ids come from the map's ids, so the
same diagram always gives the same bytes. Text stays text (``<text>``/``<tspan>``),
never outlines, so it can be searched, read aloud and translated.
"""

from __future__ import annotations

import re
from pathlib import Path as FilePath

from journeymap.errors import RenderError
from journeymap.layout.diagram import (
    Box,
    Circle,
    Diagram,
    Group,
    Image,
    Item,
    Line,
    Path,
    Text,
)
from journeymap.render.themes import DEFAULT, Paint, Theme

# Characters XML 1.0 forbids even when escaped; user text containing them is cleaned.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def render_svg(diagram: Diagram, *, theme: Theme = DEFAULT, scale: float = 1.0) -> str:
    """Write a diagram as a standalone SVG document.

    Parameters
    ----------
    diagram
        Geometry from :func:`journeymap.layout.layout_map`.
    theme
        Colours and fonts; see :mod:`journeymap.render.themes`.
    scale
        Printed size relative to the drawing (the ``viewBox`` stays the drawing's own),
        used to fit a page.

    Returns
    -------
    str
        The SVG document, ending with a newline. Same input, same bytes.

    Examples
    --------
    >>> from journeymap.layout import layout_map
    >>> from journeymap.model import JourneyMap, Stage
    >>> svg = render_svg(layout_map(JourneyMap(name="A & B", stages=[Stage(id="s", name="S")])))
    >>> svg.startswith("<svg") and "A &amp; B" in svg
    True
    """
    writer = _Writer(theme)
    width, height = _num(diagram.width), _num(diagram.height)
    shown_w, shown_h = _num(diagram.width * scale), _num(diagram.height * scale)
    writer.lines.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shown_w}" height="{shown_h}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="jm-svg-title jm-svg-desc" font-family={_attr(theme.font_family)}>'
    )
    writer.lines.append(f'<title id="jm-svg-title">{_escape(diagram.title)}</title>')
    writer.lines.append(f'<desc id="jm-svg-desc">{_escape(diagram.description)}</desc>')
    writer.lines.append(
        f'<rect width="{width}" height="{height}" fill="{theme.background}"/>'
    )
    for item in diagram.items:
        writer.item(item, depth=0)
    writer.lines.append("</svg>")
    return "\n".join(writer.lines) + "\n"


def save_svg(
    diagram: Diagram, path: str | FilePath, *, theme: Theme = DEFAULT
) -> FilePath:
    """Render ``diagram`` and write it to ``path`` (UTF-8); return the path.

    Raises
    ------
    RenderError
        When the file cannot be written.
    """
    target = FilePath(path)
    try:
        target.write_text(render_svg(diagram, theme=theme), encoding="utf-8")
    except OSError as error:
        raise RenderError(
            f"cannot write SVG: {error.strerror}", file=str(target)
        ) from None
    return target


class _Writer:
    """Collects SVG lines; keeps element ids unique in paint order."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.lines: list[str] = []
        self.ids: dict[str, int] = {}

    def element_id(self, item_id: str | None) -> str:
        if item_id is None:
            return ""
        base = "jm-" + _ID_UNSAFE.sub("_", item_id)
        seen = self.ids.get(base, 0)
        self.ids[base] = seen + 1
        unique = base if seen == 0 else f"{base}-{seen + 1}"
        return f' id="{unique}"'

    def item(self, item: Item, depth: int) -> None:
        pad = "  " * depth
        if isinstance(item, Group):
            self.group(item, depth)
        elif isinstance(item, Text):
            self.lines.append(pad + _text(item, self.theme.paint(item.style)))
        elif isinstance(item, Image):
            self.lines.append(pad + _image(item))
        else:
            self.lines.append(pad + self.shape(item))

    def group(self, group: Group, depth: int) -> None:
        pad = "  " * depth
        self.lines.append(f"{pad}<g{self.element_id(group.id)}>")
        if group.title:
            self.lines.append(f"{pad}  <title>{_escape(group.title)}</title>")
        if group.frame is not None:
            self.lines.append(f"{pad}  {self.shape(group.frame)}")
        for child in group.items:
            self.item(child, depth + 1)
        self.lines.append(f"{pad}</g>")

    def shape(self, item: Box | Line | Circle | Path) -> str:
        paint = _paint_attrs(self.theme.paint(item.style))
        if isinstance(item, Box):
            return _rect(item, paint, self.element_id(item.id))
        if isinstance(item, Line):
            return (
                f'<line x1="{_num(item.x1)}" y1="{_num(item.y1)}" x2="{_num(item.x2)}" '
                f'y2="{_num(item.y2)}"{paint}/>'
            )
        if isinstance(item, Circle):
            return f'<circle cx="{_num(item.cx)}" cy="{_num(item.cy)}" r="{_num(item.r)}"{paint}/>'
        return f'<path{self.element_id(item.id)} d="{_path_data(item)}"{paint}/>'


def _rect(box: Box, paint: str, element_id: str) -> str:
    radius = f' rx="{_num(box.radius)}"' if box.radius else ""
    return (
        f'<rect{element_id} x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.width)}" '
        f'height="{_num(box.height)}"{radius}{paint}/>'
    )


def _image(image: Image) -> str:
    # only embedded pictures: the SVG fetches nothing when it is opened
    if not image.href.startswith(
        ("data:image/png;base64,", "data:image/svg+xml;base64,")
    ):
        raise RenderError("an image must be an embedded PNG or SVG (data: URI)")
    title = f"<title>{_escape(image.title)}</title>" if image.title else ""
    return (
        f'<image x="{_num(image.x)}" y="{_num(image.y)}" width="{_num(image.width)}" '
        f'height="{_num(image.height)}" preserveAspectRatio="xMaxYMid meet" '
        f"href={_attr(image.href)}>{title}</image>"
    )


def _path_data(path: Path) -> str:
    parts = []
    for command, coords in path.commands:
        parts.append(" ".join([command, *(_num(c) for c in coords)]))
    return " ".join(parts)


def _paint_attrs(paint: Paint) -> str:
    attrs = f' fill="{paint.fill or "none"}"'
    if paint.stroke:
        attrs += f' stroke="{paint.stroke}" stroke-width="{_num(paint.stroke_width)}"'
        if paint.dash:
            attrs += f' stroke-dasharray="{paint.dash}"'
    return attrs


def _text(text: Text, paint: Paint) -> str:
    attrs = f'x="{_num(text.x)}" y="{_num(text.y)}" font-size="{_num(text.size)}"'
    if text.weight != "normal":
        attrs += f' font-weight="{text.weight}"'
    if text.italic:
        attrs += ' font-style="italic"'
    if text.anchor != "start":
        attrs += f' text-anchor="{text.anchor}"'
    attrs += f' fill="{paint.fill or "none"}"'
    title = f"<title>{_escape(text.title)}</title>" if text.title else ""
    if len(text.lines) == 1:
        return f"<text {attrs}>{title}{_escape(text.lines[0])}</text>"
    spans = "".join(
        f'<tspan x="{_num(text.x)}" dy="{_num(0 if i == 0 else text.leading)}">'
        f"{_escape(line)}</tspan>"
        for i, line in enumerate(text.lines)
    )
    return f"<text {attrs}>{title}{spans}</text>"


def _num(value: float) -> str:
    """At most two decimals, no trailing zeros, no ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _escape(text: str) -> str:
    cleaned = _INVALID_XML.sub("\ufffd", text)
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _attr(text: str) -> str:
    return '"' + _escape(text) + '"'
