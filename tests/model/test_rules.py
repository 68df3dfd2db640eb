from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.errors import MapError
from journeymap.model.rules import (
    And,
    Compare,
    InList,
    IsNull,
    Not,
    Or,
    Rule,
    columns,
    evaluate,
    parse_rule,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan == 'pro'", Compare("plan", "==", "pro")),
        ('plan != "free"', Compare("plan", "!=", "free")),
        ("age<18", Compare("age", "<", 18)),
        ("age <= 18.5", Compare("age", "<=", 18.5)),
        ("score > -2", Compare("score", ">", -2)),
        ("vip >= true", Compare("vip", ">=", True)),
        ("vip == FALSE", Compare("vip", "==", False)),
        ("region in ('n', 'e')", InList("region", ("n", "e"))),
        ("region NOT IN ['n',]", InList("region", ("n",), negated=True)),
        ("email is null", IsNull("email")),
        ("email is not null", IsNull("email", negated=True)),
        ("`household size` == 3", Compare("household size", "==", 3)),
        ("props.plan == 'x'", Compare("props.plan", "==", "x")),
        (r"name == 'O\'Brien'", Compare("name", "==", "O'Brien")),
    ],
)
def test_parse_comparisons(text: str, expected: Rule) -> None:
    assert parse_rule(text) == expected


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    rule = parse_rule("not a == 1 and b == 2 or c == 3")
    assert rule == Or(
        (
            And((Not(Compare("a", "==", 1)), Compare("b", "==", 2))),
            Compare("c", "==", 3),
        )
    )


def test_parentheses_and_flattening() -> None:
    rule = parse_rule("(a == 1 and b == 2) and (c == 3 or d == 4)")
    assert rule == And(
        (
            Compare("a", "==", 1),
            Compare("b", "==", 2),
            Or((Compare("c", "==", 3), Compare("d", "==", 4))),
        )
    )


def test_columns_in_first_appearance_order() -> None:
    rule = parse_rule("b > 1 and (a is null or b < 5) and not c in (1, 2)")
    assert columns(rule) == ("b", "a", "c")
    assert rule.columns() == ("b", "a", "c")


@pytest.mark.parametrize(
    ("text", "column", "says"),
    [
        ("plan = 'pro'", 6, "use `==`"),
        ("plan == ", 9, "expected a value"),
        ("plan", 5, "expected a comparison"),
        ("(plan == 'a'", 13, "expected `)`"),
        ("plan == 'pro", 9, "unclosed '"),
        ("plan == pro", 9, "quote text values"),
        ("plan == null", 9, "is null"),
        ("plan in 'a'", 9, "expected `(`"),
        ("plan not == 'a'", 10, "expected `in`"),
        ("plan == 'a' plan == 'b'", 13, "expected `and`, `or`"),
        ("", 1, "empty rule"),
        ("plan == 'a' and", 16, "expected a column name"),
        ("plan == 'a' ; drop table", 13, "unexpected character ';'"),
        ("__import__('os')", 11, "expected a comparison"),
    ],
)
def test_errors_name_rule_and_column(text: str, column: int, says: str) -> None:
    with pytest.raises(MapError) as caught:
        parse_rule(text)
    message = caught.value.message
    assert repr(text) in message
    assert f"column {column}:" in message
    assert says in message


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(MapError, match="nests deeper"):
        parse_rule("(" * 500 + "a == 1" + ")" * 500)
    with pytest.raises(MapError, match="nests deeper"):
        parse_rule("not " * 500 + "a == 1")


def test_non_text_rule() -> None:
    with pytest.raises(MapError, match="must be text"):
        parse_rule(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("size >= 3", {"size": 3}, True),
        ("size >= 3", {"size": 2}, False),
        ("size >= 3", {}, False),
        ("not size >= 3", {}, False),  # unknown stays unknown under not
        ("not size >= 3", {"size": 1}, True),
        ("size != 3", {"size": None}, False),
        ("size == 3", {"size": "3"}, False),  # text is not a number
        ("flag == true", {"flag": True}, True),
        ("flag == 1", {"flag": True}, False),  # booleans are not numbers
        ("r in ('a', 'b')", {"r": "b"}, True),
        ("r not in ('a', 'b')", {"r": "c"}, True),
        ("r not in ('a', 'b')", {}, False),
        ("r is null", {}, True),
        ("r is null", {"r": None}, True),
        ("r is not null", {"r": ""}, True),
        ("a == 1 or b == 1", {"b": 1}, True),  # true or unknown is true
        ("a == 1 and b == 1", {"b": 2}, False),  # unknown and false is false
        ("not (a == 1 and b == 1)", {"b": 2}, True),
        ("not (a == 1 and b == 1)", {"b": 1}, False),
        ("name < 'm'", {"name": "alice"}, True),
    ],
)
def test_evaluate(text: str, row: dict[str, object], expected: bool) -> None:
    assert evaluate(parse_rule(text), row) is expected


# -- properties -----------------------------------------------------------------------
names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: n not in {"and", "or", "not", "in", "is", "null", "true", "false"}
)
values = st.one_of(
    st.text(max_size=8),
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.booleans(),
)
leaves = st.one_of(
    st.builds(
        Compare, names, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), values
    ),
    st.builds(
        InList,
        names,
        st.lists(values, min_size=1, max_size=3).map(tuple),
        st.booleans(),
    ),
    st.builds(IsNull, names, st.booleans()),
)
rules = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: And(tuple(t))),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: Or(tuple(t))),
    ),
    max_leaves=8,
)


def _canonical(rule: Rule) -> Rule:
    """What the parser builds: nested and/or of the same kind flattened."""
    if isinstance(rule, Not):
        return Not(_canonical(rule.term))
    if isinstance(rule, And | Or):
        flat: list[Rule] = []
        for term in map(_canonical, rule.terms):
            flat.extend(term.terms if isinstance(term, type(rule)) else (term,))
        return type(rule)(tuple(flat))
    return rule


@settings(max_examples=60)
@given(rules)
def test_text_round_trip(rule: Rule) -> None:
    assert parse_rule(str(rule)) == _canonical(rule)


@settings(max_examples=60)
@given(rules, st.dictionaries(names, st.one_of(values, st.none()), max_size=4))
def test_evaluation_survives_round_trip(rule: Rule, row: dict[str, object]) -> None:
    assert evaluate(parse_rule(str(rule)), row) is evaluate(rule, row)


@settings(max_examples=60)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_map_error(text: str) -> None:
    try:
        parse_rule(text)
    except MapError as exc:
        assert "\n" not in exc.one_line()  # the rule is quoted with repr()
