"""L2: voice of the customer — survey scores, feedback sentiment, the measured emotion
curve, pain points with verdicts, opportunities, personas and KPIs (issue 5)."""

from __future__ import annotations
