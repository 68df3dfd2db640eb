"""The report's figures as Plotly divs; plotly.js is inlined once by the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeymap._importers import import_plotly
from journeymap.model.flows import Flow, JourneyFlows
from journeymap.model.measured import Emotion, MeasuredMap

FONT = '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif'


@dataclass(frozen=True)
class Chart:
    """A report figure: ``str()`` gives its interactive Plotly div (the HTML report);
    the PDF print draws ``figure`` as a static image (:mod:`journeymap.report.static`)."""

    figure: Any
    div_id: str
    height: int = 380

    def __str__(self) -> str:
        html: str = import_plotly().io.to_html(
            self.figure, include_plotlyjs=False, full_html=False, div_id=self.div_id,
            config={"displaylogo": False})  # fmt: skip
        return html


LABEL_CHARS = 32  # a longer name squeezed the plot to a sliver and ran off the page


def chart_labels(names: list[str], limit: int = LABEL_CHARS) -> list[str]:
    """Axis, legend and node labels of at most ``limit`` characters, still unique
    (a category axis merges equal labels), in the order of ``names``; the full
    names go to the hover text.

    Examples
    --------
    >>> chart_labels(["Sign up", "Set up the workspace for the whole team",
    ...               "Set up the workspace for the whole company"], limit=12)
    ['Sign up', 'Set up the…', 'Set up… (2)']
    """
    labels: list[str] = []
    for name in names:
        label, k = _shorten(name, limit), 1
        while label in labels:
            k += 1
            label = _shorten(name, limit - len(f" ({k})")) + f" ({k})"
        labels.append(label)
    return labels


def _shorten(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _div(figure: Any, div_id: str, *, height: int = 380) -> Chart:
    figure.update_layout(font={"family": FONT, "size": 13}, margin={"l": 60, "r": 20,
                         "t": 30, "b": 60}, height=height, template="plotly_white")  # fmt: skip
    return Chart(figure, div_id, height)


def funnel_chart(measured: MeasuredMap) -> Chart:
    go = import_plotly().graph_objects
    names = [s.name for s in measured.journey.stages]
    reached = [
        (measured.stage_figures(s.id) or _none()).reached
        for s in measured.journey.stages
    ]
    figure = go.Figure(go.Funnel(y=chart_labels(names), x=reached, hovertext=names,
                                 textinfo="value+percent initial",
                                 marker={"color": "#0f766e"}))  # fmt: skip
    return _div(figure, "jm-funnel")


def emotion_chart(measured: MeasuredMap) -> Chart:
    """Assumed and measured emotion per stage; the measured line carries its 95% CI
    as a shaded band."""
    go = import_plotly().graph_objects
    stages = measured.journey.stages
    full = [s.name for s in stages]
    names = chart_labels(full)
    emotions = [
        measured.stage_emotion.get(s.id, Emotion(assumed=s.emotion)) for s in stages
    ]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=names, y=[e.ci_high for e in emotions], mode="lines",
                                line={"width": 0}, hoverinfo="skip", showlegend=False))  # fmt: skip
    figure.add_trace(go.Scatter(
        x=names, y=[e.ci_low for e in emotions], mode="lines", line={"width": 0},
        fill="tonexty", fillcolor="rgba(234, 88, 12, 0.18)", name="95% CI",
        hoverinfo="skip"))  # fmt: skip
    figure.add_trace(go.Scatter(x=names, y=[e.assumed for e in emotions], name="assumed",
                                mode="lines+markers", line={"color": "#4f46e5"}))  # fmt: skip
    figure.add_trace(go.Scatter(
        x=names, y=[e.measured for e in emotions], name="measured",
        mode="lines+markers", line={"color": "#ea580c", "dash": "dash"},
        customdata=[[e.n, e.ci_low, e.ci_high, name]
                    for e, name in zip(emotions, full, strict=True)],
        hovertemplate="%{customdata[3]}: %{y:+.2f} (n=%{customdata[0]}, 95% CI "
        "%{customdata[1]:+.2f} to %{customdata[2]:+.2f})<extra></extra>",
    ))  # fmt: skip
    figure.update_yaxes(range=[-1.05, 1.05], title="−1 frustrated … +1 delighted")
    return _div(figure, "jm-emotion")


def touchpoint_emotion_chart(measured: MeasuredMap) -> Chart | None:
    """Measured emotion per touchpoint in journey order, with 95% CIs: a dip at one
    touchpoint shows even when its stage averages it away."""
    go = import_plotly().graph_objects
    figures = {t.touchpoint_id: t for t in measured.touchpoints}
    points = [(stage, tp, figures[tp.id].emotion)
              for stage, tp in measured.journey.touchpoints()
              if tp.id in figures and figures[tp.id].emotion.measured is not None]  # fmt: skip
    if not points:
        return None
    figure = go.Figure()
    stage_ids = [s.id for s in measured.journey.stages]
    label = dict(zip([tp.id for _, tp, _ in points],
                     chart_labels([tp.name for _, tp, _ in points]), strict=True))  # fmt: skip
    for stage in measured.journey.stages:
        mine = [(tp, e) for s, tp, e in points if s.id == stage.id]
        if not mine:
            continue
        figure.add_trace(go.Scatter(
            x=[label[tp.id] for tp, _ in mine], y=[e.measured for _, e in mine],
            name=chart_labels([stage.name])[0], mode="markers", marker={"size": 11,
            "color": PALETTE[stage_ids.index(stage.id) % len(PALETTE)]},
            customdata=[[e.n, tp.name] for tp, e in mine],
            hovertemplate="%{customdata[1]}: %{y:+.2f} (n=%{customdata[0]})"
                          "<extra></extra>",
            error_y={"type": "data", "symmetric": False,
                     "array": [_gap(e.ci_high, e.measured) for _, e in mine],
                     "arrayminus": [_gap(e.measured, e.ci_low) for _, e in mine]},
        ))  # fmt: skip
    figure.update_xaxes(categoryorder="array",
                        categoryarray=list(label.values()))  # fmt: skip
    figure.update_yaxes(range=[-1.05, 1.05], title="measured emotion (95% CI)")
    return _div(figure, "jm-touchpoint-emotion")


def persona_emotion_chart(measured: MeasuredMap) -> Chart | None:
    """Several personas' measured emotion per stage on one chart (with 95% CIs)."""
    go = import_plotly().graph_objects
    stages = measured.journey.stages
    figure = go.Figure()
    for i, persona in enumerate(measured.personas):
        by_stage = persona.get("emotion_by_stage") or {}
        values = [_emotion(by_stage.get(s.id)) for s in stages]
        if not any(v.measured is not None for v in values):
            continue
        figure.add_trace(go.Scatter(
            x=chart_labels([s.name for s in stages]), y=[v.measured for v in values],
            name=chart_labels([str(persona.get("name") or persona.get("id"))])[0],
            hovertext=[s.name for s in stages], mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)]},
            error_y={"type": "data", "symmetric": False,
                     "array": [_gap(v.ci_high, v.measured) for v in values],
                     "arrayminus": [_gap(v.measured, v.ci_low) for v in values]},
        ))  # fmt: skip
    if not figure.data:
        return None
    figure.update_yaxes(range=[-1.05, 1.05], title="measured emotion (95% CI)")
    return _div(figure, "jm-persona-emotion")


# Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def stage_sankey(measured: MeasuredMap, flows: JourneyFlows) -> Chart:
    """Customers moving between stages (loops back in orange) and leaving after each
    stage (from its drop-off share)."""
    go = import_plotly().graph_objects
    stages = measured.journey.stages
    index = {s.id: i for i, s in enumerate(stages)}
    left = len(stages)
    sources, targets, values, colours, labels = [], [], [], [], []
    for flow in flows.stages:
        if flow.source in index and flow.target in index:
            sources.append(index[flow.source])
            targets.append(index[flow.target])
            values.append(flow.customers)
            colours.append(BACK if flow.back else FORWARD)
            labels.append("loop back" if flow.back else "move on")
    for stage in stages:
        figures = measured.stage_figures(stage.id)
        if figures is not None and figures.dropoff:
            sources.append(index[stage.id])
            targets.append(left)
            values.append(round(figures.reached * figures.dropoff))
            colours.append(LEAVE)
            labels.append("leave")
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": chart_labels([s.name for s in stages] + ["Left the journey"]),
              "pad": 18,
              "color": ["#1e3a5f"] * len(stages) + ["#9ca3af"]},
        link={"source": sources, "target": targets, "value": values, "color": colours,
              "customdata": labels,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} "
                               "customers (%{customdata})<extra></extra>"},
    ))  # fmt: skip
    return _div(figure, "jm-sankey-stages")


