"""Brand themes from a small file: colours, a font and a logo over a built-in theme.

```yaml
name: acme
base: default            # default, colourblind or dark
primary: "#5b21b6"       # stage headers, the state chip and (if dark enough) the title
background: "#ffffff"
font: "Inter, Arial, sans-serif"
colours:                 # any style key of the base theme -> a colour
  accent.opportunity: "#0f766e"
logo: acme.svg           # SVG or PNG beside the file, drawn at the top right
```

Bad files are one line naming the file and the field. The logo is embedded (a
``data:`` URI): nothing is fetched when the map is opened.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

from journeymap.errors import RenderError
from journeymap.layout.diagram import Logo
from journeymap.render.themes import THEMES, Paint, Theme, derive

FIELDS = ("name", "base", "primary", "background", "font", "colours", "logo")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_LOGO_BYTES = 1_000_000
WHITE, INK = "#ffffff", "#1f2937"


def load_theme(path: str | Path) -> Theme:
    """Read a brand theme file (YAML or JSON); see the module docstring."""
    source = Path(path)
    data = _read(source)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise _error(source, unknown[0], f"unknown field; known: {', '.join(FIELDS)}")
    base_name = str(data.get("base", "default"))
    if base_name not in THEMES:
        raise _error(source, "base", f"unknown theme {base_name!r}; known: "
                     + ", ".join(sorted(THEMES)))  # fmt: skip
    base = THEMES[base_name]
    paints: dict[str, Paint] = {}
    if "primary" in data:
        paints.update(_primary(_colour(source, "primary", data["primary"])))
    colours = data.get("colours") or {}
    if not isinstance(colours, dict):
        raise _error(source, "colours", "must map style keys to colours")
    for style, value in colours.items():
        paints[str(style)] = _paint(source, base, str(style), value)
    background = data.get("background")
    theme = derive(base, str(data.get("name") or source.stem), paints,
                   background=None if background is None
                   else _colour(source, "background", background))  # fmt: skip
    if "font" in data:
        theme = replace(theme, font_family=str(data["font"]))
    if "logo" in data:
        theme = replace(theme, logo=_logo(source, str(data["logo"])))
    return theme


def _read(source: Path) -> dict[str, Any]:
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise RenderError(
            f"cannot read theme: {error.strerror}", file=str(source)
        ) from None
    try:
        if source.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            from ruamel.yaml import YAML

            data = YAML(typ="safe").load(text)
    except Exception as error:  # noqa: BLE001 - any parse error is one line
        first = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
        raise RenderError(f"not a theme file: {first}", file=str(source)) from None
    if not isinstance(data, dict):
        raise RenderError("a theme file is a mapping of fields", file=str(source))
    return data


def _error(source: Path, field: str, message: str) -> RenderError:
    return RenderError(message, file=str(source), field=field)


def _colour(source: Path, field: str, value: Any) -> str:
    if not isinstance(value, str) or not HEX.match(value):
        raise _error(source, field, f"{value!r} is not a colour like '#1e3a5f'")
    return value.lower()


def _paint(source: Path, base: Theme, style: str, value: Any) -> Paint:
    colour = _colour(source, f"colours.{style}", value)
    if style not in base.paints:
        close = difflib.get_close_matches(style, list(base.paints), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise _error(source, f"colours.{style}", f"unknown style{hint}")
    found = base.paints[style]
    if found.fill is None and found.stroke is not None:
        return replace(found, stroke=colour)
    return replace(found, fill=colour)


def _primary(colour: str) -> dict[str, Paint]:
    """The brand colour on stage headers and the state chip, with text that stays
    readable on it; on the title too when it reads on white."""
    on = WHITE if contrast(WHITE, colour) >= 4.5 else INK
    paints = {
        "stage-header": Paint(fill=colour),
        "chip.state-current": Paint(fill=colour),
        "chip-text.state-current": Paint(fill=on),
        "text.stage-name": Paint(fill=on),
        "text.stage-number": Paint(fill=on),
        "text.stage-goal": Paint(fill=on),
        "text.stage-description": Paint(fill=on),
    }
    if contrast(colour, WHITE) >= 4.5:
        paints["text.title"] = Paint(fill=colour)
    return paints


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]  # fmt: skip
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _logo(source: Path, name: str) -> Logo:
    path = source.parent / name
    kind = {".png": "image/png", ".svg": "image/svg+xml"}.get(path.suffix.lower())
    if kind is None:
        raise _error(source, "logo", "a logo is a .png or .svg file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _error(
            source, "logo", f"cannot read {name!r}: {error.strerror}"
        ) from None
    if len(data) > MAX_LOGO_BYTES:
        raise _error(source, "logo", f"{name!r} is larger than 1 MB")
    aspect = _png_aspect(data) if kind == "image/png" else _svg_aspect(data)
    if aspect is None:
        raise _error(source, "logo", f"{name!r} is not a readable {path.suffix} file")
    href = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
    return Logo(href, aspect=max(0.2, min(aspect, 8.0)))


def _png_aspect(data: bytes) -> float | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width / height if height else None


def _svg_aspect(data: bytes) -> float | None:
    text = data[:4000].decode("utf-8", "replace")
    if "<svg" not in text:
        return None
    box = re.search(
        r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', text
    )
    if box and float(box.group(2)):
        return float(box.group(1)) / float(box.group(2))
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)', text)
    height = re.search(r'<svg[^>]*\sheight="([\d.]+)', text)
    if width and height and float(height.group(1)):
        return float(width.group(1)) / float(height.group(1))
    return 1.0
