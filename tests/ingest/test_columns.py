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


def test_a_mostly_empty_detected_id_names_the_full_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """GA4: ``user_id`` only for signed-in users, ``user_pseudo_id`` always."""
    from journeymap.ingest import read_events

    path = tmp_path / "ga4.csv"
    path.write_text(
        "event_id,user_id,user_pseudo_id,event_timestamp,event_name\n"
        "e1,,111.222,1704103200000000,page_view\n"
        "e2,u9,333.444,1704103260000000,page_view\n"
        "e3,,111.222,1704103320000000,purchase\n"
    )
    log = read_events(path)
    assert log.report.reasons == {"missing customer_id": 2}
    assert log.report.warnings[-1] == (
        "customer_id was detected as 'user_id', which is empty in 2 rows; "
        "'user_pseudo_id' has a value in each of them: pass --id user_pseudo_id "
        "(in the map: data.columns.customer_id)"
    )
    given = read_events(path, columns={"customer_id": "user_pseudo_id"})
    assert given.report.loaded == 3 and not given.report.reasons
