from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from journeymap.engine import connect
from journeymap.errors import AnalysisError, IngestError, MapError
from journeymap.ingest import filter_persona, filter_segment, filter_time, read_events
from journeymap.model.journey import JourneyMap
from journeymap.model.rules import evaluate, parse_rule

ENGINE = connect()
FRAME = pd.DataFrame({
    "customer_id": ["a", "a", "b", "c", "d"],
    "timestamp": ["2024-01-01", "2024-01-05", "2024-01-10", "2024-02-01", "2024-02-02"],
    "event": ["visit", "buy", "visit", "visit", "visit"],
    "plan": ["pro", None, "free", "pro", None],
    "size": [3, 3, 1, None, 5],
    "vip": [True, True, False, None, False],
})  # fmt: skip


@pytest.fixture(scope="module")
def log():  # type: ignore[no-untyped-def]
    return read_events(FRAME, engine=ENGINE)


def test_filter_time_bounds(log) -> None:  # type: ignore[no-untyped-def]
    assert filter_time(log, start="2024-01-05").count() == 4
    assert filter_time(log, end=dt.date(2024, 1, 10)).count() == 2
    aware = dt.datetime(2024, 1, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert filter_time(log, start=aware, end="2024-02-01T00:00:00Z").count() == 1
    with pytest.raises(IngestError, match="not an ISO date"):
        filter_time(log, start="last week")


RULES = [
    "plan == 'pro'", "plan != 'pro'", "size >= 3", "size < 3 or plan is null",
    "plan in ('pro', 'free')", "plan not in ('pro')", "not size > 2",
    "vip == true", "plan is not null and not (size == 3)", "size == 'three'",
    "plan in ('pro', 3)",
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES)
def test_event_level_rules_match_the_reference_evaluator(log, rule: str) -> None:  # type: ignore[no-untyped-def]
    got = filter_segment(log, rule, level="event").to_pandas()["row_number"].tolist()
    records = FRAME.astype(object).where(FRAME.notna(), None).to_dict("records")
    want = [i + 1 for i, row in enumerate(records) if evaluate(parse_rule(rule), row)]
    assert sorted(got) == want


def test_customer_level_keeps_all_events_of_matching_customers(log) -> None:  # type: ignore[no-untyped-def]
    kept = filter_segment(log, "plan == 'pro'").to_pandas()
    assert kept["customer_id"].tolist() == ["a", "a", "c"]


def test_rule_errors(log) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnalysisError, match="names column\\(s\\) colour"):
        filter_segment(log, "colour == 'red'")
    with pytest.raises(MapError):
        filter_segment(log, "plan = 'pro'")
    with pytest.raises(IngestError, match="level must be"):
        filter_segment(log, "plan == 'pro'", level="session")  # type: ignore[arg-type]


def test_filter_persona(log) -> None:  # type: ignore[no-untyped-def]
    journey = JourneyMap(name="j", personas=[
        {"id": "big", "name": "Big households", "segment": "size >= 3"},
        {"id": "vague", "name": "No rule"},
    ])  # fmt: skip
    assert filter_persona(log, journey, "big").to_pandas()[
        "customer_id"
    ].unique().tolist() == ["a", "d"]
    with pytest.raises(IngestError, match="no persona 'nope'; personas: big, vague"):
        filter_persona(log, journey, "nope")
    with pytest.raises(IngestError, match="has no segment rule"):
        filter_persona(log, journey, "vague")


def test_rules_use_the_types_inferred_for_text_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "e.csv"
    path.write_text("user_id,ts,event,size\na,2024-01-01,x,4\nb,2024-01-01,x,2\n")
    log = read_events(path, engine=ENGINE)
    assert filter_segment(log, "size >= 3").to_pandas()["customer_id"].tolist() == ["a"]
