"""``data.surveys`` (and ``events``, ``feedback``) as a path or as a mapping with its
own settings: the mapping's mistakes read like every other map error."""

from __future__ import annotations

import pytest

from journeymap.model import DataFile, dump_map, loads_map, validate_map_text

HEAD = "journeymap: 1\nname: shop\ndata:\n  events: events.csv\n"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "  surveys: {path: s.csv, colums: {customer_id: respondent}}",
            "map.yaml:5: data.surveys.colums: unknown field `colums`; did you mean "
            "`columns`?",
        ),
        (
            "  feedback: {columns: {customer_id: cust}}",
            "map.yaml:5: data.feedback.path: Field required",
        ),
        (
            "  surveys: 3",
            "map.yaml:5: data.surveys: expected a path, or {path: FILE, columns: "
            "{...}, timezone: ZONE, time_format: FORMAT}",
        ),
        (
            "  surveys:\n    path: s.csv\n    time_format: weird",
            "map.yaml:7: data.surveys.time_format: unknown time format 'weird'; use "
            "one of epoch_s, epoch_ms, epoch_us, epoch_ns, yyyymmdd, yyyymmddhhmmss, "
            "excel or a strptime format such as '%d/%m/%Y %H:%M'",
        ),
        (
            "  surveys:\n    path: s.csv\n    columns: {customer_id: 7}",
            "map.yaml:7: data.surveys.columns.customer_id: Input should be a valid "
            "string; put it in quotes to make it text",
        ),
    ],
)
def test_a_wrong_data_file_is_one_line_with_its_field(
    entry: str, expected: str
) -> None:
    problems = [p.one_line() for p in validate_map_text(HEAD + entry, file="map.yaml")]
    assert problems == [expected]


def test_both_forms_load_and_save_as_written() -> None:
    text = (
        HEAD
        + "  surveys: s.csv\n"
        + "  feedback:\n    path: f.csv\n    columns:\n      customer_id: cust\n"
        + "    time_format: epoch_ms\n"
    )
    journey = loads_map(text)
    assert journey.data is not None
    assert journey.data.events == "events.csv"
    assert journey.data.surveys == "s.csv"
    assert journey.data.feedback == DataFile(
        path="f.csv", columns={"customer_id": "cust"}, time_format="epoch_ms"
    )
    assert journey.data.path_of("feedback") == "f.csv"
    assert dump_map(journey) == text
