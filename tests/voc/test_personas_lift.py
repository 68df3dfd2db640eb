"""Persona cluster profiles: property shares with missing values and empty groups."""

from __future__ import annotations

import pandas as pd

from journeymap.voc.personas import _property_lift


def test_missing_values_are_not_the_value_and_an_empty_group_has_share_0() -> None:
    frame = pd.DataFrame({"plan": ["pro", None, "free", "pro", None]})
    inside = pd.Series([True, True, False, False, False])
    rows = _property_lift(frame, inside, ["plan"])
    assert rows == [
        {"property": "plan", "value": "pro", "share": 0.5, "overall_share": 0.4,
         "lift": 0.5 - 0.4}
    ]  # fmt: skip
    nobody = pd.Series([False] * 5)
    assert _property_lift(frame, nobody, ["plan"]) == []
