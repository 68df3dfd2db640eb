"""A new journey map file, written from a stage framework, with comments that teach.

The text is written line by line rather than dumped, so that every section can carry
an explanation. Tests check that each framework's template loads and that loading and
saving it again changes no byte.
"""

from __future__ import annotations

import re

from journeymap.model.frameworks import Framework, PresetStage, get_framework

_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.()/&+-]*$")  # never a number or date
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}

_HEADER = """\
# Journey map: {title}
#
# This file describes the journey as designed. `journeymap validate FILE` checks it;
# `journeymap measure FILE` compares it with what customers really do in the event data.
# Every field is explained in docs/reference/journey-file.md.
#
# Framework: {framework} ({framework_id}).
# Source: {source}

journeymap: 1  # file format version
name: {name}
description: Whose journey this is, where it starts and where it ends.
state: current  # current = as it is today; future = as it should become
owner: CX team
review: {{every_days: 90}}  # review the map every 90 days; add `last: YYYY-MM-DD`
framework: {framework_id}
"""

_DEPARTMENTS = """
# Departments (optional): who owns touchpoints, pain points and opportunities.
# Once declared, every `department:` in the map must name one of these ids.
departments:
  - {id: marketing, name: Marketing}
  - {id: customer-service, name: Customer service}
"""

_PERSONAS = """
# Personas: groups of customers with goals and needs. `segment` is a rule over
# customer attributes (columns in the event data) that decides who belongs:
#   ==  !=  <  <=  >  >=   in ('a', 'b')   not in (...)   is null   is not null
#   combined with and, or, not and parentheses; text in quotes.
personas:
  - id: first-time-customer
    name: First-time customer
    description: Someone who has never bought from us.
    goals:
      - Get what they need quickly
    needs:
      - Clear prices
    segment: "previous_orders == 0 or previous_orders is null"
"""

_STAGES = """
# Stages: the phases of the journey, in order. Each stage lists its touchpoints (where
# the customer meets us) and the cards on it: pain points, opportunities and KPIs.
stages:
"""

_FIRST_STAGE_NOTES = """\
    goal: What the customer wants to achieve in this stage
    actions:  # what the customer does
      - Describe a step the customer takes
    thoughts:  # what the customer thinks or asks
      - A question the customer has
    emotion: 0  # assumed feeling, -1 (angry) .. 1 (delighted)
"""

_TOUCHPOINT_NOTES = """\
      # `match` decides which events belong to a touchpoint: `event` (names),
      # `event_prefix`, `channel` or `properties` ({column: value}); all must hold.
      # layer: frontstage (seen by the customer), backstage or support.
"""

_EXAMPLE_CARDS = """\
    pain_points:
      # evidence: observed (seen in data or research), assumed or proposed.
      - id: example-pain-point
        text: A problem customers meet here
        touchpoint: {touchpoint}
        evidence: assumed
        severity: medium  # low, medium, high or critical
    opportunities:
      # An idea, the pain points it addresses, and value and effort from 1 to 5.
      - id: example-opportunity
        text: An idea that would remove the pain
        addresses: [example-pain-point]
        status: idea  # idea, planned, in_progress, done or dropped
        value: 3
        effort: 3
"""

_KPI_NOTES = """\
      # metric: stage_reach, stage_conversion, stage_dropoff, median_time_in_stage_s,
      # conversion_rate, nps, csat, ces, sentiment, revenue_per_customer,
      # regression_rate or touchpoint_reach; target: a comparison and a number.
"""

_FOOTER = """
# Conversion: what counts as converting, for funnels and attribution.
conversion: {event: [purchase]}

# Data (optional): where the measuring data lives, relative to this file, and which
# of its columns hold the canonical customer_id, timestamp and event.
# data:
#   events: data/events.parquet
#   columns: {customer_id: user_id, timestamp: ts, event: event_name}
"""


