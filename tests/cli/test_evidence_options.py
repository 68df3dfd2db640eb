"""The scoping options of `measure` and `analyze` (issue 9) on a small CSV export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from journeymap.cli import main

MAP = """\
journeymap: 1
name: shop
personas:
  - {id: older, name: Older, segment: "age == '45+'"}
stages:
  - id: browse
    name: Browse
    touchpoints: [{id: pages, name: Pages, match: {event: [view]}}]
  - id: cart
    name: Cart
    touchpoints: [{id: cart, name: Cart, match: {event: [cart]}}]
    pain_points:
      - {id: older-drop, text: Older people leave the cart, touchpoint: cart, persona: older}
  - id: buy
    name: Buy
    touchpoints: [{id: buy, name: Buy, match: {event: [purchase]}}]
"""


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    rows, users = [], []
    start = dt.datetime(2026, 1, 5, 9)
    for i in range(400):
        t = start + dt.timedelta(days=i % 60, minutes=i)
        users.append((f"u{i}", "45+" if i % 3 == 0 else "18-44"))
        rows += [(f"u{i}", t, "view"), (f"u{i}", t + dt.timedelta(minutes=2), "cart")]
        if i % 2:
            rows.append((f"u{i}", t + dt.timedelta(minutes=5), "purchase"))
    pd.DataFrame(rows, columns=["user", "ts", "name"]).to_csv(
        tmp_path / "e.csv", index=False
    )
    pd.DataFrame(users, columns=["user", "age"]).to_csv(
        tmp_path / "users.csv", index=False
    )
    (tmp_path / "map.yaml").write_text(MAP)
    return tmp_path


COLUMNS = ["--id", "user", "--time", "ts", "--event", "name"]


def test_analyze_series_and_incidents_join_customers_once(export: Path) -> None:
    common = ["analyze", str(export / "e.csv"), "--map", str(export / "map.yaml"),
              *COLUMNS, "--customers", str(export / "users.csv"),
              "--customers-id", "user"]  # fmt: skip
    out = export / "series.csv"
    assert main([*common, "--what", "series", "-o", str(out)]) == 0
    series = pd.read_csv(out)
    assert set(series["persona"].dropna()) == {"older"}
    assert main([*common, "--what", "incidents"]) == 0


def test_measure_scopes_and_filters(export: Path) -> None:
    out = export / "m.json"
    args = ["measure", str(export / "map.yaml"), "--data", str(export / "e.csv"),
            *COLUMNS, "--customers", str(export / "users.csv"), "--customers-id",
            "user", "--since", "2026-01-10", "--scope", "session", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    measured = json.loads(out.read_text())
    assert measured["scope"] == "session"
    verdict = measured["pain_points"][0]
    assert verdict["hypothesis"]["persona"] == "older"
    assert verdict["verdict"] in ("not_supported", "insufficient_data")
    assert measured["totals"]["customers"] < 400  # --since dropped the first days


def test_analyze_with_map_reads_the_events_the_way_measure_does(export: Path) -> None:
    """--map brings the map's data.columns and data.customers (options still win)."""
    text = MAP + (
        "data:\n"
        "  columns: {customer_id: user, timestamp: ts, event: name}\n"
        "  customers: {path: users.csv, id: user}\n"
    )
    (export / "map.yaml").write_text(text)
    out = export / "series.csv"
    args = ["analyze", str(export / "e.csv"), "--map", str(export / "map.yaml"),
            "--what", "series", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    series = pd.read_csv(out)
    assert set(series["persona"].dropna()) == {"older"}
    assert series.loc[series["metric"] == "reach", "units"].sum() > 0
