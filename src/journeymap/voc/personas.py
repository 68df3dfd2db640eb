"""Personas from data: each map persona measured, and behavioural clusters proposed.

**Map personas**: the segment rule is evaluated on the events
(:mod:`journeymap.voc.segments`); each persona gets its size, share, conversion rate
(Wilson 95% interval), emotion (overall and per stage) and its most distinctive
touchpoints — those whose reach among its customers most exceeds the reach among
everyone (lift = persona reach − overall reach).

**Clusters**: each customer is described by which touchpoints it reached (0/1). At most
``max_customers`` customers are used (those whose id hashes into a fixed share, so the
sample is deterministic). k-means (scikit-learn, extra ``clusters``; ``random_state=0``, ``n_init=10``) runs
for k = 2..6; the k with the best silhouette (Euclidean, on at most 2,000
customers drawn with ``random_state=0``) wins. Each cluster is described by its size,
conversion rate, distinguishing touchpoints (reach in the cluster minus reach outside)
and the over-represented values of low-cardinality text properties — persona
candidates for the team to name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap._importers import import_sklearn
from journeymap.analytics.stats import wilson_interval
from journeymap.model.journey import JourneyMap
from journeymap.model.measured import Emotion
from journeymap.voc.emotion import EmotionIndex, emotion_of
from journeymap.voc.outcomes import ALL, OutcomeCounts

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import numpy as np
    import pandas as pd

    from journeymap.engine import EventLog

MAX_PROPERTY_VALUES = 12
SEED = 0


def describe_personas(
    journey: JourneyMap, counts: OutcomeCounts, emotion: EmotionIndex, *, top: int = 5
) -> tuple[dict[str, Any], ...]:
    """Size, conversion, emotion and distinctive touchpoints of every map persona.

    Parameters
    ----------
    journey
        The map.
    counts
        Outcome counts per persona.
    emotion
        Emotion moments per persona and stage.
    top
        How many distinctive touchpoints to list.

    Returns
    -------
    tuple of dict
        One entry per map persona (fields: docs/reference/measured-map.md).
    """
    total = counts.customers.get(ALL, 0)
    out = []
    for persona in journey.personas:
        size = counts.customers.get(persona.id, 0)
        converted = counts.converted.get(persona.id, 0)
        low, high = wilson_interval(converted, size) if size else (None, None)
        out.append(
            {
                "id": persona.id,
                "name": persona.name,
                "segment": persona.segment,
                "customers": size,
                "share": size / total if total else None,
                "converted": converted,
                "conversion_rate": converted / size if size else None,
                "conversion_ci": [low, high],
                "emotion": emotion_of(emotion.persona.get(persona.id)),
                "emotion_by_stage": _stage_emotions(journey, emotion, persona.id),
                "emotion_by_touchpoint": {
                    tp.id: emotion_of(
                        emotion.touchpoint_persona.get((tp.id, persona.id))
                    )
                    for _, tp in journey.touchpoints()
                    if (tp.id, persona.id) in emotion.touchpoint_persona
                },
                "top_touchpoints": _distinctive(journey, counts, persona.id, top=top),
            }
        )
    return tuple(out)


def _stage_emotions(
    journey: JourneyMap, emotion: EmotionIndex, persona: str
) -> dict[str, Emotion]:
    return {
        stage.id: emotion_of(
            emotion.stage_persona.get((stage.id, persona)), assumed=stage.emotion
        )
        for stage in journey.stages
    }


def _distinctive(
    journey: JourneyMap, counts: OutcomeCounts, persona: str, *, top: int
) -> list[dict[str, Any]]:
    size, total = counts.customers.get(persona, 0), counts.customers.get(ALL, 0)
    if not size or not total:
        return []
    rows: list[dict[str, Any]] = []
    for _, tp in journey.touchpoints():
        mine = counts.touchpoints.get((tp.id, persona), (0, 0))[0] / size
        everyone = counts.touchpoints.get((tp.id, ALL), (0, 0))[0] / total
        rows.append(
            {
                "touchpoint_id": tp.id,
                "reach": mine,
                "overall_reach": everyone,
                "lift": mine - everyone,
            }
        )
    rows.sort(key=lambda r: (-r["lift"], r["touchpoint_id"]))
    return [r for r in rows if r["lift"] > 0][:top]


# -- behavioural clusters -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClusterResult:
    k: int
    silhouette: float
    customers: int
    clusters: tuple[dict[str, Any], ...]


def customer_features_expr(
    log: EventLog,
    journey: JourneyMap,
    customers: ir.Table,
    *,
    max_customers: int,
    sequence: ir.Table | None = None,
) -> ir.Table:
    """Per customer: ``converted`` and one 0/1 column per touchpoint (``tp__<id>``).

    ``sequence``: the matched events (with ``customer_id`` and ``touchpoint_id``),
    when the caller has them materialised.
    """
    from journeymap.analytics.matching import matched_events_expr

    matched = sequence if sequence is not None else matched_events_expr(log, journey)
    flags = {
        f"tp__{tp.id}": (matched.touchpoint_id == tp.id).cast("int64").max()
        for _, tp in journey.touchpoints()
    }
    wide = matched.group_by("customer_id").agg(**flags)
    table = wide.join(customers.select("customer_id", "converted"), "customer_id")
    total = int(log.execute(table.count()))
    if total > max_customers:
        buckets = -(-total // max_customers)  # ceiling division
        table = table.filter(table.customer_id.hash().abs() % buckets == 0)
    return table


def _properties_frame(log: EventLog, features: ir.Table) -> pd.DataFrame:
    """First (smallest) value per customer of low-cardinality text properties."""
    table = log.table
    names = [c for c in log.properties() if table[c].type().is_string()]
    if not names:
        return log.execute(table.select("customer_id").limit(0))
    counts = log.execute(table.aggregate(**{c: table[c].nunique() for c in names}))
    keep = [c for c in names if 1 < int(counts[c].iloc[0]) <= MAX_PROPERTY_VALUES]
    if not keep:
        return log.execute(table.select("customer_id").limit(0))
    rows = table.semi_join(features.select("customer_id"), "customer_id")
    return log.execute(
        rows.group_by("customer_id").agg(**{c: rows[c].min() for c in keep})
    )


def cluster_customers(
    log: EventLog,
    journey: JourneyMap,
    customers: ir.Table,
    *,
    max_customers: int = 20_000,
    k_range: range = range(2, 7),
    sequence: ir.Table | None = None,
) -> ClusterResult | None:
    """k-means clusters of customers by touchpoints reached; best k by silhouette.

    Parameters
    ----------
    log
        The events.
    journey
        The map (touchpoints are the features).
    customers
        From :func:`journeymap.voc.outcomes.customer_outcomes_expr`.
    max_customers
        Sample size cap (deterministic hash sample).
    k_range
        The numbers of clusters tried.
    sequence
        The matched events, already materialised by the caller (else matched here).

    Returns
    -------
    ClusterResult or None
        None when there are too few customers.
    """
    import_sklearn()  # one line naming the clusters extra, before any work
    features = customer_features_expr(
        log, journey, customers, max_customers=max_customers, sequence=sequence
    )
    frame = (
        log.execute(features)
        .sort_values("customer_id", kind="mergesort")
        .reset_index(drop=True)
    )
    columns = [c for c in frame.columns if c.startswith("tp__")]
    if len(frame) < max(k_range) * 5 or not columns:
        return None
    matrix = frame[columns].to_numpy(dtype="float64")
    best = _best_k(matrix, k_range)
    if best is None:
        return None
    k, score, labels = best
    props = _properties_frame(log, features)
    clusters = _describe_clusters(frame, labels, columns, props)
    return ClusterResult(k, score, len(frame), clusters)


def _best_k(matrix: np.ndarray, k_range: range) -> tuple[int, float, np.ndarray] | None:
    import numpy as np

    import_sklearn()
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    best: tuple[int, float, np.ndarray] | None = None
    sample = min(2000, len(matrix))
    # k-means cannot find more clusters than there are distinct customers' profiles
    distinct = len(np.unique(matrix, axis=0))
    # one BLAS/OpenMP thread: oversubscribed pools made k-means 20x slower on 2 cores
    with threadpool_limits(1):
        for k in k_range:
            if k > distinct:
                break
            best = _try_k(matrix, k, best, sample, KMeans, silhouette_score)
    return best


def _try_k(
    matrix: np.ndarray,
    k: int,
    best: tuple[int, float, np.ndarray] | None,
    sample: int,
    kmeans: Any,
    silhouette: Any,
) -> tuple[int, float, np.ndarray] | None:
    labels = kmeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(matrix)
    if len(set(labels.tolist())) < 2:
        return best
    score = float(silhouette(matrix, labels, sample_size=sample, random_state=SEED))
    if best is None or score > best[1] + 1e-12:
        return (k, score, _relabel(labels))
    return best


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Number clusters by size (largest 0), ties by first appearance: stable output."""
    import numpy as np

    values, first, sizes = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-sizes[i], first[i]))
    mapping = {int(values[i]): rank for rank, i in enumerate(order)}
    return np.array([mapping[int(v)] for v in labels])


