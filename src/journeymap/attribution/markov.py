"""Markov chain attribution of order 1 to 4, solved exactly.

The order-k chain's transient states are the last k touches of a path (fewer at its
start); ``conv`` and ``null`` absorb. Transition probabilities are the observed counts
normalised per state (the engine counts them, see :mod:`journeymap.attribution.paths`).

``P(conv)`` is the absorption probability into ``conv`` from the start: ``s · x`` where
``(I − Q) x = r`` (``Q`` transient-to-transient, ``r`` transient-to-conv, ``s`` the start
distribution). Removing channel c sends every transition into a state whose latest
touch is c to ``null``: the same solve restricted to the other states. Each solve is a
sparse LU factorisation (scipy), exact to rounding. The reference library estimates
these by simulating random walks, so its answers vary from run to run; solving the
linear system gives one answer (issue 13).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.errors import AnalysisError
from journeymap.model.attribution import AttributionResult, ChannelCredit, OrderScore

if TYPE_CHECKING:
    import pandas as pd
    from scipy import sparse

__all__ = [
    "Chain",
    "chain_from_counts",
    "conversion_probability",
    "markov_credits",
    "order_scores",
    "removal_effects",
]

State = tuple[str, ...]
FOLDS = 5
SMOOTHING = 0.5  # add-1/2 (Krichevsky-Trofimov) for held-out likelihood


@dataclass(frozen=True)
class Chain:
    """An absorbing chain estimated from counts: states in sorted order."""

    states: tuple[State, ...]
    start: np.ndarray  # paths starting in each state
    edges: sparse.csr_matrix  # counts state -> state
    conv: np.ndarray  # counts state -> conv
    null: np.ndarray  # counts state -> null
    value: float  # value of the conversions reached
    empty: int = 0  # units that converted before any touch

    @property
    def paths(self) -> int:
        return int(round(self.start.sum()))

    @property
    def conversions(self) -> int:
        return int(round(self.conv.sum()))

    def channels(self) -> tuple[str, ...]:
        return tuple(sorted({state[-1] for state in self.states}))


def chain_from_counts(frame: pd.DataFrame, order: int) -> Chain:
    """The chain of :func:`~journeymap.attribution.paths.transition_counts_expr` rows."""
    hist = [f"h{j}" for j in range(order - 1, 0, -1)]
    rows = frame[frame["kind"] != "empty"]
    empty = int(frame.loc[frame["kind"] == "empty", "count"].sum())
    # a "start" row only opens a path; its edge (a collapsed repeat) is not one
    keys = [
        _state(history, touch)
        for history, touch in zip(
            rows[hist].itertuples(index=False, name=None),
            rows["touch"].tolist(),
            strict=True,
        )
    ]
    nexts: list[State | None] = [
        (key + (nxt,))[-order:] if kind == "touch" else None
        for key, nxt, kind in zip(keys, rows["nxt"], rows["kind"], strict=True)
    ]
    states = tuple(sorted(set(keys) | {n for n in nexts if n is not None}))
    return _assemble(
        states,
        keys,
        nexts,
        kinds=rows["kind"].tolist(),
        counts=rows["count"].to_numpy(dtype=float),
        value=math.fsum(rows["value"].astype(float)),  # any row order
        empty=empty,
        starts=rows["first"].astype(bool).tolist(),
    )


def _state(history: Iterable[Any], touch: str) -> State:
    return tuple(h for h in history if _present(h)) + (touch,)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _assemble(
    states: tuple[State, ...],
    keys: list[State],
    nexts: list[State | None],
    *,
    kinds: list[str],
    counts: np.ndarray,
    value: float,
    empty: int,
    starts: list[bool],
) -> Chain:
    from scipy import sparse

    index = {state: i for i, state in enumerate(states)}
    n = len(states)
    start, conv, null = np.zeros(n), np.zeros(n), np.zeros(n)
    src, dst, weight = [], [], []
    for key, nxt, kind, count, first in zip(
        keys, nexts, kinds, counts, starts, strict=True
    ):
        i = index[key]
        if first:
            start[i] += count
        if kind == "conv":
            conv[i] += count
        elif kind == "null":
            null[i] += count
        elif kind == "touch":
            assert nxt is not None
            src.append(i)
            dst.append(index[nxt])
            weight.append(count)
    edges = sparse.csr_matrix((weight, (src, dst)), shape=(n, n))
    return Chain(states, start, edges, conv, null, value, empty)


def conversion_probability(chain: Chain, removed: str | None = None) -> float:
    """``P(conv)`` from the start; with ``removed``, transitions into its states go
    to ``null``."""
    from scipy import sparse
    from scipy.sparse.linalg import splu

    if chain.start.sum() == 0:
        return 0.0
    keep = np.array(
        [removed is None or state[-1] != removed for state in chain.states], bool
    )
    out = np.asarray(chain.edges.sum(axis=1)).ravel() + chain.conv + chain.null
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    q = sparse.diags(scale) @ chain.edges
    r = scale * chain.conv
    s = chain.start / chain.start.sum()
    idx = np.flatnonzero(keep)
    if idx.size == 0 or not r[idx].any():
        return 0.0
    sub = q[idx][:, idx].tocsc()
    system = (sparse.identity(idx.size, format="csc") - sub).tocsc()
    x = splu(system).solve(r[idx])
    return float(s[idx] @ x)


def removal_effects(chain: Chain) -> dict[str, float]:
    """``RE_c = 1 − P(conv | c removed) / P(conv)`` per channel (0 when P(conv) is 0)."""
    total = conversion_probability(chain)
    effects = {}
    for channel in chain.channels():
        if total <= 0:
            effects[channel] = 0.0
            continue
        effects[channel] = 1.0 - conversion_probability(chain, channel) / total
    return effects


def markov_credits(
    chain: Chain, *, by: str, has_value: bool, notes: Sequence[str] = ()
) -> AttributionResult:
    """Removal effects and attributed conversions (and value) of a chain."""
    effects = removal_effects(chain)
    total_effect = sum(effects.values())
    conversions = chain.conversions
    note = list(notes)
    if chain.empty:
        note.append(
            f"{chain.empty:,} units converted before any touch and have no path"
        )
    if conversions == 0:
        note.append("no path converts: every removal effect is 0")

    def share(effect: float) -> float:
        return effect / total_effect if total_effect > 0 else 0.0

    credits = tuple(
        ChannelCredit(
            channel=channel,
            attributed_conversions=conversions * share(effect),
            attributed_value=chain.value * share(effect) if has_value else None,
            removal_effect=effect,
        )
        for channel, effect in effects.items()
    )
    return AttributionResult(
        model="markov",
        by=by,
        credits=sort_credits(credits),
        paths=chain.paths,
        conversions=conversions,
        value=chain.value if has_value else None,
        conversion_probability=conversion_probability(chain),
        empty_paths=chain.empty,
        notes=tuple(note),
    )


def sort_credits(credits: Iterable[ChannelCredit]) -> tuple[ChannelCredit, ...]:
    """Largest credit first; ties by channel name (a stable, explicit order)."""
    return tuple(
        sorted(credits, key=lambda c: (-round(c.attributed_conversions, 9), c.channel))
    )


# -- order selection by held-out likelihood -----------------------------------------
def order_scores(
    frames: dict[int, pd.DataFrame], folds: int = FOLDS
) -> list[OrderScore]:
    """Mean held-out log-likelihood per transition for each order (``folds``-fold
    cross-validation over units; add-½ smoothing over touches, conv and null)."""
    alphabet = set()
    for frame in frames.values():
        rows = frame[frame["kind"] != "empty"]
        alphabet |= set(rows["touch"]) | {n for n in rows["nxt"] if _present(n)}
    size = len(alphabet) + 2
    return [
        _score(order, frame, folds=folds, size=size)
        for order, frame in sorted(frames.items())
    ]


def _score(order: int, frame: pd.DataFrame, *, folds: int, size: int) -> OrderScore:
    hist = [f"h{j}" for j in range(order - 1, 0, -1)]
    rows = frame[~frame["kind"].isin(["empty", "start"])]
    symbol = [
        nxt if kind == "touch" else f"\x00{kind}"
        for nxt, kind in zip(rows["nxt"], rows["kind"], strict=True)
    ]
    context = [
        _state(h, t)
        for h, t in zip(
            rows[hist].itertuples(index=False, name=None),
            rows["touch"],
            strict=True,
        )
    ]
    counts = rows["count"].to_numpy(dtype=float)
    fold = rows["fold"].to_numpy()
    table: dict[tuple[int, State, str], float] = {}
    for f, c, s, n in zip(fold, context, symbol, counts, strict=True):
        table[(int(f), c, s)] = table.get((int(f), c, s), 0.0) + n
    total = 0.0
    scored = 0.0
    for held in range(folds):
        pair: dict[tuple[State, str], float] = {}
        ctx: dict[State, float] = {}
        for (f, c, s), n in table.items():
            if f != held:
                pair[(c, s)] = pair.get((c, s), 0.0) + n
                ctx[c] = ctx.get(c, 0.0) + n
        for (f, c, s), n in table.items():
            if f == held:
                p = (pair.get((c, s), 0.0) + SMOOTHING) / (
                    ctx.get(c, 0.0) + SMOOTHING * size
                )
                total += n * math.log(p)
                scored += n
    mean = total / scored if scored else float("-inf")
    return OrderScore(order=order, log_likelihood=mean, transitions=int(scored))


def best_order(scores: Sequence[OrderScore]) -> int:
    """The order with the highest held-out likelihood (the lower order on a tie)."""
    if not scores:
        raise AnalysisError("no paths to choose a Markov order from")
    return max(scores, key=lambda s: (round(s.log_likelihood, 12), -s.order)).order
