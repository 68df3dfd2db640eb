from __future__ import annotations

import pandas as pd
import pytest

from journeymap.engine import connect
from journeymap.errors import IngestError
from journeymap.ingest import read_events, sample_customers

ENGINE = connect()
N = 400
FRAME = pd.DataFrame({
    "customer_id": [f"c{i % N}" for i in range(2 * N)],
    "timestamp": ["2024-01-01"] * N + ["2024-01-02"] * N,
    "event": ["x"] * (2 * N),
})  # fmt: skip


@pytest.fixture(scope="module")
def log():  # type: ignore[no-untyped-def]
    return read_events(FRAME, engine=ENGINE)


def customers(log) -> set[str]:  # type: ignore[no-untyped-def]
    return set(log.to_pandas()["customer_id"])


def test_same_seed_same_sample_under_any_row_order(log) -> None:  # type: ignore[no-untyped-def]
    shuffled = read_events(FRAME.sample(frac=1, random_state=3), engine=ENGINE)
    for options in ({"fraction": 0.25}, {"n": 37}):
        first = customers(sample_customers(log, seed=11, **options))
        assert first == customers(sample_customers(shuffled, seed=11, **options))
        assert first != customers(sample_customers(log, seed=12, **options))


def test_fraction_is_roughly_kept_and_nested(log) -> None:  # type: ignore[no-untyped-def]
    small = customers(sample_customers(log, fraction=0.1, seed=5))
    large = customers(sample_customers(log, fraction=0.3, seed=5))
    assert small <= large
    assert 0.2 * N < len(large) < 0.4 * N
    assert customers(sample_customers(log, fraction=1.0)) == customers(log)
    assert customers(sample_customers(log, fraction=0.0)) == set()


def test_n_keeps_every_event_of_exactly_n_customers(log) -> None:  # type: ignore[no-untyped-def]
    sample = sample_customers(log, n=50, seed=2)
    assert sample.customers() == 50
    assert sample.count() == 100
    assert sample_customers(log, n=10 * N).customers() == N


@pytest.mark.parametrize(
    ("options", "message"),
    [({}, "exactly one"), ({"fraction": 0.1, "n": 3}, "exactly one"),
     ({"fraction": 1.5}, "fraction must be in 0..1"), ({"n": -1}, "n must be 0 or more")],
)  # fmt: skip
def test_bad_arguments(log, options: dict, message: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    with pytest.raises(IngestError, match=message):
        sample_customers(log, **options)
