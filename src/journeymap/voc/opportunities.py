"""Opportunities: prioritised by measured impact, with a what-if on conversion.

``priority = measured_impact × value / effort``, where ``measured_impact`` is the sum
of the impacts (customer equivalents, :mod:`journeymap.evidence`) of the pain
points the opportunity addresses that the data supports; unsupported pain points
count 0.

**What-if**: if a linked pain point's excess drop-off were removed, the
``recovered`` customers (``customers × excess``) would carry on like the customers of
the same group who did not drop there, converting at their rate. The overall
conversion rate becomes ``(converted + recovered × carry_on_gain) / customers``,
where ``carry_on_gain`` is the share converted among the group's customers who
reached the place and did not drop there, minus the share converted among those who
did drop (a drop after converting gains no conversion). Several pain points add up, capped at all
customers. It is an estimate under that assumption, not a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeymap.model.journey import JourneyMap
from journeymap.model.measured import PainPointVerdict
from journeymap.voc.outcomes import ALL, OutcomeCounts


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The conversion rate now and with the linked excess drop-off removed."""

    kpi: str
    current: float | None
    if_removed: float | None
    change: float | None
    recovered_customers: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "current": self.current,
            "if_removed": self.if_removed,
            "change": self.change,
            "recovered_customers": self.recovered_customers,
        }


def recovered_conversions(
    verdict: PainPointVerdict, counts: OutcomeCounts, journey: JourneyMap
) -> tuple[float, float]:
    """(units recovered, of whom converting) for a supported drop-off hypothesis."""
    test = verdict.test or {}
    if verdict.verdict != "supported" or test.get("outcome") != "dropoff":
        return (0.0, 0.0)
    excess = test.get("difference") or 0.0
    recovered = test["exposed"]["units"] * max(0.0, excess)
    persona = verdict.hypothesis.get("persona") or ALL
    index = journey.stage_ids().index(verdict.stage_id or journey.stage_ids()[0])
    found = counts.carried_on_stage.get(
        (index, persona)
    ) or counts.carried_on_stage.get((index, ALL), (0, 0, 0, 0))
    carried, carried_converted, dropped, dropped_converted = found
    carry_rate = carried_converted / carried if carried else 0.0
    drop_rate = dropped_converted / dropped if dropped else 0.0
    return (recovered, recovered * max(0.0, carry_rate - drop_rate))


def what_if(
    verdicts: list[PainPointVerdict], counts: OutcomeCounts, journey: JourneyMap
) -> WhatIf:
    """Overall conversion now and with the supported verdicts' excess drop-off removed."""
    customers, converted = counts.customers.get(ALL, 0), counts.converted.get(ALL, 0)
    if customers == 0:
        return WhatIf("conversion_rate", None, None, None, 0.0)
    recovered = gained = 0.0
    for verdict in verdicts:
        more, more_converted = recovered_conversions(verdict, counts, journey)
        recovered, gained = recovered + more, gained + more_converted
    current = converted / customers
    after = min(customers, converted + gained) / customers
    return WhatIf("conversion_rate", current, after, after - current, recovered)


def prioritise_opportunities(
    journey: JourneyMap,
    verdicts: tuple[PainPointVerdict, ...],
    counts: OutcomeCounts,
) -> tuple[dict[str, Any], ...]:
    """Every opportunity of the map with impact, priority and what-if, best first.

    Order: priority (descending), then id.

    Parameters
    ----------
    journey
        The map.
    verdicts
        The map pain points' verdicts (:mod:`journeymap.evidence`).
    counts
        Outcome counts (for the what-if).

    Returns
    -------
    tuple of dict
        ``id``, ``measured_impact``, ``priority``, ``what_if`` and the map fields.
    """
    by_id = {v.id: v for v in verdicts}
    out: list[dict[str, Any]] = []
    for stage, opp in journey.opportunities():
        linked = [by_id[p] for p in opp.addresses if p in by_id]
        impact = sum(v.impact or 0.0 for v in linked if v.verdict == "supported")
        out.append(
            {
                "id": opp.id,
                "text": opp.text,
                "stage_id": stage.id,
                "addresses": list(opp.addresses),
                "verdicts": {v.id: v.verdict for v in linked},
                "owner": opp.owner,
                "status": opp.status,
                "value": opp.value,
                "effort": opp.effort,
                "measured_impact": impact,
                "priority": impact * opp.value / opp.effort,
                "what_if": what_if(linked, counts, journey).to_dict(),
            }
        )
    out.sort(key=lambda o: (-o["priority"], o["id"]))
    return tuple(out)
