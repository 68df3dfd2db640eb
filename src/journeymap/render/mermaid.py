"""A journey map as a Mermaid ``journey`` diagram (renders in GitHub, GitLab, Notion).

Mermaid scores tasks 1..5: an emotion of −1..1 maps to ``3 + 2·e``, measured emotion
first, then the map's assumption, else a neutral 3. Characters that end a Mermaid
field (``:``, ``;``, ``#``, newlines) are replaced so user text cannot break the syntax.
"""

from __future__ import annotations

import re

from journeymap.model.journey import JourneyMap, Stage
from journeymap.model.measured import MeasuredMap

_BREAKERS = re.compile(r"[:;#\r\n\t%]+")


def render_mermaid(journey: JourneyMap, measured: MeasuredMap | None = None) -> str:
    """The map's stages as sections and their touchpoints as scored tasks.

    Examples
    --------
    >>> from journeymap.model import JourneyMap, Stage, Touchpoint
    >>> stage = Stage(id="s", name="Buy: now", emotion=0.5,
    ...               touchpoints=[Touchpoint(id="t", name="Shop")])
    >>> print(render_mermaid(JourneyMap(name="Demo", stages=[stage])))
    journey
        title Demo
        section Buy - now
          Shop: 4: Customer
    <BLANKLINE>
    """
    actors = "Customer"
    lines = ["journey", f"    title {_clean(journey.name)}"]
    for stage in journey.stages:
        lines.append(f"    section {_clean(stage.name)}")
        tasks = [tp for tp in stage.touchpoints if tp.layer != "backstage"]
        names: list[tuple[str | None, str]] = [(tp.id, tp.name) for tp in tasks]
        names = names or [(None, stage.goal or stage.name)]
        for touchpoint_id, name in names:
            score = _score(stage, touchpoint_id, measured)
            lines.append(f"      {_clean(name)}: {score}: {actors}")
    return "\n".join(lines) + "\n"


def _score(
    stage: Stage, touchpoint_id: str | None, measured: MeasuredMap | None
) -> int:
    emotion = stage.emotion
    if measured is not None:
        stage_emotion = measured.stage_emotion.get(stage.id)
        if stage_emotion is not None and stage_emotion.measured is not None:
            emotion = stage_emotion.measured
        figures = next(
            (t for t in measured.touchpoints if t.touchpoint_id == touchpoint_id), None
        )
        if figures is not None and figures.emotion.measured is not None:
            emotion = figures.emotion.measured
    if emotion is None:
        return 3
    return max(1, min(5, round(3 + 2 * emotion)))


def _clean(text: str) -> str:
    return " ".join(_BREAKERS.sub(" - ", text).split()) or "-"
