"""A map pain point as a testable hypothesis, and the rows that test it.

A pain point says *where* (its stage, and touchpoint if any), *who* (``persona``,
default everyone), *when* (``period``, default all data) and *what shows it*
(``signal``: events and an outcome). The test contrasts exactly one of these
dimensions and holds the others fixed, in this order of precedence:

============  ====================================  ====================================
contrast      exposed group                         comparison group
============  ====================================  ====================================
signal        units at the place (of the persona,   the same units without any signal
              in the period) with a signal event    event
              at or after entering the stage
period        units at the place (of the persona)   the same units entering outside it
              entering it within the period
persona       the persona's units at the place      the other units at the place whose
                                                    rule columns are known
touchpoint    units of the stage that touched the   units of the stage that did not
              touchpoint (no persona, period or     touch it
              signal given)
============  ====================================  ====================================

A stage-level pain point with no persona, period or signal has nothing to be compared
with (stages differ by design: browsing loses more people than paying), so it is
``insufficient_data`` and says what to add.

Outcomes (a yes/no per unit at the place; the default is ``dropoff``, or
``low_score`` in the last stage):

- ``dropoff``: the unit's furthest stage is this one (observable stays only); in a
  period contrast, where the groups entered at different times, the unit did not move
  on within the stage's horizon (the same window for both);
- ``loop``: within one session the unit went back from this stage to an earlier one;
- ``slow``: time to move on from the stage, among observable stays, truncated at the
  stage's horizon (a stay that did not move on within it counts as slower than any
  that did), compared by a rank test (Mann–Whitney); the share of stays slower than
  the stage median is shown beside it;
- ``low_score``: among units with a survey answer at the place, any answer was low;
- ``negative_text``: among units with a comment at the place, any was negative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units
    from journeymap.model.cards import PainPoint, Period
    from journeymap.model.journey import JourneyMap

__all__ = ["Hypothesis", "contrast_rows", "hypothesis_of", "session_visits"]

JOURNEY_OUTCOMES = frozenset({"dropoff", "loop", "slow"})
ANSWER_OUTCOMES = {
    "low_score": ("scored", "low"),
    "negative_text": ("commented", "negative"),
}


@dataclass(frozen=True)
class Hypothesis:
    """What one pain point claims, resolved against the map."""

    pain_point_id: str
    stage_id: str
    stage_index: int
    touchpoint_id: str | None
    persona: str | None
    period: Period | None
    signal_events: tuple[str, ...]
    outcome: str
    contrast: str  # signal | period | persona | touchpoint | none

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage_id": self.stage_id,
            "touchpoint_id": self.touchpoint_id,
            "persona": self.persona,
            "period": None
            if self.period is None
            else {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
            },
            "signal_events": list(self.signal_events),
            "outcome": self.outcome,
            "contrast": self.contrast,
        }

    @property
    def place(self) -> str:
        return self.touchpoint_id or self.stage_id


def hypothesis_of(journey: JourneyMap, stage_id: str, pain: PainPoint) -> Hypothesis:
    """Resolve a pain point's defaults (outcome, contrast) against its map."""
    ids = journey.stage_ids()
    k = ids.index(stage_id)
    signal = pain.signal
    events = () if signal is None else tuple(signal.events)
    outcome = None if signal is None else signal.outcome
    if outcome is None:
        outcome = "dropoff" if k < len(ids) - 1 else "low_score"
    if events:
        contrast = "signal"
    elif pain.period is not None:
        contrast = "period"
    elif pain.persona is not None:
        contrast = "persona"
    elif pain.touchpoint is not None:
        contrast = "touchpoint"
    else:
        contrast = "none"
    return Hypothesis(
        pain.id,
        stage_id,
        k,
        pain.touchpoint,
        pain.persona,
        pain.period,
        events,
        outcome,
        contrast,
    )


