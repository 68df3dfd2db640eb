"""The CLI on the demo data, checked against the plain-Python reference."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.attribution.shapley import Coalitions, exact_shapley
from journeymap.cli import main

from . import reference
from .conftest import records

HEURISTIC = ("first", "last", "last-non-direct", "linear", "time-decay", "position")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    from journeymap.demo import demo_map_text, write_demo_data

    folder = tmp_path_factory.mktemp("demo")
    (folder / "data").mkdir()
    files = write_demo_data(folder / "data", customers=300, seed=3)
    map_path = folder / "map.yaml"
    map_path.write_text(demo_map_text(), encoding="utf-8")
    return {"events": files["parquet"], "map": map_path}


@pytest.fixture(scope="module")
def found(demo):
    log = jm.read_events(demo["events"])
    return reference.paths(records(log), ["purchase"])[0]


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys) -> Run:
    """``journeymap ARGS...``: exit code, stdout and stderr."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def attribute(cli, demo) -> Run:
    """``analyze`` of the demo events ``--what attribution --conversion purchase``."""
    head = ("analyze", demo["events"], "--what", "attribution")
    return lambda *args: cli(*head, "--conversion", "purchase", *args)


@pytest.fixture
def forecast(cli, demo) -> Run:
    """``forecast`` of the demo events with the demo map."""
    return lambda *args: cli("forecast", demo["events"], "--map", demo["map"], *args)


def _csv(path: Path) -> dict[str, dict[str, float]]:
    frame = pd.read_csv(path)
    return {row["channel"]: row for row in frame.to_dict("records")}


@pytest.mark.parametrize("order", ["1", "2"])
def test_markov_matches_the_dense_reference(attribute, found, tmp_path, order):
    out = tmp_path / "markov.csv"
    code, _, err = attribute("--model", "markov", "--order", order, "-o", out)
    assert code == 0, err
    got = _csv(out)
    assert list(pd.read_csv(out).columns) == [
        "channel",
        "attributed_conversions",
        "attributed_value",
        "removal_effect",
    ]
    for channel, (effect, attributed) in reference.markov(found, int(order)).items():
        assert got[channel]["removal_effect"] == pytest.approx(effect, abs=1e-9)
        assert got[channel]["attributed_conversions"] == pytest.approx(
            attributed, abs=1e-9
        )


@pytest.mark.parametrize("model", HEURISTIC)
def test_heuristics_match_the_reference(attribute, found, tmp_path, model):
    out = tmp_path / f"{model}.csv"
    options = ("--half-life", "2d", "--direct", "web")
    code, _, err = attribute("--model", model, *options, "-o", out)
    assert code == 0, err
    got = _csv(out)
    want = reference.heuristic(found, model, half_life_s=2 * 86400, direct=["web"])
    for channel in set(got) | set(want):
        value = got[channel]["attributed_conversions"] if channel in got else 0.0
        assert value == pytest.approx(want.get(channel, 0.0), abs=1e-9)


def test_shapley_matches_python_coalitions(attribute, found, tmp_path):
    out = tmp_path / "shapley.json"
    code, _, err = attribute("--model", "shapley", "-o", out)
    assert code == 0, err
    data = json.loads(out.read_text())
    channels = sorted({t for p in found for t in p[0]})
    sets: dict[frozenset[int], list[int]] = {}
    for touches, converted, *_ in found:
        key = frozenset(channels.index(t) for t in touches)
        sets.setdefault(key, [0, 0])
        sets[key][0] += 1
        sets[key][1] += int(converted)
    coalitions = Coalitions(
        tuple(channels),
        tuple(sets),
        np.array([v[0] for v in sets.values()], float),
        np.array([v[1] for v in sets.values()], float),
        np.zeros(len(sets)),
    )
    phi = exact_shapley(coalitions)
    scale = data["conversions"] / coalitions.worth_all()
    got = {c["channel"]: c["attributed_conversions"] for c in data["credits"]}
    for i, channel in enumerate(channels):
        assert got[channel] == pytest.approx(phi[i] * scale, abs=1e-9)
    assert sum(got.values()) == pytest.approx(data["conversions"], abs=1e-9)


