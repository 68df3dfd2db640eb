"""Uploaded data and measurements, kept in the workspace.

An upload is read once by :func:`journeymap.read_events` (the same validation and
quarantine as the CLI) and kept as ``data/ID/events.parquet`` with ``report.json`` (the
ingest report) and ``quarantine.csv`` (every row that was not loaded, with its reason).
``ID`` is derived from the uploaded bytes, so the same file uploaded twice is one data
version. Measurements are cached per (map version, data version, filters) under
``.journeymap/cache/``: the measured map as JSON, its SVG and the exports made from it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import journeymap as jm
from journeymap.errors import IngestError, JourneymapError
from journeymap.web.workspace import Workspace, WorkspaceError, write_atomically

if TYPE_CHECKING:
    from journeymap.model.measured import MeasuredMap

UPLOAD_SUFFIXES = (".csv", ".parquet", ".jsonl", ".xlsx")
_DATA_ID = "0123456789abcdef"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Dataset:
    """One uploaded data version."""

    id: str
    folder: Path
    report: dict[str, Any]

    @property
    def events(self) -> Path:
        return self.folder / "events.parquet"

    @property
    def quarantine(self) -> Path:
        return self.folder / "quarantine.csv"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "report": self.report}


def check_data_id(data_id: str) -> str:
    if len(data_id) != 16 or any(c not in _DATA_ID for c in data_id):
        raise WorkspaceError(f"not a data version: {data_id[:40]!r}")
    return data_id


def list_datasets(workspace: Workspace) -> list[Dataset]:
    """Every data version, newest upload first (ties by id)."""
    found = [
        load_dataset(workspace, folder.name)
        for folder in workspace.data_dir.iterdir()
        if folder.is_dir() and (folder / "report.json").is_file()
    ]
    return sorted(found, key=lambda d: (d.report["uploaded_at"], d.id), reverse=True)


def load_dataset(workspace: Workspace, data_id: str) -> Dataset:
    folder = workspace.data_dir / check_data_id(data_id)
    report = folder / "report.json"
    if not report.is_file():
        raise WorkspaceError(f"no data version {data_id!r}")
    return Dataset(data_id, folder, json.loads(report.read_text(encoding="utf-8")))


def ingest_upload(
    workspace: Workspace,
    upload: Path,
    *,
    filename: str,
    columns: dict[str, str],
    uploaded_by: str,
    uploaded_at: str,
) -> Dataset:
    """Read an uploaded file and keep it as a data version (see the module docs).

    Raises
    ------
    IngestError
        The file cannot be read, or it lacks a required column.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise IngestError(
            f"{filename}: unsupported file type {suffix or '(none)'}; "
            f"upload one of {', '.join(UPLOAD_SUFFIXES)}"
        )
    data_id = _file_hash(upload)[:16]
    folder = workspace.data_dir / data_id
    if (folder / "report.json").is_file():
        return load_dataset(workspace, data_id)
    staging = workspace.data_dir / f".{data_id}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        source = staging / f"upload{suffix}"
        shutil.move(upload, source)
        try:
            log = jm.read_events(source, columns=columns or None)
        except JourneymapError as exc:
            raise IngestError(
                _for_the_browser(exc.one_line(), source, filename)
            ) from None
        keep = [c for c in log.columns if c not in ("row_number", "event_seq")]
        log.table.select(*keep).to_parquet(staging / "events.parquet")
        _write_quarantine(log, staging / "quarantine.csv")
        report = log.report.to_dict() if log.report is not None else {}
        report.update(
            source=filename,
            quarantine_file=None,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
            customers=log.customers(),
        )
        (staging / "report.json").write_text(
            json.dumps(report, indent=2, sort_keys=True), encoding="utf-8"
        )
        source.unlink()
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_dataset(workspace, data_id)


def _for_the_browser(message: str, source: Path, filename: str) -> str:
    """The reader's message about the staged file, said about the uploaded file (the
    server's paths are nobody's business) and in the web form's words."""
    message = message.replace(str(source), filename)
    message = re.sub(
        r"pass (--\w+ COLUMN ?)+", "name them in the column mapping fields", message
    )
    return message


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_quarantine(log: Any, path: Path) -> None:
    """Every quarantined row as CSV; cells that a spreadsheet would run as a formula
    get a leading apostrophe (the rows are untrusted input)."""
    frame = log.execute(jm.quarantine(log).order_by("row_number"))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            writer.writerow([_cell(value) for value in row])


