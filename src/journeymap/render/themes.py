"""Themes: how each kind of item looks, as data.

Layout tags every item with a style key such as ``"card.pain-high"``; a theme maps keys
to paints. Keys are looked up from the most to the least specific: ``"text.pain-high"``
falls back to ``"text.pain"`` and then ``"text"``. Text colours are chosen for a
contrast of at least 4.5:1 on the fills they sit on (tests check it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from journeymap.errors import RenderError
from journeymap.layout.diagram import Logo

# System fonts only: no web fonts, no CDN. Arial/Helvetica metrics drive layout widths.
FONT_STACK = (
    '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", "Segoe UI", sans-serif'
)


@dataclass(frozen=True, slots=True)
class Paint:
    """Fill and stroke of an item; ``None`` means none."""

    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 1.0
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A named set of paints and the font stack."""

    name: str
    paints: Mapping[str, Paint]
    background: str = "#ffffff"
    font_family: str = FONT_STACK
    logo: Logo | None = None  # a brand logo for the top right (brand theme files)

    def paint(self, style: str) -> Paint:
        """The paint for ``style``, falling back to less specific keys.

        Raises
        ------
        RenderError
            When no key matches, so a typo in a style is never drawn invisibly.
        """
        key = style
        while key:
            if key in self.paints:
                return self.paints[key]
            key = re.sub(r"[.-][^.-]*$", "", key) if re.search(r"[.-]", key) else ""
        raise RenderError(f"theme {self.name!r} has no paint for style {style!r}")


INK = "#1f2937"
MUTED = "#4b5563"
NAVY = "#1e3a5f"


def _text(colour: str) -> Paint:
    return Paint(fill=colour)


def _card(fill: str, stroke: str, width: float = 1.0, dash: str | None = None) -> Paint:
    return Paint(fill=fill, stroke=stroke, stroke_width=width, dash=dash)


def _chips(chips: dict[str, tuple[str, str]]) -> dict[str, Paint]:
    paints = {}
    for name, (fill, text) in chips.items():
        paints[f"chip.{name}"] = Paint(fill=fill)
        paints[f"chip-text.{name}"] = _text(text)
    return paints


_LANE_ACCENTS = {
    "actions": "#2563eb",
    "touchpoints": "#0891b2",
    "backstage": "#64748b",
    "support": "#94a3b8",
    "thoughts": "#d97706",
    "emotion": "#7c3aed",
    "pain_points": "#dc2626",
    "opportunities": "#16a34a",
    "measured": "#0f766e",
    "kpis": "#4338ca",
    "flow": "#0f766e",
    "said": "#be185d",
}

_CHIPS = {
    "online": ("#dbeafe", "#1e40af"),
    "offline": ("#fef3c7", "#92400e"),
    "mot": ("#b45309", "#ffffff"),
    "severity-low": ("#fef08a", "#713f12"),
    "severity-medium": ("#fed7aa", "#7c2d12"),
    "severity-high": ("#dc2626", "#ffffff"),
    "severity-critical": ("#7f1d1d", "#ffffff"),
    "supported": ("#dcfce7", "#166534"),
    "not-supported": ("#e5e7eb", "#374151"),
    "insufficient": ("#fef3c7", "#92400e"),
    "status-idea": ("#f1f5f9", "#334155"),
    "status-planned": ("#dbeafe", "#1e40af"),
    "status-in-progress": ("#e0e7ff", "#3730a3"),
    "status-done": ("#dcfce7", "#166534"),
    "status-dropped": ("#f3f4f6", MUTED),
    "kpi-met": ("#166534", "#ffffff"),
    "kpi-missed": ("#b91c1c", "#ffffff"),
    "kpi-none": ("#e5e7eb", "#374151"),
    "state-current": (NAVY, "#ffffff"),
    "state-future": ("#6d28d9", "#ffffff"),
    "info": ("#f1f5f9", "#334155"),
    "measured": ("#ccfbf1", "#134e4a"),
    "found": ("#ede9fe", "#5b21b6"),
    "refuted": ("#e5e7eb", "#374151"),
    "priority": ("#166534", "#ffffff"),
}

