"""Segment rules compiled to Ibis agree with the reference evaluator."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.engine import EventLog, connect
from journeymap.errors import AnalysisError
from journeymap.model.rules import evaluate, parse_rule
from journeymap.voc.segments import persona_members_expr, segment_predicate

ROWS = [
    {"customer_id": "a", "plan": "pro", "size": 4, "vip": True},
    {"customer_id": "b", "plan": "free", "size": 1, "vip": False},
    {"customer_id": "c", "plan": None, "size": None, "vip": None},
    {"customer_id": "d", "plan": "team", "size": 3, "vip": True},
]
RULES = [
    "plan == 'pro'",
    "plan != 'pro'",
    "size >= 3 and not vip == false",
    "plan in ('pro', 'team') or size < 2",
    "plan not in ('free')",
    "not (size > 2)",
    "plan is null",
    "size is not null and plan == 3",  # kind mismatch: unknown, never true
    "plan in ('pro', 1)",
]


@pytest.fixture(scope="module")
def log() -> EventLog:
    engine = connect()
    frame = pd.DataFrame(ROWS).astype({"size": "Int64", "vip": "boolean"})
    return EventLog(engine.register_arrow(frame), engine)


@pytest.mark.parametrize("text", RULES)
def test_compiled_rule_agrees_with_reference(log: EventLog, text: str) -> None:
    table = log.table
    chosen = log.execute(table.filter(segment_predicate(table, text)).customer_id)
    expected = [r["customer_id"] for r in ROWS if evaluate(parse_rule(text), r)]
    assert sorted(chosen) == expected


def test_unknown_column_is_a_one_line_error(log: EventLog) -> None:
    with pytest.raises(AnalysisError, match=r"names column\(s\) age"):
        segment_predicate(log.table, "age > 3")


def test_persona_members_any_event_counts(make_log, shop_map) -> None:
    log = make_log(
        [("x", 0, "home", 70), ("x", 1, "item", None), ("y", 0, "home", 30)],
        ["age"],
    )
    members = log.execute(persona_members_expr(log.table, shop_map))
    assert members.to_dict("records") == [{"customer_id": "x", "persona_id": "old"}]


# -- property test: any rule over these columns agrees with the reference ------------

LITERALS = {
    "plan": st.sampled_from(["'pro'", "'free'", "'team'", "3"]),
    "size": st.sampled_from(["1", "3", "4", "2.5", "'x'"]),
    "vip": st.sampled_from(["true", "false", "1"]),
}


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    column = draw(st.sampled_from(sorted(LITERALS)))
    kind = draw(st.sampled_from(["cmp", "in", "null"]))
    if kind == "null":
        return f"{column} is {draw(st.sampled_from(['', 'not ']))}null"
    if kind == "in":
        values = draw(st.lists(LITERALS[column], min_size=1, max_size=3))
        negated = draw(st.sampled_from(["", "not "]))
        return f"{column} {negated}in ({', '.join(values)})"
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
    return f"{column} {op} {draw(LITERALS[column])}"


rules = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=rules)
def test_any_rule_agrees_with_reference(log: EventLog, text: str) -> None:
    test_compiled_rule_agrees_with_reference(log, text)
