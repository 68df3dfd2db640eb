"""Rates over time: per stage, touchpoint and persona, per week (or day).

Each row is one place, one metric and one period: the units that *entered* the place
in that period (observable stays only, so the last weeks are not inflated by journeys
that had no time to finish), how many had the outcome, and the rate. Periods that
began within ``D_k`` of the data's start (:func:`reach_windows`) are left out for stage
``k`` and its touchpoints: only the fastest journeys had reached ``k`` by then, and
customers already mid-journey when the data begins look like new starters. Metrics:

- ``dropoff`` per stage (``level`` = ``stage``), for everyone and per persona:
  observable stays that did not move on within the stage's horizon; ``loop`` per
  stage, everyone and per persona: the share of the *sessions* at the stage that went
  back from it (with the series' ``design_effect``); ``dropoff`` per touchpoint (units
  of the stage that touched it);
- ``reach`` per stage (customer scope): units entering the stage within a fixed
  window of their first event, as a share of all units that started a journey in the
  period (``events`` = units entering, ``units`` = units starting); periods too recent
  for that window to have passed are left out;
- ``low_score`` and ``negative_text`` per stage from survey answers and comments;
- ``signal:<event>`` per signal event a pain point names, at that pain point's stage:
  the share of the sessions at the stage that had the event (the error-event rate),
  with the series' ``design_effect`` (sessions of one customer are alike; 1 for the
  series of independent units).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units

__all__ = ["SERIES_COLUMNS", "rate_series"]

SERIES_COLUMNS = [
    "level",
    "id",
    "persona",
    "metric",
    "period_start",
    "units",
    "events",
    "rate",
    "design_effect",
]
PERIODS = {"week": "W", "day": "D"}
STEP = {"week": dt.timedelta(days=7), "day": dt.timedelta(days=1)}  # a period's length


def _period(ts: ir.TimestampValue, period: str) -> ir.TimestampValue:
    return ts.truncate(PERIODS[period])


def rate_series(
    units: Units,
    memberships: dict[str, Membership] | None = None,
    *,
    period: str = "week",
    personas: bool = True,
) -> pd.DataFrame:
    """Every series as one long frame (``SERIES_COLUMNS``), in a stable order."""
    import pandas as pd

    if period not in PERIODS:
        from journeymap.errors import AnalysisError

        raise AnalysisError(f"unknown period {period!r}; known: week, day")
    windows = reach_windows(units)
    frames = [_stage_series(units, None, None, period)]
    frames.append(_touchpoint_series(units, period))
    if units.scope == "customer":
        # a session's reach depends on where returning customers start, which shifts
        # as the data's history fills in: only a customer's reach is a stable rate
        frames.append(_reach_series(units, period, windows))
    if units.answers is not None:
        frames.append(_answer_series(units, period))
    if units.signals is not None:
        frames.append(_signal_series(units, period))
    if personas and memberships:
        for persona_id, membership in sorted(memberships.items()):
            if membership.table is None or membership.circular:
                continue
            frames.append(_stage_series(units, persona_id, membership, period))
    kept = [f for f in frames if len(f)]
    if not kept:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame = pd.concat(kept, ignore_index=True)
    frame = _warmed_up(units, frame, windows)
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame["persona"] = (
        frame["persona"].astype("object").where(frame["persona"].notna(), None)
    )
    frame["rate"] = frame["events"] / frame["units"]
    if "design_effect" not in frame.columns:
        frame["design_effect"] = 1.0
    frame["design_effect"] = frame["design_effect"].fillna(1.0).astype("float64")
    order = ["level", "id", "metric", "persona", "period_start"]
    frame = frame.sort_values(order, kind="mergesort", na_position="first")
    return frame[SERIES_COLUMNS].reset_index(drop=True)


def _long_rows(
    frame: pd.DataFrame,
    *,
    level: str,
    ids: list[str],
    metric: str,
    events: str = "events",
    persona: str | None = None,
) -> pd.DataFrame:
    """One series' rows in the long layout (``SERIES_COLUMNS`` but the rate)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "level": level,
            "id": ids,
            "persona": persona,
            "metric": metric,
            "period_start": frame["period_start"],
            "units": frame["units"].astype("int64"),
            "events": frame[events].fillna(0).astype("int64"),
        }
    )


