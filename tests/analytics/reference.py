"""Plain-Python reference implementations of the sequence metrics (docs/reference/metrics.md).

Written for clarity, not speed: one customer at a time, straight from the definitions
in docs/reference/metrics.md. The property tests check the Ibis expressions against
them on random small logs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Event = dict[str, Any]  # customer_id, timestamp, event, event_seq, [channel, ...]


def journeys(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Each customer's events in ``(timestamp, event_seq)`` order."""
    by_customer: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_customer[event["customer_id"]].append(event)
    return {
        cid: sorted(evs, key=lambda e: (e["timestamp"], e["event_seq"]))
        for cid, evs in by_customer.items()
    }


def seconds(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds()


def quantile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q * 100, method="linear")) if values else None


# -- transitions ------------------------------------------------------------------------
def transitions(events: Iterable[Event], by: str = "event") -> dict[tuple, tuple]:
    """``(source, target) -> (count, customers, median_seconds, p90_seconds)``."""
    gaps: dict[tuple, list[float]] = defaultdict(list)
    who: dict[tuple, set[str]] = defaultdict(set)
    for cid, evs in journeys(events).items():
        for a, b in zip(evs, evs[1:], strict=False):
            key = (a.get(by), b.get(by))
            gaps[key].append(seconds(b["timestamp"], a["timestamp"]))
            who[key].add(cid)
    return {
        key: (len(g), len(who[key]), quantile(g, 0.5), quantile(g, 0.9))
        for key, g in gaps.items()
    }


def endpoints(events: Iterable[Event], by: str = "event", *, end: bool) -> Counter:
    return Counter(evs[-1 if end else 0].get(by) for evs in journeys(events).values())


