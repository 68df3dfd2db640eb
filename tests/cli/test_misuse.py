"""The CLI misused on purpose (issue 8): never a traceback, old outputs kept.

Every case runs ``journeymap.cli.main`` in a folder that already holds outputs of an
earlier run, and checks that the command exits 2 (or 130 for Ctrl-C) with one
``error:`` line naming the problem, prints no traceback, and leaves every file in the
folder byte for byte as it was (no half-written output, no temporary file left).
A few cases run ``python -m journeymap`` in a real subprocess.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import journeymap as jm
from journeymap.cli import main

EVENTS = """customer_id,timestamp,event,channel,plan
a,2024-01-01 10:00:00,visit,web,pro
a,2024-01-01 10:01:00,cart,web,pro
a,2024-01-01 10:05:00,purchase,app,pro
b,2024-01-01 10:00:00,visit,app,free
b,2024-01-01 10:02:00,cart,web,free
"""

MAP = """journeymap: 1
name: Shop
personas:
  - {id: pro, name: Pro, segment: "plan == 'pro'"}
stages:
  - id: browse
    name: Browse
    touchpoints:
      - {id: visit, name: Visit, channel: web, match: {event: [visit]}}
  - id: buy
    name: Buy
    touchpoints:
      - {id: checkout, name: Checkout, channel: web, match: {event: [cart, purchase]}}
conversion: {event: purchase}
data:
  events: events.csv
