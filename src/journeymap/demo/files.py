"""The demo's files: the packaged journey map, and the generated data on disk."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd

from journeymap.demo.simulate import SimulatedData, simulate_journeys

MAP_RESOURCE = "demo_map.yaml"
# demo_map.yaml points at data/events.parquet (the layout `journeymap demo` writes);
# a map copied into the data folder itself points next to it.
MAP_DATA_LINE = "events: data/events.parquet"
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
    include_map: bool = False,
) -> dict[str, Path]:
    """Simulate the demo data and write it to a folder.

    Writes ``events.parquet`` and ``events.csv`` (canonical events; CSV times are
    ISO 8601 UTC with a ``Z``), ``customers.csv`` (one row per customer),
    ``truth.json`` (the planted effects) and, with ``include_map``, ``journey.yaml``
    (the demo map, its ``data`` section pointing at the events.parquet beside it).

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
        ``parquet``, ``csv``, ``customers``, ``truth`` (and ``map``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(write_demo_data(folder, 50, seed=1))
    ['csv', 'customers', 'parquet', 'truth']
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = simulate_journeys(customers, seed=seed)
    paths = _write_tables(data, folder)
    if include_map:
        paths["map"] = folder / "journey.yaml"
        text = demo_map_text().replace(MAP_DATA_LINE, "events: events.parquet")
        paths["map"].write_text(text, encoding="utf-8")
    return paths


def _write_tables(data: SimulatedData, folder: Path) -> dict[str, Path]:
    paths = {
        "parquet": folder / "events.parquet",
        "csv": folder / "events.csv",
        "customers": folder / "customers.csv",
        "truth": folder / "truth.json",
    }
    data.events.to_parquet(paths["parquet"], index=False)
    _csv_ready(data.events).to_csv(paths["csv"], index=False, float_format="%.10g")
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