def place_rows(units: Units, hyp: Hypothesis) -> ir.Table | str:
    """The rows at the hypothesis' place, or why there are none.

    One row per unit (per unit and touchpoint for answers with the touchpoint
    contrast; per *session* at the stage for ``loop``, since a loop happens within a
    session): ``unit_id`` (the row's own unit), ``member_id`` (the unit persona
    membership is decided for), ``cluster_id`` (the customer), ``at_ts``,
    ``outcome`` (0/1), ``touched``, and ``seconds`` (time to move on) for ``slow``.
    """
    k = hyp.stage_index
    if hyp.outcome == "loop":
        return _session_rows(units, hyp)
    if hyp.outcome in JOURNEY_OUTCOMES:
        if hyp.outcome == "dropoff" and k == len(units.journey.stages) - 1:
            return "nobody drops off in the last stage: choose another outcome"
        stays = units.stays.filter(
            (units.stays.stage_index == k) & units.stays.observable
        )
        extra: dict[str, Any] = {}
        if hyp.outcome == "slow":
            horizon = units.horizons.get(k)
            if horizon is None:
                return f"nobody moves on from `{hyp.stage_id}` in the data"
            # time to move on, truncated at the horizon: a stay that did not move on
            # within it (later, or never) is slower than every stay that did
            outcome = ~stays.timed | stays.slow
            delay = (
                stays.moved_ts.delta(stays.entry_ts, unit="millisecond") / 1000
            ).cast("float64")
            extra["seconds"] = ibis.cases(
                (stays.timed, delay), else_=ibis.literal(horizon.seconds + 1.0)
            )
        else:
            # in a period contrast the groups entered at different times: judge both
            # within the same window (did not move on within the horizon); elsewhere
            # the groups share the calendar, and "never moved on" does not count a
            # slow group's late moves as drop-offs
            outcome = stays.left if hyp.contrast == "period" else stays.dropped
        rows = stays.select(
            "unit_id",
            member_id=stays.unit_id,
            cluster_id=stays.customer_id.cast("string"),
            at_ts=stays.entry_ts,
            outcome=outcome.cast("int64"),
            **extra,
        )
        if hyp.touchpoint_id is not None:
            touched = units.touches.filter(
                units.touches.touchpoint_id == hyp.touchpoint_id
            ).select(t_unit="unit_id")
            joined = rows.left_join(touched, rows.unit_id == touched.t_unit)
            rows = joined.select(rows, touched=joined.t_unit.notnull())
        else:
            rows = rows.mutate(touched=ibis.literal(True))
        return rows
    if units.answers is None:
        return "no survey answers or comments in the data"
    count_col, bad_col = ANSWER_OUTCOMES[hyp.outcome]
    answers = units.answers.filter(
        (units.answers.stage_index == k) & (units.answers[count_col] > 0)
    )
    # a unit's time at the place is its entry into the stage, not its answer: a signal
    # met in the stage before the answer (the problem, then the low rating) is exposure
    entries = units.stays.filter(units.stays.stage_index == k).select(
        e_unit="unit_id", e_ts="entry_ts"
    )
    answers = answers.left_join(entries, answers.unit_id == entries.e_unit)
    answers = answers.mutate(
        first_ts=ibis.least(answers.first_ts, answers.e_ts.fill_null(answers.first_ts))
    ).drop("e_unit", "e_ts")
    answers = answers.mutate(
        member_id=answers.unit_id, cluster_id=answers.unit_id.cast("string")
    )
    if units.scope != "customer":
        clusters = units.stays.select(
            c_unit="unit_id", c_customer=units.stays.customer_id.cast("string")
        ).distinct()
        answers = answers.left_join(clusters, answers.unit_id == clusters.c_unit)
        answers = answers.mutate(
            cluster_id=answers.c_customer.fill_null(answers.unit_id)
        ).drop("c_unit", "c_customer")
    if hyp.contrast == "touchpoint" or hyp.touchpoint_id is None:
        # per unit and touchpoint: answers at the touchpoint against the stage's others
        tp = hyp.touchpoint_id
        touched = ibis.literal(True) if tp is None else answers.touchpoint_id == tp
        rows = answers.select(
            "unit_id",
            "member_id",
            "cluster_id",
            at_ts=answers.first_ts,
            outcome=(answers[bad_col] > 0).cast("int64"),
            touched=touched,
        )
        if tp is None:  # stage level: one row per unit, any low answer in the stage
            rows = rows.group_by(["unit_id", "member_id", "cluster_id"]).agg(
                at_ts=rows.at_ts.min(),
                outcome=rows.outcome.max(),
                touched=ibis.literal(True),
            )
        return rows
    at_tp = answers.filter(answers.touchpoint_id == hyp.touchpoint_id)
    return at_tp.select(
        "unit_id",
        "member_id",
        "cluster_id",
        at_ts=at_tp.first_ts,
        outcome=(at_tp[bad_col] > 0).cast("int64"),
        touched=ibis.literal(True),
    )


def session_visits(units: Units) -> ir.Table | None:
    """One row per session and stage it entered: did the session loop back from there?

    Columns ``unit_id`` (the session), ``member_id`` (the scope's unit, for persona
    membership), ``cluster_id`` (the customer), ``stage_index``, ``at_ts`` (first
    event of the stage in the session) and ``outcome`` (1 when the session went from
    this stage back to an earlier one).
    """
    seq = units.seq
    if seq is None:
        return None
    return units.shared("session_visits", lambda: _visits_expr(seq), "visits")


def _visits_expr(seq: ir.Table) -> ir.Table:
    visits = seq.group_by(
        session=seq.session_id.cast("string"), stage_index=seq.stage_index
    ).agg(
        member_id=seq.unit_id.min(),
        cluster_id=seq.customer_id.min().cast("string"),
        at_ts=seq.timestamp.min(),
    )
    back = seq.filter(seq.prev_in_session > seq.stage_index)
    loops = back.select(
        l_session=back.session_id.cast("string"), l_stage=back.prev_in_session
    ).distinct()
    joined = visits.left_join(
        loops,
        (visits.session == loops.l_session) & (visits.stage_index == loops.l_stage),
    )
    return joined.select(
        unit_id=joined.session,
        member_id=joined.member_id,
        cluster_id=joined.cluster_id,
        stage_index=joined.stage_index,
        at_ts=joined.at_ts,
        outcome=joined.l_session.notnull().cast("int64"),
    )


