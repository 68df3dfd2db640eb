"""The emotion lane: assumed and measured curves on a −1..1 band.

The assumed curve (from the map) gets a face per stage. The measured curve (from data)
runs through one point per measured touchpoint, so a dip at one touchpoint (checkout)
shows instead of being averaged into its stage; it carries faces too and a shaded 95%
confidence band. A stage measured only as a whole gets one point. Curves use horizontal
tangents at every point, so they never overshoot the band.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.layout.diagram import Box, Circle, Group, Item, Line, Path, Text
from journeymap.layout.formats import format_signed
from journeymap.layout.text import Font, fit_text

BAND_HEIGHT = 170.0
VALUES_HEIGHT = 44.0  # the strip under the band with the values in words
BAND_PAD = 22.0  # between the band edge and the ±1 lines, room for faces and labels
FACE_R = 11.0
OFFSET = 16.0  # assumed points sit left of the column centre, measured ones right


@dataclass(frozen=True, slots=True)
class EmotionPoint:
    """One stage's emotion: assumed and measured values with their uncertainty."""

    stage_id: str
    x: float
    assumed: float | None = None
    measured: float | None = None
    n: int = 0
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class MeasuredPoint:
    """One measured emotion (a touchpoint's, or a whole stage's) at ``x``."""

    id: str
    label: str
    x: float
    value: float
    n: int = 0
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """Where −1..1 lives vertically."""

    top: float
    height: float = BAND_HEIGHT

    @property
    def zero(self) -> float:
        return self.top + self.height / 2

    @property
    def half(self) -> float:
        return self.height / 2 - BAND_PAD

    def y_of(self, value: float) -> float:
        """The y of an emotion value; values are clamped to −1..1.

        Examples
        --------
        >>> band = Band(top=0, height=200)
        >>> band.y_of(1), band.y_of(0), band.y_of(-1)
        (22.0, 100.0, 178.0)
        """
        return self.zero - max(-1.0, min(1.0, value)) * self.half


def emotion_items(
    points: list[EmotionPoint],
    band: Band,
    *,
    left: float,
    right: float,
    measured: list[MeasuredPoint] | None = None,
    previous: list[tuple[float, float]] | None = None,
) -> list[Item]:
    """Everything drawn in the emotion band between ``left`` and ``right``.

    Parameters
    ----------
    points
        One per stage, in stage order; values may be missing. Their ``measured``
        values are drawn only when ``measured`` is not given.
    band
        Vertical placement of the −1..1 scale.
    left, right
        Horizontal extent of the stage columns.
    measured
        Measured points in journey order (per touchpoint where measured).
    previous
        ``(x, value)`` per stage measured in an earlier period, drawn as a grey curve.

    Returns
    -------
    list[Item]
        Background, grid, CI band, curves, faces and markers, in paint order.
    """
    if measured is None:
        measured = [
            MeasuredPoint(p.stage_id, p.stage_id, p.x + OFFSET, p.measured, p.n,
                          p.ci_low, p.ci_high)
            for p in points if p.measured is not None
        ]  # fmt: skip
    items: list[Item] = [*_grid(band, left, right)]
    items.extend(_ci_band(measured, band))
    if previous:
        xy = [(x, band.y_of(value)) for x, value in previous]
        items.extend(_curve(xy, "curve.previous", "emotion-previous"))
        items.extend(Circle(x, y, 3.5, "marker.previous") for x, y in xy)
    assumed_xy = [(p.x, band.y_of(p.assumed)) for p in points if p.assumed is not None]
    items.extend(_curve(assumed_xy, "curve.assumed", "emotion-assumed"))
    measured_xy = [(m.x, band.y_of(m.value)) for m in measured]
    items.extend(_curve(measured_xy, "curve.measured", "emotion-measured"))
    for point in points:
        items.extend(_assumed_marker(point, band, point.x))
    for found in measured:
        items.append(_measured_marker(found, band))
    return items


def _ci_band(measured: list[MeasuredPoint], band: Band) -> list[Item]:
    """The 95% confidence band around the measured curve, as one shaded shape."""
    if len(measured) < 2 or all(m.ci_low is None for m in measured):
        return []
    upper = [(m.x, band.y_of(m.value if m.ci_high is None else m.ci_high))
             for m in measured]  # fmt: skip
    lower = [(m.x, band.y_of(m.value if m.ci_low is None else m.ci_low))
             for m in reversed(measured)]  # fmt: skip
    commands: list[tuple[str, tuple[float, ...]]] = [("M", upper[0])]
    commands += [("L", xy) for xy in upper[1:]]
    commands += [("L", xy) for xy in lower]
    commands.append(("Z", ()))
    return [Path(tuple(commands), "band.measured", id="emotion-ci-band")]


def _grid(band: Band, left: float, right: float) -> list[Item]:
    top, zero, bottom = band.y_of(1), band.zero, band.y_of(-1)
    return [
        Box(left, band.top, right - left, band.height / 2, "emotion.positive"),
        Box(left, zero, right - left, band.height / 2, "emotion.negative"),
        Line(left, top, right, top, "emotion.grid"),
        Line(left, bottom, right, bottom, "emotion.grid"),
        Line(left, zero, right, zero, "emotion.zero"),
    ]


def _curve(xy: list[tuple[float, float]], style: str, path_id: str) -> list[Item]:
    if len(xy) < 2:
        return []
    commands: list[tuple[str, tuple[float, ...]]] = [("M", xy[0])]
    for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):
        mid = (x0 + x1) / 2
        commands.append(("C", (mid, y0, mid, y1, x1, y1)))
    return [Path(tuple(commands), style, id=path_id)]


