"""Brand theme files: colours and a logo over a built-in theme, bad files in one line."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample import grocery_map, grocery_measured

import journeymap as jm
from journeymap.layout import Image, Text, layout_map
from journeymap.render import get_theme, render_svg

NS = "{http://www.w3.org/2000/svg}"
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" fill="#5b21b6"/></svg>'


def brand(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "logo.svg").write_text(LOGO, encoding="utf-8")
    path = tmp_path / "acme.yaml"
    path.write_text(
        'name: acme\nbase: default\nprimary: "#5b21b6"\nlogo: logo.svg\n'
        'colours:\n  accent.opportunity: "#0f766e"\n' + extra,
        encoding="utf-8",
    )
    return path


def test_a_brand_file_colours_the_map_and_places_the_logo(tmp_path: Path) -> None:
    theme = get_theme(str(brand(tmp_path)))
    assert theme.name == "acme" and theme.paint("stage-header").fill == "#5b21b6"
    assert theme.paint("text.stage-name").fill == "#ffffff"  # readable on purple
    assert theme.logo is not None and theme.logo.aspect == 3.0
    diagram = layout_map(grocery_map(), grocery_measured(), logo=theme.logo)
    image = next(i for i in diagram.walk() if isinstance(i, Image))
    assert image.width == 120 and image.x + image.width <= diagram.width
    title = next(
        i for i in diagram.walk() if isinstance(i, Text) and i.style == "text.title"
    )
    assert title.extent()[2] <= image.x  # the title keeps clear of the logo
    root = ET.fromstring(render_svg(diagram, theme=theme))
    href = root.find(f".//{NS}image").get("href")
    assert href.startswith("data:image/svg+xml;base64,")  # embedded, nothing fetched
    fills = {el.get("fill") for el in root.iter(f"{NS}rect")}
    assert "#5b21b6" in fills


def test_save_and_the_deck_use_a_brand_file(tmp_path: Path) -> None:
    pptx = pytest.importorskip("pptx")
    pil = pytest.importorskip("PIL.Image")
    out = io.BytesIO()
    pil.new("RGB", (200, 50), "#5b21b6").save(out, format="PNG")
    (tmp_path / "logo.png").write_bytes(out.getvalue())
    path = tmp_path / "png.yaml"
    path.write_text('primary: "#fde68a"\nlogo: logo.png\n', encoding="utf-8")
    svg = jm.save(grocery_measured(), tmp_path / "m.svg", theme=str(path)).read_text()
    assert "data:image/png;base64," in svg
    assert (
        get_theme(str(path)).paint("text.stage-name").fill == "#1f2937"
    )  # light brand
    deck = pptx.Presentation(
        jm.save(grocery_measured(), tmp_path / "d.pptx", theme=str(path))
    )
    pictures = [sh for sh in deck.slides[0].shapes if sh.shape_type == 13]
    assert len(pictures) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'colours:\n  stage-headr: "#000000"\n',
            "colours.stage-headr: unknown style; did you mean 'stage-header'?",
        ),
        ("background: blue\n", "background: 'blue' is not a colour like '#1e3a5f'"),
        ("base: neon\n", "base: unknown theme 'neon'"),
        ("logo: missing.png\n", "logo: cannot read 'missing.png'"),
        ("colour: 1\n", "colour: unknown field; known: name, base"),
    ],
)
def test_a_bad_brand_file_is_one_line_naming_the_field(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(extra, encoding="utf-8")
    with pytest.raises(jm.RenderError) as error:
        get_theme(str(path))
    text = str(error.value)
    assert message in text and str(path) in text and "\n" not in text
