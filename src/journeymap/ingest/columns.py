"""Column mapping: which source column plays which canonical role (docs/reference/events.md).

An explicit mapping (CLI flags ``--id --time --event ...`` or the map's ``data.columns``)
wins; every role left open is looked up among the names exports commonly use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeymap.engine.eventlog import CANONICAL_COLUMNS, REQUIRED_COLUMNS
from journeymap.errors import IngestError

# Common names seen in exports, per canonical role, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "user_id", "userid", "client_id", "account_id", "distinct_id",
        "person_id", "visitor_id", "uid", "case_id", "case:concept:name", "customer",
        "user",
    ),
    "timestamp": (
        "timestamp", "ts", "event_time", "time", "datetime", "date", "created_at",
        "event_timestamp", "time:timestamp", "occurred_at",
    ),
    "event": (
        "event", "event_name", "event_type", "action", "activity", "concept:name", "name",
    ),
    "channel": ("channel", "source", "medium", "utm_medium", "platform"),
    "session_id": ("session_id", "session", "sessionid"),
    "value": ("value", "revenue", "amount", "price", "order_value"),
    "score": ("score", "rating", "survey_score"),
    "score_kind": ("score_kind", "survey", "survey_type", "metric"),
    "text": ("text", "feedback", "comment", "verbatim", "message"),
}  # fmt: skip

# The CLI flag that sets each role, for error messages that say what to type.
FLAGS = {
    "customer_id": "--id",
    "timestamp": "--time",
    "event": "--event",
    "channel": "--channel",
    "session_id": "--session",
    "value": "--value",
}


def detect_columns(
    available: Sequence[str], given: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """Map canonical roles to source columns: explicit mapping first, then common names.

    Parameters
    ----------
    available
        The source's column names, in file order.
    given
        Canonical role -> source column (``{"customer_id": "user_id"}``); roles mapped
        to ``None`` or ``""`` are detected.

    Returns
    -------
    dict
        Canonical role -> source column, in canonical order.

    Raises
    ------
    IngestError
        An unknown role, a column that does not exist, one column given two roles, or
        a required role that cannot be found.

    Examples
    --------
    >>> detect_columns(["user_id", "ts", "event_name", "plan"])
    {'customer_id': 'user_id', 'timestamp': 'ts', 'event': 'event_name'}
    >>> detect_columns(["who", "when", "what"], {"customer_id": "who",
    ...     "timestamp": "when", "event": "what"})
    {'customer_id': 'who', 'timestamp': 'when', 'event': 'what'}
    """
    mapping = _explicit(available, given or {})
    taken = set(mapping.values())
    lower = {c.lower(): c for c in reversed(available)}  # first spelling wins
    for role in CANONICAL_COLUMNS:
        if role in mapping:
            continue
        found = next((lower[a] for a in ALIASES[role] if a in lower), None)
        if found is not None and found not in taken:
            mapping[role] = found
            taken.add(found)
    _require(mapping, available)
    return {role: mapping[role] for role in CANONICAL_COLUMNS if role in mapping}


def _explicit(
    available: Sequence[str], given: Mapping[str, str | None]
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for role, column in given.items():
        if not column:
            continue
        if role not in CANONICAL_COLUMNS:
            known = ", ".join(CANONICAL_COLUMNS)
            raise IngestError(
                f"unknown column role {role!r}; known: {known}", field=role
            )
        if column not in available:
            raise IngestError(
                f"column {column!r} not found; available: {', '.join(available)}",
                field=role,
            )
        if column in mapping.values():
            raise IngestError(f"column {column!r} is given two roles", field=role)
        mapping[role] = column
    return mapping


def _require(mapping: Mapping[str, str], available: Sequence[str]) -> None:
    missing = [role for role in REQUIRED_COLUMNS if role not in mapping]
    if missing:
        flags = " ".join(f"{FLAGS[role]} COLUMN" for role in missing)
        raise IngestError(
            f"cannot find column(s) for {', '.join(missing)} among "
            f"{', '.join(available) or '(no columns)'}; pass {flags}"
        )