_CARDS = {
    "card.action": _card("#ffffff", "#cbd5e1"),
    "card.business": _card("#f8fafc", "#cbd5e1"),
    "card.touchpoint-online": _card("#ffffff", "#93c5fd"),
    "card.touchpoint-offline": _card("#fffbeb", "#f59e0b", dash="5 3"),
    "card.touchpoint-mot": _card("#fffdf7", "#b45309", 2.0),
    "card.thought": _card("#fef9c3", "#fde68a"),
    "card.pain-low": _card("#fefce8", "#fde047"),
    "card.pain-medium": _card("#fff7ed", "#fdba74"),
    "card.pain-high": _card("#fef2f2", "#fca5a5"),
    "card.pain-critical": _card("#fee2e2", "#b91c1c", 1.5),
    "card.pain-found": _card("#faf5ff", "#c4b5fd", dash="5 3"),
    "card.pain-refuted": _card("#f3f4f6", "#d1d5db", dash="4 3"),
    "card.said-negative": _card("#fff1f2", "#fecdd3"),
    "card.said-positive": _card("#f0fdf4", "#bbf7d0"),
    "card.persona": _card("#f8fafc", "#cbd5e1"),
    "card.opportunity": _card("#f0fdf4", "#86efac"),
    "card.kpi": _card("#ffffff", "#c7d2fe"),
    "card.figures": _card("#ffffff", "#99f6e4"),
    "card.note": _card("#f8fafc", "#cbd5e1", dash="4 3"),
    "accent.action": Paint(fill="#2563eb"),
    "accent.business": Paint(fill="#64748b"),
    "accent.pain-low": Paint(fill="#ca8a04"),
    "accent.pain-medium": Paint(fill="#ea580c"),
    "accent.pain-high": Paint(fill="#dc2626"),
    "accent.pain-critical": Paint(fill="#7f1d1d"),
    "accent.pain-found": Paint(fill="#7c3aed"),
    "accent.pain-refuted": Paint(fill="#9ca3af"),
    "accent.said-negative": Paint(fill="#be185d"),
    "accent.said-positive": Paint(fill="#15803d"),
    "accent.persona": Paint(fill=NAVY),
    "accent.opportunity": Paint(fill="#16a34a"),
    "accent.kpi-met": Paint(fill="#16a34a"),
    "accent.kpi-missed": Paint(fill="#dc2626"),
    "accent.kpi-none": Paint(fill="#94a3b8"),
}

_TEXTS = {
    "text": _text(INK),
    "text.title": _text("#111827"),
    "text.subtitle": _text(MUTED),
    "text.meta": _text(MUTED),
    "text.thought": _text("#422006"),
    "text.pain-refuted": _text(MUTED),
    "text.said": _text("#4a0d2b"),
    "text.persona": _text(NAVY),
    "text.blueprint": _text(MUTED),
    "text.flow": _text("#134e4a"),
    "text.flow-back": _text("#9a3412"),
    "text.stage-description": _text("#dbe6f3"),
    "text.footer": _text(MUTED),
    "text.note": _text(MUTED),
    "text.stage-axis": _text(MUTED),
    "text.stage-number": _text("#b9cde4"),
    "text.stage-name": _text("#ffffff"),
    "text.stage-goal": _text("#dbe6f3"),
    "text.lane-label": _text(INK),
    "text.lane-hint": _text(MUTED),
    "text.axis": _text(MUTED),
    "text.legend": _text("#374151"),
    "text.figure-label": _text(MUTED),
    "text.figure-value": _text("#134e4a"),
    "text.emotion.assumed": _text("#3730a3"),
    "text.emotion.measured": _text("#9a3412"),
    "text.emotion.n": _text(MUTED),
    "text.compare-label": _text(NAVY),
}

_EMOTION = {
    "emotion.positive": Paint(fill="#f0fdf4"),
    "emotion.negative": Paint(fill="#fef2f2"),
    "emotion.values": Paint(fill="#ffffff", stroke="#e5e7eb"),
    "emotion.grid": Paint(stroke="#d1d5db", dash="3 4"),
    "emotion.zero": Paint(stroke="#9ca3af", stroke_width=1.2),
    "curve.assumed": Paint(stroke="#4f46e5", stroke_width=2.5),
    "curve.measured": Paint(stroke="#ea580c", stroke_width=2.5, dash="7 4"),
    "marker.measured": Paint(fill="#ea580c", stroke="#ffffff", stroke_width=1.5),
    "whisker.measured": Paint(stroke="#c2410c", stroke_width=1.5),
    "face.positive": Paint(fill="#bbf7d0", stroke="#15803d", stroke_width=1.5),
    "face.neutral": Paint(fill="#e5e7eb", stroke=MUTED, stroke_width=1.5),
    "face.negative": Paint(fill="#fecaca", stroke="#b91c1c", stroke_width=1.5),
    "face-measured.positive": Paint(fill="#bbf7d0", stroke="#ea580c", stroke_width=2),
    "face-measured.neutral": Paint(fill="#e5e7eb", stroke="#ea580c", stroke_width=2),
    "face-measured.negative": Paint(fill="#fecaca", stroke="#ea580c", stroke_width=2),
    "band.measured": Paint(fill="#fed7aa"),
    "curve.previous": Paint(stroke="#6b7280", stroke_width=2.0, dash="2 4"),
    "marker.previous": Paint(fill="#6b7280"),
    "text.emotion.low": _text("#9a3412"),
    "face.eye": Paint(fill=INK),
    "face.mouth": Paint(stroke=INK, stroke_width=1.5),
}

