"""Shared helpers for ingest tests: tiny files written to tmp_path, one engine each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journeymap.engine import Engine, connect


@pytest.fixture
def engine() -> Iterator[Engine]:
    con = connect()
    yield con
    con.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows(log, *columns: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The log's rows in canonical order, as tuples of the given columns."""
    frame = log.to_pandas()
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]
