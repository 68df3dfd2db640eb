"""``measure_map``: prepare the events once, build the journey table once, judge, assemble."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journeymap.analytics.stages import customer_sequence_expr
from journeymap.attribution.summary import summarise_attribution
from journeymap.engine import with_scratch
from journeymap.evidence.contrasts import Thresholds
from journeymap.evidence.incidents import detect_incidents
from journeymap.evidence.members import Membership, persona_membership
from journeymap.evidence.suggestions import suggest_pain_points
from journeymap.evidence.units import NEGATIVE_TEXT, Units, build_units
from journeymap.evidence.verdicts import judge_pain_points
from journeymap.ingest.customers import (
    CustomerAttributes,
    join_customers,
    read_customers,
)
from journeymap.ingest.filters import filter_persona, filter_segment, filter_time
from journeymap.ingest.sessions import sessionize
from journeymap.model.references import MAP_VS_DATA, absent_events
from journeymap.voc.measure import measure_map as measure_voice
from journeymap.voc.observations import observations_expr

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.engine import EventLog
    from journeymap.model.journey import JourneyMap
    from journeymap.model.measured import MeasuredMap, PainPointVerdict

__all__ = [
    "journey_units",
    "measure_incidents",
    "measure_map",
    "measure_series",
    "prepare_log",
]

SCOPES = ("customer", "session")


def prepare_log(
    log: EventLog,
    journey: JourneyMap,
    *,
    customers: CustomerAttributes | pd.DataFrame | str | None = None,
    customers_id: str = "customer_id",
    session_timeout_s: float | None = None,
    since: str | None = None,
    until: str | None = None,
    where: str | None = None,
    persona: str | None = None,
) -> EventLog:
    """The events with customer attributes joined and a ``session_id`` on every row.

    Sessions: an existing ``session_id`` column is kept (its nulls filled by the
    inactivity rule); otherwise a session ends after ``session_timeout_s`` seconds
    without events (default: the map's ``data.sessions.timeout_minutes``, 30 min).
    Then the filters: events in ``[since, until)`` (UTC), events matching the rule
    ``where`` (customer attributes included), the customers of ``persona``.
    """
    data = journey.data
    if customers is not None:
        attrs = (
            customers
            if isinstance(customers, CustomerAttributes)
            else read_customers(customers, id_col=customers_id)
        )
        log = join_customers(log, attrs)
    column = None if data is None or data.sessions is None else data.sessions.column
    if column and column != "session_id" and log.has(column):
        table = log.table
        log = log.with_table(table.mutate(session_id=table[column].cast("string")))
    if session_timeout_s is None:
        minutes = (
            30.0
            if data is None or data.sessions is None
            else data.sessions.timeout_minutes
        )
        session_timeout_s = minutes * 60
    if not _has_every_session(log):
        log = sessionize(log, timeout_s=session_timeout_s)
    if since is not None or until is not None:
        log = filter_time(log, since, until)
    if where:
        log = filter_segment(log, where, level="event")
    if persona:
        log = filter_persona(log, journey, persona)
    return log


def _of_known_customers(answers: EventLog | None, log: EventLog) -> EventLog | None:
    """The survey or feedback rows of customers the events know.

    An answer of a customer without events would be a journey of its own: a survey
    row at a later touchpoint made that stage "reached" by people no event shows
    (with a survey export wider than the event export, a later stage was reached
    by twenty times more customers than the first).
    """
    if answers is None:
        return None
    if answers.engine is not log.engine:
        answers = answers.to_engine(log.engine)
    known = log.table.select("customer_id").distinct()
    return answers.with_table(answers.table.semi_join(known, "customer_id"))


def _has_every_session(log: EventLog) -> bool:
    """Whether every event already has a text ``session_id``: then deriving sessions
    would only fill nulls there are none of, and its two sorts are skipped."""
    if not log.has("session_id") or not log.table.session_id.type().is_string():
        return False
    return not bool(log.execute(log.table.session_id.isnull().any()))


def _signal_events(journey: JourneyMap) -> frozenset[str]:
    return frozenset(
        e
        for _, pain in journey.pain_points()
        if pain.signal
        for e in pain.signal.events
    )


def _negative_texts(log: EventLog, texts: pd.DataFrame) -> Any:
    """``text, negative`` in the engine, from the comments' VADER scores."""
    import pandas as pd

    if texts.empty:
        return None
    scored = texts.drop_duplicates("text").sort_values("text", kind="mergesort")
    frame = pd.DataFrame(
        {
            "text": pd.array(scored["text"].tolist(), dtype="string"),
            "negative": (scored["sentiment"] <= NEGATIVE_TEXT).tolist(),
        }
    )
    return log.engine.register_arrow(frame, prefix="negative_texts")


def _scope(journey: JourneyMap, scope: str | None) -> str:
    from journeymap.errors import AnalysisError

    if scope is None:
        scope = journey.data.scope if journey.data is not None else "customer"
    if scope not in SCOPES:
        raise AnalysisError(f"unknown scope {scope!r}; known: customer, session")
    return scope


@dataclass(frozen=True)
class Findings:
    """What the judges found: verdicts, suggestions, incidents and their notes."""

    verdicts: tuple[PainPointVerdict, ...]
    suggestions: tuple[dict[str, Any], ...]
    incidents: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


def judge(
    units: Units,
    memberships: dict[str, Membership],
    *,
    thresholds: Thresholds = Thresholds(),
    period: str = "week",
) -> Findings:
    """Run every judge over the journey table: verdicts, suggestions, incidents."""
    suggestions = suggest_pain_points(units, memberships, thresholds=thresholds)
    incidents = detect_incidents(
        units, memberships, thresholds=thresholds, period=period
    )
    notes = [
        f"evidence: scope {units.scope}; one-sided tests, Benjamini-Hochberg at q <= "
        f"{thresholds.alpha}; supported needs >= {thresholds.min_difference:.0%} "
        f"points and >= {thresholds.min_relative:.0%} relative, >= "
        f"{thresholds.min_units} units per group",
        *(n for n in (suggestions.note, incidents.note) if n),
        *(
            f"{MAP_VS_DATA}{p.message}"
            for p in absent_events(units.journey, units.event_names)
        ),
        *(
            f"persona `{m.persona}`: {m.problem}"
            for m in memberships.values()
            if m.problem
        ),
        *(
            f"persona `{m.persona}` is defined by events: left out of drop-off, loop "
            "and slow tests (circular)"
            for m in memberships.values()
            if m.circular
        ),
    ]
    return Findings(
        judge_pain_points(units, memberships, thresholds=thresholds),
        suggestions.items,
        incidents.items,
        tuple(notes),
    )


@with_scratch  # nothing it materialises outlives the call (ADR 0010)
def measure_map(
    journey: JourneyMap,
    log: EventLog,
    *,
    surveys: EventLog | None = None,
    feedback: EventLog | None = None,
    thresholds: Thresholds | None = None,
    clusters: bool | None = None,
    **options: Any,
) -> MeasuredMap:
    """Measure a journey map against events, surveys, feedback and customer attributes.

    Parameters
    ----------
    journey
        The map.
    log
        Canonical events; ``score``/``score_kind``/``text`` rows count as answers.
    surveys, feedback
        Separate survey and feedback rows (the same columns), counted exactly as if
        they were inside ``log``; rows of customers with no events in ``log`` are
        left out.
    thresholds
        Verdict thresholds (alpha, practical effect, minimum group size).
    clusters
        Whether to run the behavioural clustering (``None``: when the ``clusters``
        extra is installed).
    **options
        As :func:`journey_units`: ``customers``, ``customers_id``, ``scope``,
        ``session_timeout_s`` and the filters ``since``, ``until``, ``where``,
        ``persona``.

    Returns
    -------
    MeasuredMap
        ``to_dict()`` is measured.json (docs/reference/measured-map.md).
    """
    thresholds = thresholds or Thresholds()
    answers = [_of_known_customers(a, log) for a in (surveys, feedback)]
    units, memberships = journey_units(journey, log.append(*answers), **options)
    found = judge(units, memberships, thresholds=thresholds)
    sequence, stays = _customer_journeys(units)
    measured = measure_voice(
        journey,
        units.log,
        alpha=thresholds.alpha,
        min_customers=thresholds.min_units,
        clusters=clusters,
        verdicts=found.verdicts,
        suggestions=found.suggestions,
        observations=units.observations,
        texts=units.texts,
        sequence=sequence,
        stays=stays,
    )
    attribution = summarise_attribution(journey, units.log, scope=units.scope)
    return replace(
        measured,
        incidents=found.incidents,
        scope=units.scope,
        notes=(*measured.notes, *found.notes, *attribution.get("notes", ())),
        attribution=attribution,
    )


def _customer_journeys(units: Units) -> tuple[Any, Any]:
    """The journey table's matched events in each customer's order, and its stays
    when its units are customers (``voc`` counts per customer in either scope)."""
    seq = units.seq
    if seq is None:
        return None, None
    if units.scope == "customer":
        stays = units.stays.select("customer_id", "stage_index", "entry_ts", "moved_ts")
        return seq, stays
    matched = seq.select(
        "customer_id", "timestamp", "event_seq", "touchpoint_id", "stage_index"
    )
    return units.log.engine.materialize(
        customer_sequence_expr(matched), prefix="cseq"
    ), None


def journey_units(
    journey: JourneyMap,
    log: EventLog,
    *,
    scope: str | None = None,
    **options: Any,
) -> tuple[Units, dict[str, Membership]]:
    """The journey table of ``log`` under ``journey`` and every persona's membership.

    ``scope`` is ``customer`` or ``session`` (default: the map's ``data.scope``, else
    customer); ``options`` as :func:`prepare_log` (customer attributes, sessions,
    filters). The prepared, materialised log is ``units.log``.
    """
    from journeymap.voc.observations import feedback_texts

    scope = _scope(journey, scope)
    log = prepare_log(log, journey, **options).materialize()
    observations = log.engine.materialize(observations_expr(log, journey), prefix="obs")
    texts = feedback_texts(log, observations)
    units = build_units(
        log,
        journey,
        scope=scope,
        signal_events=_signal_events(journey),
        observations=observations,
        texts=texts,
        negative_texts=_negative_texts(log, texts),
    )
    return units, {p.id: persona_membership(units, p) for p in journey.personas}


@with_scratch  # nothing it materialises outlives the call (ADR 0010)
def measure_series(
    journey: JourneyMap, log: EventLog, *, period: str = "week", **options: Any
) -> pd.DataFrame:
    """Rates per stage, touchpoint and persona per week (or day); see
    :mod:`journeymap.evidence.series`. ``options`` as :func:`journey_units`."""
    from journeymap.evidence.series import rate_series

    units, memberships = journey_units(journey, log, **options)
    return rate_series(units, memberships, period=period)


@with_scratch  # nothing it materialises outlives the call (ADR 0010)
def measure_incidents(
    journey: JourneyMap,
    log: EventLog,
    *,
    period: str = "week",
    thresholds: Thresholds | None = None,
    **options: Any,
) -> tuple[dict[str, Any], ...]:
    """Incidents in every rate series; see :mod:`journeymap.evidence.incidents`."""
    units, memberships = journey_units(journey, log, **options)
    found = detect_incidents(
        units, memberships, thresholds=thresholds or Thresholds(), period=period
    )
    return found.items