def _session_rows(units: Units, hyp: Hypothesis) -> ir.Table | str:
    """The sessions that entered the hypothesis' stage (see :func:`session_visits`)."""
    visits = session_visits(units)
    if visits is None:
        return "no event sequence"
    rows = visits.filter(visits.stage_index == hyp.stage_index).drop("stage_index")
    if hyp.touchpoint_id is None:
        return rows.mutate(touched=ibis.literal(True))
    seq = units.seq
    assert seq is not None
    at_tp = seq.filter(seq.touchpoint_id == hyp.touchpoint_id)
    touched = at_tp.select(t_session=at_tp.session_id.cast("string")).distinct()
    j = rows.left_join(touched, rows.unit_id == touched.t_session)
    return j.select(rows, touched=j.t_session.notnull())


@dataclass(frozen=True)
class Sides:
    exposed: str
    comparison: str


def contrast_rows(
    units: Units, hyp: Hypothesis, rows: ir.Table, membership: Membership | None
) -> tuple[ir.Table, Sides]:
    """``rows`` with a ``side`` column: ``e`` (exposed), ``c`` (comparison) or null."""
    r = rows
    if (
        hyp.persona is not None
        and membership is not None
        and membership.table is not None
    ):
        m = membership.table.select(
            m_unit="unit_id", m_member="member", m_known="known"
        )
        j = r.left_join(m, r.member_id == m.m_unit)
        r = j.select(
            r, member=j.m_member.fill_null(False), known=j.m_known.fill_null(False)
        )
    else:
        r = r.mutate(member=ibis.literal(True), known=ibis.literal(True))
    if hyp.signal_events and hyp.outcome == "loop":
        # a loop is a session's: exposed are the sessions with a signal event
        ev = units.events.filter(units.events.event.isin(list(hyp.signal_events)))
        s = ev.select(s_session=ev.session_id.cast("string")).distinct()
        j = r.left_join(s, r.unit_id == s.s_session)
        r = j.select(r, signal=j.s_session.notnull())
    elif hyp.signal_events and units.signals is not None:
        s = units.signals.filter(units.signals.event.isin(list(hyp.signal_events)))
        s = s.group_by("unit_id").agg(s_last=s.last_ts.max())
        s = s.select(s_unit="unit_id", s_last="s_last")
        j = r.left_join(s, r.unit_id == s.s_unit)
        r = j.select(r, signal=(j.s_last >= j.at_ts).fill_null(False))
    else:
        r = r.mutate(signal=ibis.literal(False))
    if hyp.period is not None:
        start = dt.datetime.combine(hyp.period.start, dt.time())
        end = dt.datetime.combine(hyp.period.end, dt.time()) + dt.timedelta(days=1)
        r = r.mutate(
            in_period=(r.at_ts >= ibis.literal(start, "timestamp"))
            & (r.at_ts < ibis.literal(end, "timestamp"))
        )
    else:
        r = r.mutate(in_period=ibis.literal(True))
    who = hyp.persona or "all"
    place = hyp.place
    period = "" if hyp.period is None else f" in {hyp.period}"
    if hyp.contrast == "signal":
        pop = r.member & r.in_period & r.touched
        exposed, comparison = pop & r.signal, pop & ~r.signal
        events = ", ".join(hyp.signal_events)
        sides = Sides(
            f"{who} at {place}{period} with {events}",
            f"{who} at {place}{period} without {events}",
        )
    elif hyp.contrast == "period":
        pop = r.member & r.touched
        exposed, comparison = pop & r.in_period, pop & ~r.in_period
        sides = Sides(
            f"{who} at {place}{period}", f"{who} at {place} outside {hyp.period}"
        )
    elif hyp.contrast == "persona":
        pop = r.touched
        exposed, comparison = pop & r.member, pop & r.known & ~r.member
        sides = Sides(
            f"{who} at {place}", f"other customers at {place} (attributes known)"
        )
    elif hyp.outcome in ANSWER_OUTCOMES:  # touchpoint: answers at it vs the others
        exposed, comparison = r.touched, ~r.touched
        what = "answers" if hyp.outcome == "low_score" else "comments"
        sides = Sides(
            f"{what} at {place}",
            f"{what} at the other touchpoints of {hyp.stage_id}",
        )
    else:  # touchpoint
        exposed, comparison = r.touched, ~r.touched
        sides = Sides(
            f"at {hyp.stage_id} and touched {place}",
            f"at {hyp.stage_id}, did not touch {place}",
        )
    side = ibis.cases((exposed, "e"), (comparison, "c"), else_=ibis.null("string"))
    return r.mutate(side=side), sides
