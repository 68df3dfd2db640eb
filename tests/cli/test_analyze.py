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


def analyze(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["analyze", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def check_exported(name: str, code: int, out: str, err: str, expected: str) -> None:
    """The facade exports ``name`` and the CLI prints its result."""
    import journeymap as jm

    assert hasattr(jm, name)
    assert code == 0, err
    assert expected in out


def test_variants_and_paths(events, capsys):
    code, out, err = analyze(capsys, str(events), "--what", "variants", "--top", "1")
    check_exported("count_variants", code, out, err, "top 1 of 2 variants")
    code, out, err = analyze(capsys, str(events), "--what", "paths", "--from", "cart")
    check_exported("find_paths", code, out, err, "cart > buy")


def test_time_to_convert(events):
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


def test_stages_drivers_and_retention(events, capsys):
    repo = Path(__file__).resolve().parents[2]
    grocery = repo / "examples" / "maps" / "online-grocery.yaml"
    stages = run(str(events), "--what", "stages", "--map", str(grocery))
    assert stages.exit_code == 0 and "reached" in stages.stdout
    code, out, err = analyze(
        capsys, str(events), "--what", "drivers", "--conversion", "buy"
    )
    check_exported("find_drivers", code, out, err, "drivers")
    code, out, err = analyze(capsys, str(events), "--what", "retention")
    check_exported("retention_matrix", code, out, err, "cohort")


def test_stages_need_a_map(events, capsys):
    assert main(["analyze", str(events), "--what", "stages"]) == 2
    assert "--map" in capsys.readouterr().err


def test_retention_prints_a_cohort_grid(events):
    result = run(str(events), "--what", "retention")
    assert result.exit_code == 0
    assert "Retention by week" in result.stdout
    assert "+0" in result.stdout and "100%" in result.stdout


def test_a_wide_table_keeps_the_columns_that_fit_and_says_which_it_cut(capsys):
    from journeymap.cli.analyze import _fitting_columns, _print_cut

    wide = pd.DataFrame([{f"column_{i:02d}": 123456.0 for i in range(20)}])
    columns = _fitting_columns(wide, 80)
    assert 1 <= len(columns) < 20
    widths = [max(len(c), len("1.235e+05")) + 3 for c in columns]
    assert sum(widths) + 4 <= 80
    _print_cut(wide, columns)
    said = capsys.readouterr().out
    assert f"{len(columns)} of 20 columns" in said and "column_19" in said
    assert "-o FILE writes all" in said


def test_durations_read_as_people_read_them(events):
    result = run(str(events), "--what", "transitions")
    assert result.exit_code == 0
    assert "4 min" in result.stdout  # cart -> buy of customer a: 240 s


MARKUP = """user_id,ts,event,channel
a,2024-01-01T10:00:00Z,[bold red]x[/],[/]
a,2024-01-01T10:05:00Z,[/bold] close,[link=http://e]y
b,2024-01-01T10:00:00Z,[bold red]x[/],web
b,2024-01-01T10:06:00Z,purchase,web
b,[/bad],purchase,web
"""


@pytest.mark.parametrize("what", ["transitions", "variants", "attribution", "funnel"])
def test_data_that_looks_like_rich_markup_is_printed_as_it_is(capsys, tmp_path, what):
    """Event names, channels and quarantined values from an export are text: '[/]'
    made rich raise (an internal error) and '[bold red]' restyled the table."""
    path = tmp_path / "e.csv"
    path.write_text(MARKUP, encoding="utf-8")
    steps = ("--steps", "[bold red]x[/],[nope]", "--conversion", "purchase")
    code, out, err = analyze(capsys, str(path), "--what", what, *steps)
    assert code == 0, err
    assert ("[link=http://e]y" if what == "attribution" else "[bold red]x[/]") in out
    assert "(ts = '[/bad]')" in err
    if what == "funnel":
        assert "funnel step '[nope]' never occurs" in err
