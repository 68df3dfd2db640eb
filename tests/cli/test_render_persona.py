"""`journeymap render --persona`: one persona's view of the measured map."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.cli import main

MAP = """\
journeymap: 1
name: Persona view
personas:
  - {id: student, name: Student, quote: "Cheap please", segment: "persona == 'student'"}
  - {id: parent, name: Parent, segment: "persona == 'parent'"}
stages:
  - id: look
    name: Look
    touchpoints: [{id: site, name: Website, channel: web, match: {event: visit}}]
  - id: buy
    name: Buy
    touchpoints: [{id: shop, name: Checkout, channel: web, match: {event: purchase}}]
"""


def test_render_draws_one_personas_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    rows = ["customer_id,timestamp,event,persona"]
    for i in range(40):
        who = "student" if i % 2 else "parent"
        rows.append(f"c{i},2024-01-01T10:00:00,visit,{who}")
        if i % 4 == 1:  # half of the students buy, no parent does
            rows.append(f"c{i},2024-01-01T10:05:00,purchase,{who}")
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "student.svg"
    args = [
        "render",
        str(tmp_path / "map.yaml"),
        "--data",
        str(tmp_path / "events.csv"),
    ]
    assert main([*args, "--persona", "student", "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "Persona: Student" in svg and "jm-persona-student" in svg
    assert "jm-persona-parent" not in svg  # the panel shows the viewed persona only
    assert "n = 20 customers" in svg and "50.0% move on" in svg
    capsys.readouterr()
    assert main([*args, "--persona", "nobody", "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert "unknown persona 'nobody'; known: student, parent" in err
    assert "Traceback" not in err and not (tmp_path / "x.svg").exists()


def test_render_compare_draws_the_current_map_beside_the_future_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "now.yaml").write_text(MAP, encoding="utf-8")
    future = MAP.replace("name: Persona view", "name: Redesign\nstate: future")
    (tmp_path / "future.yaml").write_text(future, encoding="utf-8")
    rows = ["customer_id,timestamp,event,persona", "a,2024-01-01T10:00:00,visit,student",
            "a,2024-01-01T10:05:00,purchase,student",
            "b,2024-01-01T11:00:00,visit,parent"]  # fmt: skip
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "both.svg"
    code = main(["render", str(tmp_path / "future.yaml"), "--compare",
                 str(tmp_path / "now.yaml"), "--data", str(tmp_path / "events.csv"),
                 "-o", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    svg = out.read_text(encoding="utf-8")
    assert "Current state: Persona view" in svg and "Future state: Redesign" in svg
    assert "n = 2 customers" in svg  # today's map is measured, the redesign is not