_FRAME = {
    "stage-header": Paint(fill=NAVY),
    "stage-arrow": Paint(stroke="#94a3b8", stroke_width=1.5),
    "stage-arrow-head": Paint(fill="#94a3b8"),
    "lane-label": Paint(fill="#eef2f7"),
    "column-even": Paint(fill="#ffffff"),
    "column-odd": Paint(fill="#f7f9fc"),
    "column-separator": Paint(stroke="#e5e7eb"),
    "lane-separator": Paint(stroke="#d5dbe3"),
    "line-of-visibility": Paint(stroke="#475569", stroke_width=1.5, dash="8 4"),
    "line-of-interaction": Paint(stroke="#475569", stroke_width=1.5, dash="8 4"),
    "line-of-internal-interaction": Paint(
        stroke="#94a3b8", stroke_width=1.2, dash="2 3"
    ),
    "blueprint-label": Paint(fill="#ffffff", stroke="#94a3b8"),
    "flow-arrow": Paint(stroke="#0f766e", stroke_width=2.0),
    "flow-head": Paint(fill="#0f766e"),
    "body-frame": Paint(stroke="#cbd5e1"),
    "rule": Paint(stroke="#e5e7eb"),
    "compare-divider": Paint(stroke="#cbd5e1", stroke_width=2.0, dash="6 6"),
    "bar-track": Paint(fill="#e2e8f0"),
    "bar-fill": Paint(fill="#0f766e"),
    **{
        f"lane-accent.{lane}": Paint(fill=colour)
        for lane, colour in _LANE_ACCENTS.items()
    },
}

DEFAULT = Theme("default", {**_FRAME, **_CARDS, **_TEXTS, **_EMOTION, **_chips(_CHIPS)})


def derive(
    base: Theme,
    name: str,
    paints: Mapping[str, Paint],
    *,
    background: str | None = None,
) -> Theme:
    """A theme that changes some paints of ``base`` (and maybe its background)."""
    return Theme(name, {**base.paints, **paints}, background or base.background,
                 base.font_family, base.logo)  # fmt: skip


# Okabe–Ito colours: good and bad are blue and vermillion instead of green and red,
# which the common colour-vision deficiencies confuse. Words still carry every verdict.
_BLUE, _VERMILLION, _GREEN = "#0072B2", "#D55E00", "#009E73"
COLOURBLIND = derive(DEFAULT, "colourblind", {
    **_chips({
        "kpi-met": ("#005a8c", "#ffffff"), "kpi-missed": ("#a63d00", "#ffffff"),
        "severity-high": ("#a63d00", "#ffffff"), "severity-critical": ("#5c2200", "#ffffff"),
        "severity-medium": ("#fde2c8", "#6b2c00"), "supported": ("#dbeafe", "#1e3a8a"),
        "status-done": ("#d1f0e6", "#00573f"), "priority": ("#005a8c", "#ffffff"),
    }),
    "card.pain-high": _card("#fdf0e6", "#f0b48a"),
    "card.pain-critical": _card("#fbe3d3", "#a63d00", 1.5),
    "card.opportunity": _card("#eefaf5", "#7fcfb3"),
    "card.said-negative": _card("#fdf0e6", "#f0b48a"),
    "card.said-positive": _card("#eef6fb", "#9cc9e6"),
    "accent.pain-medium": Paint(fill="#E69F00"),
    "accent.pain-high": Paint(fill=_VERMILLION),
    "accent.pain-critical": Paint(fill="#a63d00"),
    "accent.opportunity": Paint(fill=_GREEN),
    "accent.kpi-met": Paint(fill=_BLUE),
    "accent.kpi-missed": Paint(fill=_VERMILLION),
    "accent.said-negative": Paint(fill=_VERMILLION),
    "accent.said-positive": Paint(fill=_BLUE),
    "emotion.positive": Paint(fill="#eef6fb"),
    "emotion.negative": Paint(fill="#fdf3ea"),
    "curve.assumed": Paint(stroke=_BLUE, stroke_width=2.5),
    "curve.measured": Paint(stroke=_VERMILLION, stroke_width=2.5, dash="7 4"),
    "marker.measured": Paint(fill=_VERMILLION, stroke="#ffffff", stroke_width=1.5),
    "band.measured": Paint(fill="#f6d2b8"),
    "face.positive": Paint(fill="#cfe6f5", stroke=_BLUE, stroke_width=1.5),
    "face.negative": Paint(fill="#f8d5bf", stroke="#a63d00", stroke_width=1.5),
    "face-measured.positive": Paint(fill="#cfe6f5", stroke=_VERMILLION, stroke_width=2),
    "face-measured.negative": Paint(fill="#f8d5bf", stroke=_VERMILLION, stroke_width=2),
    "text.emotion.assumed": _text("#00507d"),
    "text.emotion.measured": _text("#8a3a00"),
    "lane-accent.pain_points": Paint(fill=_VERMILLION),
    "lane-accent.opportunities": Paint(fill=_GREEN),
})  # fmt: skip

