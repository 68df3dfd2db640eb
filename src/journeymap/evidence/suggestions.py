"""Suggested pain points: where a persona does measurably worse than everyone else.

For every persona (its rule columns known in the data, not defined by events), every
stage and every outcome — drop-off (stages before the last), loop (per session, with
the variance clustered by customer) and slow, and drop-off per touchpoint — the persona's units are contrasted with the *other* units at
the same place whose rule columns are known (missing attributes are nobody's persona).
All these tests form one Benjamini–Hochberg family; a suggestion needs the same as a
supported verdict (q ≤ alpha, a practical effect, enough units). Places a map pain
point already claims for that persona and outcome are left out. Observable stays only,
so an older cohort is not "slow" because it had longer to come back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import ibis

from journeymap.analytics.stats import benjamini_hochberg
from journeymap.evidence.contrasts import (
    Contrast,
    Group,
    Thresholds,
    cluster_sums_expr,
    clustered_variance,
)
from journeymap.evidence.hypotheses import hypothesis_of, session_visits
from journeymap.evidence.verdicts import OUTCOME_WORDS
from journeymap.voc.outcomes import as_count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.evidence.members import Membership
    from journeymap.evidence.units import Units

__all__ = ["Suggestions", "suggest_pain_points"]


@dataclass(frozen=True)
class Suggestions:
    items: tuple[dict[str, Any], ...]
    tests: int
    note: str | None = None


@dataclass(frozen=True)
class _Test:
    stage_id: str
    touchpoint_id: str | None
    persona: str
    contrast: Contrast


def _sides(table: ir.Table, membership: ir.Table) -> ir.Table:
    m = membership.select(m_unit="unit_id", m_member="member", m_known="known")
    joined = table.join(m, table.unit_id == m.m_unit)
    joined = joined.filter(joined.m_known)
    return joined.mutate(member=joined.m_member)


def _persona_tests(units: Units, persona: str, membership: ir.Table) -> list[_Test]:
    ids = units.journey.stage_ids()
    last = len(ids) - 1
    stays = _sides(units.stays.filter(units.stays.observable), membership)
    grouped = stays.group_by(["stage_index", "member"]).agg(
        units=stays.count(),
        dropped=stays.dropped.cast("int64").sum(),
        looped=stays.looped.cast("int64").sum(),
        timed=stays.timed.cast("int64").sum(),
        slow=stays.slow.cast("int64").sum(),
    )
    counts = {
        (int(r["stage_index"]), bool(r["member"])): r
        for r in units.execute(grouped).to_dict("records")
    }
    out = []
    for k, stage_id in enumerate(ids):
        yes, no = counts.get((k, True)), counts.get((k, False))
        if yes is None or no is None:
            continue
        for outcome, n_col, x_col in (
            ("dropoff", "units", "dropped"),
            ("slow", "timed", "slow"),
        ):
            if outcome == "dropoff" and k == last:
                continue
            contrast = Contrast.of(
                outcome,
                Group(
                    f"{persona} at {stage_id}",
                    as_count(yes[n_col]),
                    as_count(yes[x_col]),
                ),
                Group(
                    f"others at {stage_id}", as_count(no[n_col]), as_count(no[x_col])
                ),
            )
            out.append(_Test(stage_id, None, persona, contrast))
    out += _loop_tests(units, persona, membership)
    # drop-off per touchpoint
    t = units.touches.filter(units.touches.stage_index < last).select(
        t_unit="unit_id", t_tp="touchpoint_id", t_stage="stage_index"
    )
    joined = stays.join(
        t, (stays.unit_id == t.t_unit) & (stays.stage_index == t.t_stage)
    )
    grouped = joined.group_by(touchpoint_id=joined.t_tp, member=joined.member).agg(
        units=joined.count(), dropped=joined.dropped.cast("int64").sum()
    )
    tps = {
        (str(r["touchpoint_id"]), bool(r["member"])): r
        for r in units.execute(grouped).to_dict("records")
    }
    for stage, tp in units.journey.touchpoints():
        yes, no = tps.get((tp.id, True)), tps.get((tp.id, False))
        if yes is None or no is None:
            continue
        contrast = Contrast.of(
            "dropoff",
            Group(
                f"{persona} at {tp.id}",
                as_count(yes["units"]),
                as_count(yes["dropped"]),
            ),
            Group(f"others at {tp.id}", as_count(no["units"]), as_count(no["dropped"])),
        )
        out.append(_Test(stage.id, tp.id, persona, contrast))
    return out


def _loop_tests(units: Units, persona: str, membership: ir.Table) -> list[_Test]:
    """Loops per session (a loop happens within one), clustered by customer."""
    visits = session_visits(units)
    if visits is None:
        return []
    m = membership.select(m_unit="unit_id", m_member="member", m_known="known")
    joined = visits.join(m, visits.member_id == m.m_unit)
    joined = joined.filter(joined.m_known).mutate(
        side=ibis.ifelse(joined.m_member, "e", "c")
    )
    frame = units.execute(cluster_sums_expr(joined, ["stage_index"]))
    ids = units.journey.stage_ids()
    out = []
    for row in sorted(frame.to_dict("records"), key=lambda r: int(r["stage_index"])):
        stage_id = ids[int(row["stage_index"])]
        contrast = Contrast.of(
            "loop",
            Group(
                f"{persona} sessions at {stage_id}",
                as_count(row["n_e"]),
                as_count(row["x_e"]),
            ),
            Group(
                f"others' sessions at {stage_id}",
                as_count(row["n_c"]),
                as_count(row["x_c"]),
            ),
            variance=clustered_variance(row),
        )
        out.append(_Test(stage_id, None, persona, contrast))
    return out


def suggest_pain_points(
    units: Units,
    memberships: dict[str, Membership],
    *,
    thresholds: Thresholds = Thresholds(),
    top: int = 10,
) -> Suggestions:
    """Significant, practical persona contrasts no map pain point claims yet."""
    tests: list[_Test] = []
    for persona in sorted(memberships):
        m = memberships[persona]
        if m.table is None or m.circular:
            continue
        tests += _persona_tests(units, persona, m.table)
    tests = [t for t in tests if t.contrast.enough(thresholds)]
    qs = benjamini_hochberg([t.contrast.p_value for t in tests])
    tests = [
        replace(t, contrast=t.contrast.with_q(q))
        for t, q in zip(tests, qs, strict=True)
    ]
    # a map pain point claims its stage for its persona and outcome (a touchpoint's
    # figures are part of its stage's), so nothing there is suggested again
    claimed = set()
    for stage, pain in units.journey.pain_points():
        hyp = hypothesis_of(units.journey, stage.id, pain)
        claimed.add((hyp.stage_id, hyp.persona, hyp.outcome))
    holding = [t for t in tests if t.contrast.holds(thresholds)]
    # a touchpoint finding is implied by the same finding for its whole stage
    stage_level = {
        (t.stage_id, t.persona, t.contrast.outcome)
        for t in holding
        if t.touchpoint_id is None
    }
    found = [
        t
        for t in holding
        if (t.stage_id, t.persona, t.contrast.outcome) not in claimed
        and (
            t.touchpoint_id is None
            or (t.stage_id, t.persona, t.contrast.outcome) not in stage_level
        )
    ]
    found.sort(key=_impact_key)
    items = tuple(_item(t) for t in found[:top])
    note = (
        f"suggestions: {len(holding)} of {len(tests):,} persona tests hold, "
        f"{len(found)} not already claimed or implied"
    )
    if len(found) > top:
        note += f" (top {top} of {len(found)} listed)"
    return Suggestions(items, len(tests), note)


def _impact(t: _Test) -> float:
    return t.contrast.exposed.units * max(0.0, t.contrast.difference or 0.0)


def _impact_key(t: _Test) -> tuple[Any, ...]:
    return (
        -round(_impact(t), 9),
        t.stage_id,
        t.touchpoint_id or "",
        t.persona,
        t.contrast.outcome,
    )


def _item(t: _Test) -> dict[str, Any]:
    c = t.contrast
    place = t.touchpoint_id or t.stage_id
    text = (
        f"{t.persona} {OUTCOME_WORDS[c.outcome]} at {place}: {c.exposed.rate:.0%} vs "
        f"{c.comparison.rate:.0%} for others (q = {c.q_value:.2g}, n = {c.exposed.units:,})"
    )
    return {
        "kind": "touchpoint" if t.touchpoint_id else "stage",
        "id": place,
        "stage_id": t.stage_id,
        "touchpoint_id": t.touchpoint_id,
        "persona": t.persona,
        "outcome": c.outcome,
        "impact": _impact(t),
        "p_value": c.p_value,
        "q_value": c.q_value,
        "test": c.to_dict(),
        "text": text,
    }
