"""Cross-references in a journey map: ids that clash, names that point nowhere.

Field validation (pydantic) checks each card on its own; these checks need the whole
map. Each problem carries the pydantic-style location of the field, so the YAML loader
can turn it into a line number.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from journeymap.errors import MapError
from journeymap.model.frameworks import get_framework, unknown_framework_message
from journeymap.model.journey import JourneyMap
from journeymap.model.rules import parse_rule

Loc = tuple[str | int, ...]
MAP_VS_DATA = "map vs data: "  # the notes of measured.json that warn about the map


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a valid-looking map.

    ``loc`` is the path to the field, as pydantic spells it:
    ``("stages", 0, "pain_points", 1, "touchpoint")``. ``related`` optionally points at
    another field, e.g. the first use of a duplicated id.
    """

    loc: Loc
    message: str
    related: Loc | None = None


def check_references(journey: JourneyMap) -> list[Problem]:
    """Find ids that clash and references to things the map does not define.

    Checks: duplicate ids (stages, touchpoints, pain points, opportunities, KPIs,
    personas, departments — each unique across the whole map); a pain point's or KPI's
    ``touchpoint``; an opportunity's ``addresses`` (pain points) and ``kpis``;
    ``conversion.stage``; department references when departments are declared; the
    ``framework`` id; every persona's segment rule. Unknown names come with a
    did-you-mean suggestion.

    Parameters
    ----------
    journey
        A map that passed field validation.

    Returns
    -------
    list of Problem
        Empty when the map is consistent.

    Examples
    --------
    >>> from journeymap.model import JourneyMap
    >>> journey = JourneyMap.model_validate({"name": "x", "stages": [
    ...     {"id": "buy", "name": "Buy", "touchpoints": [{"id": "website", "name": "W"}],
    ...      "pain_points": [{"id": "slow", "text": "Slow", "touchpoint": "websit"}]}]})
    >>> check_references(journey)[0].message
    'pain point `slow` names touchpoint `websit`; did you mean `website`?'
    """
    return [
        *_duplicate_problems(journey),
        *_card_reference_problems(journey),
        *_department_problems(journey),
        *_map_reference_problems(journey),
        *_segment_problems(journey),
    ]


def _ids_with_locs(journey: JourneyMap) -> dict[str, list[tuple[str, Loc]]]:
    found: dict[str, list[tuple[str, Loc]]] = {
        kind: [] for kind in ("department", "persona", "stage")
    }
    found["department"] = [
        (d.id, ("departments", i)) for i, d in enumerate(journey.departments)
    ]
    found["persona"] = [(p.id, ("personas", i)) for i, p in enumerate(journey.personas)]
    found["stage"] = [(s.id, ("stages", i)) for i, s in enumerate(journey.stages)]
    lists = {
        "touchpoint": "touchpoints",
        "pain point": "pain_points",
        "opportunity": "opportunities",
        "KPI": "kpis",
    }
    for kind, attr in lists.items():
        found[kind] = [
            (card.id, ("stages", i, attr, j))
            for i, stage in enumerate(journey.stages)
            for j, card in enumerate(getattr(stage, attr))
        ]
    return found


def _duplicate_problems(journey: JourneyMap) -> Iterator[Problem]:
    for kind, entries in _ids_with_locs(journey).items():
        first: dict[str, Loc] = {}
        for card_id, loc in entries:
            if card_id in first:
                message = f"duplicate {kind} id `{card_id}`"
                yield Problem((*loc, "id"), message, related=(*first[card_id], "id"))
            else:
                first[card_id] = loc


def _unknown(owner: str, target: str, name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(known)), n=1)
    if close:
        return f"{owner} names {target} `{name}`; did you mean `{close[0]}`?"
    return f"{owner} names {target} `{name}`, which the map does not define"


def _card_reference_problems(journey: JourneyMap) -> Iterator[Problem]:
    touchpoints = {tp.id for _, tp in journey.touchpoints()}
    pains = {p.id for _, p in journey.pain_points()}
    kpis = {k.id for _, k in journey.kpis()}
    personas = {p.id for p in journey.personas}
    for i, stage in enumerate(journey.stages):
        here: Loc = ("stages", i)
        for j, pain in enumerate(stage.pain_points):
            if pain.touchpoint is not None and pain.touchpoint not in touchpoints:
                message = _unknown(
                    f"pain point `{pain.id}`",
                    "touchpoint",
                    pain.touchpoint,
                    touchpoints,
                )
                yield Problem((*here, "pain_points", j, "touchpoint"), message)
            if pain.persona is not None and pain.persona not in personas:
                message = _unknown(
                    f"pain point `{pain.id}`", "persona", pain.persona, personas
                )
                yield Problem((*here, "pain_points", j, "persona"), message)
        for j, kpi in enumerate(stage.kpis):
            if kpi.touchpoint is not None and kpi.touchpoint not in touchpoints:
                message = _unknown(
                    f"KPI `{kpi.id}`", "touchpoint", kpi.touchpoint, touchpoints
                )
                yield Problem((*here, "kpis", j, "touchpoint"), message)
        for j, opp in enumerate(stage.opportunities):
            owner = f"opportunity `{opp.id}`"
            loc = (*here, "opportunities", j)
            yield from _list_problems(
                owner, "pain point", opp.addresses, pains, (*loc, "addresses")
            )
            yield from _list_problems(owner, "KPI", opp.kpis, kpis, (*loc, "kpis"))


