"""`validate` checks persona rules against the map's own data (issue 9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from journeymap.cli import main

MAP = """\
journeymap: 1
name: shop
personas:
  - {{id: mobile, name: Mobile, segment: "{rule}"}}
  - {{id: older, name: Older, segment: "age == '45+'"}}
stages:
  - id: browse
    name: Browse
    touchpoints: [{{id: pages, name: Pages, match: {{event: [view]}}}}]
  - id: buy
    name: Buy
    touchpoints: [{{id: buy, name: Buy, match: {{event: [purchase]}}}}]
data:
  events: events.csv
  customers: {{path: users.csv, id: customer_id}}
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    start = dt.datetime(2026, 1, 5, 9)
    rows = [
        (f"u{i}", start + dt.timedelta(minutes=i), "view", "ios" if i % 2 else "web")
        for i in range(50)
    ]
    pd.DataFrame(
        rows, columns=["customer_id", "timestamp", "event", "platform"]
    ).to_csv(tmp_path / "events.csv", index=False)
    pd.DataFrame(
        {"customer_id": [f"u{i}" for i in range(50)], "age": ["45+", "18-44"] * 25}
    ).to_csv(tmp_path / "users.csv", index=False)
    return tmp_path


def _validate(folder: Path, rule: str, *extra: str) -> int:
    (folder / "map.yaml").write_text(MAP.format(rule=rule))
    return main(["validate", *extra, str(folder / "map.yaml")])


def test_rules_on_columns_the_data_has_pass(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _validate(folder, "channel == 'ios'") == 0
    assert "ok" in capsys.readouterr().out


def test_a_renamed_column_says_what_it_was_read_as(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Auto-detection reads `platform` as the canonical `channel` column."""
    assert _validate(folder, "platform == 'ios'") == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "map.yaml" in lines[0] and "persona `mobile`" in lines[0]
    assert "`platform` was read as `channel`" in lines[0]
    assert "Traceback" not in err


def test_a_misspelt_column_gets_a_suggestion(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _validate(folder, "chanel == 'ios'") == 2
    assert "did you mean `channel`?" in capsys.readouterr().err


def test_no_data_skips_the_data_check(folder: Path) -> None:
    assert _validate(folder, "platform == 'ios'", "--no-data") == 0


def test_a_missing_persona_column_names_the_line_and_field(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every other map error: file, YAML line and field path (the rule is on line 4)."""
    assert _validate(folder, "occupation == 'student'") == 2
    err = capsys.readouterr().err
    assert "map.yaml:4: personas[0].segment: persona `mobile`" in err, err


def test_a_missing_data_file_names_the_line_and_the_closest_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MAP.format(rule="channel == 'ios'").replace("events.csv", "event.csv")
    (folder / "map.yaml").write_text(text)
    for command in ("validate", "measure"):
        assert main([command, str(folder / "map.yaml")]) == 2
        err = capsys.readouterr().err
        assert "map.yaml:14: data.events: `event.csv` not found" in err, err
        assert "did you mean `events.csv`?" in err


def test_measure_names_the_line_of_a_persona_rule_the_data_cannot_answer(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "map.yaml").write_text(MAP.format(rule="occupation == 'student'"))
    monkeypatch.chdir(folder)
    assert main(["measure", "map.yaml", "-o", "measured.json"]) == 2
    err = capsys.readouterr().err
    assert "map.yaml:4: personas[0].segment: persona `mobile`" in err, err
    assert "Traceback" not in err


def test_a_misspelt_match_event_is_a_warning_with_its_line(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data has `view`; the map's first touchpoint matches `veiw` (line 8)."""
    text = MAP.format(rule="channel == 'ios'").replace("[view]", "[veiw]")
    (folder / "map.yaml").write_text(text.replace("age == '45+'", "age == '18-44'"))
    assert main(["validate", str(folder / "map.yaml")]) == 0
    err = capsys.readouterr().err
    assert (
        "warning:" in err and "map.yaml:9: stages[0].touchpoints[0].match.event" in err
    )
    assert "`veiw`, which never occurs in the data; did you mean `view`?" in err
    monkeypatch.chdir(folder)
    assert main(["measure", "map.yaml", "-o", "measured.json"]) == 0
    err = capsys.readouterr().err
    assert "warning: map.yaml: touchpoint `pages` matches event `veiw`" in err, err
