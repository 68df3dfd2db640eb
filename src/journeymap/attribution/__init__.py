"""L2: which touchpoints earn the conversions, and what the journey will deliver next.

Heuristic models (first, last, last non-direct, linear, time decay, position-based),
Markov chain attribution of order 1 to 4 solved exactly, Shapley values, credit for
moves between stages, and a forecast of conversions and revenue from the current stage
occupancy. Definitions: docs/reference/attribution.md.
"""

from journeymap.attribution.channels import MODELS, attribute_conversions

__all__ = ["MODELS", "attribute_conversions"]
