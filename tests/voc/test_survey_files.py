"""Survey and feedback rows say the same wherever they are kept (issue 8).

The rows with a ``score`` or a ``text`` may sit inside the events or in separate
survey / feedback files; the measured map must not depend on which. Before the fix a
separate row was never matched by its own event (it went to the customer's previous
touchpoint) and did not count as an event, so the demo's checkout CES changed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from journeymap.engine import EventLog, connect
from journeymap.ingest import read_events
from journeymap.model.journey import JourneyMap
from journeymap.pipeline import measure_map
from journeymap.voc.observations import observations_expr

from .test_outcomes import COLUMNS, ROWS


def _split(events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Events without answers or comments, survey answers, comments alone."""
    answered = events["score"].notna()
    commented = events["text"].notna() & ~answered
    return {
        "events": events[~answered & ~commented],
        "surveys": events[answered],
        "feedback": events[commented],
    }


def _without_source(measured: dict[str, Any]) -> dict[str, Any]:
    """The measured.json dict minus the ingest report's file names."""
    ingest = {k: v for k, v in measured["ingest"].items() if k != "source"}
    return measured | {"ingest": ingest}


@pytest.fixture(scope="module")
def demo_events() -> pd.DataFrame:
    from journeymap.demo.simulate import simulate_journeys

    return simulate_journeys(500, seed=7).events


def test_demo_measured_map_is_the_same_with_separate_files(
    demo_events: pd.DataFrame,
) -> None:
    from journeymap.demo.files import demo_map_path
    from journeymap.model.spec import load_map

    journey = load_map(demo_map_path())
    parts = _split(demo_events)
    assert len(parts["surveys"]) > 50 and len(parts["feedback"]) > 5
    engine = connect()
    inside = measure_map(journey, read_events(demo_events, engine=engine)).to_dict()
    logs = {name: read_events(frame, engine=engine) for name, frame in parts.items()}
    apart = measure_map(
        journey, logs["events"], surveys=logs["surveys"], feedback=logs["feedback"]
    ).to_dict()
    checkout = next(
        t for t in inside["touchpoints"] if t["touchpoint_id"] == "checkout"
    )
    assert checkout["ces"] is not None and checkout["emotion"]["n"] > 0
    assert inside["ingest"]["read"] == len(demo_events)
    assert _without_source(apart) == _without_source(inside)


def test_a_separate_row_belongs_to_the_touchpoint_its_own_event_matches(
    make_log: Any, shop_map: JourneyMap
) -> None:
    # f answers on its "cart" event, which the cart touchpoint matches; kept apart the
    # answer must still go to cart, not to f's previous touchpoint (item)
    visits = [
        ("f", 0, "home", 30, None, None, None),
        ("f", 1, "item", 30, None, None, None),
    ]
    answer = ("f", 2, "cart", 30, 4.0, "csat", "ok I guess")
    log: EventLog = make_log(ROWS + visits, COLUMNS)
    surveys: EventLog = make_log([answer], COLUMNS)
    apart = log.execute(observations_expr(log, shop_map, surveys=surveys))
    whole: EventLog = make_log([*ROWS, *visits, answer], COLUMNS)
    inside = whole.execute(observations_expr(whole, shop_map))
    apart, inside = (
        frame.sort_values(["customer_id", "timestamp"], ignore_index=True)
        for frame in (apart, inside)
    )
    pd.testing.assert_frame_equal(apart, inside)
    assert apart.set_index("customer_id").loc["f", "touchpoint_id"] == "cart"


def test_append_numbers_events_as_one_file_would(make_log: Any) -> None:
    rows = [("a", 0, "home"), ("a", 0, "cart"), ("b", 1, "home"), ("a", 2, "buy")]
    whole: EventLog = make_log(rows)
    parts: EventLog = make_log(rows[:2]).append(make_log(rows[2:3]), make_log(rows[3:]))
    keys = ["customer_id", "timestamp", "event", "event_seq"]
    assert (
        parts.to_pandas()[keys].values.tolist()
        == whole.to_pandas()[keys].values.tolist()
    )
    assert parts.report is not None and whole.report is not None
    assert (parts.report.read, parts.report.loaded) == (4, 4)
