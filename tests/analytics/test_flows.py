from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings

from journeymap.analytics.flows import measure_flows
from journeymap.engine import Engine
from journeymap.model.journey import JourneyMap

from .conftest import INJECTION, ingest, random_rows, records

# a, b: two touchpoints of the first stage; c: the second stage; the injection string
# matches nothing (unmatched events are skipped, not flows)
JOURNEY = JourneyMap.model_validate(
    {
        "name": "Flows",
        "stages": [
            {
                "id": "first",
                "name": "First",
                "touchpoints": [
                    {"id": "tp-a", "name": "A", "match": {"event": "a"}},
                    {"id": "tp-b", "name": "B", "match": {"event": "b"}},
                ],
            },
            {
                "id": "second",
                "name": "Second",
                "touchpoints": [{"id": "tp-c", "name": "C", "match": {"event": "c"}}],
            },
        ],
    }
)
PLACE = {"a": ("first", "tp-a"), "b": ("first", "tp-b"), "c": ("second", "tp-c")}


def _reference(rows: list[dict[str, Any]], level: int) -> set[tuple[Any, ...]]:
    """(source, target, moves, customers) from consecutive matched events."""
    by_customer: defaultdict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["timestamp"], r["event_seq"])):
        if row["event"] in PLACE:
            by_customer[row["customer_id"]].append(PLACE[row["event"]][level])
    moves: Counter[tuple[str, str]] = Counter()
    who: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for customer, places in by_customer.items():
        for source, target in zip(places, places[1:], strict=False):
            if source != target:
                moves[(source, target)] += 1
                who[(source, target)].add(customer)
    return {(s, t, n, len(who[(s, t)])) for (s, t), n in moves.items()}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=random_rows())
def test_flows_match_consecutive_pairs_at_both_levels(
    engine: Engine, rows: list[Any]
) -> None:
    log = ingest(engine, rows)
    flows = measure_flows(log, JOURNEY)
    loaded = records(log)
    assert INJECTION not in PLACE
    for found, level in ((flows.stages, 0), (flows.touchpoints, 1)):
        got = {(f.source, f.target, f.moves, f.customers) for f in found}
        assert got == _reference(loaded, level)
        for f in found:  # a move back is one to an earlier stage
            assert f.back == (f.source in ("second", "tp-c") and f.target not in
                              ("second", "tp-c"))  # fmt: skip
    assert not [t for t in engine.temp_tables() if "moves" in t]  # scratch dropped
