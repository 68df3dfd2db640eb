"""Small fixed-seed versions of the calibration bench (bench/calibration.py, issue 9).

Planted effects are larger here than in the bench so that a few thousand customers
decide them; the bench measures recall at the stated sizes. Each dataset is measured
once, in-process through the facade (``jm.load_map``, ``jm.read_events``,
``jm.measure`` with the map's customers), and shared by the tests.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import calibration as cal

import journeymap as jm

STRONG = cal.Effects(
    senior_checkout_dropoff=0.20,
    error_loop=0.35,
    incident_dropoff=0.25,
    incident_payment_failed=0.8,
    pro_consider_slow=2.0,
)
SIZE = 4000
SEEDS = (1, 2)
ROOT: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _root(tmp_path_factory: pytest.TempPathFactory) -> None:
    ROOT[:] = [tmp_path_factory.mktemp("calibration")]


@cache
def dataset(variant: str, seed: int) -> Path:
    effects = cal.Effects.none() if variant == "null" else STRONG
    folder = ROOT[0] / f"{variant}-{seed}"
    cal.write_dataset(cal.Config(customers=SIZE, seed=seed, effects=effects), folder)
    if variant == "shuffled":
        cal.shuffle_personas(folder, seed)
    return folder


@cache
def scored(variant: str, seed: int) -> dict[str, Any]:
    """The dataset measured in-process through the facade, scored against its truth."""
    folder = dataset(variant, seed)
    journey = jm.load_map(folder / "map.yaml")
    log = jm.read_events(folder / "events.parquet")
    measured = jm.measure(
        journey, log, customers=str(folder / "customers.csv"), clusters=False
    )
    truth = json.loads((folder / "truth.json").read_text())
    return cal.score_measured(truth, json.loads(measured.to_json()))


def _verdicts(result: dict[str, Any], kind: str) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in result["claims"] if c["kind"] == kind}


def test_generator_is_seeded() -> None:
    first = cal.simulate(cal.Config(customers=300, seed=5))
    again = cal.simulate(cal.Config(customers=300, seed=5))
    other = cal.simulate(cal.Config(customers=300, seed=6))
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    assert not first[0].equals(other[0])


def test_planted_effects_are_in_the_data() -> None:
    """Plain pandas on the written files: each planted effect is there, adverse."""
    rows = {row["id"]: row for row in cal.check_dataset(dataset("planted", SEEDS[0]))}
    for claim in ("planted-senior-checkout", "planted-error-loop"):
        assert rows[claim]["diff"] > 0.08 and rows[claim]["p"] < 1e-3, rows[claim]
    assert rows["planted-payment-incident"]["diff"] > 0.1
    slow = rows["planted-pro-slow"]
    assert (
        slow["diff"] > 1.3 and slow["p"] < 1e-4
    )  # ratio of median times, closed stays
    assert slow["window"]["diff"] > 0.1  # not moved on within 14 days


def test_nothing_planted_means_no_effect_in_the_data() -> None:
    rows = cal.check_dataset(dataset("null", SEEDS[0]))
    tested = [r for r in rows if r["p"] == r["p"]]  # invented claims have no test
    assert len(tested) == len(rows) - 2
    assert all(r["p"] > 1e-3 for r in tested), [r for r in tested if r["p"] <= 1e-3]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "claim",
    [
        "planted-senior-checkout",
        "planted-error-loop",
        "planted-payment-incident",
        "planted-pro-slow",
    ],
)
def test_planted_effect_is_found(claim: str, seed: int) -> None:
    verdicts = _verdicts(scored("planted", seed), "planted")
    assert verdicts[claim] == "supported", scored("planted", seed)["claims"]


@pytest.mark.parametrize("variant", ["planted", "null"])
@pytest.mark.parametrize("seed", SEEDS)
def test_null_pain_points_are_not_supported(variant: str, seed: int) -> None:
    verdicts = _verdicts(scored(variant, seed), "null")
    assert len(verdicts) >= 10
    assert not [i for i, v in verdicts.items() if v == "supported"]


@pytest.mark.parametrize("seed", SEEDS)
def test_no_effects_give_at_most_one_suggestion(seed: int) -> None:
    result = scored("null", seed)
    assert len(result["suggestions"]) <= 1, result["suggestions"]


@pytest.mark.parametrize("seed", SEEDS)
def test_no_effects_give_no_incident(seed: int) -> None:
    result = scored("null", seed)
    assert result["incidents"] == [], result["incidents"]


@pytest.mark.parametrize("seed", SEEDS)
def test_incident_window_is_found(seed: int) -> None:
    overlap = scored("planted", seed)["incident_overlap"]
    assert overlap["jaccard"] >= 0.5, scored("planted", seed)["incidents"]


@pytest.mark.parametrize("seed", SEEDS)
def test_shuffled_personas_leave_no_persona_level_finding(seed: int) -> None:
    result = scored("shuffled", seed)
    persona_claims = [c for c in result["claims"] if c["persona"]]
    assert persona_claims
    assert [c["id"] for c in persona_claims if c["verdict"] == "supported"] == []
    assert [s for s in result["suggestions"] if s["persona"]] == []