"""

PREVIOUS = b"previous run\n"  # what every pre-existing output holds
OUTPUTS = ("out.csv", "out.json", "measured.json", "map.svg", "schema.json", "new.yaml")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with events, maps, earlier outputs, a read-only file and folders."""
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "empty.csv").write_text("customer_id,timestamp,event\n")
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "nodata.yaml").write_text(MAP.split("data:")[0], encoding="utf-8")
    persona = MAP.replace("plan == 'pro'", "tier == 'pro'")
    (tmp_path / "persona.yaml").write_text(persona, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("journeymap: 1\nname: [unclosed\n")
    for name in OUTPUTS:
        (tmp_path / name).write_bytes(PREVIOUS)
    for name in ("ro.csv", "ro.json", "ro.svg", "ro.html"):
        (tmp_path / name).write_bytes(PREVIOUS)
        (tmp_path / name).chmod(0o444)
    for name in (
        "folder.csv",
        "folder.json",
        "folder.svg",
        "folder.yaml",
        "folder.html",
    ):
        (tmp_path / name).mkdir()
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "map.yaml").write_text("# my edited demo map\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.lower().startswith("error:")]


def check_misuse(
    argv: list[str],
    expected: str,
    work: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    code: int = 2,
) -> str:
    """Run ``argv``; assert the code, one error line holding ``expected``, no
    traceback, and an untouched folder. Returns stderr."""
    before = snapshot(work)
    result = main(argv)
    out, err = capsys.readouterr()
    assert result == code, (argv, out, err)
    assert "Traceback" not in out + err
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert expected.lower() in lines[0].lower(), lines[0]
    assert snapshot(work) == before
    return err


STEPS_200 = ",".join(["visit", "cart"] * 100)
NINES = "9" * 30

CASES: list[tuple[str, list[str], str]] = [
    # usage errors (typer's own click)
    ("unknown command", ["rendr", "map.yaml"], "No such command"),
    ("unknown option", ["analyze", "events.csv", "--bogus"], "No such option"),
    ("missing argument", ["analyze"], "Missing argument"),
    ("top not a number", ["analyze", "events.csv", "--top", "abc"], "--top"),
    ("top too large", ["analyze", "events.csv", "--top", NINES], "--top"),
    ("top zero", ["analyze", "events.csv", "--top", "0"], "--top"),
    ("demo too few customers", ["demo", "-o", "d2", "--customers", "3"], "--customers"),
    ("demo negative seed", ["demo", "-o", "d2", "--seed", "-1"], "--seed"),
    ("demo seed too large", ["demo", "-o", "d2", "--seed", NINES], "--seed"),
    # bad values
    ("unknown metric", ["analyze", "events.csv", "-w", "nope"], "unknown --what"),
    ("unknown mode", ["analyze", "events.csv", "--mode", "up"], "unknown --mode"),
    ("window too long", ["analyze", "events.csv", "-w", "funnel", "--steps",
                         "visit,cart", "--window", NINES + "w"], "100 years"),
    ("window unreadable", ["analyze", "events.csv", "-w", "funnel", "--steps",
                           "visit,cart", "--window", "soon"], "--window"),
    ("window negative", ["analyze", "events.csv", "-w", "funnel", "--steps",
                         "visit,cart", "--window", "-5"], "--window"),
    ("200-step funnel", ["analyze", "events.csv", "-w", "funnel", "--steps",
                         STEPS_200], "at most 50 steps"),
    ("funnel without steps", ["analyze", "events.csv", "-w", "funnel"], "--steps"),
    ("no conversion", ["analyze", "events.csv", "-w", "time-to-convert"],
     "--conversion"),
    ("stages without map", ["analyze", "events.csv", "-w", "stages"], "--map"),
    ("missing breakdown column", ["analyze", "events.csv", "-w", "funnel",
                                  "--steps", "visit,cart", "--breakdown", "nope"],
     "nope"),
    ("missing id column", ["analyze", "events.csv", "--id", "nope"], "nope"),
    ("unknown time zone", ["analyze", "events.csv", "--timezone", "Mars/Base"],
     "Mars/Base"),
    ("retention of an empty file", ["analyze", "empty.csv", "-w", "retention"],
     "no events"),
    ("events file missing", ["analyze", "missing.csv"], "missing.csv"),
    ("histogram for another metric", ["analyze", "events.csv", "--histogram",
                                      "out.csv"], "--histogram"),
    # outputs checked before the work: missing folder, folder, read-only, format
    ("analyze into a missing folder", ["analyze", "events.csv", "-o", "no/out.csv"],
     "does not exist"),
    ("analyze into a folder", ["analyze", "events.csv", "-o", "folder.csv"],
     "is a folder"),
    ("analyze into a read-only file", ["analyze", "events.csv", "-o", "ro.csv"],
     "read-only"),
    ("analyze to an unknown format", ["analyze", "events.csv", "-o", "out.xlsx"],
     "unknown output format"),
    ("histogram into a missing folder", ["analyze", "events.csv", "-w",
                                         "time-to-convert", "--conversion",
                                         "purchase", "--histogram", "no/h.csv"],
     "does not exist"),
    ("measure into a missing folder", ["measure", "map.yaml", "-o", "no/m.json"],
     "does not exist"),
    ("measure into a folder", ["measure", "map.yaml", "-o", "folder.json"],
     "is a folder"),
    ("measure into a read-only file", ["measure", "map.yaml", "-o", "ro.json"],
     "read-only"),
    ("measure to an unknown format", ["measure", "map.yaml", "-o", "m.txt"],
     "unknown output format"),
    ("render into a missing folder", ["render", "map.yaml", "-o", "no/map.svg"],
     "does not exist"),
    ("render into a folder", ["render", "map.yaml", "-o", "folder.svg"],
     "is a folder"),
    ("render into a read-only file", ["render", "map.yaml", "-o", "ro.svg"],
     "read-only"),
    ("render to an unknown format", ["render", "map.yaml", "-o", "map.bogus"],
     "bogus"),
    ("report into a missing folder", ["report", "map.yaml", "-o", "no/r.html"],
     "does not exist"),
    ("report into a folder", ["report", "map.yaml", "-o", "folder.html"],
     "is a folder"),
    ("report into a read-only file", ["report", "map.yaml", "-o", "ro.html"],
     "read-only"),
    ("report to an unknown format", ["report", "map.yaml", "-o", "r.docx"],
     "unknown report format"),
    ("new over an existing map", ["new", "-o", "new.yaml"], "--force"),
    ("new into a missing folder", ["new", "-o", "no/new.yaml"], "does not exist"),
    ("new into a folder", ["new", "--force", "-o", "folder.yaml"], "is a folder"),
    ("new from an unknown framework", ["new", "-f", "5e", "-o", "fresh.yaml"],
     "5es"),
    ("schema into a missing folder", ["schema", "-o", "no/schema.json"],
     "does not exist"),
    ("schema into a read-only file", ["schema", "-o", "ro.json"], "read-only"),
    ("demo into a file", ["demo", "-o", "out.csv", "-n", "50"], "is a file"),
    ("demo over an edited map", ["demo", "-o", "demo", "-n", "50"], "--force"),
    # bad maps
    ("validate /dev/zero", ["validate", "/dev/zero"], "larger than 10 MB"),
    ("validate a folder", ["validate", "folder.yaml"], "folder.yaml"),
    ("validate a missing file", ["validate", "missing.yaml"], "missing.yaml"),
    ("measure a broken map", ["measure", "broken.yaml", "-o", "measured.json"],
     "broken.yaml"),
    ("measure without data", ["measure", "nodata.yaml", "-o", "measured.json"],
     "no events"),
    ("measure a missing map", ["measure", "missing.yaml"], "missing.yaml"),
    ("render a broken map", ["render", "broken.yaml", "-o", "map.svg"],
     "broken.yaml"),
    ("stages of a broken map", ["analyze", "events.csv", "-w", "stages", "--map",
                                "broken.yaml"], "broken.yaml"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "expected"),
    [pytest.param(argv, expected, id=name) for name, argv, expected in CASES],
)
def test_misuse_is_one_line_and_exit_2(
    argv: list[str], expected: str, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_misuse(argv, expected, work, capsys)


def test_there_are_forty_cases_at_least() -> None:
    assert len(CASES) >= 40
    assert len({name for name, _, _ in CASES}) == len(CASES)


def test_a_persona_on_a_missing_column_names_map_and_persona(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["measure", "persona.yaml", "-o", "measured.json"],
                    ["render", "persona.yaml", "-o", "map.svg"]):  # fmt: skip
        err = check_misuse(command, "persona `pro`", work, capsys)
        line = error_lines(err)[0]
        assert "persona.yaml" in line and "tier" in line


def test_edited_demo_map_is_overwritten_only_with_force(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_misuse(["demo", "-o", "demo", "-n", "50"], "edited", work, capsys)
    assert not (work / "demo" / "data").exists()


def test_a_timestamp_property_beside_time_column_loads(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 8: a property `Timestamp` beside `--time ts` collided with `timestamp`
    (work / "ts.csv").write_text(
        "customer_id,ts,event,Timestamp\na,2024-01-01 10:00:00,visit,x\n"
        "a,2024-01-01 10:01:00,cart,y\n"
    )
    assert main(["analyze", "ts.csv", "--time", "ts", "-o", "out.json"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert '"source": "visit"' in (work / "out.json").read_text()


# -- Ctrl-C and failures in the middle of a write ------------------------------------
class InterruptException(Exception):
    """Stands in for duckdb.InterruptException: Ctrl-C re-raised by the database."""


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def _interrupt_in_duckdb(source: Any, **kwargs: Any) -> Any:
    # what ingest does with any database error while reading: blame the file
    try:
        raise InterruptException("INTERRUPT Error: Interrupted!")
    except InterruptException as exc:
        raise jm.IngestError(f"cannot read: {exc}", file=str(source)) from exc


@pytest.mark.parametrize(
    "fake", [_interrupt, _interrupt_in_duckdb], ids=["python", "duckdb"]
)
@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "events.csv", "-o", "out.csv"],
        ["measure", "map.yaml", "-o", "measured.json"],
        ["render", "map.yaml", "-o", "map.svg"],
    ],
    ids=["analyze", "measure", "render"],
)
def test_ctrl_c_is_exit_130_and_one_line(
    argv: list[str],
    fake: Callable[..., Any],
    work: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jm, "read_events", fake)
    before = snapshot(work)
    assert main(argv) == 130
    out, err = capsys.readouterr()
    assert err.strip() == "interrupted"  # one line, and no input file blamed
    assert "Traceback" not in out
    assert snapshot(work) == before


def _half_written(then: BaseException) -> Callable[..., Any]:
    def save(obj: Any, path: Any, **options: Any) -> Path:
        Path(path).write_bytes(b"<svg half")
        raise then

    return save


@pytest.mark.parametrize(
    ("failure", "code", "expected"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (OSError(errno.ENOSPC, "No space left on device"), 2, "No space left"),
    ],
    ids=["ctrl-c", "disk-full"],
)
def test_a_write_that_fails_midway_keeps_the_old_file(
    failure: BaseException,
    code: int,
    expected: str,
    work: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jm, "save", _half_written(failure))
    before = snapshot(work)
    assert main(["render", "nodata.yaml", "-o", "map.svg"]) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert expected in err and len(err.strip().splitlines()) == 1
    assert snapshot(work) == before  # old map.svg intact, no temporary file left


# -- the real thing, in a subprocess -------------------------------------------------
def _cli(
    *args: str, cwd: Path, **kwargs: Any
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("JOURNEYMAP_DEBUG", None)
    command = [sys.executable, "-m", "journeymap", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rendr", "map.yaml"], "No such command"),
        (["analyze", "events.csv", "--top", NINES], "--top"),
        (["validate", "/dev/zero"], "larger than 10 MB"),
        (["measure", "map.yaml", "-o", "no/measured.json"], "does not exist"),
        (["analyze", "events.csv", "-o", "ro.csv"], "read-only"),
    ],
    ids=["usage", "bounded-int", "dev-zero", "missing-folder", "read-only"],
)
def test_subprocess_misuse(argv: list[str], expected: str, work: Path) -> None:
    before = snapshot(work)
    done = _cli(*argv, cwd=work)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and expected.lower() in lines[0].lower(), done.stderr
    assert snapshot(work) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_subprocess_ctrl_c_is_130(work: Path) -> None:
    # validate blocks opening a pipe nobody writes to: a real SIGINT then arrives
    # wherever the process is (importing or waiting), and must always give 130
    os.mkfifo(work / "pipe.yaml")
    env = {**os.environ}
    env.pop("JOURNEYMAP_DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "journeymap", "validate", "pipe.yaml"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in out + err
    assert err.strip() == "interrupted"
