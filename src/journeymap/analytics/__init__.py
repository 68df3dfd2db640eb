"""L2 analytics: Ibis expressions that measure a journey map against an EventLog.

Each metric has a builder ending in ``_expr`` (an unexecuted Ibis table) and a public
function that runs it through ``log.engine`` and returns a frozen result type.
"""

from __future__ import annotations

__all__: list[str] = []

# part A (issue 4): sequences — transitions, variants, paths, funnels, time to convert
from journeymap.analytics.conversion import time_to_convert, time_to_convert_expr
from journeymap.analytics.funnels import funnel_expr, measure_funnel
from journeymap.analytics.paths import find_paths, paths_expr
from journeymap.analytics.transitions import count_transitions, transitions_expr
from journeymap.analytics.variants import count_variants, variants_expr

__all__ += [
    "count_transitions",
    "count_variants",
    "find_paths",
    "funnel_expr",
    "measure_funnel",
    "paths_expr",
    "time_to_convert",
    "time_to_convert_expr",
    "transitions_expr",
    "variants_expr",
]

# part B (issues 3, 4): stages, matching, retention, drivers, period comparison
# (after part A's __all__ on purpose: each part appends its own block)
from journeymap.analytics.compare import compare_periods, period_counts_expr  # noqa: E402
from journeymap.analytics.drivers import driver_counts_expr, find_drivers  # noqa: E402
from journeymap.analytics.matching import match_touchpoints_expr, unmatched_events  # noqa: E402
from journeymap.analytics.retention import retention_expr, retention_matrix  # noqa: E402
from journeymap.analytics.stages import (  # noqa: E402
    customer_stages_expr,
    measure_stages,
    stage_counts_expr,
    stage_progress,
    stage_transitions,
    stage_transitions_expr,
)

__all__ += [
    "compare_periods",
    "customer_stages_expr",
    "driver_counts_expr",
    "find_drivers",
    "match_touchpoints_expr",
    "measure_stages",
    "period_counts_expr",
    "retention_expr",
    "retention_matrix",
    "stage_counts_expr",
    "stage_progress",
    "stage_transitions",
    "stage_transitions_expr",
    "unmatched_events",
]
