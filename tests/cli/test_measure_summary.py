"""`measure` on a map that judges nothing says so, and says what matched nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.cli import main

MAP = """\
journeymap: 1
name: Just stages
stages:
  - {id: a, name: Sign up}
  - {id: b, name: Use}
"""


def test_a_stages_only_map_says_nothing_matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [f"u{i},2026-01-0{1 + i % 5} 10:00:00,{('signup', 'use')[i % 2]}" for i in range(9)]  # fmt: skip
    (tmp_path / "events.csv").write_text(
        "customer_id,timestamp,event\n" + "\n".join(rows) + "\n"
    )
    (tmp_path / "map.yaml").write_text(MAP)
    monkeypatch.chdir(tmp_path)
    assert main(["measure", "map.yaml", "--data", "events.csv", "-o", "m.json"]) == 0
    out, err = capsys.readouterr()
    assert "no pain points in the map" in out
    assert "9 of 9 events match no touchpoint" in err
    assert "signup 5, use 4" in err and "add match rules" in err