# A dark board: the canvas, lanes and labels are dark; cards stay light, like paper
# notes on a board, so their text keeps the default theme's contrast.
_BOARD, _PANEL, _LIGHT, _SOFT = "#0f172a", "#1e293b", "#f1f5f9", "#cbd5e1"
DARK = derive(DEFAULT, "dark", {
    "column-even": Paint(fill="#132036"), "column-odd": Paint(fill=_BOARD),
    "column-separator": Paint(stroke=_PANEL), "lane-separator": Paint(stroke="#334155"),
    "body-frame": Paint(stroke="#334155"), "rule": Paint(stroke="#334155"),
    "lane-label": Paint(fill=_PANEL), "stage-header": Paint(fill="#2b4c7e"),
    "stage-arrow": Paint(stroke="#64748b", stroke_width=1.5),
    "stage-arrow-head": Paint(fill="#64748b"),
    "line-of-interaction": Paint(stroke="#94a3b8", stroke_width=1.5, dash="8 4"),
    "line-of-visibility": Paint(stroke="#94a3b8", stroke_width=1.5, dash="8 4"),
    "line-of-internal-interaction": Paint(stroke="#64748b", stroke_width=1.2, dash="2 3"),
    "flow-arrow": Paint(stroke="#2dd4bf", stroke_width=2.0), "flow-head": Paint(fill="#2dd4bf"),
    "emotion.positive": Paint(fill="#10291f"), "emotion.negative": Paint(fill="#2d1517"),
    "emotion.grid": Paint(stroke="#475569", dash="3 4"),
    "emotion.zero": Paint(stroke="#64748b", stroke_width=1.2),
    "curve.assumed": Paint(stroke="#818cf8", stroke_width=2.5),
    "curve.measured": Paint(stroke="#fb923c", stroke_width=2.5, dash="7 4"),
    "band.measured": Paint(fill="#7c2d12"),
    "curve.previous": Paint(stroke="#94a3b8", stroke_width=2.0, dash="2 4"),
    "marker.previous": Paint(fill="#94a3b8"),
    "text.title": _text("#f8fafc"), "text.subtitle": _text(_SOFT),
    "text.stage-axis": _text(_SOFT), "text.lane-label": _text(_LIGHT),
    "text.lane-hint": _text(_SOFT), "text.axis": _text(_SOFT),
    "text.legend": _text("#e2e8f0"), "text.footer": _text("#94a3b8"),
    "text.flow": _text("#5eead4"), "text.flow-back": _text("#fdba74"),
    "text.persona": _text("#1e3a5f"), "text.compare-label": _text(_LIGHT),
    "compare-divider": Paint(stroke="#475569", stroke_width=2.0, dash="6 6"),
}, background=_BOARD)  # fmt: skip

THEMES: dict[str, Theme] = {
    "default": DEFAULT,
    "colourblind": COLOURBLIND,
    "dark": DARK,
}


def get_theme(name: str) -> Theme:
    """A registered theme by name, or a brand theme file (``.yaml``, ``.yml``,
    ``.json``; see :mod:`journeymap.render.brand`); an unknown name lists the known
    ones."""
    if name.lower().endswith((".yaml", ".yml", ".json")):
        from journeymap.render.brand import load_theme

        return load_theme(name)
    try:
        return THEMES[name]
    except KeyError:
        raise RenderError(
            f"unknown theme {name!r}; known themes: {', '.join(sorted(THEMES))}, "
            "or a theme file (.yaml)"
        ) from None
