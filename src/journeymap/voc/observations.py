"""Which touchpoint a survey answer or a comment speaks about.

Survey answers and comments are rows with a ``score`` or a ``text`` (DESIGN.md §3),
either in the event data or in separate survey / feedback files with the same
columns. A row belongs to the touchpoint its own event matches; otherwise to the
touchpoint of the customer's **latest matched event at or before it** (a survey
e-mailed after checkout speaks about the checkout). Rows before any matched event
have no touchpoint. Built with a cumulative window and a join (no as-of join), so it
runs on every backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from journeymap.analytics.matching import match_touchpoints_expr

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap

OBSERVATION_COLUMNS = (
    "customer_id",
    "timestamp",
    "event",
    "score",
    "score_kind",
    "text",
    "touchpoint_id",
    "stage_id",
    "stage_index",
)
_FEEDBACK_TYPES = {"score": "float64", "score_kind": "string", "text": "string"}


def _feedback_columns(table: ir.Table) -> ir.Table:
    """Ensure ``score``, ``score_kind`` and ``text`` exist (nulls when absent)."""
    missing = {
        name: ibis.null(dtype)
        for name, dtype in _FEEDBACK_TYPES.items()
        if name not in table.columns
    }
    table = table.mutate(**missing) if missing else table
    return table.mutate(
        score=table.score.cast("float64"),
        score_kind=table.score_kind.cast("string"),
        text=table.text.cast("string"),
    )


def _stacked(matched: ir.Table, extra: list[ir.Table]) -> ir.Table:
    """Events and the rows of separate survey/feedback logs in one sequence."""
    keep = [
        "customer_id",
        "timestamp",
        "event",
        "event_seq",
        "score",
        "score_kind",
        "text",
        "touchpoint_id",
        "stage_id",
        "stage_index",
    ]
    events = _feedback_columns(matched).mutate(_src=ibis.literal(0, "int64"))
    parts = [events.select(*keep, "_src")]
    for table in extra:
        rows = _feedback_columns(table).filter(
            lambda t: t.score.notnull() | t.text.notnull()
        )
        parts.append(
            rows.mutate(
                touchpoint_id=ibis.null("string"),
                stage_id=ibis.null("string"),
                stage_index=ibis.null("int64"),
                _src=ibis.literal(1, "int64"),
            ).select(*keep, "_src")
        )
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def _on_engine(log: EventLog, other: EventLog) -> ir.Table:
    """``other``'s rows as a table on ``log``'s engine (copied when engines differ;
    survey and feedback files are small next to event logs)."""
    if other.engine is log.engine:
        return other.table
    rows = other.table.filter(other.table.event.notnull())
    return log.engine.register_arrow(other.engine.to_arrow(rows), prefix="voc")


def observations_expr(
    log: EventLog,
    journey: JourneyMap,
    *,
    surveys: EventLog | None = None,
    feedback: EventLog | None = None,
) -> ir.Table:
    """Survey and feedback rows with the touchpoint and stage they speak about.

    Columns: ``OBSERVATION_COLUMNS``; ``touchpoint_id`` is null for rows before the
    customer's first matched event.

    Parameters
    ----------
    log
        The events (their ``score``/``score_kind``/``text`` rows count).
    journey
        The map.
    surveys, feedback
        Optional separate rows with the same columns.

    Returns
    -------
    ibis.Table
        Unexecuted; one row per answer or comment.
    """
    matched = match_touchpoints_expr(log, journey)
    extra = [_on_engine(log, x) for x in (surveys, feedback) if x is not None]
    rows = _stacked(matched, extra)
    window = ibis.cumulative_window(
        group_by=rows.customer_id, order_by=[rows.timestamp, rows._src, rows.event_seq]
    )
    ordered = rows.mutate(_pos=ibis.row_number().over(window))
    anchor_pos = ibis.cases(
        (ordered.touchpoint_id.notnull(), ordered._pos), else_=ibis.null("int64")
    )
    ordered = ordered.mutate(_anchor=anchor_pos.max().over(window))
    said = ordered.filter(ordered.score.notnull() | ordered.text.notnull())
    anchors = ordered.filter(ordered.touchpoint_id.notnull()).select(
        a_customer=ordered.customer_id,
        a_pos=ordered._pos,
        a_touchpoint=ordered.touchpoint_id,
        a_stage=ordered.stage_id,
        a_index=ordered.stage_index,
    )
    joined = said.left_join(
        anchors,
        [said.customer_id == anchors.a_customer, said._anchor == anchors.a_pos],
    )
    return joined.select(
        "customer_id",
        "timestamp",
        "event",
        "score",
        "score_kind",
        "text",
        touchpoint_id=joined.a_touchpoint,
        stage_id=joined.a_stage,
        stage_index=joined.a_index,
    )


def feedback_texts(log: EventLog, observations: ir.Table) -> pd.DataFrame:
    """The comments, with VADER sentiment: pulls only the text rows' text and keys.

    Columns: ``customer_id``, ``touchpoint_id``, ``stage_id``, ``text``,
    ``sentiment``; ordered by customer, touchpoint and text for determinism.

    Parameters
    ----------
    log
        Supplies the engine.
    observations
        From :func:`observations_expr`.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty comment.
    """
    from journeymap.voc.sentiment import comment_sentiment

    rows = observations.filter(observations.text.notnull())
    frame = log.execute(rows.select("customer_id", "touchpoint_id", "stage_id", "text"))
    frame = frame[frame["text"].str.strip() != ""]
    frame = frame.sort_values(
        ["customer_id", "touchpoint_id", "text"], kind="mergesort", na_position="first"
    ).reset_index(drop=True)
    unique = sorted(set(frame["text"]))
    scores = dict(zip(unique, comment_sentiment(unique), strict=True))
    frame["sentiment"] = frame["text"].map(scores).astype("float64")
    return frame
