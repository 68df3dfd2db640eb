"""The report's figures as Plotly divs; plotly.js is inlined once by the page."""

from __future__ import annotations

from typing import Any

from journeymap._importers import import_plotly
from journeymap.model.measured import Emotion, MeasuredMap

FONT = '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif'


def _div(figure: Any, div_id: str) -> str:
    pio = import_plotly().io
    figure.update_layout(font={"family": FONT, "size": 13}, margin={"l": 60, "r": 20,
                         "t": 30, "b": 60}, height=380, template="plotly_white")  # fmt: skip
    html: str = pio.to_html(figure, include_plotlyjs=False, full_html=False,
                            div_id=div_id, config={"displaylogo": False})  # fmt: skip
    return html


def funnel_chart(measured: MeasuredMap) -> str:
    go = import_plotly().graph_objects
    names = [s.name for s in measured.journey.stages]
    reached = [
        (measured.stage_figures(s.id) or _none()).reached
        for s in measured.journey.stages
    ]
    figure = go.Figure(go.Funnel(y=names, x=reached, textinfo="value+percent initial",
                                 marker={"color": "#0f766e"}))  # fmt: skip
    return _div(figure, "jm-funnel")


def emotion_chart(measured: MeasuredMap) -> str:
    """Assumed and measured emotion per stage; the measured line carries its 95% CI."""
    go = import_plotly().graph_objects
    stages = measured.journey.stages
    names = [s.name for s in stages]
    emotions = [
        measured.stage_emotion.get(s.id, Emotion(assumed=s.emotion)) for s in stages
    ]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=names, y=[e.assumed for e in emotions], name="assumed",
                                mode="lines+markers", line={"color": "#4f46e5"}))  # fmt: skip
    figure.add_trace(go.Scatter(
        x=names, y=[e.measured for e in emotions], name="measured (95% CI)",
        mode="lines+markers", line={"color": "#ea580c", "dash": "dash"},
        error_y={"type": "data", "symmetric": False,
                 "array": [_gap(e.ci_high, e.measured) for e in emotions],
                 "arrayminus": [_gap(e.measured, e.ci_low) for e in emotions]},
    ))  # fmt: skip
    figure.update_yaxes(range=[-1.05, 1.05], title="−1 frustrated … +1 delighted")
    return _div(figure, "jm-emotion")


def persona_chart(measured: MeasuredMap) -> str | None:
    """Conversion rate per persona with its confidence interval."""
    personas = [p for p in measured.personas if p.get("conversion_rate") is not None]
    if not personas:
        return None
    go = import_plotly().graph_objects
    rates = [float(p["conversion_rate"]) for p in personas]
    cis = [
        p.get("conversion_ci") or (r, r) for p, r in zip(personas, rates, strict=True)
    ]
    figure = go.Figure(go.Bar(
        x=[str(p.get("name") or p.get("id")) for p in personas], y=rates,
        marker={"color": "#4338ca"},
        error_y={"type": "data", "symmetric": False,
                 "array": [float(c[1]) - r for c, r in zip(cis, rates, strict=True)],
                 "arrayminus": [r - float(c[0]) for c, r in zip(cis, rates, strict=True)]},
    ))  # fmt: skip
    figure.update_yaxes(title="conversion rate", tickformat=".0%", rangemode="tozero")
    return _div(figure, "jm-personas")


def _gap(high: float | None, low: float | None) -> float | None:
    return None if high is None or low is None else high - low


def _none() -> Any:
    from journeymap.model.measured import StageFigures

    return StageFigures("none")
