"""Spinners on long steps: on a terminal only, so pipes and CI logs stay clean."""

from __future__ import annotations

import io

from rich.console import Console

from journeymap.cli import _common


def test_a_step_shows_a_spinner_on_a_terminal(monkeypatch) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(_common, "err_console", terminal)
    with _common.working("reading events.csv"):
        pass
    assert "reading events.csv" in screen.getvalue()


def test_a_step_writes_nothing_when_stderr_is_a_pipe(monkeypatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(
        _common, "err_console", Console(file=pipe, force_terminal=False)
    )
    with _common.working("reading events.csv"):
        pass
    assert pipe.getvalue() == ""
