"""One simulated data set shared by the demo tests, and a reference touchpoint matcher."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from journeymap.demo import SimulatedData, demo_map_text, simulate_journeys
from journeymap.model import JourneyMap, Match

CUSTOMERS = 1500


@pytest.fixture(scope="session")
def demo() -> SimulatedData:
    return simulate_journeys(CUSTOMERS, seed=7)


@pytest.fixture(scope="session")
def journey() -> JourneyMap:
    return JourneyMap.model_validate(YAML(typ="safe").load(demo_map_text()))


def match_mask(events: pd.DataFrame, match: Match) -> pd.Series:
    """Reference semantics of a ``match`` rule over a pandas frame (all parts hold)."""
    mask = pd.Series(True, index=events.index)
    if match.event:
        mask &= events["event"].isin(match.event)
    if match.event_prefix is not None:
        mask &= events["event"].str.startswith(match.event_prefix)
    if match.channel:
        mask &= events["channel"].isin(match.channel)
    for column, value in match.properties.items():
        accepted = value if isinstance(value, tuple) else (value,)
        mask &= events[column].isin(accepted)
    return mask


@pytest.fixture(scope="session")
def matched(demo: SimulatedData, journey: JourneyMap) -> pd.DataFrame:
    """The events with ``touchpoint_id`` and ``stage_index`` (first match in file order)."""
    events = demo.events
    touchpoint = pd.Series(pd.NA, index=events.index, dtype="object")
    stage = pd.Series(-1, index=events.index, dtype="int64")
    for index, stage_model in enumerate(journey.stages):
        for tp in stage_model.touchpoints:
            assert tp.match is not None
            hit = match_mask(events, tp.match) & touchpoint.isna()
            touchpoint[hit] = tp.id
            stage[hit] = index
    return events.assign(touchpoint_id=touchpoint, stage_index=stage.to_numpy(np.int64))
