"""The PostgreSQL engine: temporary tables only, dropped; tables read in place."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest

from journeymap.engine import Engine, connect
from journeymap.errors import IngestError
from journeymap.ingest import quarantine, read_events
from journeymap.model.journey import JourneyMap
from parity import METRICS, assert_same, plain, seeded_events

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]

TABLE = "shop_events"
COLUMNS = (
    "customer_id text, timestamp timestamp, event text, channel text, age bigint, "
    "plan text, value double precision, score double precision, score_kind text, "
    "text text"
)


def _jm_tables(url: str) -> list[tuple[str, str]]:
    """Every relation named like journeymap's, in any schema of any session."""
    import psycopg

    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE starts_with(c.relname, '_jm_')"
        ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]


def _copy_rows(url: str, table: str, columns: str, frame: pd.DataFrame) -> None:
    import psycopg
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False),
        buffer,
        write_options=pacsv.WriteOptions(include_header=False),
    )
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({columns})")
        with con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


@pytest.fixture(scope="module")
def shop_table(postgres_url: str) -> Iterator[str]:
    """The seeded events as a warehouse table, with a row missing its customer."""
    frame = seeded_events()
    frame.loc[3, "customer_id"] = None
    _copy_rows(postgres_url, TABLE, COLUMNS, frame)
    yield f"{postgres_url}?table={TABLE}"
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP TABLE {TABLE}")


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


def test_measure_leaves_no_table_behind(
    logs: dict[str, object], journey: JourneyMap, postgres_engine: Engine
) -> None:
    before = postgres_engine.temp_tables()
    METRICS["measure_sessions"](logs["postgres"], journey)  # type: ignore[arg-type]
    assert postgres_engine.temp_tables() == before


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
    for name in ("transitions", "funnel_ordered_window", "stages", "measure_map"):
        run = METRICS[name]
        assert_same(plain(run(on_duckdb, journey)), plain(run(in_place, journey)))


def test_text_timestamps_are_refused_in_place(
    postgres_url: str, postgres_engine: Engine
) -> None:
    frame = pd.DataFrame({"user_id": ["a"], "ts": ["2026-01-01"], "event": ["x"]})
    _copy_rows(postgres_url, "text_times", "user_id text, ts text, event text", frame)
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
