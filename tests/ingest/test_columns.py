from __future__ import annotations

import pytest

from journeymap.errors import IngestError
from journeymap.ingest import detect_columns


def test_detects_common_names_case_insensitively() -> None:
    found = detect_columns(["Distinct_ID", "Event_Time", "Action", "Medium", "Revenue"])
    assert found == {"customer_id": "Distinct_ID", "timestamp": "Event_Time",
                     "event": "Action", "channel": "Medium", "value": "Revenue"}  # fmt: skip


def test_explicit_mapping_wins_and_is_not_reused() -> None:
    found = detect_columns(["user_id", "customer_id", "ts", "event"],
                           {"customer_id": "user_id", "channel": None})  # fmt: skip
    assert found == {"customer_id": "user_id", "timestamp": "ts", "event": "event"}


def test_process_mining_names() -> None:
    found = detect_columns(["case:concept:name", "concept:name", "time:timestamp"])
    assert list(found.values()) == [
        "case:concept:name",
        "time:timestamp",
        "concept:name",
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [({"colour": "x"}, "unknown column role 'colour'"),
     ({"event": "nope"}, "column 'nope' not found"),
     ({"event": "a", "channel": "a"}, "column 'a' is given two roles")],
)  # fmt: skip
def test_bad_mappings(given: dict[str, str], message: str) -> None:
    with pytest.raises(IngestError, match=message):
        detect_columns(["a", "user_id", "ts"], given)