def _stage_ids(units: Units, frame: pd.DataFrame) -> list[str]:
    names = list(units.journey.stage_ids())
    return [names[int(i)] for i in frame["stage_index"]]


def _stage_series(
    units: Units, persona: str | None, membership: Membership | None, period: str
) -> pd.DataFrame:
    import pandas as pd

    stays = units.stays.filter(units.stays.observable)
    if membership is not None and membership.table is not None:
        m = membership.table.filter(membership.table.member).select(m_unit="unit_id")
        stays = stays.join(m, stays.unit_id == m.m_unit).select(stays)
    last = len(units.journey.stages) - 1
    stays = stays.filter(stays.stage_index < last)  # nobody drops off in the last
    grouped = stays.group_by(
        stage_index=stays.stage_index, period_start=_period(stays.entry_ts, period)
    ).agg(units=stays.count(), dropped=stays.left.cast("int64").sum())
    frame = units.execute(grouped)
    parts = [
        _long_rows(
            frame,
            level="stage",
            ids=_stage_ids(units, frame),
            metric="dropoff",
            events="dropped",
            persona=persona,
        ),
        _loop_series(units, persona, membership, period),
    ]
    kept = [p for p in parts if len(p)]
    if not kept:  # a persona with no stays (the data filtered to another persona)
        return pd.DataFrame(columns=SERIES_COLUMNS[:-2])
    return pd.concat(kept, ignore_index=True)


def _loop_series(
    units: Units, persona: str | None, membership: Membership | None, period: str
) -> pd.DataFrame:
    """Loops per *session* at the stage (a loop happens within one), with the
    series' design effect: a customer's sessions loop alike. Per customer, a loop
    "in any later session" grows with the time left in the data."""
    import pandas as pd

    from journeymap.evidence.hypotheses import session_visits

    visits = session_visits(units)
    if visits is None:
        return pd.DataFrame(columns=SERIES_COLUMNS[:-2])
    if membership is not None and membership.table is not None:
        m = membership.table.filter(membership.table.member).select(m_unit="unit_id")
        visits = visits.join(m, visits.member_id == m.m_unit).select(visits)
    grouped = visits.group_by(
        stage_index=visits.stage_index, period_start=_period(visits.at_ts, period)
    ).agg(units=visits.count(), events=visits.outcome.sum())
    frame = units.execute(grouped)
    rows = _long_rows(
        frame,
        level="stage",
        ids=_stage_ids(units, frame),
        metric="loop",
        persona=persona,
    )
    deff = _design_effects(units, visits, ["stage_index"])
    rows["design_effect"] = [deff.get((k,), 1.0) for k in frame["stage_index"]]
    return rows


def _design_effects(
    units: Units, rows: ir.Table, keys: list[str]
) -> dict[tuple[Any, ...], float]:
    """Per ``keys``: the design effect of the rate of ``rows`` (``cluster_id``,
    ``outcome`` 0/1 and ``keys``): its customer-clustered variance over the binomial
    variance (Kish). A customer's sessions are alike (one who opens the chat opens it
    in every visit), so a share of sessions varies more than a share of independent
    units; incident tests multiply their variance by it."""
    per = rows.group_by([*keys, "cluster_id"]).agg(n=rows.count(), x=rows.outcome.sum())
    n, x = per.n.cast("float64"), per.x.cast("float64")
    moments = per.group_by(keys).agg(
        big_n=n.sum(), big_x=x.sum(), clusters=per.count(),
        nn=(n * n).sum(), xn=(x * n).sum(), xx=(x * x).sum(),
    )  # fmt: skip
    out: dict[tuple[Any, ...], float] = {}
    for r in units.execute(moments).to_dict("records"):
        value = _kish(r)
        if value is not None:
            out[tuple(r[k] for k in keys)] = value
    return out


def _kish(r: dict[str, Any]) -> float | None:
    big_n, c = float(r["big_n"] or 0), float(r["clusters"] or 0)
    rate = float(r["big_x"] or 0) / big_n if big_n else 0.0
    if c < 2 or rate <= 0 or rate >= 1:
        return None
    spread = float(r["xx"]) - 2 * rate * float(r["xn"]) + rate**2 * float(r["nn"])
    clustered = c / (c - 1) * spread / big_n**2
    return max(1.0, clustered / (rate * (1 - rate) / big_n))


