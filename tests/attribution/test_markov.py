from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeymap.attribution import attribute_conversions
from journeymap.attribution.markov import (
    chain_from_counts,
    conversion_probability,
    removal_effects,
)
from journeymap.errors import AnalysisError

from . import reference
from .conftest import load, records
from .strategies import PROPERTY, random_rows


def _credits(result):
    return {c.channel: c for c in result.credits}


def test_hand_computed_order_one(make_log):
    # paths: social→web (buys), web (no), social (no)
    log = make_log(
        [
            ("a", 0, "ad", "social"),
            ("a", 1, "visit", "web"),
            ("a", 2, "buy", "web"),
            ("b", 0, "visit", "web"),
            ("c", 0, "ad", "social"),
        ]
    )
    result = attribute_conversions(log, "buy", model="markov")
    # P(conv) = 2/3·1/2·1/2 + 1/3·1/2 = 1/3; without social 1/6; without web 0
    assert result.conversion_probability == pytest.approx(1 / 3, abs=1e-12)
    got = _credits(result)
    assert got["social"].removal_effect == pytest.approx(0.5, abs=1e-12)
    assert got["web"].removal_effect == pytest.approx(1.0, abs=1e-12)
    assert got["social"].attributed_conversions == pytest.approx(1 / 3, abs=1e-12)
    assert got["web"].attributed_conversions == pytest.approx(2 / 3, abs=1e-12)
    assert (result.paths, result.conversions) == (3, 1)
    assert result.columns == ("channel", "attributed_conversions", "removal_effect")


def test_repeats_collapse_unless_kept_and_self_loops_solve(make_log):
    rows = [
        ("a", 0, "v", "web"),
        ("a", 1, "v", "web"),
        ("a", 2, "v", "app"),
        ("a", 3, "buy", "web"),
        ("b", 0, "v", "web"),
        ("b", 1, "v", "web"),
    ]
    log = make_log(rows)
    collapsed = attribute_conversions(log, "buy")
    kept = attribute_conversions(log, "buy", keep_repeats=True)
    # collapsed: web→app→conv, web→null: P = 1/2; kept: web self-loop 2/4
    assert collapsed.conversion_probability == pytest.approx(0.5, abs=1e-12)
    # kept: web→web 2, web→app 1, web→null 1: P(web reaches app) = 1/2
    assert kept.conversion_probability == pytest.approx(0.5, abs=1e-12)
    assert _credits(kept)["app"].removal_effect == pytest.approx(1.0, abs=1e-12)


def test_exclude_drops_events_and_touches(make_log):
    log = make_log(
        [
            ("a", 0, "v", "web"),
            ("a", 1, "push", "app"),
            ("a", 2, "buy", "web"),
            ("b", 0, "v", "direct"),
            ("b", 1, "v", "web"),
        ]
    )
    result = attribute_conversions(log, "buy", exclude=["push", "direct"])
    assert {c.channel for c in result.credits} == {"web"}
    assert result.paths == 2


def test_unreachable_conversion_gives_zero_effects(make_log):
    log = make_log([("a", 0, "v", "web"), ("b", 0, "v", "app")])
    result = attribute_conversions(log, "buy")
    assert result.conversions == 0
    assert all(c.removal_effect == 0 for c in result.credits)
    assert any("no path converts" in n for n in result.notes)


def test_empty_paths_are_counted_and_left_out(make_log):
    log = make_log([("a", 0, "buy", "web"), ("b", 0, "v", "web"), ("b", 1, "buy", "x")])
    result = attribute_conversions(log, "buy")
    assert (result.paths, result.conversions, result.empty_paths) == (1, 1, 1)


@PROPERTY
@given(rows=random_rows(), order=st.integers(1, 3), keep=st.booleans())
def test_matches_dense_reference_to_1e9_whatever_the_row_order(
    engine, rows, order, keep
):
    log = load(engine, rows)
    found, empty = reference.paths(records(log), ["buy"], keep_repeats=keep)
    result = attribute_conversions(log, "buy", order=order, keep_repeats=keep)
    want = reference.markov(found, order)
    got = _credits(result)
    assert set(got) == set(want)
    for channel, (effect, attributed) in want.items():
        assert got[channel].removal_effect == pytest.approx(effect, abs=1e-9)
        assert got[channel].attributed_conversions == pytest.approx(
            attributed, abs=1e-9
        )
    assert result.empty_paths == empty
    assert result.paths == len(found)
    # the fitted chain reproduces the observed conversion rate (flow conservation)
    if found:
        rate = sum(p[1] for p in found) / len(found)
        assert result.conversion_probability == pytest.approx(rate, abs=1e-9)
    # efficiency: credits add up to the conversions (or all are 0)
    total = sum(c.attributed_conversions for c in result.credits)
    assert total == pytest.approx(result.conversions if total else 0, abs=1e-9)
    shuffled = list(rows)
    random.Random(len(rows)).shuffle(shuffled)
    assert (
        attribute_conversions(
            load(engine, shuffled), "buy", order=order, keep_repeats=keep
        )
        == result
    )


