"""The Spark engine: connecting, temporary views, materializing, moving an EventLog."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pyspark")

from journeymap.engine import Engine, EventLog
from journeymap.errors import MissingExtraError

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

# microseconds, a DST change in Europe and a leap day: all must survive unchanged
TIMES = [
    dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
    dt.datetime(2024, 3, 31, 1, 30, 0, 1),
    dt.datetime(2024, 10, 27, 2, 30),
]


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.engine.spark import connect_spark

    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingExtraError, match=r'pip install "journeymap\[spark\]"'):
        connect_spark()


def test_session_is_utc_local_and_small(spark_engine: Engine) -> None:
    conf = spark_engine.backend._session.conf
    assert spark_engine.kind == "spark"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark_engine.backend._session.sparkContext.master == "local[2]"


def test_register_arrow_keeps_naive_utc_timestamps(spark_engine: Engine) -> None:
    frame = pd.DataFrame(
        {"name": ["a", "b", None], "ts": TIMES, "n": pd.array([1, None, 3], "Int64")}
    )
    table = spark_engine.register_arrow(frame, prefix="test")
    schema = table.schema()
    assert schema["name"].is_string() and schema["n"].is_integer()
    assert schema["ts"].is_timestamp() and schema["ts"].timezone is None
    back = spark_engine.to_pandas(table.order_by("ts"))
    assert list(back["ts"].dt.to_pydatetime()) == TIMES
    assert back["name"].tolist()[:2] == ["a", "b"] and pd.isna(back["name"].iloc[2])
    assert spark_engine.scalar(table.n.sum()) == 4
    days = spark_engine.to_pandas(table.order_by("ts").ts.truncate("D"))
    assert [d.date() for d in days] == [t.date() for t in TIMES]


def test_materialize_computes_once_into_a_cached_view(spark_engine: Engine) -> None:
    table = spark_engine.register_arrow(pd.DataFrame({"x": [1, 2, 3]}), prefix="test")
    doubled = spark_engine.materialize(table.mutate(y=table.x * 2), prefix="test")
    name = doubled.get_name()
    assert spark_engine.backend._session.catalog.isCached(name)
    assert spark_engine.to_pandas(doubled.order_by("x")).y.tolist() == [2, 4, 6]


def test_to_engine_moves_the_canonical_events(logs: dict[str, EventLog]) -> None:
    duck, spark = logs["duckdb"], logs["spark"]
    assert spark.engine.kind == "spark" and duck.engine.kind == "duckdb"
    assert spark.columns == duck.columns
    for name, dtype in duck.table.schema().items():
        moved = spark.table.schema()[name]
        if dtype.is_timestamp():  # Spark's TIMESTAMP has no scale; both are naive
            assert moved.is_timestamp() and moved.timezone is None, name
        else:
            assert moved == dtype, name
    assert spark.report is duck.report
    assert spark.count() == duck.count() > 200
    pd.testing.assert_frame_equal(
        spark.to_pandas(), duck.to_pandas(), check_dtype=False
    )


def test_warehouse_is_a_temporary_folder_removed_at_close(spark_engine: Engine) -> None:
    from journeymap.engine import spark

    where = spark_engine.backend._session.conf.get("spark.sql.warehouse.dir")
    owned = [Path(folder) for folder in spark._warehouses]
    # Engine.close (the session fixture's teardown) and exit remove these folders
    assert [f for f in owned if f.name in where and f.name.startswith("journeymap-")]


def test_cli_analyzes_a_parquet_folder_on_spark_as_on_duckdb(
    spark_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from journeymap.cli import main
    from parity import seeded_events

    folder = tmp_path / "events"
    folder.mkdir()
    frame = seeded_events()
    half = len(frame) // 2
    frame.iloc[:half].to_parquet(folder / "part-0.parquet")
    frame.iloc[half:].to_parquet(folder / "part-1.parquet")
    funnel = ["--what", "funnel", "--steps", "home,item,buy", "--window", "3d"]
    found = {}
    for name, extra in {"duckdb": [], "spark": ["--engine", "spark"]}.items():
        out = tmp_path / f"{name}.json"
        assert main(["analyze", str(folder), *funnel, *extra, "-o", str(out)]) == 0
        found[name] = json.loads(out.read_text())
    assert found["spark"] == found["duckdb"]
    assert '"home"' in json.dumps(found["duckdb"])  # the funnel measured its steps


def test_large_tables_go_through_parquet_and_keep_timestamps(
    spark_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeymap.engine import spark

    monkeypatch.setattr(spark, "ARROW_ROWS", 1)
    frame = pd.DataFrame({"name": ["a", "b", None], "ts": TIMES})
    with spark_engine.scratch():
        table = spark_engine.register_arrow(frame, prefix="test")
        folder = spark._scratch_folder(spark_engine.backend._session)
        assert folder is not None
        written = spark._parquet_path(folder, table.get_name())
        assert written.is_file()
        schema = table.schema()
        assert schema["ts"].is_timestamp() and schema["ts"].timezone is None
        back = spark_engine.to_pandas(table.order_by("ts"))
        assert list(back["ts"].dt.to_pydatetime()) == TIMES
    assert not written.exists()  # dropped with the view