def _cell(value: Any) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True)
class Filters:
    """What the map view narrows the measurement to."""

    persona: str | None = None
    department: str | None = None
    since: str | None = None
    until: str | None = None

    def key(self) -> str:
        text = json.dumps(
            [self.persona, self.department, self.since, self.until], sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def measure_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.persona:
            options["persona"] = self.persona
        if self.since:
            options["since"] = self.since
        if self.until:
            options["until"] = self.until
        return options


class Measurements:
    """Measured maps per (map version, data version, filters): on disk and, for the
    last few, in memory (exports need the object, not only its JSON)."""

    def __init__(self, workspace: Workspace, *, keep: int = 8) -> None:
        self.workspace = workspace
        self._objects: OrderedDict[str, MeasuredMap] = OrderedDict()
        # what pages read on every view: the measured JSON (parsed) and the SVG text
        self._views: OrderedDict[str, tuple[dict[str, Any], str]] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()  # guards the dictionaries only, held briefly
        self._key_locks: dict[str, threading.Lock] = {}

    def folder(self, name: str, dataset: Dataset, filters: Filters) -> Path:
        key = f"{name}@{self.workspace.blob(name)[:16]}-{dataset.id}-{filters.key()}"
        return self.workspace.cache_dir / key

    def measured(
        self, name: str, journey: jm.JourneyMap, dataset: Dataset, filters: Filters
    ) -> tuple[MeasuredMap, Path]:
        """The measured map and its cache folder (measured now if not cached)."""
        folder = self.folder(name, dataset, filters)
        with self._measuring(folder.name):  # one measurement per key at a time
            with self._lock:
                if folder.name in self._objects:
                    self._objects.move_to_end(folder.name)
                    return self._objects[folder.name], folder
            # measured outside the shared lock: other maps' pages keep being served
            log = jm.read_events(dataset.events)
            measured = jm.measure(journey, log, **filters.measure_options())
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(folder / "measured.json", measured.to_json())
            with self._lock:
                self._objects[folder.name] = measured
                while len(self._objects) > self._keep:
                    self._objects.popitem(last=False)
            return measured, folder

    def _measuring(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def result(
        self, name: str, journey: jm.JourneyMap, dataset: Dataset, filters: Filters
    ) -> tuple[dict[str, Any], str]:
        """The measured map as JSON data and its SVG, from the cache when there."""
        folder = self.folder(name, dataset, filters)
        with self._lock:
            if folder.name in self._views:
                self._views.move_to_end(folder.name)
                return self._views[folder.name]
        data, drawing = folder / "measured.json", folder / "map.svg"
        if not (data.is_file() and drawing.is_file()):
            measured, folder = self.measured(name, journey, dataset, filters)
            svg = jm.render_map_svg(measured.journey, measured, persona=filters.persona)
            write_atomically(drawing, svg)  # a concurrent view never reads half of it
        view = (
            json.loads(data.read_text(encoding="utf-8")),
            drawing.read_text(encoding="utf-8"),
        )
        with self._lock:
            self._views[folder.name] = view
            while len(self._views) > 4 * self._keep:
                self._views.popitem(last=False)
        return view

    def text(
        self, name: str, journey: jm.JourneyMap, dataset: Dataset, filters: Filters
    ) -> str:
        """The measured map as its JSON text (measured first if needed)."""
        self.result(name, journey, dataset, filters)
        path = self.folder(name, dataset, filters) / "measured.json"
        return path.read_text(encoding="utf-8")

    def last_measured(self, name: str) -> str | None:
        """When this map was last measured (any data), ISO time, or None."""
        times = [
            p.stat().st_mtime
            for p in self.workspace.cache_dir.glob(f"{name}@*/measured.json")
        ]
        if not times:
            return None
        import datetime as dt

        return dt.datetime.fromtimestamp(max(times), dt.UTC).strftime(
            "%Y-%m-%d %H:%M UTC"
        )
