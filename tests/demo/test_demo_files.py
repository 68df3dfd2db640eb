"""Writing the demo data: Parquet and CSV in the canonical schema, reproducibly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.demo import simulate_journeys, write_demo_data

SIZE = 250


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_data(
        tmp_path_factory.mktemp("demo"), SIZE, seed=5, include_map=True
    )


def test_writes_every_file(written: dict[str, Path]) -> None:
    assert sorted(written) == ["csv", "customers", "map", "parquet", "truth"]
    assert all(path.is_file() and path.stat().st_size > 0 for path in written.values())
    assert written["parquet"].read_bytes()[:4] == b"PAR1"


def test_parquet_round_trips(written: dict[str, Path]) -> None:
    expected = simulate_journeys(SIZE, seed=5).events
    pd.testing.assert_frame_equal(pd.read_parquet(written["parquet"]), expected)


def test_csv_has_utc_iso_times(written: dict[str, Path]) -> None:
    frame = pd.read_csv(written["csv"], dtype=str, keep_default_na=False)
    assert list(frame.columns[:9]) == [
        "customer_id",
        "timestamp",
        "event",
        "channel",
        "session_id",
        "value",
        "score",
        "score_kind",
        "text",
    ]
    assert frame["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    parsed = pd.to_datetime(frame["timestamp"], utc=True)
    expected = pd.read_parquet(written["parquet"])["timestamp"]
    assert (parsed.to_numpy() == expected.to_numpy()).all()


def test_csv_is_small_enough(written: dict[str, Path]) -> None:
    per_customer = written["csv"].stat().st_size / SIZE
    assert per_customer * 5000 < 25_000_000


def test_same_seed_writes_identical_files(
    written: dict[str, Path], tmp_path: Path
) -> None:
    again = write_demo_data(tmp_path, SIZE, seed=5, include_map=True)
    for key, path in written.items():
        assert again[key].read_bytes() == path.read_bytes(), key


def test_truth_and_map_are_usable(written: dict[str, Path]) -> None:
    truth = json.loads(written["truth"].read_text(encoding="utf-8"))
    assert (
        truth["seed"] == 5 and truth["planted_problem"]["persona"] == "senior-shopper"
    )
    journey = jm.load_map(written["map"])
    assert journey.data is not None and journey.data.events == "events.parquet"
    assert (written["map"].parent / journey.data.events).is_file()


def test_csv_reads_back_through_ingest(written: dict[str, Path]) -> None:
    log = jm.read_events(written["csv"])
    assert log.report.loaded == len(pd.read_parquet(written["parquet"]))
    assert log.report.quarantined == 0
    assert {"persona", "household_size", "reason"} <= set(log.properties())


def test_map_is_left_out_unless_asked(tmp_path: Path) -> None:
    paths = write_demo_data(tmp_path, 60, seed=2)
    assert "map" not in paths and not (tmp_path / "journey.yaml").exists()