def _touchpoint_series(units: Units, period: str) -> pd.DataFrame:
    last = len(units.journey.stages) - 1
    stays = units.stays.filter(
        units.stays.observable & (units.stays.stage_index < last)
    )
    t = units.touches.select(
        t_unit="unit_id", t_tp="touchpoint_id", t_stage="stage_index"
    )
    joined = stays.join(
        t, (stays.unit_id == t.t_unit) & (stays.stage_index == t.t_stage)
    )
    grouped = joined.group_by(
        touchpoint_id=joined.t_tp, period_start=_period(joined.entry_ts, period)
    ).agg(units=joined.count(), events=joined.left.cast("int64").sum())
    frame = units.execute(grouped)
    return _long_rows(
        frame,
        level="touchpoint",
        ids=frame["touchpoint_id"].astype("object").tolist(),
        metric="dropoff",
    )


def _since_start(units: Units, period: str) -> tuple[ir.Table, ir.Table]:
    """Stays with ``since`` (seconds from the unit's first event), and the starts."""
    stays = units.stays
    starts = stays.group_by("unit_id").agg(start=stays.entry_ts.min())
    starts = starts.select(
        s_unit="unit_id", s_start="start", s_period=_period(starts.start, period)
    )
    joined = stays.join(starts, stays.unit_id == starts.s_unit)
    since = (joined.entry_ts.delta(joined.s_start, unit="millisecond") / 1000).cast(
        "float64"
    )
    return joined.mutate(since=since), starts


def reach_windows(units: Units) -> dict[int, float]:
    """Per stage ``k``: ``D_k``, the 95th percentile of the time from a unit's first
    event to its entry into ``k`` (seconds), capped at a third of the data's span."""
    from journeymap.analytics.stages import exact_quantiles_expr

    joined, _ = _since_start(units, "week")
    p95 = units.execute(
        exact_quantiles_expr(joined, "stage_index", "since", {"q": 0.95})
    )
    cap = (units.end - units.start).total_seconds() / 3
    return {
        int(r["stage_index"]): min(float(r["q"]), cap)
        for r in p95.to_dict("records")
        if r["q"] == r["q"]
    }


def _warmed_up(
    units: Units, frame: pd.DataFrame, windows: dict[int, float]
) -> pd.DataFrame:
    """``frame`` without the periods that began within ``D_k`` of the data's start.

    Entries into stage ``k`` in the first ``D_k`` of the data are a biased sample:
    only the fastest journeys got there yet, and customers already mid-journey when
    the data begins look like new starters. Those periods are left out.
    """
    import pandas as pd

    if frame.empty:
        return frame
    stage_of = {
        tp.id: k
        for k, stage in enumerate(units.journey.stages)
        for tp in stage.touchpoints
    }
    ids = units.journey.stage_ids()
    index = [
        ids.index(i) if level == "stage" else stage_of.get(i, 0)
        for level, i in zip(frame["level"], frame["id"], strict=True)
    ]
    room = pd.to_timedelta([windows.get(k, 0.0) for k in index], unit="s")
    stamps = pd.to_datetime(frame["period_start"])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    first = pd.Timestamp(units.start) + room
    return frame[stamps.to_numpy() >= first.to_numpy()]


def _reach_series(units: Units, period: str, windows: dict[int, float]) -> pd.DataFrame:
    """Reach of each stage within a fixed window ``D_k`` of a unit's first event.

    ``D_k`` is :func:`reach_windows`' window, and a start period only counts when
    all its units had ``D_k`` to get there before the data ends: a cohort that
    started last week is not "failing to reach" a stage it had no time to reach.
    """
    import ibis
    import pandas as pd

    joined, starts = _since_start(units, period)
    window = windows
    if not window:
        return pd.DataFrame(columns=SERIES_COLUMNS[:-2])
    limit = ibis.cases(
        *[(joined.stage_index == k, w) for k, w in sorted(window.items())],
        else_=ibis.null("float64"),
    )
    within = joined.filter(joined.since <= limit)
    entered = within.group_by(
        stage_index=within.stage_index, period_start=within.s_period
    ).agg(events=within.count())
    started = starts.group_by(period_start=starts.s_period).agg(units=starts.count())
    frame = units.execute(
        started.join(entered, "period_start").select(entered, started.units)
    )
    step = STEP[period]
    stamps = pd.to_datetime(frame["period_start"])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    room = pd.to_timedelta(frame["stage_index"].map(window), unit="s")
    frame = frame[(stamps + step + room) <= pd.Timestamp(units.end)]
    return _long_rows(
        frame, level="stage", ids=_stage_ids(units, frame), metric="reach"
    )