def _list_problems(
    owner: str, target: str, names: tuple[str, ...], known: set[str], loc: Loc
) -> Iterator[Problem]:
    for k, name in enumerate(names):
        if name not in known:
            yield Problem((*loc, k), _unknown(owner, target, name, known))


def _department_problems(journey: JourneyMap) -> Iterator[Problem]:
    if not journey.departments:
        return
    known = {d.id for d in journey.departments}
    for i, stage in enumerate(journey.stages):
        for attr, kind in (
            ("touchpoints", "touchpoint"),
            ("pain_points", "pain point"),
            ("opportunities", "opportunity"),
        ):
            for j, card in enumerate(getattr(stage, attr)):
                if card.department is not None and card.department not in known:
                    message = _unknown(
                        f"{kind} `{card.id}`", "department", card.department, known
                    )
                    yield Problem(("stages", i, attr, j, "department"), message)


def _map_reference_problems(journey: JourneyMap) -> Iterator[Problem]:
    conversion = journey.conversion
    stages = journey.stage_ids()
    if conversion is not None and conversion.stage is not None:
        if conversion.stage not in stages:
            message = _unknown("conversion", "stage", conversion.stage, stages)
            yield Problem(("conversion", "stage"), message)
    if journey.framework is not None:
        try:
            get_framework(journey.framework)
        except MapError:
            yield Problem(("framework",), unknown_framework_message(journey.framework))


def _segment_problems(journey: JourneyMap) -> Iterator[Problem]:
    for i, persona in enumerate(journey.personas):
        if persona.segment is None:
            continue
        try:
            parse_rule(persona.segment)
        except MapError as exc:
            yield Problem(("personas", i, "segment"), exc.message)


def absent_events(journey: JourneyMap, names: Iterable[str]) -> list[Problem]:
    """Event names the map's match rules and conversion expect but the data lacks.

    A misspelt name in a match rule leaves its touchpoint at 0 reached and shifts every
    stage figure without an error; a misspelt conversion event makes conversion 0.
    These are warnings, not map errors: the same map may be measured on a sample that
    lacks some events.

    Examples
    --------
    >>> from journeymap.model import JourneyMap
    >>> journey = JourneyMap.model_validate({"name": "x", "stages": [
    ...     {"id": "buy", "name": "Buy", "touchpoints": [{"id": "pay", "name": "Pay",
    ...      "match": {"event": ["checkout_strat", "pay"]}}]}]})
    >>> [(p.loc, p.message) for p in absent_events(journey, ["checkout_start", "pay"])]
    [(('stages', 0, 'touchpoints', 0, 'match', 'event', 0), 'touchpoint `pay` matches event `checkout_strat`, which never occurs in the data; did you mean `checkout_start`?')]
    """
    known = sorted({str(n) for n in names})
    present = set(known)
    problems = []
    for i, stage in enumerate(journey.stages):
        for j, tp in enumerate(stage.touchpoints):
            if tp.match is None:
                continue
            loc: Loc = ("stages", i, "touchpoints", j, "match")
            for k, event in enumerate(tp.match.event):
                if event not in present:
                    problems.append(Problem(
                        (*loc, "event", k),
                        f"touchpoint `{tp.id}` matches event `{event}`, which never "
                        f"occurs in the data{did_you_mean(event, known)}",
                    ))  # fmt: skip
            prefix = tp.match.event_prefix
            if prefix and not any(n.startswith(prefix) for n in known):
                problems.append(Problem(
                    (*loc, "event_prefix"),
                    f"touchpoint `{tp.id}` matches events starting with `{prefix}`, "
                    "and no event in the data does",
                ))  # fmt: skip
    conversion = journey.conversion
    for k, event in enumerate(() if conversion is None else conversion.event):
        if event not in present:
            problems.append(Problem(
                ("conversion", "event", k),
                f"conversion event `{event}` never occurs in the data"
                f"{did_you_mean(event, known)}",
            ))  # fmt: skip
    return problems


def did_you_mean(name: str, known: list[str]) -> str:
    """``"; did you mean `x`?"`` for the closest of ``known`` event names, or ``""``.

    The cutoff is above difflib's 0.6, which offered `id_rejected` for
    `postident_requested`: a wrong hint reads as if the tool knew better."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return f"; did you mean `{close[0]}`?" if close else ""
