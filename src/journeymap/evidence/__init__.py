"""L2 evidence: pain points as testable hypotheses, tested on the journey table.

The journey table is built once per measurement (:mod:`journeymap.evidence.units`);
verdicts (:mod:`~journeymap.evidence.verdicts`), suggestions
(:mod:`~journeymap.evidence.suggestions`) and incidents
(:mod:`~journeymap.evidence.incidents`) are small judges over it. Every judgement is a
:class:`~journeymap.evidence.contrasts.Contrast`: two explicit groups, a one-sided
test, an effect with its confidence interval, and Benjamini–Hochberg q-values over
its family. docs/reference/metrics.md#evidence-pain-point-verdicts states the rules.
"""

from journeymap.evidence.contrasts import Contrast, Group, Thresholds
from journeymap.evidence.members import Membership, persona_membership
from journeymap.evidence.units import Units, build_units
from journeymap.evidence.verdicts import judge_pain_points

__all__ = [
    "Contrast",
    "Group",
    "Membership",
    "Thresholds",
    "Units",
    "build_units",
    "judge_pain_points",
    "persona_membership",
]
