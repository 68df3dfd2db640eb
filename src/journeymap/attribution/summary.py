"""The attribution part of the measured map: Markov credits and the forecast.

``measure`` (journeymap.pipeline) calls :func:`summarise_attribution` once with the
prepared events; the result is plain JSON-ready data (``MeasuredMap.attribution``,
docs/reference/measured-map.md). A part the data cannot give (a forecast over less
than two weeks) becomes a note, never a failed measurement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap.attribution.channels import attribute_conversions
from journeymap.attribution.forecast import forecast_conversions
from journeymap.errors import AnalysisError

if TYPE_CHECKING:
    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

__all__ = ["FORECAST_PERIODS", "summarise_attribution"]

FORECAST_PERIODS = 4  # weeks ahead in the measured map


def summarise_attribution(
    journey: JourneyMap, log: EventLog, *, scope: str = "customer"
) -> dict[str, Any]:
    """Order-1 Markov credits by channel (else by event) and a 4-week forecast.

    Empty when the map names no conversion event.
    """
    conversion = journey.conversion.event if journey.conversion else ()
    if not conversion:
        return {}
    by = "channel" if log.has("channel") else "event"
    notes: list[str] = []
    summary: dict[str, Any] = {"conversion": list(conversion), "by": by}
    try:
        result = attribute_conversions(
            log, conversion, model="markov", by=by, scope=scope
        )
        summary["markov"] = result.to_dict()
    except AnalysisError as exc:
        summary["markov"] = None
        notes.append(f"attribution: {exc.one_line()}")
    try:
        forecast = forecast_conversions(
            log, journey, periods=FORECAST_PERIODS, conversion=conversion
        )
        summary["forecast"] = forecast.to_dict()
    except AnalysisError as exc:
        summary["forecast"] = None
        notes.append(f"forecast: {exc.one_line()}")
    summary["notes"] = notes
    return summary
