"""The demo's files: the packaged journey map, and the generated data on disk."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd

from journeymap.demo.simulate import SimulatedData, simulate_journeys

MAP_RESOURCE = "demo_map.yaml"
CSV_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def demo_map_path() -> Path:
    """The path of the packaged demo journey map (``demo_map.yaml``).

    Returns
    -------
    pathlib.Path
        A file inside the installed package; copy it before editing.

    Examples
    --------
    >>> demo_map_path().name
    'demo_map.yaml'
    """
    return Path(str(resources.files("journeymap.demo").joinpath(MAP_RESOURCE)))


def demo_map_text() -> str:
    """The YAML text of the demo journey map, comments included.

    Returns
    -------
    str
        The map, ready for :func:`journeymap.model.spec.loads_map`.

    Examples
    --------
    >>> demo_map_text().startswith("#")
    True
    """
    return resources.files("journeymap.demo").joinpath(MAP_RESOURCE).read_text("utf-8")


def write_demo_data(
    out_dir: str | Path,
    customers: int = 5000,
    *,
    seed: int = 7,
    include_map: bool = True,
) -> dict[str, Path]:
    """Simulate the demo data and write it to a folder.

    Writes ``events.parquet`` and ``events.csv`` (canonical events; CSV times are
    ISO 8601 UTC with a ``Z``), ``customers.csv`` (one row per customer),
    ``truth.json`` (the planted effects) and, unless ``include_map`` is false,
    ``journey.yaml`` (the demo map, whose ``data`` section points at events.parquet).

    Parameters
    ----------
    out_dir
        Folder to write into; created if missing. Existing files are replaced.
    customers
        Number of simulated customers.
    seed
        Random seed; the same seed writes identical files.
    include_map
        Also copy the demo map into the folder.

    Returns
    -------
    dict of str to pathlib.Path
        ``events_parquet``, ``events_csv``, ``customers``, ``truth`` and ``map``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(write_demo_data(folder, 50, seed=1))
    ['customers', 'events_csv', 'events_parquet', 'map', 'truth']
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = simulate_journeys(customers, seed=seed)
    paths = _write_tables(data, folder)
    if include_map:
        paths["map"] = folder / "journey.yaml"
        paths["map"].write_text(demo_map_text(), encoding="utf-8")
    return paths


def _write_tables(data: SimulatedData, folder: Path) -> dict[str, Path]:
    paths = {
        "events_parquet": folder / "events.parquet",
        "events_csv": folder / "events.csv",
        "customers": folder / "customers.csv",
        "truth": folder / "truth.json",
    }
    data.events.to_parquet(paths["events_parquet"], index=False)
    _csv_ready(data.events).to_csv(
        paths["events_csv"], index=False, float_format="%.10g"
    )
    _csv_ready(data.customers).to_csv(paths["customers"], index=False)
    text = json.dumps(data.truth, indent=2, sort_keys=False, allow_nan=False)
    paths["truth"].write_text(text + "\n", encoding="utf-8")
    return paths


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as ``2026-01-05T09:13:39Z`` text, the rest unchanged."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.strftime(CSV_TIME_FORMAT)
    return out
