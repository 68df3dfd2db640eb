"""Customer attributes (``data.customers``): one row per customer, joined on the id.

Demographics, plan, sign-up cohort… live in a table of their own in most data sets;
copying them onto every event row is what journeymap used to require. The table is
read whole (it has one row per customer, not per event), ids are normalised like
event ids (text; an integral float such as ``1.0`` becomes ``1``), and every row is
either loaded or quarantined with its reason: a missing id, or an id already seen
(the first row wins).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.engine import EventLog
from journeymap.errors import IngestError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CustomerAttributes", "join_customers", "read_customers"]

KEY = "_jm_customer_key"


@dataclass(frozen=True)
class CustomerAttributes:
    """The attributes as a frame keyed by ``KEY``, with the row accounting."""

    frame: pd.DataFrame
    source: str
    read: int
    quarantined: dict[str, int]

    @property
    def loaded(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.frame.columns if c != KEY)

    def summary(self) -> str:
        bad = sum(self.quarantined.values())
        reasons = "; ".join(f"{n:,} {r}" for r, n in sorted(self.quarantined.items()))
        tail = f" ({reasons})" if reasons else ""
        return (
            f"customers {self.source}: read {self.read:,} = loaded {self.loaded:,} + "
            f"quarantined {bad:,}{tail}"
        )


def _normalise_id(value: Any) -> str | None:
    if value is None or value != value:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return text[:-2]
    return text


def read_customers(
    source: str | os.PathLike[str] | pd.DataFrame, *, id_col: str = "customer_id"
) -> CustomerAttributes:
    """Read a customer-attribute table (CSV, TSV, Parquet, JSON lines, Excel, or a frame).

    Raises
    ------
    IngestError
        If the file cannot be read or lacks the id column.
    """
    import pandas as pd

    label = "<frame>" if isinstance(source, pd.DataFrame) else str(source)
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        frame = _read_file(Path(source), id_col)
    if id_col not in frame.columns:
        raise IngestError(
            f"no id column `{id_col}`; columns: {', '.join(map(str, frame.columns))}",
            file=label,
            field=id_col,
        )
    read = len(frame)
    ids = frame[id_col].map(_normalise_id)
    missing = ids.isna()
    duplicate = ids.duplicated(keep="first") & ~missing
    quarantined = {}
    if missing.any():
        quarantined["missing customer id"] = int(missing.sum())
    if duplicate.any():
        quarantined["customer id already seen (first row kept)"] = int(duplicate.sum())
    kept = frame[~missing & ~duplicate].drop(columns=[id_col])
    kept.insert(0, KEY, ids[~missing & ~duplicate].astype("string"))
    for column in kept.columns:
        if kept[column].dtype == object:
            kept[column] = kept[column].astype("string")
    return CustomerAttributes(kept.reset_index(drop=True), label, read, quarantined)


def _read_file(path: Path, id_col: str) -> pd.DataFrame:
    """The file as a frame; the id column of a text file stays text (``00123`` is
    not the number 123: it must join the events' ``00123``)."""
    import pandas as pd

    as_text = {id_col: "string"}

    if not path.exists():
        raise IngestError("file not found", file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet" or path.is_dir():
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=as_text)
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=as_text)
        sep = "\t" if suffix == ".tsv" else None
        return pd.read_csv(
            path, sep=sep, engine="python", dtype_backend="numpy_nullable",
            dtype=as_text,
        )  # fmt: skip
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"cannot read customer attributes: {exc}", file=str(path)
        ) from exc


def join_customers(log: EventLog, customers: CustomerAttributes) -> EventLog:
    """The events with the customer attributes as columns (null for unknown ids).

    Raises
    ------
    IngestError
        If an attribute has the name of an event column.
    """
    clash = sorted(set(customers.columns) & set(log.columns))
    if clash:
        raise IngestError(
            f"customer attribute column(s) {', '.join(clash)} also exist in the events; "
            "rename them in one of the two",
            file=customers.source,
            field=clash[0],
        )
    attrs = log.engine.register_arrow(customers.frame, prefix="customers")
    events = log.table
    key = events.customer_id.cast("string")
    if customers.loaded:
        _require_a_match(log, attrs, key, customers)
    joined = events.left_join(attrs, key == attrs[KEY])
    return log.with_table(joined.select(events, *[attrs[c] for c in customers.columns]))


def _require_a_match(
    log: EventLog, attrs: Any, key: Any, customers: CustomerAttributes
) -> None:
    """Refuse attributes whose ids match no customer of the events: every persona
    would silently be empty (ids ``1`` against ``00001``, or another id column)."""
    events = log.table
    if int(log.engine.scalar(events.count())) == 0:
        return
    matched = events.semi_join(attrs, key == attrs[KEY]).limit(1).count()
    if int(log.engine.scalar(matched)):
        return
    theirs = ", ".join(repr(v) for v in customers.frame[KEY].head(3))
    ours = ", ".join(
        repr(str(v))
        for v in log.execute(
            events.select("customer_id").distinct().order_by("customer_id").limit(3)
        )["customer_id"]
    )
    raise IngestError(
        f"none of the {customers.loaded:,} customer ids matches a customer of the "
        f"events (here: {theirs}; in the events: {ours}); is it the right id column?",
        file=customers.source,
    )