FORWARD = "rgba(15, 118, 110, 0.45)"
BACK = "rgba(234, 88, 12, 0.55)"
LEAVE = "rgba(156, 163, 175, 0.45)"
TOUCHPOINT_FLOWS = 30  # the Sankey draws the largest flows; the table lists them all


def touchpoint_sankey(measured: MeasuredMap, flows: JourneyFlows) -> Chart | None:
    """The largest touchpoint-to-touchpoint flows (customers), coloured by direction."""
    shown = largest_touchpoint_flows(flows)
    if not shown:
        return None
    go = import_plotly().graph_objects
    names = {tp.id: tp.name for _, tp in measured.journey.touchpoints()}
    order = [tp.id for _, tp in measured.journey.touchpoints()]
    seen = {t for f in shown for t in (f.source, f.target)}
    used = [t for t in order if t in seen] + sorted(seen - set(order))
    index = {t: i for i, t in enumerate(used)}
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": chart_labels([names.get(t, t) for t in used]), "pad": 12,
              "color": "#0e7490"},
        link={"source": [index[f.source] for f in shown],
              "target": [index[f.target] for f in shown],
              "value": [f.customers for f in shown],
              "color": [BACK if f.back else FORWARD for f in shown],
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} "
                               "customers<extra></extra>"},
    ))  # fmt: skip
    return _div(figure, "jm-sankey-touchpoints", height=640)


def largest_touchpoint_flows(flows: JourneyFlows) -> list[Flow]:
    ranked = sorted(flows.touchpoints, key=lambda f: (-f.customers, f.source, f.target))
    return ranked[:TOUCHPOINT_FLOWS]


def persona_chart(measured: MeasuredMap) -> Chart | None:
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
        x=chart_labels([str(p.get("name") or p.get("id")) for p in personas]),
        hovertext=[str(p.get("name") or p.get("id")) for p in personas], y=rates,
        marker={"color": "#4338ca"},
        error_y={"type": "data", "symmetric": False,
                 "array": [float(c[1]) - r for c, r in zip(cis, rates, strict=True)],
                 "arrayminus": [r - float(c[0]) for c, r in zip(cis, rates, strict=True)]},
    ))  # fmt: skip
    figure.update_yaxes(title="conversion rate", tickformat=".0%", rangemode="tozero")
    return _div(figure, "jm-personas")


def _emotion(found: Any) -> Emotion:
    """An emotion as measured (an object) or as read back from measured.json (a
    dict)."""
    if isinstance(found, Emotion):
        return found
    if isinstance(found, dict):
        names = ("assumed", "measured", "n", "ci_low", "ci_high")
        return Emotion(**{k: found[k] for k in names if k in found})
    return Emotion()


def _gap(high: float | None, low: float | None) -> float | None:
    return None if high is None or low is None else high - low


def _none() -> Any:
    from journeymap.model.measured import StageFigures

    return StageFigures("none")
