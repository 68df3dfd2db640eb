from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from journeymap.cli import app, main
from journeymap.cli.analyze import parse_seconds
from journeymap.errors import AnalysisError

CSV = """user_id,ts,event_name,channel
a,2024-01-01 10:00:00,visit,web
a,2024-01-01 10:01:00,cart,web
a,2024-01-01 10:05:00,buy,app
b,2024-01-01 10:00:00,visit,app
b,2024-01-01 10:02:00,cart,web
"""


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def run(*args: str) -> object:
    return CliRunner().invoke(app, ["analyze", *args], catch_exceptions=False)


def test_funnel_prints_a_table(events):
    result = run(str(events), "--what", "funnel", "--steps", "visit,cart,buy")
    assert result.exit_code == 0
    assert "conversion_from_start" in result.stdout
    assert "buy" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_writes_every_format(events, tmp_path, suffix):
    out = tmp_path / f"transitions{suffix}"
    result = run(str(events), "--what", "transitions", "-o", str(out))
    assert result.exit_code == 0
    if suffix == ".json":
        data = json.loads(out.read_text())
        assert data["starts"] == [{"value": "visit", "customers": 2}]
    else:
        read = pd.read_csv if suffix == ".csv" else pd.read_parquet
        frame = read(out)
        assert set(zip(frame.source, frame.target, strict=True)) == {
            ("visit", "cart"),
            ("cart", "buy"),
        }


def test_variants_paths_and_time_to_convert(events, tmp_path):
    out = tmp_path / "v.json"
    assert (
        run(str(events), "--what", "variants", "--top", "1", "-o", str(out)).exit_code
        == 0
    )
    assert json.loads(out.read_text())["summary"].startswith("top 1 of 2 variants")
    paths = run(str(events), "--what", "paths", "--from", "cart")
    assert paths.exit_code == 0 and "cart > buy" in paths.stdout
    ttc = run(str(events), "--what", "time-to-convert", "--conversion", "buy")
    assert ttc.exit_code == 0
    assert "1 of 2 customers converted" in ttc.stdout


def test_unknown_what_is_one_line_and_exit_2(events, capsys):
    assert main(["analyze", str(events), "--what", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown --what 'nope'")
    assert len(err.splitlines()) == 1


def test_user_errors_exit_2(events, capsys):
    assert main(["analyze", str(events), "--what", "funnel"]) == 2
    assert "--steps" in capsys.readouterr().err
    assert main(["analyze", str(events), "-o", "out.xlsx"]) == 2
    assert main(["analyze", str(events), "--what", "time-to-convert"]) == 2


def test_durations():
    assert parse_seconds("90") == 90
    assert parse_seconds("30m") == 1800
    assert parse_seconds("7d") == 7 * 86400
    assert parse_seconds(None) is None
    with pytest.raises(AnalysisError, match="duration"):
        parse_seconds("soon")


def test_stages_drivers_and_retention_come_from_the_other_modules(events):
    repo = Path(__file__).resolve().parents[2]
    grocery = repo / "examples" / "maps" / "online-grocery.yaml"
    stages = run(str(events), "--what", "stages", "--map", str(grocery))
    assert stages.exit_code == 0 and "reached" in stages.stdout
    drivers = run(str(events), "--what", "drivers", "--conversion", "buy")
    assert drivers.exit_code == 0 and "drivers" in drivers.stdout
    retention = run(str(events), "--what", "retention")
    assert retention.exit_code == 0 and "cohort" in retention.stdout


def test_stages_need_a_map(events, capsys):
    assert main(["analyze", str(events), "--what", "stages"]) == 2
    assert "--map" in capsys.readouterr().err
