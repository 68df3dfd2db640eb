"""Realistic, seeded demo data for journeymap: an online grocery's customer journeys.

:func:`simulate_journeys` builds events, survey answers and feedback comments for three
personas, with one planted problem recorded in ``truth``; :func:`write_demo_data`
saves them as Parquet and CSV; :func:`demo_map_path` is the designed journey map the
data measures.
"""

from __future__ import annotations

from journeymap.demo.files import demo_map_path, demo_map_text, write_demo_data
from journeymap.demo.simulate import SimulatedData, simulate_journeys

__all__ = [
    "SimulatedData",
    "demo_map_path",
    "demo_map_text",
    "simulate_journeys",
    "write_demo_data",
]
