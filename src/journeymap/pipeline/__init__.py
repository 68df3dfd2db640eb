"""L2½: one short pipeline that measures a map (the facade's ``measure``).

It prepares the events once (customer attributes joined, sessions derived), builds
the journey table once, and hands it to the judges of ``evidence`` and the
measurements of ``voc``, then assembles the :class:`~journeymap.model.MeasuredMap`.
The package is named ``pipeline`` because ``journeymap.measure`` is the facade's
function.
"""

from journeymap.pipeline.measure import (
    journey_units,
    measure_incidents,
    measure_map,
    measure_series,
    prepare_log,
)

__all__ = [
    "journey_units",
    "measure_incidents",
    "measure_map",
    "measure_series",
    "prepare_log",
]
