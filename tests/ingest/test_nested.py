"""Keys inside JSON and struct columns as columns (Mixpanel, Segment, GA4 exports)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import read_events

from .conftest import rows, write


def mixpanel_lines() -> str:
    """A Mixpanel export: everything but the event name sits in ``properties``."""
    lines = [
        {"event": "visit", "properties": {"distinct_id": "42", "time": 1704103200,
                                          "utm_medium": "email", "amount": None}},
        {"event": "buy", "properties": {"distinct_id": "42", "time": 1704103500,
                                        "utm_medium": "cpc", "amount": 12.5}},
        {"event": "visit", "properties": {"distinct_id": "$device:7", "time": 1704189600,
                                          "utm_medium": "email"}},
    ]  # fmt: skip
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_mixpanel_export_needs_no_options(tmp_path: Path) -> None:
    log = read_events(write(tmp_path / "mp.jsonl", mixpanel_lines()))
    assert log.report.columns == {
        "customer_id": "properties.distinct_id",
        "timestamp": "properties.time",
        "event": "event",
        "channel": "properties.utm_medium",
        "value": "properties.amount",
    }
    assert rows(log, "customer_id", "event", "channel") == [
        ("$device:7", "visit", "email"), ("42", "visit", "email"), ("42", "buy", "cpc"),
    ]  # fmt: skip
    frame = log.to_pandas()
    assert str(frame["timestamp"].iloc[1]) == "2024-01-01 10:00:00"
    assert frame["value"].tolist()[2] == 12.5
    assert log.report.read == log.report.loaded == 3


def test_a_named_key_inside_a_json_text_column(tmp_path: Path) -> None:
    """PostHog and Amplitude CSV exports write properties as JSON text."""
    text = (
        "distinct_id,event,timestamp,properties\n"
        'a,visit,2024-01-01T10:00:00Z,"{""utm_medium"": ""email"", ""$lib"": ""web""}"\n'
        "a,buy,2024-01-01T10:05:00Z,not json\n"
    )
    log = read_events(
        write(tmp_path / "ph.csv", text), columns={"channel": "properties.utm_medium"}
    )
    frame = log.to_pandas()
    assert frame["event"].tolist() == ["visit", "buy"]
    assert frame["channel"].tolist()[0] == "email"
    assert frame["channel"].isna().tolist() == [False, True]  # not JSON: no key
    assert "properties" in frame.columns  # the object stays a property


def test_a_named_key_inside_a_parquet_struct(tmp_path: Path) -> None:
    """A BigQuery GA4 export: traffic_source is a struct, the time is in µs."""
    table = pa.Table.from_pylist([
        {"user_pseudo_id": "1197596843.1673515350", "event_name": "page_view",
         "event_timestamp": 1704103200123456,
         "traffic_source": {"medium": "cpc", "source": "google"}},
        {"user_pseudo_id": "1197596843.1673515351", "event_name": "page_view",
         "event_timestamp": 1704103200000000,
         "traffic_source": {"medium": "organic", "source": "google"}},
    ])  # fmt: skip
    pq.write_table(table, tmp_path / "ga4.parquet")
    log = read_events(
        tmp_path / "ga4.parquet",
        columns={"customer_id": "user_pseudo_id", "channel": "traffic_source.medium"},
    )
    assert rows(log, "customer_id", "channel") == [
        ("1197596843.1673515350", "cpc"), ("1197596843.1673515351", "organic"),
    ]  # fmt: skip


def test_a_misspelt_key_names_the_keys_there(tmp_path: Path) -> None:
    path = write(tmp_path / "mp.jsonl", mixpanel_lines())
    with pytest.raises(IngestError) as info:
        read_events(path, columns={"customer_id": "properties.distnct_id"})
    message = str(info.value)
    assert "'properties.distnct_id' not found" in message
    assert "properties.distinct_id" in message and "\n" not in message


def test_a_top_level_column_with_a_dot_is_not_a_key(tmp_path: Path) -> None:
    text = (
        "user_id,ts,event,traffic_source.medium,traffic_source\n"
        'a,2024-01-01T10:00:00Z,visit,cpc,"{""medium"": ""wrong""}"\n'
    )
    log = read_events(
        write(tmp_path / "flat.csv", text), columns={"channel": "traffic_source.medium"}
    )
    assert rows(log, "channel") == [("cpc",)]


def test_no_id_anywhere_says_how_to_name_a_key(tmp_path: Path) -> None:
    line = {"event": "visit", "properties": {"who": "a", "when": "2024-01-01"}}
    path = write(tmp_path / "x.jsonl", json.dumps(line) + "\n")
    with pytest.raises(IngestError, match=r"named properties\.KEY"):
        read_events(path)


def test_a_null_typed_field_inside_a_list_of_structs_can_be_stored(
    tmp_path: Path,
) -> None:
    """GA4 ``event_params`` with a ``float_value`` that is always empty: Arrow types it
    ``null``, and storing the events (as measure does) failed with a parser error."""
    params = [{"key": "page", "value": {"string_value": "/", "float_value": None}}]
    table = pa.Table.from_pylist([
        {"user_pseudo_id": "1.2", "event_name": "page_view",
         "event_timestamp": 1704103200000000, "event_params": params},
    ])  # fmt: skip
    assert "null" in str(table.schema.field("event_params").type)
    pq.write_table(table, tmp_path / "ga4.parquet")
    log = read_events(
        tmp_path / "ga4.parquet", columns={"customer_id": "user_pseudo_id"}
    )
    stored = log.engine.materialize(log.table).to_pandas()
    value = stored["event_params"].tolist()[0][0]["value"]
    assert value == {"string_value": "/", "float_value": None}


def test_struct_fields_are_typed_properties(tmp_path: Path) -> None:
    """BigQuery's GA4 Parquet: personas and breakdowns read ``device.category``,
    ``device.web_info.browser`` like columns; a list of structs stays one property."""
    from journeymap.ingest import filter_segment

    table = pa.Table.from_pylist([
        {"user_pseudo_id": "1", "event_name": "page_view", "event_timestamp": 1704103200000000,
         "device": {"category": "mobile", "web_info": {"browser": "Chrome", "version": 120}},
         "items": [{"id": "a"}]},
        {"user_pseudo_id": "2", "event_name": "page_view", "event_timestamp": 1704103200000000,
         "device": {"category": "desktop", "web_info": {"browser": "Firefox", "version": 121}},
         "items": []},
    ])  # fmt: skip
    pq.write_table(table, tmp_path / "ga4.parquet")
    log = read_events(
        tmp_path / "ga4.parquet", columns={"customer_id": "user_pseudo_id"}
    )
    frame = log.to_pandas()
    assert frame["device.category"].tolist() == ["mobile", "desktop"]
    assert frame["device.web_info.version"].tolist() == [120, 121]
    assert "items.id" not in frame.columns and "items" in frame.columns
    mobile = filter_segment(log, "`device.category` == 'mobile'").to_pandas()
    assert mobile["customer_id"].tolist() == ["1"]


def test_a_key_of_a_key_value_list_as_ga4_keeps_event_params(tmp_path: Path) -> None:
    """``event_params.ga_session_id``: the value paired with that key, from Parquet's
    list of structs and from the JSON text of a flattened CSV."""
    params = [
        {"key": "ga_session_id", "value": {"string_value": None, "int_value": 42}},
        {"key": "page_location", "value": {"string_value": "/cart", "int_value": None}},
    ]
    row = {"user_pseudo_id": "1.2", "event_name": "page_view",
           "event_timestamp": 1704103200000000, "event_params": params}  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row]), tmp_path / "ga4.parquet")
    pd.DataFrame([{**row, "event_params": json.dumps(params)}]).to_csv(
        tmp_path / "ga4.csv", index=False
    )
    columns = {"customer_id": "user_pseudo_id",
               "session_id": "event_params.ga_session_id",
               "channel": "event_params.page_location"}  # fmt: skip
    for name in ("ga4.parquet", "ga4.csv"):
        log = read_events(tmp_path / name, columns=columns)
        assert rows(log, "session_id", "channel") == [("42", "/cart")], name
        with pytest.raises(
            IngestError, match=r"keys there: event_params\.ga_session_id"
        ):
            read_events(tmp_path / name, columns={"channel": "event_params.sesion"})