def mood_of(value: float) -> str:
    """``"positive"``, ``"neutral"`` or ``"negative"`` for an emotion value."""
    if value > 0.2:
        return "positive"
    return "negative" if value < -0.2 else "neutral"


def face(
    cx: float, cy: float, value: float, *, r: float = FACE_R, style: str = "face"
) -> list[Item]:
    """A face drawn with shapes (no emoji font needed): smiling, flat or frowning."""
    mood = mood_of(value)
    eye = r * 0.36
    mouth_y = cy + r * 0.38
    curve = r * 0.45 * (1 if mood == "positive" else -1 if mood == "negative" else 0)
    half = r * 0.45
    mouth = Path(
        (
            ("M", (cx - half, mouth_y - curve / 2)),
            ("C", (cx - half / 2, mouth_y + curve / 2, cx + half / 2,
                   mouth_y + curve / 2, cx + half, mouth_y - curve / 2)),
        ),
        "face.mouth",
    )  # fmt: skip
    return [
        Circle(cx, cy, r, f"{style}.{mood}"),
        Circle(cx - eye, cy - eye * 0.7, max(1.1, r * 0.13), "face.eye"),
        Circle(cx + eye, cy - eye * 0.7, max(1.1, r * 0.13), "face.eye"),
        mouth,
    ]


MEASURED_FACE_R = 7.5


def _assumed_marker(point: EmotionPoint, band: Band, x: float) -> list[Item]:
    if point.assumed is None:
        return []
    items = face(x, band.y_of(point.assumed), point.assumed)
    title = f"Assumed emotion {point.assumed:+.2f}"
    return [Group(f"emotion-assumed-{point.stage_id}", tuple(items), title=title)]


def _measured_marker(point: MeasuredPoint, band: Band) -> Group:
    items = face(point.x, band.y_of(point.value), point.value, r=MEASURED_FACE_R,
                 style="face-measured")  # fmt: skip
    return Group(
        f"emotion-measured-{point.id}", tuple(items), title=_measured_text(point)
    )


def _measured_text(point: MeasuredPoint) -> str:
    text = f"{point.label}: measured emotion {point.value:+.2f} (n={point.n:,})"
    if point.ci_low is not None and point.ci_high is not None:
        text += f", 95% CI {point.ci_low:+.2f} to {point.ci_high:+.2f}"
    return text


def value_cells(
    points: list[EmotionPoint],
    top: float,
    column_width: float,
    lows: dict[str, MeasuredPoint] | None = None,
) -> list[Item]:
    """Under the band, per stage: the assumed and measured values in words, and the
    lowest measured touchpoint when a stage has several.

    Numbers sit in their own strip rather than next to the markers, where curves
    would cross them.
    """
    lows = lows or {}
    height = values_height(bool(lows))
    items: list[Item] = []
    for point in points:
        left = point.x - column_width / 2 + 10
        frame = Box(
            left, top, column_width - 20, height - 8, "emotion.values", radius=4
        )
        lines = []
        if point.assumed is not None:
            lines.append(
                (f"Assumed {format_signed(point.assumed)}", "text.emotion.assumed")
            )
        if point.measured is not None:
            label = f"Measured {format_signed(point.measured)} · n={point.n:,}"
            lines.append((label, "text.emotion.measured"))
        low = lows.get(point.stage_id)
        if low is not None:
            lines.append((f"Lowest: {low.label} {format_signed(low.value)}",
                          "text.emotion.low"))  # fmt: skip
        texts = []
        for i, (text, style) in enumerate(lines):
            fitted = fit_text(
                text, column_width - 32, Font(11.0, bold=True), max_lines=1
            )
            texts.append(Text(point.x, top + 14 + 15 * i, fitted.lines, style, size=11.0,
                              weight="bold", anchor="middle", title=fitted.title))  # fmt: skip
        if texts:
            items.append(
                Group(f"emotion-values-{point.stage_id}", tuple(texts), frame=frame)
            )
    return items


def values_height(with_lows: bool) -> float:
    """Height of the values strip: two lines, or three with the lowest touchpoint."""
    return VALUES_HEIGHT + (15.0 if with_lows else 0.0)


def legend_items(
    x: float, y: float, *, measured: bool, previous: bool = False
) -> list[Item]:
    """The "assumed / measured" legend, top-left at ``(x, y)``."""
    items: list[Item] = [
        Line(x, y + 6, x + 22, y + 6, "curve.assumed"),
        Text(x + 28, y + 10, ("assumed",), "text.legend", size=11.0),
    ]
    if measured:
        items += [
            Path(
                (
                    ("M", (x, y + 18)),
                    ("L", (x + 22, y + 18)),
                    ("L", (x + 22, y + 30)),
                    ("L", (x, y + 30)),
                    ("Z", ()),
                ),
                "band.measured",
            ),
            Line(x, y + 24, x + 22, y + 24, "curve.measured"),
            Text(x + 28, y + 28, ("measured (95% CI)",), "text.legend", size=11.0),
        ]
    if previous:
        items += [
            Line(x, y + 42, x + 22, y + 42, "curve.previous"),
            Text(x + 28, y + 46, ("previous period",), "text.legend", size=11.0),
        ]
    return [Group("emotion-legend", tuple(items), title="Legend: assumed / measured")]
