"""The command line end to end: exit codes, one-line errors, files written."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import typer.main

from journeymap.cli import app, main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.startswith("journeymap 0.")


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {
        "demo",
        "new",
        "validate",
        "schema",
        "frameworks",
        "render",
        "analyze",
        "measure",
    } <= set(commands)
    for name in commands:
        code, out, _ = run([name, "--help"], capsys)
        assert code == 0, name
        assert "Usage" in out, name


def test_frameworks_lists_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["frameworks"], capsys)
    assert code == 0
    for preset in ("classic-5", "5es", "race", "aida", "b2b-buyer", "tofu-mofu-bofu"):
        assert preset in out


def test_new_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "m.yaml"
    code, out, err = run(
        ["new", "--framework", "5es", "--name", "Test", "-o", str(target)], capsys
    )
    assert code == 0, err
    text = target.read_text()
    assert "Entice" in text and "#" in text  # commented
    code, out, err = run(["validate", str(target)], capsys)
    assert code == 0, err
    assert "ok" in out


def test_new_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "m.yaml"
    target.write_text("keep me")
    code, _, err = run(["new", "-o", str(target)], capsys)
    assert code == 2
    assert "--force" in err
    assert target.read_text() == "keep me"


def test_new_unknown_framework_suggests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["new", "--framework", "5e", "-o", str(tmp_path / "m.yaml")], capsys
    )
    assert code == 2
    assert "5es" in err
    assert "Traceback" not in err


MISSPELT = """\
journeymap: 1
name: Shop
stages:
  - id: visit
    name: Visit
    touchpoints:
      - id: website
        name: Website
        match: {event: page_view}
    pain_points:
      - id: slow-site
        text: The site is slow
        touchpoint: websit
"""


def test_misspelt_reference_exits_2_with_line_and_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MISSPELT)
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2
    line = err.strip().splitlines()[0]
    assert f"{path}:13:" in line
    assert "did you mean `website`" in line
    assert "Traceback" not in err


def test_schema_validates_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    from ruamel.yaml import YAML

    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    examples = sorted((Path(__file__).parents[2] / "examples" / "maps").glob("*.yaml"))
    assert examples
    for example in examples:
        data = json.loads(
            json.dumps(YAML(typ="safe").load(example.read_text()), default=str)
        )
        jsonschema.validate(data, schema)


def test_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["render", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "nope.yaml" in err


def test_render_rejects_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["render", "x.yaml", "-o", str(tmp_path / "map.gif")], capsys)
    assert code == 2
    assert ".svg" in err


@pytest.mark.slow
def test_demo_writes_data_map_and_drawing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    code, out, err = run(["demo", "--out", str(out_dir), "--customers", "400"], capsys)
    assert code == 0, err
    for name in (
        "map.yaml",
        "map.svg",
        "measured.json",
        "data/events.parquet",
        "data/events.csv",
    ):
        assert (out_dir / name).stat().st_size > 0, name
    assert "Awareness" in out and "400" in out
    measured = json.loads((out_dir / "measured.json").read_text())
    reached = [stage["reached"] for stage in measured["stages"]]
    assert reached[0] == 400
    assert reached == sorted(reached, reverse=True)  # a funnel narrows
    svg = (out_dir / "map.svg").read_text()
    assert svg.startswith("<svg") and "Awareness" in svg
    code, _, err = run(["validate", str(out_dir / "map.yaml")], capsys)
    assert code == 0, err
    # the drawing can be made again from the written map and data
    again = tmp_path / "again.svg"
    code, _, err = run(
        [
            "render",
            str(out_dir / "map.yaml"),
            "--data",
            str(out_dir / "data" / "events.parquet"),
            "-o",
            str(again),
        ],
        capsys,
    )
    assert code == 0, err
    assert again.read_text() == svg


def test_quarantined_rows_are_shown_with_row_line_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,ts,event_name\n"
        "u1,2024-01-01T10:00:00Z,visit\n"
        "u1,notadate,buy\n"
        ",2024-01-02,visit\n"
        "u2,2024-01-03,visit\n"
    )
    code, _, err = run(["analyze", str(events), "--what", "transitions"], capsys)
    assert code == 0, err
    assert "read 4 = loaded 2 + quarantined 2" in err
    assert "row 2, line 3: unparsable timestamp (ts = 'notadate')" in err
    assert "row 3, line 4: missing customer_id" in err
