"""Each data file of a map with its own columns, time zone and time format.

``data.columns`` / ``timezone`` / ``time_format`` apply to the events, surveys and
feedback alike; ``data.surveys`` (and ``events``, ``feedback``) written as a mapping
``{path, columns, timezone, time_format}`` overrides them for that file. The string
form keeps meaning what it meant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app, main
from journeymap.cli._load import load_map_data
from journeymap.model import DataFile, DataSource

DATA_LINE = "events: data/events.parquet"
CANONICAL = (
    "events: events.parquet\n  surveys: surveys.parquet\n  feedback: feedback.parquet"
)
# three exports, three namings: the section maps the events, each other file its own
RENAMED = """\
events: events.parquet
  surveys:
    path: surveys.parquet
    columns: {customer_id: respondent, timestamp: submitted_at, event: event}
    timezone: Etc/GMT-2
  feedback:
    path: feedback.csv
    columns:
      customer_id: cust
      timestamp: created_ms
      event: kind
    time_format: epoch_ms
  columns: {customer_id: user_id, timestamp: ts, event: action}"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo data split into events, survey answers and feedback, twice: with the
    canonical column names, and renamed differently in each file."""
    from journeymap.demo import demo_map_text
    from journeymap.demo.simulate import simulate_journeys

    events = simulate_journeys(250, seed=5).events
    answered = events["score"].notna()
    commented = events["text"].notna() & ~answered
    parts = {
        "events": events[~answered & ~commented],
        "surveys": events[answered],
        "feedback": events[commented],
    }
    text = demo_map_text()
    assert text.count(DATA_LINE) == 1
    plain = tmp_path_factory.mktemp("canonical")
    for name, part in parts.items():
        part.to_parquet(plain / f"{name}.parquet", index=False)
    (plain / "map.yaml").write_text(text.replace(DATA_LINE, CANONICAL))

    renamed = tmp_path_factory.mktemp("renamed")
    parts["events"].rename(
        columns={"customer_id": "user_id", "timestamp": "ts", "event": "action"}
    ).to_parquet(renamed / "events.parquet", index=False)
    surveys = parts["surveys"].rename(
        columns={"customer_id": "respondent", "timestamp": "submitted_at"}
    )
    # naive wall-clock time two hours ahead of UTC, read back with the file's zone
    surveys["submitted_at"] = (
        surveys["submitted_at"].dt.tz_convert("Etc/GMT-2").dt.tz_localize(None)
    )
    surveys.to_parquet(renamed / "surveys.parquet", index=False)
    feedback = parts["feedback"].rename(
        columns={"customer_id": "cust", "event": "kind"}
    )
    feedback.insert(1, "created_ms", feedback.pop("timestamp").astype("int64") // 1_000)
    feedback.to_csv(renamed / "feedback.csv", index=False)
    (renamed / "map.yaml").write_text(text.replace(DATA_LINE, RENAMED))
    return {"canonical": plain / "map.yaml", "renamed": renamed / "map.yaml"}


def _measure(map_path: Path, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["measure", str(map_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _without_source(measured: dict[str, Any]) -> dict[str, Any]:
    """All but where the data came from: the map's data section, the file and
    column names."""
    ingest = {
        k: v for k, v in measured["ingest"].items() if k not in ("source", "columns")
    }
    journey = {k: v for k, v in measured["map"].items() if k != "data"}
    return measured | {"ingest": ingest, "map": journey}


def test_three_namings_measure_the_same_as_canonical_names(
    folders: dict[str, Path], tmp_path: Path
) -> None:
    canonical = _measure(folders["canonical"], tmp_path / "canonical.json")
    renamed = _measure(folders["renamed"], tmp_path / "renamed.json")
    sizes = {
        name: len(pd.read_parquet(folders["canonical"].parent / f"{name}.parquet"))
        for name in ("events", "surveys", "feedback")
    }
    assert min(sizes.values()) > 0
    # every row of the three files, under its own names, is measured
    assert renamed["totals"]["events"] == sum(sizes.values())
    assert renamed["ingest"]["quarantined"] == 0
    assert canonical["stages"] and canonical["scores"]
    assert _without_source(renamed) == _without_source(canonical)


def test_the_python_path_reads_each_file_with_its_settings(
    folders: dict[str, Path],
) -> None:
    loaded = {key: load_map_data(path) for key, path in folders.items()}
    for key in ("events", "surveys", "feedback"):
        logs = [getattr(loaded[k], key) for k in ("canonical", "renamed")]
        assert all(log is not None for log in logs)
        frames = [
            log.table.select("customer_id", "timestamp", "event")
            .to_pandas()
            .sort_values(["customer_id", "timestamp", "event"], kind="stable")
            .reset_index(drop=True)
            for log in logs
        ]
        assert len(frames[0]) > 0
        pd.testing.assert_frame_equal(frames[0], frames[1])
    journey = jm.load_map(folders["renamed"])
    assert journey.data is not None
    feedback = journey.data.file("feedback")
    assert feedback is not None
    assert feedback.columns == {
        "customer_id": "cust",
        "timestamp": "created_ms",
        "event": "kind",
    }
    assert feedback.time_format == "epoch_ms"
    log = jm.read_events(
        folders["renamed"].parent / feedback.path,
        columns=feedback.columns,
        timezone=feedback.timezone,
        time_format=feedback.time_format,
    )
    assert log.report is not None
    assert log.report.loaded == len(
        pd.read_csv(folders["renamed"].parent / "feedback.csv")
    )


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("command", ["measure", "validate"])
def test_a_wrong_per_file_column_is_one_line_at_the_map_field(
    folders: dict[str, Path],
    tmp_path: Path,
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = folders["renamed"].parent
    text = folders["renamed"].read_text().replace("respondent", "respondant")
    bad = folder / f"bad-{command}.yaml"
    bad.write_text(text)
    args = [command, str(bad)] + (
        ["-o", str(tmp_path / "m.json")] * (command == "measure")
    )
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    line = _line_of(text, "respondant")
    assert errors == [
        f"error: {bad}:{line}: data.surveys.columns.customer_id: column 'respondant' "
        f"not found in {folder / 'surveys.parquet'}; did you mean `respondent`? "
        "(available: respondent, submitted_at, event, channel, session_id, value, "
        "score, score_kind, text, persona, region, device, age_band, household_size, "
        "plan, reason)"
    ], err
    assert "Traceback" not in err


def test_a_misspelt_role_in_a_file_is_named_with_the_role_it_means(
    folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folders["renamed"].parent
    text = (
        folders["renamed"]
        .read_text()
        .replace("      customer_id: cust", "      custmer_id: cust")
    )
    bad = folder / "bad-role.yaml"
    bad.write_text(text)
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    line = _line_of(text, "custmer_id")
    assert len(errors) == 1, err
    assert errors[0].startswith(
        f"error: {bad}:{line}: data.feedback.columns.custmer_id: unknown column role "
        "'custmer_id'"
    ), err
    assert "did you mean `customer_id`?" in errors[0]


def test_a_missing_per_file_path_names_the_path_line(
    folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folders["renamed"].parent
    text = (
        folders["renamed"]
        .read_text()
        .replace("path: feedback.csv", "path: feedbak.csv")
    )
    bad = folder / "bad-path.yaml"
    bad.write_text(text)
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    line = _line_of(text, "feedbak.csv")
    assert (
        f"{bad}:{line}: data.feedback.path: `feedbak.csv` not found (looked for "
        f"{folder / 'feedbak.csv'}); did you mean `feedback.csv`?"
    ) in err, err


def test_the_section_wide_column_of_a_string_file_names_data_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old form: one mapping for every file; the column that a file lacks is
    named at ``data.columns``, and the files' settings are the section's."""
    pd.DataFrame(
        {
            "user_id": ["a", "b"],
            "ts": ["2026-01-01 10:00", "2026-01-02 10:00"],
            "event": ["visit", "visit"],
        }  # fmt: skip
    ).to_csv(tmp_path / "events.csv", index=False)
    pd.DataFrame(
        {
            "respondent": ["a"],
            "ts": ["2026-01-01 11:00"],
            "event": ["nps"],
            "score": [9],
            "score_kind": ["nps"],
        }  # fmt: skip
    ).to_csv(tmp_path / "surveys.csv", index=False)
    text = (
        "journeymap: 1\nname: shop\nstages:\n  - id: visit\n    name: Visit\n"
        "    touchpoints: [{id: v, name: V, match: {event: visit}}]\n"
        "data:\n  events: events.csv\n  surveys: surveys.csv\n"
        "  columns: {customer_id: user_id, timestamp: ts}\n  timezone: Etc/GMT-2\n"
    )
    (tmp_path / "map.yaml").write_text(text)
    journey = jm.load_map(tmp_path / "map.yaml")
    assert journey.data is not None
    assert journey.data.surveys == "surveys.csv"  # still a plain string
    assert journey.data.file("surveys") == DataFile(
        path="surveys.csv",
        columns={"customer_id": "user_id", "timestamp": "ts"},
        timezone="Etc/GMT-2",
    )
    written = jm.dump_map(journey)
    assert "\n  events: events.csv\n  surveys: surveys.csv\n" in written
    assert jm.loads_map(written) == journey
    assert main(["validate", str(tmp_path / "map.yaml")]) == 2
    err = capsys.readouterr().err
    assert (
        f"map.yaml:10: data.columns.customer_id: column 'user_id' not found in "
        f"{tmp_path / 'surveys.csv'} (available: respondent, ts, event, score, "
        "score_kind); map this file's own columns with data.surveys: "
        "{path: ..., columns: {customer_id: COLUMN}}"
    ) in err, err


def test_a_file_settings_override_the_section_settings() -> None:
    data = DataSource(
        events={"path": "e.csv", "columns": {"customer_id": "uid"}, "timezone": "UTC"},
        columns={"customer_id": "user_id", "timestamp": "ts"},
        timezone="Europe/Paris",
        time_format="epoch_s",
    )
    events = data.file("events")
    assert events is not None
    assert events.columns == {"customer_id": "uid", "timestamp": "ts"}
    assert (events.timezone, events.time_format) == ("UTC", "epoch_s")
    assert data.file("surveys") is None
    assert data.path_of("events") == "e.csv"
    with pytest.raises(KeyError):
        data.file("customers")
