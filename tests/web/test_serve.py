"""`journeymap serve` refuses unusable options in one line (exit 2), before serving."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from journeymap.cli import main


def test_a_file_as_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    assert main(["serve", "--workspace", str(afile)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


def test_a_busy_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--workspace", str(tmp_path / "ws"), "--port", str(port)])
    assert code == 2
    assert "pass another --port" in capsys.readouterr().err


def test_an_unreachable_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        free = spare.getsockname()[1]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        code = main(
            [
                "serve",
                "--workspace",
                str(tmp_path / "ws"),
                "--port",
                str(free),
                "--db",
                f"postgresql://nobody@127.0.0.1:{port}/journeymap",
            ]
        )
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot use the database" in err and "Traceback" not in err