def _answer_series(units: Units, period: str) -> pd.DataFrame:
    import pandas as pd

    a = units.answers
    assert a is not None
    per_unit = a.group_by(["unit_id", "stage_index"]).agg(
        first_ts=a.first_ts.min(),
        scored=a.scored.sum(),
        low=a.low.sum(),
        commented=a.commented.sum(),
        negative=a.negative.sum(),
    )
    parts = []
    for metric, count, bad in (
        ("low_score", "scored", "low"),
        ("negative_text", "commented", "negative"),
    ):
        rows = per_unit.filter(per_unit[count] > 0)
        grouped = rows.group_by(
            stage_index=rows.stage_index, period_start=_period(rows.first_ts, period)
        ).agg(units=rows.count(), events=(rows[bad] > 0).cast("int64").sum())
        frame = units.execute(grouped)
        parts.append(
            _long_rows(
                frame, level="stage", ids=_stage_ids(units, frame), metric=metric
            )
        )
    return pd.concat(parts, ignore_index=True)


def _signal_series(units: Units, period: str) -> pd.DataFrame:
    """Per stage and signal event: the share of the *sessions* at the stage that had
    the event (metric ``signal:<event>``). Per session, because a customer's chance
    to meet an event "at or after" entering grows with the time left in the data;
    one series per event, so a rare error event is not drowned by a common one."""
    import pandas as pd

    from journeymap.evidence.hypotheses import session_visits

    visits = session_visits(units)
    if visits is None or not units.signal_events:
        return pd.DataFrame(columns=SERIES_COLUMNS[:-2])
    ev = units.events.filter(units.events.event.isin(sorted(units.signal_events)))
    hits = ev.select(
        s_session=ev.session_id.cast("string"), s_event=ev.event
    ).distinct()
    visits = visits.mutate(period_start=_period(visits.at_ts, period))
    entered = visits.group_by(["stage_index", "period_start"]).agg(units=visits.count())
    joined = visits.join(hits, visits.unit_id == hits.s_session)
    counted = joined.group_by(
        ["stage_index", "period_start", joined.s_event.name("event")]
    ).agg(events=joined.count())
    frame = units.execute(
        entered.join(counted, ["stage_index", "period_start"], how="left").select(
            entered, event=counted.event, events=counted.events
        )
    )
    base = frame.drop_duplicates(["stage_index", "period_start"])[
        ["stage_index", "period_start", "units"]
    ]
    # each event at the stages whose pain points name it: elsewhere its rate says
    # how far sessions go, not how often the problem occurs
    named: dict[str, set[int]] = {}
    ids = units.journey.stage_ids()
    for stage, pain in units.journey.pain_points():
        for event in () if pain.signal is None else pain.signal.events:
            named.setdefault(event, set()).add(ids.index(stage.id))
    # each session at the stage, once per signal event: did it have that event?
    signals = hits.select(event=hits.s_event).distinct()
    pairs = visits.cross_join(signals)
    flagged = pairs.left_join(
        hits, (pairs.unit_id == hits.s_session) & (pairs.event == hits.s_event)
    )
    flagged = flagged.select(
        "stage_index",
        "event",
        "cluster_id",
        outcome=flagged.s_session.notnull().cast("int64"),
    )
    deff = _design_effects(units, flagged, ["stage_index", "event"])
    parts = []
    for event in sorted({str(e) for e in frame["event"].dropna()}):
        mine = frame[
            (frame["event"] == event)
            & frame["stage_index"].isin(sorted(named.get(event, set())))
        ][["stage_index", "period_start", "events"]]
        # every period the stage was entered, with 0 where the event did not occur
        full = base.merge(mine, on=["stage_index", "period_start"], how="left")
        full = full[full["stage_index"].isin(mine["stage_index"].unique())]
        rows = _long_rows(
            full,
            level="stage",
            ids=_stage_ids(units, full),
            metric=f"signal:{event}",
        )
        rows["design_effect"] = [deff.get((k, event), 1.0) for k in full["stage_index"]]
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS[:-2])
    return pd.concat(parts, ignore_index=True)


def series_key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["level"], row["id"], row["persona"] or "", row["metric"])