def _random_chain(rng: np.random.Generator, n: int, *, self_loops: bool):
    """Counts rows of a random chain: loops, optional self-loops, some dead ends."""
    import pandas as pd

    names = [f"c{i}" for i in range(n)]
    rows = []
    for i, a in enumerate(names):
        rows.append((a, None, "null", True, int(rng.integers(0, 4))))
        for j, b in enumerate(names):
            if (i != j or self_loops) and rng.random() < 0.5:
                rows.append((a, b, "touch", False, int(rng.integers(1, 6))))
        rows.append((a, None, "null", False, int(rng.integers(1, 4))))
        if rng.random() < 0.4:
            rows.append((a, None, "conv", False, int(rng.integers(1, 4))))
    frame = pd.DataFrame(rows, columns=["touch", "nxt", "kind", "first", "count"])
    frame = frame[(frame["count"] > 0)]
    frame = frame.assign(nxt=frame["nxt"].where(frame["kind"] == "touch"))
    frame["value"] = 0.0
    return frame


@pytest.mark.parametrize("seed", range(12))
def test_random_chains_agree_with_matrix_powers(seed):
    rng = np.random.default_rng(seed)
    frame = _random_chain(rng, int(rng.integers(2, 7)), self_loops=seed % 2 == 0)
    if frame.loc[frame["first"], "count"].sum() == 0:
        frame.loc[frame.index[0], "count"] += 1
    chain = chain_from_counts(frame, 1)
    counts = {}
    for row in frame.itertuples(index=False):
        source = (row.touch,)
        counts.setdefault(source, {})
        if row.first:
            counts.setdefault(reference.START, {})
            counts[reference.START][source] = (
                counts[reference.START].get(source, 0) + row.count
            )
        if row.kind == "touch":
            key = (row.nxt,)
        elif row.kind in ("conv", "null"):
            key = reference.CONV if row.kind == "conv" else reference.NULL
        else:
            continue
        counts[source][key] = counts[source].get(key, 0) + row.count
    from collections import Counter

    counts = {k: Counter(v) for k, v in counts.items() if v}
    assert conversion_probability(chain) == pytest.approx(
        reference.absorption(counts), abs=1e-9
    )
    for channel, effect in removal_effects(chain).items():
        total = reference.absorption(counts)
        want = 1 - reference.absorption(counts, channel) / total if total else 0.0
        assert effect == pytest.approx(want, abs=1e-9)


def _planted(order: int, customers: int, seed: int) -> list[tuple]:
    """Paths from a process whose next channel depends on the last ``order`` ones."""
    rng = random.Random(seed)
    rows = []
    for c in range(customers):
        path = [rng.choice("abc")]
        while len(path) < 40 and rng.random() >= 0.15:  # stop: the same at every step
            if order == 2 and len(path) >= 2:
                # strongly second order: repeat the channel of two steps back
                nxt = path[-2] if rng.random() < 0.9 else rng.choice("abc")
            else:
                nxt = rng.choice("abc")
            path.append(nxt)
        for i, ch in enumerate(path):
            rows.append((f"c{c}", i, "v", ch))
        if rng.random() < 0.3:
            rows.append((f"c{c}", len(path), "buy", "web"))
    return rows


@pytest.mark.parametrize(("planted", "customers"), [(1, 600), (2, 600)])
def test_auto_order_finds_the_planted_order(engine, planted, customers):
    log = load(engine, _planted(planted, customers, seed=planted))
    result = attribute_conversions(log, "buy", order="auto", keep_repeats=True)
    assert result.order == planted
    assert [s.order for s in result.order_scores] == [1, 2, 3, 4]
    assert all(math.isfinite(s.log_likelihood) for s in result.order_scores)


def test_bad_order_and_model_are_one_line_errors(make_log):
    log = make_log([("a", 0, "v", "web")])
    with pytest.raises(AnalysisError, match="order must be 1 to 4"):
        attribute_conversions(log, "buy", order=7)
    with pytest.raises(AnalysisError, match="unknown model"):
        attribute_conversions(log, "buy", model="magic")
    with pytest.raises(AnalysisError, match="no column 'plan'"):
        attribute_conversions(log, "buy", by="plan")


def test_docstring_examples_run():
    import doctest

    import journeymap.attribution.channels as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_session_scope_builds_one_path_per_session(engine):
    import pandas as pd

    from journeymap.ingest import read_events

    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a"],
            "timestamp": pd.to_datetime(
                [
                    "2024-01-01 10:00",
                    "2024-01-01 10:05",
                    "2024-01-02 09:00",
                    "2024-01-02 09:01",
                ]  # fmt: skip
            ),
            "event": ["v", "buy", "v", "v"],
            "channel": ["web", "web", "app", "mail"],
            "session_id": ["s1", "s1", "s2", "s2"],
        }
    )
    log = read_events(frame).to_engine(engine)
    per_session = attribute_conversions(log, "buy", scope="session")
    per_customer = attribute_conversions(log, "buy")
    assert (per_session.paths, per_session.conversions) == (2, 1)
    assert (per_customer.paths, per_customer.conversions) == (1, 1)
    # per session: web converts, app → mail does not
    assert {c.channel: c.removal_effect for c in per_session.credits} == {
        "web": pytest.approx(1.0),
        "app": 0.0,
        "mail": 0.0,
    }
