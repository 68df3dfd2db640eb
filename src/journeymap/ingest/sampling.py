"""Deterministic customer samples: the same seed gives the same customers, every run.

A customer is kept by the MD5 of ``"<seed>:<customer_id>"``, not by ``random()``, so a
sample is reproducible, stable under any row order, nested (a 10% sample contains the
5% sample of the same seed), and computed the same way by DuckDB and Spark.
"""

from __future__ import annotations

from journeymap.engine import EventLog
from journeymap.errors import IngestError

_DIGITS = 12  # hex digits of the hash compared against the threshold (48 bits)


def sample_customers(
    log: EventLog,
    *,
    fraction: float | None = None,
    n: int | None = None,
    seed: int = 0,
) -> EventLog:
    """Keep all events of a seeded sample of customers.

    Parameters
    ----------
    log
        Canonical events.
    fraction
        Keep each customer with this probability (0..1), independently.
    n
        Keep exactly ``n`` customers (all of them if there are fewer).
    seed
        Different seeds give independent samples.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.ingest import read_events
    >>> log = read_events(pd.DataFrame({"customer_id": [str(i) for i in range(100)],
    ...     "timestamp": ["2024-01-01"] * 100, "event": ["x"] * 100}))
    >>> sample_customers(log, n=10, seed=1).customers()
    10
    >>> a = sample_customers(log, fraction=0.3, seed=7).to_pandas()
    >>> a.equals(sample_customers(log, fraction=0.3, seed=7).to_pandas())
    True
    """
    if (fraction is None) == (n is None):
        raise IngestError("give exactly one of fraction= or n=", field="sample")
    table = log.table
    key = (str(seed) + ":" + table.customer_id.cast("string")).hexdigest("md5")
    key = key.substr(0, _DIGITS)
    if fraction is not None:
        if not 0 <= fraction <= 1:
            raise IngestError(
                f"fraction must be in 0..1, not {fraction}", field="fraction"
            )
        return log.with_table(table.filter(key < _threshold(fraction)))
    if n is None or n < 0:
        raise IngestError(f"n must be 0 or more, not {n}", field="n")
    ranked = table.mutate(_jm_key=key).select("customer_id", "_jm_key").distinct()
    chosen = ranked.order_by(["_jm_key", "customer_id"]).limit(n).select("customer_id")
    return log.with_table(table.semi_join(chosen, "customer_id"))


def _threshold(fraction: float) -> str:
    """The hex string below which a ``fraction`` of uniform 12-digit hashes fall."""
    if fraction >= 1:
        return "g"  # sorts after every hex digit: everyone is kept
    return format(int(fraction * 16**_DIGITS), f"0{_DIGITS}x")
