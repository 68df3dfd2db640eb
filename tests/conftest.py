"""Test-run settings shared by every test package."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI machines are shared and noisy: no per-example deadlines and no "too slow" health
# check, so a busy machine never fails a property test. Examples are derandomized so a
# CI failure reproduces exactly; run with HYPOTHESIS_PROFILE=explore for fresh examples.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
