"""Cards: a framed block of wrapped text with optional chips (badges) and meta lines.

Every card in a lane (touchpoint, pain point, opportunity, KPI, ...) is built here, so
spacing and typography are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.layout.diagram import ASCENT, Box, Group, Item, Text
from journeymap.layout.text import Font, fit_text, text_width

PAD = 8.0
ACCENT = 4.0
BODY = Font(12.5)
META = Font(11.0)
CHIP = Font(10.0, bold=True)
CHIP_HEIGHT = 16.0
CHIP_GAP = 4.0
GAP = 8.0  # between cards stacked in a cell
# generous: long names wrap and grow the row; only beyond this they are shortened (with
# the full text in the tooltip), see issue 12
MAX_BODY_LINES = 10
MAX_META_LINES = 6


@dataclass(frozen=True, slots=True)
class Chip:
    """A small badge such as ``"WEB"`` or ``"✓ supported"``; ``style`` names its
    colours (``chip.<style>`` for the badge, ``chip-text.<style>`` for the text)."""

    label: str
    style: str


@dataclass(frozen=True, slots=True)
class CardSpec:
    """What a card says; ``style`` names the frame (``card.<style>``)."""

    id: str | None
    text: str
    style: str
    chips: tuple[Chip, ...] = ()
    meta: tuple[str, ...] = ()
    accent: str | None = None
    italic: bool = False
    bold: bool = False


def build_card(
    spec: CardSpec, x: float, y: float, width: float, *, min_height: float = 0.0
) -> tuple[Group, float]:
    """Lay out one card with its top-left corner at ``(x, y)``.

    Parameters
    ----------
    spec
        What the card says and how it is styled.
    x, y
        Top-left corner, in pixels.
    width
        Width of the card; its height follows from the wrapped text.
    min_height
        The card is at least this tall (cards side by side share a height).

    Returns
    -------
    tuple[Group, float]
        The card (frame, accent, chips, texts) and its height.
    """
    left = x + PAD + (ACCENT if spec.accent else 0.0)
    inner = x + width - PAD - left
    items: list[Item] = []
    top = y + PAD
    if spec.chips:
        chip_items, chips_height = build_chips(spec.chips, left, top, inner)
        items.extend(chip_items)
        top += chips_height + 5
    body_font = Font(BODY.size, spec.bold)
    body = fit_text(spec.text, inner, body_font, max_lines=MAX_BODY_LINES)
    text = _text_block(body.lines, left, top, body_font, spec, body.title)
    items.append(text)
    top += _block_height(text)
    for meta_line in spec.meta:
        fitted = fit_text(meta_line, inner, META, max_lines=MAX_META_LINES)
        meta = Text(left, top + 3 + ASCENT * META.size, fitted.lines, "text.meta",
                    size=META.size, title=fitted.title)  # fmt: skip
        items.append(meta)
        top += 3 + _block_height(meta)
    height = max(top - y + PAD, min_height)
    frame = Box(x, y, width, height, f"card.{spec.style}", radius=6.0)
    if spec.accent:
        items.insert(0, _accent(x, y, height, spec.accent))
    return Group(spec.id, tuple(items), frame=frame, title=card_title(spec)), height


def card_title(spec: CardSpec) -> str:
    """Everything the card says, in one line: its accessible name and tooltip."""
    return " · ".join([spec.text, *(chip.label for chip in spec.chips), *spec.meta])


def _text_block(
    lines: tuple[str, ...], left: float, top: float, font: Font, spec: CardSpec,
    title: str | None,
) -> Text:  # fmt: skip
    return Text(
        left,
        top + ASCENT * font.size,
        lines,
        f"text.{spec.style}",
        size=font.size,
        weight="bold" if font.bold else "normal",
        italic=spec.italic,
        title=title,
    )


def _block_height(text: Text) -> float:
    return (len(text.lines) - 1) * text.leading + text.size * 1.05


def _accent(x: float, y: float, height: float, style: str) -> Box:
    # A stripe inside the frame's left edge, inset so the rounded corners stay clean.
    return Box(x + 2, y + 4, ACCENT, height - 8, f"accent.{style}", radius=2.0)


def chip_width(chip: Chip) -> float:
    """Width of a chip: its label plus padding."""
    return text_width(chip.label, CHIP) + 14


def build_chips(
    chips: tuple[Chip, ...], left: float, top: float, width: float
) -> tuple[list[Item], float]:
    """Lay out chips in rows starting at ``(left, top)``; return items and height."""
    items: list[Item] = []
    x, y = left, top
    for chip in chips:
        size = min(chip_width(chip), width)
        if x > left and x + size > left + width:
            x, y = left, y + CHIP_HEIGHT + CHIP_GAP
        items.append(build_chip(chip, x, y, size))
        x += size + CHIP_GAP
    return items, y + CHIP_HEIGHT - top


def build_chip(chip: Chip, x: float, y: float, width: float) -> Group:
    """One chip; a label too long for ``width`` is shortened, with a tooltip."""
    fitted = fit_text(chip.label, width - 12, CHIP, max_lines=1)
    box = Box(x, y, width, CHIP_HEIGHT, f"chip.{chip.style}", radius=CHIP_HEIGHT / 2)
    text = Text(
        x + width / 2,
        y + CHIP_HEIGHT / 2 + 0.36 * CHIP.size,
        fitted.lines,
        f"chip-text.{chip.style}",
        size=CHIP.size,
        weight="bold",
        anchor="middle",
        title=fitted.title,
    )
    return Group(None, (text,), frame=box, title=fitted.title)


MIN_CARD = 200.0  # a wide cell holds cards side by side, each at least this wide


def stack_cards(
    specs: list[CardSpec], x: float, y: float, width: float
) -> tuple[list[Item], float]:
    """Cards from ``(x, y)``; return them and their total height.

    One under another; a cell wide enough for two or more cards (a map laid out for a
    landscape page) fills columns instead, each card going to the shortest column, in
    order, so the row grows as little as possible.
    """
    count = max(1, min(len(specs), int((width + GAP) // (MIN_CARD + GAP))))
    card_width = (width - GAP * (count - 1)) / count
    tops = [y] * count
    items: list[Item] = []
    for spec in specs:
        column = min(range(count), key=lambda c: (tops[c], c))
        card, height = build_card(spec, x + column * (card_width + GAP), tops[column],
                                  card_width)  # fmt: skip
        items.append(card)
        tops[column] += height + GAP
    return items, max(max(tops) - GAP - y, 0.0)