def _describe_clusters(
    frame: pd.DataFrame, labels: np.ndarray, columns: list[str], props: pd.DataFrame
) -> tuple[dict[str, Any], ...]:
    frame = frame.assign(_cluster=labels)
    merged = frame.merge(props, on="customer_id", how="left")
    prop_columns = [c for c in props.columns if c != "customer_id"]
    out = []
    for cluster in sorted(set(labels.tolist())):
        inside = merged["_cluster"] == cluster
        out.append(
            {
                "id": f"cluster-{cluster + 1}",
                "customers": int(inside.sum()),
                "share": float(inside.mean()),
                "conversion_rate": float(merged.loc[inside, "converted"].mean()),
                "touchpoints": _touchpoint_lift(merged, inside, columns),
                "properties": _property_lift(merged, inside, prop_columns),
            }
        )
    return tuple(out)


def _touchpoint_lift(
    frame: pd.DataFrame, inside: pd.Series, columns: list[str], *, top: int = 3
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for column in columns:
        here, there = (
            frame.loc[inside, column].mean(),
            frame.loc[~inside, column].mean(),
        )
        there = 0.0 if there != there else there
        rows.append(
            {
                "touchpoint_id": column[4:],
                "reach": float(here),
                "reach_elsewhere": float(there),
                "lift": float(here - there),
            }
        )
    rows.sort(key=lambda r: (-r["lift"], r["touchpoint_id"]))
    return rows[:top]


def _property_lift(
    frame: pd.DataFrame, inside: pd.Series, columns: list[str], *, top: int = 3
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for column in columns:
        values = frame[column].astype("string")
        for value in sorted(values.dropna().unique()):
            # a missing value is "not this value"; an empty group has share 0
            match = values.eq(value).fillna(False).astype(bool)
            here = float(match[inside].mean()) if bool(inside.any()) else 0.0
            overall = float(match.mean()) if len(match) else 0.0
            rows.append(
                {
                    "property": column,
                    "value": str(value),
                    "share": here,
                    "overall_share": overall,
                    "lift": here - overall,
                }
            )
    rows.sort(key=lambda r: (-r["lift"], r["property"], r["value"]))
    return [r for r in rows if r["lift"] > 0][:top]
