"""``--engine`` and ``data.engine``: an unknown engine or an unreachable server is one
line and exit 2, before any data is read (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.cli import main

EVENTS = (
    "customer_id,timestamp,event\na,2024-01-01 10:00,visit\na,2024-01-01 10:05,buy\n"
)
MAP = """journeymap: 1
name: Shop
conversion: {event: buy}
data: {events: events.csv, engine: ENGINE}
stages:
  - id: look
    name: Look
    touchpoints:
      - {id: visit, name: Visit, match: {event: [visit]}}
"""
# nothing listens on port 1 of loopback
NOWHERE = "postgresql://nobody:s3cret@127.0.0.1:1/shop"


def _fails_in_one_line(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("command", ["analyze", "measure", "render", "report"])
def test_unknown_engine_is_one_line_and_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "map.yaml").write_text(MAP.replace("engine: ENGINE", "engine: duckdb"))
    target = "events.csv" if command == "analyze" else "map.yaml"
    out = {"render": "map.svg", "report": "report.html", "measure": "m.json"}
    args = [command, str(tmp_path / target), "--engine", "oracle"]
    if command in out:
        args += ["-o", str(tmp_path / out[command])]
    err = _fails_in_one_line(capsys, args)
    assert "unknown engine 'oracle'; use duckdb, spark, postgres or a URL" in err
    assert not (tmp_path / out.get(command, "none")).exists()


def test_unknown_engine_in_the_map_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "map.yaml").write_text(MAP.replace("ENGINE", "oracle"))
    err = _fails_in_one_line(capsys, ["measure", str(tmp_path / "map.yaml")])
    assert "map.yaml:4" in err and "unknown engine 'oracle'" in err


def test_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("psycopg")
    args = ["analyze", f"{NOWHERE}?table=events", "--engine", "postgres"]
    err = _fails_in_one_line(capsys, args)
    assert (
        "cannot connect to PostgreSQL at postgresql://nobody:***@127.0.0.1:1/shop"
        in err
    )
    assert "s3cret" not in err and "start the server" in err


@pytest.mark.parametrize("command", ["measure", "render"])
def test_data_takes_a_postgres_url_intact(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("psycopg")
    (tmp_path / "map.yaml").write_text(MAP.replace("engine: ENGINE", "engine: duckdb"))
    out = tmp_path / ("m.json" if command == "measure" else "map.svg")
    url = "postgresql://nobody@127.0.0.1:1/shop?table=events"
    args = [command, str(tmp_path / "map.yaml"), "--data", url, "-o", str(out)]
    err = _fails_in_one_line(capsys, args)
    # the URL reached the reader whole (a Path would have made it postgresql:/nobody@…)
    assert err.startswith("error: postgresql://nobody@127.0.0.1:1/shop::events: ")
    assert "cannot connect" in err
