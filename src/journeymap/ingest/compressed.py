"""Gzip-compressed exports (``events.csv.gz``, ``export.json.gz``), read uncompressed.

BigQuery writes ``.csv.gz`` to Cloud Storage and Amplitude's export is gzipped JSON
lines. The readers count lines and quarantine by line number on the file itself, so
the file is decompressed, streaming, into a temporary file that is read as usual and
deleted once the events are built; every message names the ``.gz`` file.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from journeymap.errors import IngestError
from journeymap.ingest.sources import Source

GZIP_SUFFIXES = (".gz", ".gzip")


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() in GZIP_SUFFIXES


def read_gzip(path: Path, read: Callable[[Path], Source]) -> Source:
    """``read`` the decompressed copy of ``path`` (``a.csv.gz`` is read as ``a.csv``)."""
    inner = Path(path.stem).suffix
    handle, name = tempfile.mkstemp(prefix="journeymap-", suffix=inner)
    copy = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, gzip.open(path, "rb") as data:
            shutil.copyfileobj(data, out, length=1 << 20)
        source = read(copy)
    except (OSError, EOFError, zlib.error) as exc:
        copy.unlink(missing_ok=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "corrupt"
        raise IngestError(f"cannot decompress: {reason}", file=str(path)) from None
    except IngestError as exc:
        copy.unlink(missing_ok=True)
        raise IngestError(exc.message, file=str(path), field=exc.field) from None
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return dataclasses.replace(
        source, label=str(path), temp_files=(*source.temp_files, str(copy))
    )
