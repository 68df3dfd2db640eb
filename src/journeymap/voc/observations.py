"""Which touchpoint a survey answer or a comment speaks about.

Survey answers and comments are rows with a ``score`` or a ``text`` (docs/reference/events.md),
either in the event data or in separate survey / feedback files with the same
columns. Separate rows are appended to the events first, so where a row is kept never
changes what it says (issue 8). A row belongs to the touchpoint its own event matches;
otherwise to the touchpoint of the customer's **latest matched event at or before it**
(a survey e-mailed after checkout speaks about the checkout). Rows before any matched
event have no touchpoint. Built with a cumulative window and a join (no as-of join), so it
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
        Optional separate rows with the same columns: appended to the events
        (:meth:`EventLog.append`), so they count exactly as the same rows inside
        the events would.

    Returns
    -------
    ibis.Table
        Unexecuted; one row per answer or comment.
    """
    matched = _feedback_columns(
        match_touchpoints_expr(log.append(surveys, feedback), journey)
    ).select(
        # only what the answers need: the window sorts fewer, narrower rows
        "customer_id",
        "timestamp",
        "event_seq",
        *(c for c in OBSERVATION_COLUMNS if c not in ("customer_id", "timestamp")),
    )
    # the running window sorts every matched event; it carries only the keys and the
    # place, and the answers (few) take their wide columns from a join afterwards
    said_rows = matched.score.notnull() | matched.text.notnull()
    narrow = matched.filter(matched.touchpoint_id.notnull() | said_rows).select(
        "customer_id",
        "timestamp",
        "event_seq",
        "touchpoint_id",
        "stage_id",
        "stage_index",
        _said=said_rows,
    )
    window = ibis.cumulative_window(
        group_by=narrow.customer_id, order_by=[narrow.timestamp, narrow.event_seq]
    )
    ordered = narrow.mutate(_pos=ibis.row_number().over(window))
    anchor_pos = ibis.cases(
        (ordered.touchpoint_id.notnull(), ordered._pos), else_=ibis.null("int64")
    )
    ordered = ordered.mutate(_anchor=anchor_pos.max().over(window))
    found = ordered.filter(ordered._said).select(
        f_seq=ordered.event_seq, f_anchor=ordered._anchor
    )
    said = matched.filter(said_rows)
    said = said.join(found, said.event_seq == found.f_seq)
    anchors = ordered.filter(ordered.touchpoint_id.notnull()).select(
        a_customer=ordered.customer_id,
        a_pos=ordered._pos,
        a_touchpoint=ordered.touchpoint_id,
        a_stage=ordered.stage_id,
        a_index=ordered.stage_index,
    )
    joined = said.left_join(
        anchors,
        [said.customer_id == anchors.a_customer, said.f_anchor == anchors.a_pos],
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
