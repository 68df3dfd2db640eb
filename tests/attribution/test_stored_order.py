"""Order-1 counts over the stored order (DuckDB) against the partitioned plan.

The stored-order plan may only answer when the rows it read were in event order; any
other order must void its counts (kind ``unordered``) so that the caller runs the
partitioned plan, and the credits never change.
"""

from __future__ import annotations

import random

import ibis
import pyarrow as pa
from hypothesis import given

from journeymap.attribution import attribute_conversions
from journeymap.attribution.paths import (
    UNORDERED,
    PathSpec,
    base_expr,
    transition_counts_expr,
)
from journeymap.engine import EventLog

from .conftest import load
from .strategies import PROPERTY, random_rows

SPEC = PathSpec(conversion=("buy",))


def _counts(log: EventLog, spec: PathSpec, *, stored_order: bool):
    expr = transition_counts_expr(
        base_expr(log.table, spec), spec, stored_order=stored_order
    )
    frame = log.execute(expr)
    keys = ["kind", "touch", "nxt", "first"]
    frame = frame.astype({"touch": object, "nxt": object})
    frame = frame.where(frame.notna(), None)
    return sorted(
        (
            tuple((row[k] is not None, row[k]) for k in keys),
            row["count"],
            round(row["value"], 9),
        )
        for row in frame.to_dict("records")
    )


def _sql(log: EventLog, spec: PathSpec) -> str:
    expr = transition_counts_expr(base_expr(log.table, spec), spec, stored_order=True)
    return str(ibis.to_sql(expr, dialect="duckdb"))


@PROPERTY
@given(rows=random_rows())
def test_stored_order_counts_equal_the_partitioned_plan(engine, rows):
    for keep in (False, True):
        spec = PathSpec(conversion=("buy",), keep_repeats=keep)
        log = load(engine, rows)
        assert "PARTITION BY" not in _sql(log, spec)  # the streamed plan ran
        streamed = _counts(log, spec, stored_order=True)
        assert all(key[0][1] != UNORDERED for key, _, _ in streamed)
        assert streamed == _counts(log, spec, stored_order=False)


def _canonical_rows(log: EventLog) -> pa.Table:
    return log.engine.to_arrow(log.table.order_by(["customer_id", "event_seq"]))


def _relabelled(engine, data: pa.Table, rows: list[int], **columns) -> EventLog:
    """The canonical rows stored in the order ``rows``, columns replaced."""
    data = data.take(pa.array(rows))
    for name, values in columns.items():
        data = data.set_column(
            data.schema.get_field_index(name), name, pa.array(values, pa.int64())
        )
    return EventLog(engine.register_arrow(data), engine)


ROWS = [
    ("a", 0, "view", "web", 0.0),
    ("a", 1, "view", "mail", 0.0),
    ("a", 2, "buy", "web", 20.0),
    ("b", 0, "view", "ads", 0.0),
    ("b", 3, "view", "web", 0.0),
    ("c", 1, "view", "mail", 0.0),
    ("c", 2, "view", "ads", 0.0),
    ("c", 5, "buy", "ads", 7.5),
]


def test_rows_stored_out_of_order_void_the_streamed_counts(engine):
    log = load(engine, ROWS)
    want = attribute_conversions(log, "buy")
    data = _canonical_rows(log)
    order = list(range(data.num_rows))
    random.Random(3).shuffle(order)
    shuffled = _relabelled(engine, data, order)
    kinds = {key[0][1] for key, _, _ in _counts(shuffled, SPEC, stored_order=True)}
    assert UNORDERED in kinds
    assert attribute_conversions(shuffled, "buy") == want


def test_an_event_seq_out_of_step_with_customers_and_time_voids_them(engine):
    log = load(engine, ROWS)
    want = attribute_conversions(log, "buy")
    data = _canonical_rows(log)
    n = data.num_rows
    # rising event_seq, but customers interleaved by time: seq order is not
    # (customer, time) order
    by_time = sorted(
        range(n),
        key=lambda i: (data["timestamp"][i].as_py(), data["customer_id"][i].as_py()),
    )
    interleaved = _relabelled(engine, data, by_time, event_seq=list(range(1, n + 1)))
    kinds = {key[0][1] for key, _, _ in _counts(interleaved, SPEC, stored_order=True)}
    assert UNORDERED in kinds
    assert attribute_conversions(interleaved, "buy") == want
    # stored in customer order with a sequence restarting per customer
    per_customer: list[int] = []
    for i in range(n):
        same = i and data["customer_id"][i - 1] == data["customer_id"][i]
        per_customer.append(per_customer[-1] + 1 if same else 1)
    restarted = _relabelled(engine, data, list(range(n)), event_seq=per_customer)
    kinds = {key[0][1] for key, _, _ in _counts(restarted, SPEC, stored_order=True)}
    assert UNORDERED in kinds
    assert attribute_conversions(restarted, "buy") == want


def test_relations_that_may_reorder_rows_take_the_partitioned_plan(engine):
    log = load(engine, ROWS)
    assert "PARTITION BY" not in _sql(log, SPEC)
    both = log.append(load(engine, [("d", 0, "view", "web", 0.0)]))
    assert "PARTITION BY" in _sql(both, SPEC)
    ids = log.table.select("customer_id").distinct()
    joined = log.with_table(log.table.join(ids, "customer_id"))
    assert "PARTITION BY" in _sql(joined, SPEC)
    sessions = PathSpec(conversion=("buy",), scope="session")
    with_sessions = log.with_table(log.table.mutate(session_id=log.table.customer_id))
    assert "PARTITION BY" in _sql(with_sessions, sessions)
    assert attribute_conversions(both, "buy").paths == 4
