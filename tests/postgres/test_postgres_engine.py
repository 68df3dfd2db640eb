"""The PostgreSQL engine: temporary tables only, dropped; tables read in place."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from journeymap.engine import Engine, connect
from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events
from journeymap.model.journey import JourneyMap
from parity import METRICS, assert_same, plain, seeded_events

from .conftest import copy_rows

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]


def _jm_tables(url: str) -> list[tuple[str, str]]:
    """Every relation named like journeymap's, in any schema of any session."""
    import psycopg

    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE starts_with(c.relname, '_jm_')"
        ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]


def test_scratch_is_temporary_and_dropped(postgres_url: str) -> None:
    engine = connect(postgres_url)
    kept = engine.register_arrow(pd.DataFrame({"x": [1, 2, 3]}), prefix="test")
    with engine.scratch():
        doubled = engine.materialize(kept.mutate(y=kept.x * 2), prefix="test")
        assert engine.scalar(doubled.y.sum()) == 12
        during = _jm_tables(postgres_url)
    assert all(schema.startswith("pg_temp_") for schema, _ in during)
    assert len(during) == 2 and engine.temp_tables() == [kept.get_name()]
    engine.close()
    assert _jm_tables(postgres_url) == []  # nothing outlives the session


def test_flags_count_as_numbers(postgres_engine: Engine) -> None:
    table = postgres_engine.register_arrow(pd.DataFrame({"x": [1, 2, 3]}), prefix="t")
    flags = (table.x >= 2).cast("int64").sum() + (table.x > 2).cast("float64").sum()
    assert postgres_engine.scalar(flags) == 3


def test_table_read_in_place_matches_duckdb(
    shop_table: str,
    postgres_engine: Engine,
    journey: JourneyMap,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_duckdb = read_events(shop_table)  # streamed through psycopg into DuckDB
    from journeymap.ingest import warehouse

    def no_duckdb(*_: object, **__: object) -> None:
        raise AssertionError("the table must be read in place, not through DuckDB")

    monkeypatch.setattr(warehouse, "connect", no_duckdb)
    in_place = read_events(shop_table, engine=postgres_engine)
    assert in_place.engine is postgres_engine
    assert in_place.report == on_duckdb.report
    assert in_place.report is not None and in_place.report.quarantined == 1
    kinds = [
        {n: type(t).__name__ for n, t in log.table.schema().items()}
        for log in (in_place, on_duckdb)
    ]
    assert kinds[0] == kinds[1]  # Spark and PostgreSQL timestamps carry no scale
    bad = postgres_engine.to_pandas(quarantine(in_place))
    assert bad[["column", "reason"]].values.tolist() == [
        ["customer_id", "missing customer_id"]
    ]
    before = postgres_engine.temp_tables()
    for name in ("transitions", "funnel_ordered_window", "stages", "measure_map"):
        run = METRICS[name]
        assert_same(plain(run(on_duckdb, journey)), plain(run(in_place, journey)))
    assert postgres_engine.temp_tables() == before  # measure dropped its tables


def test_text_timestamps_are_refused_in_place(
    postgres_url: str, postgres_engine: Engine
) -> None:
    frame = pd.DataFrame({"user_id": ["a"], "ts": ["2026-01-01"], "event": ["x"]})
    copy_rows(postgres_url, "text_times", "user_id text, ts text, event text", frame)
    with pytest.raises(IngestError) as caught:
        read_events(f"{postgres_url}?table=text_times", engine=postgres_engine)
    message = caught.value.one_line()
    assert "timestamp column 'ts' is string" in message and "\n" not in message
    assert message.startswith("postgresql://jm@127.0.0.1:")


def test_files_are_read_on_duckdb_and_moved(
    postgres_engine: Engine, tmp_path: object
) -> None:
    frame = seeded_events()
    log = read_events(frame, engine=postgres_engine)
    assert log.engine is postgres_engine and log.report is not None
    assert log.count() == log.report.loaded > 200


def test_cli_on_a_warehouse_table_gives_duckdbs_answers(
    shop_table: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from journeymap.cli import main

    funnel = ["--what", "funnel", "--steps", "home,item,buy", "--window", "3d"]
    runs = {"duckdb": [], "postgres": ["--engine", "postgres"]}
    found = {}
    for name, extra in runs.items():
        out = tmp_path / f"{name}.json"
        assert main(["analyze", shop_table, *funnel, *extra, "-o", str(out)]) == 0
        found[name] = json.loads(out.read_text())
    assert found["postgres"] == found["duckdb"]
    assert "read 494 = loaded 462 + quarantined 1" in capsys.readouterr().err


def test_measure_reads_the_maps_table_on_its_server(
    shop_table: str, tmp_path: Path, journey: JourneyMap
) -> None:
    from journeymap.cli import main
    from journeymap.model.spec import dump_map

    base = journey.model_dump(exclude_none=True)
    for engine in ("duckdb", "postgres"):
        data = {"events": shop_table, "engine": engine}
        dump_map(
            JourneyMap.model_validate(base | {"data": data}), tmp_path / "map.yaml"
        )
        out = tmp_path / f"{engine}.json"
        args = ["measure", str(tmp_path / "map.yaml"), "--no-clusters", "-o", str(out)]
        assert main(args) == 0
    duck, postgres = (
        json.loads((tmp_path / f"{e}.json").read_text()) for e in ("duckdb", "postgres")
    )
    assert duck.pop("map")["data"]["engine"] == "duckdb"
    assert postgres.pop("map")["data"]["engine"] == "postgres"
    assert_same(duck, postgres)


def test_wall_clock_times_read_in_place_in_a_zone(
    postgres_url: str, postgres_engine: Engine
) -> None:
    """A naive ``timestamp`` column is wall-clock time in ``timezone``, on the server
    as on DuckDB (across a daylight-saving change); ``timestamptz`` keeps its instant."""
    frame = pd.DataFrame(
        {
            "user_id": ["a", "a", "b"],
            "ts": pd.to_datetime(
                ["2026-03-29 01:30", "2026-03-29 03:30", "2026-07-01 12:00"]
            ),
            "event": ["visit", "buy", "visit"],
        }
    )
    copy_rows(postgres_url, "berlin_times", "user_id text, ts timestamp, event text",
              frame)  # fmt: skip
    table = f"{postgres_url}?table=berlin_times"
    in_place = read_events(table, engine=postgres_engine, timezone="europe/berlin")
    on_duckdb = read_events(table, timezone="Europe/Berlin")
    times = [
        log.engine.to_pandas(log.table.order_by("event_seq"))["timestamp"].tolist()
        for log in (in_place, on_duckdb)
    ]
    assert (
        times[0]
        == times[1]
        == list(
            pd.to_datetime(["2026-03-29 00:30", "2026-03-29 01:30", "2026-07-01 10:00"])
        )
    )
    aware = frame.assign(ts=frame.ts.dt.tz_localize("UTC"))
    copy_rows(postgres_url, "utc_instants", "user_id text, ts timestamptz, event text",
              aware)  # fmt: skip
    kept = read_events(
        f"{postgres_url}?table=utc_instants", engine=postgres_engine,
        timezone="Europe/Berlin",
    )  # fmt: skip
    stored = postgres_engine.to_pandas(kept.table.order_by("event_seq"))["timestamp"]
    assert stored.tolist() == frame.ts.tolist()
    with pytest.raises(IngestError) as caught:
        read_events(table, engine=postgres_engine, timezone="Mars/Olympus")
    message = caught.value.one_line()
    assert "unknown time zone 'Mars/Olympus'" in message and "\n" not in message
