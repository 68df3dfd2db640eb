"""`journeymap measure` through typer's CliRunner on a small demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from journeymap.cli import measure as measure_cli
from journeymap.errors import IngestError, RenderError

DEMO_MAP = Path(__file__).parents[2] / "src/journeymap/demo/demo_map.yaml"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    measure_cli.register(app)
    app.command("noop")(lambda: None)  # keep `measure` a named sub-command
    return app


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from journeymap.demo.simulate import simulate_journeys

    folder = tmp_path_factory.mktemp("cli")
    events = simulate_journeys(800, seed=3).events
    events.drop(columns=["score", "score_kind", "text"]).to_parquet(
        folder / "events.parquet"
    )
    surveys = events[events.score.notna()][
        ["customer_id", "timestamp", "event", "score", "score_kind", "text"]
    ]
    surveys.to_csv(folder / "surveys.csv", index=False)
    return folder / "events.parquet", folder / "surveys.csv"


def test_measure_writes_measured_json(app, demo_files, tmp_path) -> None:
    events, surveys = demo_files
    out = tmp_path / "measured.json"
    result = CliRunner().invoke(
        app,
        [
            "measure",
            str(DEMO_MAP),
            "--data",
            str(events),
            "--surveys",
            str(surveys),
            "-o",
            str(out),
            "--no-clusters",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [v["id"] for v in data["pain_points"]] == [
        "payment-friction",
        "slots-hard-to-find",
        "late-deliveries",
    ]
    checkout = next(t for t in data["touchpoints"] if t["touchpoint_id"] == "checkout")
    assert checkout["ces"] is not None  # survey answers from the separate file
    assert "top-ranked" in result.output


def test_measure_rejects_unknown_output_and_missing_data(app, tmp_path) -> None:
    result = CliRunner().invoke(
        app, ["measure", str(DEMO_MAP), "-o", str(tmp_path / "m.txt")]
    )
    assert isinstance(result.exception, RenderError)
    bare = tmp_path / "map.yaml"
    bare.write_text(DEMO_MAP.read_text().split("\ndata:")[0] + "\n")
    result = CliRunner().invoke(
        app, ["measure", str(bare), "-o", str(tmp_path / "m.json")]
    )
    assert isinstance(result.exception, IngestError)


def test_main_turns_bad_input_into_exit_code_2(tmp_path, capsys) -> None:
    from journeymap.cli import main

    code = main(["measure", str(DEMO_MAP), "-o", str(tmp_path / "m.txt")])
    assert code == 2
    assert "unknown output format '.txt'" in capsys.readouterr().err