def slugify(text: str) -> str:
    """Turn a name into an id: lower case, words joined by ``-``.

    Examples
    --------
    >>> slugify("Word of mouth")
    'word-of-mouth'
    >>> slugify("Sign-up & login!")
    'sign-up-login'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "touchpoint"


def yaml_text(text: str) -> str:
    """Text as a YAML scalar: plain when that is safe, double-quoted otherwise.

    Examples
    --------
    >>> yaml_text("Awareness"), yaml_text("Convert: demo")
    ('Awareness', '"Convert: demo"')
    """
    if _SAFE.match(text) and text == text.strip() and text.lower() not in _YAML_WORDS:
        return text
    return '"' + "".join(_escape(c) for c in text) + '"'


def _escape(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _touchpoint_ids(framework: Framework) -> list[list[str]]:
    """One id per typical touchpoint, unique across the map (stage id added on clash)."""
    taken: set[str] = set()
    result = []
    for stage in framework.stages:
        ids = []
        for name in stage.typical_touchpoints:
            candidate = slugify(name)
            if candidate in taken:
                candidate = f"{stage.id}-{candidate}"
            number = 2
            base = candidate
            while candidate in taken:
                candidate, number = f"{base}-{number}", number + 1
            taken.add(candidate)
            ids.append(candidate)
        result.append(ids)
    return result


def _touchpoint_lines(names: tuple[str, ...], ids: list[str]) -> str:
    lines = []
    for name, tp_id in zip(names, ids, strict=True):
        lines += [
            f"      - id: {tp_id}",
            f"        name: {yaml_text(name)}",
            f"        match: {{event: [{tp_id.replace('-', '_')}]}}",
        ]
    return "\n".join(lines) + "\n"


def _kpi_lines(stage: PresetStage) -> str:
    return "".join(
        f"      - {{id: {stage.id}-{metric.replace('_', '-')}, metric: {metric}}}\n"
        for metric in stage.suggested_kpis
    )


def _stage_text(stage: PresetStage, ids: list[str], *, first: bool) -> str:
    text = f"  - id: {stage.id}\n    name: {yaml_text(stage.name)}\n"
    text += f"    description: {yaml_text(stage.description)}\n"
    if first:
        text += _FIRST_STAGE_NOTES
    if stage.typical_touchpoints:
        text += "    touchpoints:\n"
        text += _TOUCHPOINT_NOTES if first else ""
        text += _touchpoint_lines(stage.typical_touchpoints, ids)
    if first and ids:
        text += _EXAMPLE_CARDS.format(touchpoint=ids[0])
    if stage.suggested_kpis:
        text += "    kpis:\n" + (_KPI_NOTES if first else "") + _kpi_lines(stage)
    return text


def new_map_yaml(framework_id: str, name: str) -> str:
    """Write a commented journey map for a framework, ready to edit and validate.

    Parameters
    ----------
    framework_id
        A preset id, e.g. ``"classic-5"`` (see :func:`list_frameworks`).
    name
        The map's name.

    Returns
    -------
    str
        YAML text that loads with :func:`load_map`: the preset's stages, one
        placeholder touchpoint per typical touchpoint, an example persona, pain point
        and opportunity, the suggested KPIs, a conversion and a commented data block.

    Raises
    ------
    MapError
        For an unknown framework id.

    Examples
    --------
    >>> from journeymap.model.spec import loads_map
    >>> loads_map(new_map_yaml("aida", "Demo")).stage_ids()
    ['attention', 'interest', 'desire', 'action']
    """
    framework = get_framework(framework_id)
    text = _HEADER.format(
        title="".join(c for c in " ".join(name.split()) if c.isprintable()),
        framework=framework.name,
        framework_id=framework.id,
        source=framework.source,
        name=yaml_text(name),
    )
    text += _DEPARTMENTS + _PERSONAS + _STAGES
    all_ids = _touchpoint_ids(framework)
    for index, (stage, ids) in enumerate(zip(framework.stages, all_ids, strict=True)):
        text += _stage_text(stage, ids, first=index == 0)
    return text + _FOOTER
