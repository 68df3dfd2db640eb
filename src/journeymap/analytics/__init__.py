"""L2 analytics: Ibis expressions that measure a journey map against an EventLog.

Each metric has a builder ending in ``_expr`` (an unexecuted Ibis table) and a public
function that runs it through ``log.engine`` and returns a frozen result type.
"""

from __future__ import annotations

__all__: list[str] = []