# -- variants and paths -------------------------------------------------------------------
def ranked(counts: Counter) -> list[tuple[tuple[str, ...], int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def variants(events: Iterable[Event]) -> list[tuple[tuple[str, ...], int]]:
    paths = Counter(tuple(e["event"] for e in evs) for evs in journeys(events).values())
    return ranked(paths)


def paths(
    events: Iterable[Event],
    *,
    from_event: str | None = None,
    to_event: str | None = None,
    steps_before: int = 0,
    steps_after: int = 3,
) -> list[tuple[tuple[str, ...], int]]:
    found: Counter = Counter()
    for evs in journeys(events).values():
        names = [e["event"] for e in evs]
        span = _anchor(names, from_event, to_event)
        if span is None:
            continue
        start, stop = span
        low = max(start - steps_before, 0)
        found[tuple(names[low : stop + steps_after + 1])] += 1
    return ranked(found)


def _anchor(
    names: list[str], from_event: str | None, to_event: str | None
) -> tuple[int, int] | None:
    if from_event is None and to_event is None:
        return (0, 0)
    first = from_event if from_event is not None else to_event
    if first not in names:
        return None
    start = names.index(first)
    if from_event is None or to_event is None:
        return (start, start)
    later = [i for i in range(start + 1, len(names)) if names[i] == to_event]
    return (start, later[0]) if later else None


# -- funnels --------------------------------------------------------------------------------
@dataclass
class Funnel:
    steps: Sequence[str]
    mode: str = "ordered"
    window_s: float | None = None
    step_windows_s: Sequence[float | None] | None = None
    exclude: Sequence[str] = ()
    optional: set[int] = field(default_factory=set)  # 0-based
    breakdown: str | None = None
    breakdown_at: str = "first_touch"

    def reference(self, j: int) -> int:
        return max(i for i in range(j) if i not in self.optional)

    def step_window(self, j: int) -> float | None:
        return self.step_windows_s[j - 1] if self.step_windows_s else None


def _ok(f: Funnel, e: Event, j: int, ref: dt.datetime, t0: dt.datetime) -> bool:
    ts = e["timestamp"]
    if f.window_s is not None and seconds(ts, t0) > f.window_s:
        return False
    wj = f.step_window(j)
    return wj is None or seconds(ts, ref) <= wj


def ordered_reach(evs: list[Event], f: Funnel) -> list[Event | None] | None:
    """The matched event of every step (None when not reached); None if no step 1."""
    firsts = [e for e in evs if e["event"] == f.steps[0]]
    if not firsts:
        return None
    matched: list[Event | None] = [firsts[0]] + [None] * (len(f.steps) - 1)
    t0 = firsts[0]["timestamp"]
    for j in range(1, len(f.steps)):
        ref_event = matched[f.reference(j)]
        if ref_event is None:
            continue
        ref = ref_event["timestamp"]
        cands = [
            e
            for e in evs
            if e["event"] == f.steps[j]
            and e["timestamp"] > ref
            and _ok(f, e, j, ref, t0)
        ]
        if not cands:
            continue
        hit = cands[0]  # journey order: earliest time, then lowest event_seq
        if any(
            e["event"] in f.exclude and ref < e["timestamp"] < hit["timestamp"]
            for e in evs
        ):
            continue
        matched[j] = hit
    return matched


def strict_reach(evs: list[Event], f: Funnel) -> list[Event | None] | None:
    best: list[Event] | None = None
    for p, e in enumerate(evs):
        if e["event"] != f.steps[0]:
            continue
        run = [e]
        for k in range(1, len(f.steps)):
            if p + k >= len(evs):
                break
            nxt, prev = evs[p + k], evs[p + k - 1]
            if nxt["event"] != f.steps[k] or not nxt["timestamp"] > prev["timestamp"]:
                break
            if not _ok(f, nxt, k, prev["timestamp"], e["timestamp"]):
                break
            run.append(nxt)
        if best is None or len(run) > len(best):
            best = run
    if best is None:
        return None
    return best + [None] * (len(f.steps) - len(best))


def any_order_reach(evs: list[Event], f: Funnel) -> list[Event | None] | None:
    hits = [e for e in evs if e["event"] in f.steps]
    if not hits:
        return None
    anchor = hits[0]
    inside = [
        e
        for e in hits
        if f.window_s is None
        or seconds(e["timestamp"], anchor["timestamp"]) <= f.window_s
    ]
    have = Counter(e["event"] for e in inside)
    reached: list[Event | None] = []
    for j in range(len(f.steps)):
        need = Counter(
            f.steps[i] for i in range(j + 1) if i == j or i not in f.optional
        )
        ok = all(have[name] >= times for name, times in need.items())
        reached.append(anchor if ok else None)  # the anchor stands for "reached"
    return reached if reached[0] is not None else None


REACH = {"ordered": ordered_reach, "strict": strict_reach, "any_order": any_order_reach}


def funnel(events: Iterable[Event], f: Funnel) -> dict[Any, dict[str, Any]]:
    """Per breakdown value (None without breakdown): ``counts`` per step and ``gaps``
    (seconds from the reference step) per step."""
    groups: dict[Any, dict[str, Any]] = {}
    n = len(f.steps)
    for evs in journeys(events).values():
        matched = REACH[f.mode](evs, f)
        if matched is None:
            continue
        key = _breakdown(matched, f)
        group = groups.setdefault(key, {"counts": [0] * n, "gaps": defaultdict(list)})
        for j, hit in enumerate(matched):
            if hit is None:
                continue
            group["counts"][j] += 1
            ref = matched[f.reference(j)] if j else None
            if j and ref is not None and f.mode != "any_order":
                group["gaps"][j].append(seconds(hit["timestamp"], ref["timestamp"]))
    return groups


def _breakdown(matched: list[Event | None], f: Funnel) -> Any:
    if f.breakdown is None:
        return None
    if f.breakdown_at == "first_touch":
        at = 0
    elif f.breakdown_at == "last_touch":
        at = max(j for j, hit in enumerate(matched) if hit is not None)
    else:
        at = list(f.steps).index(f.breakdown_at)
    hit = matched[at]
    return None if hit is None else hit.get(f.breakdown)


# -- time to convert ----------------------------------------------------------------------
def time_to_convert(
    events: Iterable[Event], conversion: Sequence[str], from_event: str | None = None
) -> tuple[int, list[float]]:
    """``(customers with a start, seconds per converter)``."""
    starters = 0
    values = []
    for evs in journeys(events).values():
        starts = [e for e in evs if from_event is None or e["event"] == from_event]
        if not starts:
            continue
        starters += 1
        start = starts[0]["timestamp"]
        conv = [
            e["timestamp"]
            for e in evs
            if e["event"] in conversion and e["timestamp"] >= start
        ]
        if conv:
            values.append(seconds(min(conv), start))
    return starters, values


def histogram(values: Sequence[float], bins: int) -> list[int]:
    high = max(values)
    if high <= 0:
        return [len(values)]
    counts = [0] * bins
    for v in values:
        counts[min(int(np.floor(v * bins / high)), bins - 1)] += 1
    return counts


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """The step-up procedure as published (Benjamini & Hochberg 1995): q of the
    i-th smallest of m p-values = min over j >= i of p_(j) * m / j; NaN left out."""
    present = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(present)
    out = [math.nan] * len(p_values)
    running = 1.0
    for rank in range(m, 0, -1):
        p, index = present[rank - 1]
        running = min(running, p * m / rank)
        out[index] = running
    return out
