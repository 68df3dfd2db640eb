"""Customer attributes from exports whose ids are spelt unlike the events' ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import IngestError
from journeymap.ingest import read_events
from journeymap.ingest.customers import join_customers, read_customers

EVENTS = (
    "customer_id,ts,event\n"
    "00123,2024-01-01T10:00:00Z,visit\n"
    "7,2024-01-01T10:00:00Z,visit\n"
)


def test_text_ids_keep_their_leading_zeros(tmp_path: Path) -> None:
    """A CRM export's ``00123`` was read as the number 123 and joined nothing."""
    (tmp_path / "e.csv").write_text(EVENTS)
    (tmp_path / "c.csv").write_text("customer_id,plan\n00123,pro\n7.0,free\n")
    pd.DataFrame({"customer_id": ["00123", 7.0], "plan": ["pro", "free"]}).to_excel(
        tmp_path / "c.xlsx", index=False
    )
    log = read_events(tmp_path / "e.csv")
    for name in ("c.csv", "c.xlsx"):
        joined = join_customers(log, read_customers(tmp_path / name)).to_pandas()
        plans = dict(zip(joined["customer_id"], joined["plan"], strict=True))
        assert plans == {"00123": "pro", "7": "free"}, name


def test_ids_that_match_no_customer_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(EVENTS)
    pd.DataFrame({"customer_id": [123, 8], "plan": ["pro", "free"]}).to_parquet(
        tmp_path / "c.parquet"
    )
    log = read_events(tmp_path / "e.csv")
    with pytest.raises(IngestError) as info:
        join_customers(log, read_customers(tmp_path / "c.parquet"))
    assert str(info.value) == (
        f"{tmp_path / 'c.parquet'}: none of the 2 customer ids matches a customer of "
        "the events (here: '123', '8'; in the events: '00123', '7'); is it the right "
        "id column?"
    )
