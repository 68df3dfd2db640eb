"""Shared helpers for ingest tests: tiny files written to tmp_path."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows(log, *columns: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The log's rows in canonical order, as tuples of the given columns."""
    frame = log.to_pandas()
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]
