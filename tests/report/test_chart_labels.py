"""Long stage, touchpoint and persona names do not squeeze the report's charts: their
labels are short and still unique, the full names are in the hover text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from sample import grocery_map, grocery_measured

from journeymap.model.measured import MeasuredMap
from journeymap.report import charts

pytest.importorskip("plotly")
LONG = "Set up the workspace https://intranet.example.com/onboarding/wizard/step-3"


def _long_names() -> MeasuredMap:
    journey = grocery_map()
    stages = [
        s.model_copy(update={"name": f"{LONG} {i}"})
        for i, s in enumerate(journey.stages)
    ]
    measured: MeasuredMap = grocery_measured(
        journey.model_copy(update={"stages": tuple(stages)})
    )
    return measured


def _labels(chart: charts.Chart) -> list[str]:
    found: list[str] = []
    for trace in chart.figure.data:
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is not None and all(isinstance(v, str) for v in values):
                found.extend(values)
        if trace.type == "sankey":
            found.extend(trace.node.label)
        if getattr(trace, "name", None):
            found.append(trace.name)
    return found


def test_long_stage_names_are_short_unique_labels_with_full_hover_text() -> None:
    measured = _long_names()
    funnel = charts.funnel_chart(measured)
    labels = list(funnel.figure.data[0].y)
    assert len(set(labels)) == len(measured.journey.stages)
    assert list(funnel.figure.data[0].hovertext) == [
        s.name for s in measured.journey.stages
    ]
    for chart in (funnel, charts.emotion_chart(measured)):
        assert max(len(label) for label in _labels(chart)) <= charts.LABEL_CHARS


def test_equal_prefixes_stay_apart() -> None:
    names = [f"{LONG} A", f"{LONG} B", "Pay"]
    labels = charts.chart_labels(names)
    assert len(set(labels)) == 3 and labels[2] == "Pay"
    assert all(len(label) <= charts.LABEL_CHARS for label in labels)