def test_stage_attribution_and_forecast_run_on_the_demo(cli, forecast, demo, tmp_path):
    out = tmp_path / "stages.csv"
    what = ("--what", "stage-attribution", "--map", demo["map"])
    code, _, err = cli("analyze", demo["events"], *what, "-o", out)
    assert code == 0, err
    frame = pd.read_csv(out)
    assert frame["from_stage"].iloc[0] == "awareness"
    code, text, err = forecast("--periods", "3")
    assert code == 0, err
    assert "backtest MAPE" in text
    assert "against naive" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "magic"], "--model: unknown 'magic'"),
        (["--order", "5"], "--order: use 1, 2, 3, 4 or auto"),
        (["--position", "0.5"], "--position: use FIRST,LAST"),
        (["--model", "position", "--position", "0.8,0.8"], "first + last <= 1"),
        (["--half-life", "soon"], "--half-life: cannot read duration"),
        (["--by", "nope"], "no column 'nope'"),
    ],
)
def test_misuse_is_one_line_and_exit_2(attribute, args, message):
    code, _, err = attribute(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


def test_forecast_misuse_is_one_line(forecast, tmp_path):
    code, _, err = forecast("--period", "month")
    assert code == 2 and "--period: unknown 'month'" in err
    code, _, err = forecast("-o", tmp_path / "x.txt")
    assert code == 2 and "unknown output format" in err


def test_measure_carries_the_attribution_summary(cli, demo, tmp_path):
    out = tmp_path / "measured.json"
    code, _, err = cli("measure", demo["map"], "-o", out)
    assert code == 0, err
    summary = json.loads(out.read_text())["attribution"]
    assert summary["conversion"] == ["purchase"]
    credits = summary["markov"]["credits"]
    total = sum(c["attributed_conversions"] for c in credits)
    assert total == pytest.approx(summary["markov"]["conversions"], abs=1e-3)
    assert summary["forecast"]["backtest"]["mape"] is not None


def test_sampled_shapley_by_event_says_so_and_writes_intervals(attribute, tmp_path):
    out = tmp_path / "events.csv"
    sampled = ("--by", "event", "--samples", "300", "--seed", "4")
    code, _, err = attribute("--model", "shapley", *sampled, "-o", out)
    assert code == 0, err
    assert "random orders (seed 4)" in err
    frame = pd.read_csv(out)
    assert list(frame.columns[-2:]) == ["ci_low", "ci_high"]
    assert (frame["ci_low"] <= frame["ci_high"]).all()


def test_forecast_reads_the_events_as_the_map_says(cli, demo, tmp_path):
    """A semicolon export with its own column names and a day-first time: the map's
    data.columns and data.time_format (or --time-format) read it as measure does;
    forecast read it with neither and loaded nothing."""
    frame = pd.read_parquet(demo["events"])
    export = frame.rename(columns={"customer_id": "Kunden-Nr.", "timestamp": "Zeit",
                                   "event": "Ereignis", "channel": "Kanal",
                                   "value": "Umsatz"})  # fmt: skip
    export["Zeit"] = export["Zeit"].dt.strftime("%d.%m.%Y %H:%M:%S.%f")
    export.to_csv(tmp_path / "export.csv", sep=";", index=False)
    columns = "{customer_id: Kunden-Nr., timestamp: Zeit, event: Ereignis, channel: Kanal, value: Umsatz}"
    text = demo["map"].read_text(encoding="utf-8")
    head = text[: text.index("\ndata:")]
    mapped = tmp_path / "map.yaml"
    mapped.write_text(
        f"{head}\ndata:\n  events: export.csv\n  columns: {columns}\n"
        "  time_format: '%d.%m.%Y %H:%M:%S.%f'\n",
        encoding="utf-8",
    )
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"{head}\ndata:\n  columns: {columns}\n", encoding="utf-8")
    expected, got, flagged = (tmp_path / n for n in ("a.json", "b.json", "c.json"))
    code, _, err = cli("forecast", demo["events"], "--map", demo["map"], "-o", expected)
    assert code == 0, err
    code, _, err = cli("forecast", tmp_path / "export.csv", "--map", mapped, "-o", got)
    assert code == 0, err
    assert f"loaded {len(frame):,} + quarantined 0" in err
    assert json.loads(got.read_text()) == json.loads(expected.read_text())
    form = ("--time-format", "%d.%m.%Y %H:%M:%S.%f")
    code, _, err = cli("forecast", tmp_path / "export.csv", "--map", plain, *form,
                       "-o", flagged)  # fmt: skip
    assert code == 0, err
    assert json.loads(flagged.read_text()) == json.loads(expected.read_text())


def test_events_without_a_channel_say_how_to_map_one(cli, tmp_path):
    """A PostHog or Segment export has its medium inside ``properties``: the error
    names --channel and --by instead of only listing the columns."""
    path = tmp_path / "e.csv"
    path.write_text(
        "distinct_id,event,timestamp\n"
        "a,visit,2024-01-01T10:00:00Z\na,purchase,2024-01-01T10:05:00Z\n"
    )
    code, _, err = cli(
        "analyze", path, "--what", "attribution", "--conversion", "purchase"
    )
    assert code == 2
    assert "no column 'channel'" in err and "--channel COLUMN" in err and "--by" in err
