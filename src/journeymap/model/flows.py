"""How customers move: stage-to-stage and touchpoint-to-touchpoint flows (plain data).

Analytics count them (:func:`journeymap.analytics.flows.measure_flows`); the report
draws them as a Sankey without touching the engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Flow:
    """Moves from ``source`` to ``target`` (stage or touchpoint ids).

    ``moves`` counts consecutive matched events of one customer that go from one to
    the other; ``customers`` counts the distinct customers who made such a move;
    ``back`` is true when the target's stage comes before the source's (a loop back).
    """

    source: str
    target: str
    moves: int
    customers: int
    back: bool = False


@dataclass(frozen=True, slots=True)
class JourneyFlows:
    """Every flow between stages and between touchpoints, in a stable order."""

    stages: tuple[Flow, ...] = ()
    touchpoints: tuple[Flow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "stages": [asdict(f) for f in self.stages],
            "touchpoints": [asdict(f) for f in self.touchpoints],
        }
