"""The condition parser: grammar, precedence, null semantics, functions, caps, and the same
results as the polars SQL path it replaced (computed here with ``pl.sql_expr`` on trusted
texts only: the shipped rule sets, the documented examples and a seeded random corpus)."""

from __future__ import annotations

import random
import sys

import numpy as np
import polars as pl
import pytest

from sim.evaluation.features import FEATURES
from sim.triage.condition import (
    CLOCK_WORDS,
    FUNCTIONS,
    KEYWORDS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_OPERANDS,
    QUERY_WORDS,
    Compare,
    ConditionError,
    ConditionTooLarge,
    Logical,
    Not,
    parse_condition,
)
from sim.triage.rules import RuleSet, load_shipped, nan_to_null, shipped_rule_sets

FRAME = nan_to_null(
    pl.DataFrame(
        {
            "a": [1.0, 5.0, None, float("nan"), 3.0],
            "b": [0, 1, 1, 0, None],
            "c": [10.0, 20.0, 30.0, 40.0, 50.0],
        },
        schema={"a": pl.Float64, "b": pl.Int8, "c": pl.Float64},
    )
)
"""Rows: a is null in row 3 and NaN (so null) in row 4; b is null in row 5."""


def values(when: str, frame: pl.DataFrame = FRAME) -> list:
    """The condition's value on every row (None = null)."""
    return frame.select(parse_condition(when).expr().alias("x"))["x"].to_list()


def matches(when: str, frame: pl.DataFrame = FRAME) -> list[bool]:
    """Which rows a rule with this condition fires for (null does not match)."""
    return [v is True for v in values(when, frame)]


# --------------------------------------------------------------------------------------
# precedence
# --------------------------------------------------------------------------------------
def test_and_binds_tighter_than_or() -> None:
    tree = parse_condition("a > 4 OR c >= 40 AND b = 1").tree
    assert isinstance(tree, Logical) and tree.op == "OR"
    assert isinstance(tree.operands[1], Logical) and tree.operands[1].op == "AND"
    assert values("a > 4 OR c >= 40 AND b = 1") == values("a > 4 OR (c >= 40 AND b = 1)")
    assert matches("b = 0 AND c < 15 OR c > 45") == [True, False, False, False, True]
    assert matches("b = 0 AND (c < 15 OR c > 45)") == [True, False, False, False, False]


def test_not_binds_looser_than_comparison_and_tighter_than_and() -> None:
    tree = parse_condition("NOT c > 20 AND b = 1").tree
    assert isinstance(tree, Logical) and tree.op == "AND"
    assert isinstance(tree.operands[0], Not) and isinstance(tree.operands[0].operand, Compare)
    assert matches("NOT c > 20 AND b = 1") == [False, True, False, False, False]
    assert matches("NOT (c > 20 AND b = 1)") == [True, True, False, True, False]
    assert matches("NOT NOT c > 20") == matches("c > 20")
    assert matches("c NOT BETWEEN 20 AND 40") == matches("NOT c BETWEEN 20 AND 40")


def test_arithmetic_precedence_and_associativity() -> None:
    assert values("c + a * 2") == [12.0, 30.0, None, None, 56.0]
    assert values("(c + a) * 2") == [22.0, 50.0, None, None, 106.0]
    assert values("c - a - 1") == [8.0, 14.0, None, None, 46.0]  # (c - a) - 1
    assert values("c / 2 / 5") == [1.0, 2.0, 3.0, 4.0, 5.0]  # (c / 2) / 5
    assert values("-a * 2") == [-2.0, -10.0, None, None, -6.0]
    assert values("c - -a") == values("c + a")
    assert values("2 * 3 + 4") == [10] and values("2 * (3 + 4)") == [14]
    assert matches("a + c > 12") == [False, True, False, False, True]
    # Comparisons bind looser than arithmetic: a + 1 > c / 10 is (a + 1) > (c / 10).
    assert matches("a + 1 > c / 10") == [True, True, False, False, False]


def test_keywords_and_functions_in_any_case() -> None:
    assert values("c between 20 and 40 or a is null") == values("c BETWEEN 20 AND 40 OR a IS NULL")
    assert values("abs(a - 4) <= 1") == values("Abs(a - 4) <= 1") == values("ABS(a - 4) <= 1")
    assert values("not c > 20") == values("NOT c > 20")


# --------------------------------------------------------------------------------------
# null semantics
# --------------------------------------------------------------------------------------
def test_comparison_with_null_is_null_and_does_not_match() -> None:
    assert values("a < 2") == [True, False, None, None, False]
    assert values("NOT (a < 2)") == [False, True, None, None, True]
    assert values("a = NULL") == [None] * 5
    assert values("a != 1") == [False, True, None, None, True]
    assert values("a <> 1") == values("a != 1")
    assert values("a == 1") == values("a = 1")


def test_nan_is_null() -> None:
    raw = pl.DataFrame({"a": [float("nan"), 1.0]})
    # nan_to_null is what RuleSet.decide applies before any rule.
    assert values("a IS NULL", nan_to_null(raw)) == [True, False]
    assert values("a > 0", nan_to_null(raw)) == [None, True]
    assert values("a <= 0 OR a > 0", nan_to_null(raw)) == [None, True]


def test_three_valued_logic() -> None:
    table = {
        "TRUE AND NULL": None,
        "FALSE AND NULL": False,
        "TRUE OR NULL": True,
        "FALSE OR NULL": None,
        "NOT NULL": None,
        "NULL IS NULL": True,
        "NULL IS NOT NULL": False,
    }
    for when, expected in table.items():
        assert values(when) == [expected], when


def test_between_in_and_is_null_with_missing_values() -> None:
    assert values("a BETWEEN 1 AND 3") == [True, False, None, None, True]
    assert values("a NOT BETWEEN 1 AND 3") == [False, True, None, None, False]
    assert values("c BETWEEN 20 AND NULL") == [False, None, None, None, None]
    assert values("b IN (1)") == [False, True, True, False, None]
    assert values("b IN (1, NULL)") == [None, True, True, None, None]
    assert values("b NOT IN (1)") == [True, False, False, True, None]
    assert values("c IN (10, 50)") == [True, False, False, False, True]
    assert values("c IN (-10, 2.5e1, 50.0)") == [False, False, False, False, True]
    assert values("a IS NULL") == [False, False, True, True, False]
    assert values("a IS NOT NULL") == [True, True, False, False, True]
    assert values("a > 2 IS NULL") == [False, False, True, True, False]


# --------------------------------------------------------------------------------------
# functions and literals
# --------------------------------------------------------------------------------------
def test_abs() -> None:
    assert values("ABS(a - 4)") == [3.0, 1.0, None, None, 1.0]
    assert values("ABS(-2)") == [2]


def test_coalesce() -> None:
    assert values("COALESCE(a, 9)") == [1.0, 5.0, 9.0, 9.0, 3.0]
    assert values("COALESCE(b, a, -1)") == [0, 1, 1, 0, 3.0]
    assert values("COALESCE(a)") == values("a")


def test_least_and_greatest_skip_nulls() -> None:
    assert values("LEAST(a, c)") == [1.0, 5.0, 30.0, 40.0, 3.0]
    assert values("GREATEST(a, 4)") == [4.0, 5.0, 4.0, 4.0, 4.0]
    assert values("LEAST(a, b, 2)") == [0.0, 1.0, 1.0, 0.0, 2.0]
    assert values("GREATEST(a, NULL)") == [1.0, 5.0, None, None, 3.0]


def test_literals() -> None:
    assert values("1e1 + .5 + 2.") == [12.5]
    assert values("'it''s'") == ["it's"]
    assert values("TRUE") == [True] and values("false") == [False] and values("NULL") == [None]
    assert values("-1 + +2") == [1]


def test_features_in_order_of_first_use() -> None:
    assert parse_condition("c > 1 AND ABS(a) < 3 OR c < 0 AND b IS NULL").features == (
        "c",
        "a",
        "b",
    )
    assert parse_condition("TRUE").features == ()


def test_no_feature_name_is_a_word_of_the_language() -> None:
    words = KEYWORDS | QUERY_WORDS | CLOCK_WORDS | set(FUNCTIONS)
    assert [name for name in FEATURES if name.upper() in words] == []


# --------------------------------------------------------------------------------------
# refused texts
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("abi <", "expected a feature, a number or '(', got the end of the condition"),
        ("abi < 0.4 AND AND abi > 0", "got 'AND' at character 15"),
        ("(abi < 0.4", "expected ')', got the end"),
        ("abi < 0.4)", "unexpected ')' at character 10"),
        ("abi 0.4", "unexpected '0.4' at character 5"),
        ("nosuchfn(abi) > 1", "function 'nosuchfn' at character 1 is not allowed"),
        ("NOW() > 1", "function 'NOW' at character 1 is not allowed"),
        ("random() < 0.5", "function 'random' at character 1 is not allowed"),
        ("ABS(a, b) > 1", "ABS at character 1 takes 1 argument, got 2"),
        ("LEAST() > 1", "expected a feature, a number or '(', got ')'"),
        ("SELECT 1", "'SELECT' at character 1 is not allowed: a rule is a condition"),
        ("a IN (SELECT 1)", "'SELECT' at character 7 is not allowed"),
        ("CAST(a AS INT) > 1", "'CAST' at character 1 is not allowed"),
        ("CASE WHEN a > 1 THEN 1 END = 1", "'CASE' at character 1 is not allowed"),
        ("a LIKE 'x'", "'LIKE' at character 3 is not allowed"),
        ("current_timestamp > 1", "must not depend on the clock"),
        ("a < 1; DROP TABLE t", "';' at character 6 is not allowed"),
        ("a < 1 -- note", "comments are not allowed ('--' at character 7)"),
        ("a < 1 /* note */", "comments are not allowed ('/*' at character 7)"),
        ('"a" < 1', "unexpected character '\"' at character 1"),
        ("a::int < 1", "unexpected character ':' at character 2"),
        ("a || 'x' = 'y'", "unexpected character '|' at character 3"),
        ("a % 2 = 1", "unexpected character '%' at character 3"),
        ("a < 1 < 2", "comparisons cannot be chained ('<' at character 7)"),
        ("a NOT = 1", "expected BETWEEN or IN after NOT, got '='"),
        ("a IS 1", "expected NULL after IS, got '1'"),
        ("a BETWEEN 1 OR 2", "expected AND in BETWEEN ... AND ..., got 'OR'"),
        ("a IN (b)", "expected a number, a 'text', TRUE, FALSE or NULL in IN (...), got 'b'"),
        ("a IN ()", "in IN (...), got ')'"),
        ("a = 'open", "unterminated text starting at character 5"),
        ("a > 1x", "unexpected 'x' after the number '1'"),
        ("a > 1e400", "the number '1e400' at character 5 is out of range"),
        ("a > 0.5\u00a0", "unexpected character '\\xa0'"),
        ("", "the condition is empty"),
    ],
)
def test_refused(when: str, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(when)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_length_cap() -> None:
    at_cap = "a > 1" + " " * (MAX_CHARS - 5)
    assert len(at_cap) == MAX_CHARS and parse_condition(at_cap).features == ("a",)
    with pytest.raises(ConditionTooLarge, match=r"when has 2,001 characters, more than the 2,000"):
        parse_condition(at_cap + " ")


def test_operand_cap() -> None:
    # Each "a=1" is two operands (a feature and a value); function names do not count.
    at_cap = " OR ".join(["a=1"] * (MAX_OPERANDS // 2))
    assert len(at_cap) < MAX_CHARS
    assert values(at_cap) == values("a = 1")
    assert parse_condition(" + ".join(["ABS(a)"] * MAX_OPERANDS)).features == ("a",)
    with pytest.raises(ConditionTooLarge, match=r"201 features and values, more than the 200"):
        parse_condition(at_cap + " OR a")


@pytest.mark.parametrize(
    ("opener", "closer"),
    [("(", ")"), ("NOT ", ""), ("- ", ""), ("ABS(", ")"), ("LEAST(a, ", ")")],
)
def test_depth_cap(opener: str, closer: str) -> None:
    inner = "c" if opener in ("- ", "ABS(", "LEAST(a, ") else "c > 0"
    tail = " > 0" if inner == "c" else ""
    at_cap = opener * MAX_DEPTH + inner + closer * MAX_DEPTH + tail
    values(at_cap)  # parses and evaluates
    too_deep = opener * (MAX_DEPTH + 1) + inner + closer * (MAX_DEPTH + 1) + tail
    with pytest.raises(
        ConditionTooLarge, match=r"nests more than 32 levels deep .* opens level 33"
    ):
        parse_condition(too_deep)


def _stack_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def test_the_deepest_condition_stays_far_from_the_recursion_limit() -> None:
    # Functions cost the most frames a level; 400 frames above the caller are plenty.
    worst = "ABS(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH + " > 0"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 400)
    try:
        values(worst)
        parse_condition.__wrapped__(worst).expr()  # uncached: the parser runs again
    finally:
        sys.setrecursionlimit(limit)


# --------------------------------------------------------------------------------------
# the same results as polars SQL (the trusted texts only)
# --------------------------------------------------------------------------------------
DOCUMENTED = [
    # docs/how-to-triage.md, "The condition language" and "Missing values"
    "abi <= 0.90",
    "sodium_mmol_l < 135",
    "on_thiazide = 1",
    "on_thiazide <> 1",
    "on_thiazide != 1",
    "frac_urge_to_move >= 0.5 AND frac_relief_by_movement >= 0.5",
    "on_statin = 1 OR on_thiazide = 1",
    "NOT (frac_one_sided >= 0.6)",
    "days_since_statin_start BETWEEN 28 AND 70",
    "activity_level_ordinal IN (1, 2)",
    "activity_level_ordinal NOT IN (1, 2)",
    "frac_location_thigh + frac_location_whole_leg >= 0.5",
    "ABS(pain_trend_per_night) > 0.1",
    "potassium_mmol_l IS NULL",
    "potassium_mmol_l IS NOT NULL",
    "potassium_mmol_l_missing = 1",
    "COALESCE(abi, 1.0) < 0.9",
    "LEAST(days_since_thiazide_start, days_since_loop_diuretic_start) <= 60",
    "GREATEST(frac_relief_by_dangling, frac_worse_with_elevation) >= 0.3",
    "mean_pain_score - 2 * mean_awakenings > -1",
    "age / 10 >= 7",
    "TRUE",
    "frac_nights_relief_by_dangling >= 0.5 AND (abi IS NULL OR abi < 1.00)",
]


def shipped_texts() -> list[str]:
    return [rule.when for name in shipped_rule_sets() for rule in load_shipped(name).rules]


def same_as_sql(frame: pl.DataFrame, when: str) -> None:
    old = frame.select(pl.sql_expr(when).alias("x"))["x"]
    new = frame.select(parse_condition(when).expr().alias("x"))["x"]
    assert new.dtype == old.dtype, when
    assert new.to_list() == old.to_list(), when  # values and null positions


def sql_decide(rule_set: RuleSet, features: pl.DataFrame) -> np.ndarray:
    """The rule index per row as the old code computed it (``pl.sql_expr`` per rule)."""
    frame = nan_to_null(features)
    chain = pl.when(pl.sql_expr(rule_set.rules[0].when)).then(pl.lit(0, dtype=pl.Int32))
    for i, rule in enumerate(rule_set.rules[1:], start=1):
        chain = chain.when(pl.sql_expr(rule.when)).then(pl.lit(i, dtype=pl.Int32))
    index = chain.otherwise(pl.lit(len(rule_set.rules), dtype=pl.Int32))
    return frame.select(index.alias("i"))["i"].to_numpy()


def test_shipped_and_documented_conditions_match_sql_on_a_cohort(small_cohort) -> None:
    frame = nan_to_null(small_cohort.features)
    texts = shipped_texts()
    assert len(texts) > 30
    for when in [*texts, *DOCUMENTED]:
        same_as_sql(frame, when)


@pytest.mark.parametrize("name", ["clinical_pathway", "symptoms_only"])
def test_shipped_rule_sets_decide_exactly_as_before(small_cohort, name: str) -> None:
    rule_set = load_shipped(name)
    new = rule_set.decide(small_cohort.features)
    old = sql_decide(rule_set, small_cohort.features)
    np.testing.assert_array_equal(new, old)
    # Every rule fires for someone, so the comparison is not vacuous.
    assert len(np.unique(new)) > len(rule_set.rules) // 2


class _Corpus:
    """Random conditions over Float64, Int8 and Int32 columns with nulls (seeded).

    Arithmetic with a fractional number is kept to float columns, where polars SQL's exact
    decimals and our floats agree (see sim/triage/condition.py).
    """

    FLOATS = ("f", "g")
    INTS = ("i", "d")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def number(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return str(self.rng.randint(-5, 60))
        if r < 0.85:
            return f"{self.rng.uniform(-3, 3):.2f}"
        return "NULL"

    def numeric(self, depth: int) -> str:
        rng = self.rng
        r = rng.random()
        if depth > 2 or r < 0.35:
            return rng.choice(self.FLOATS + self.INTS)
        if r < 0.5:
            return self.number()
        if r < 0.62:
            return f"({rng.choice(self.FLOATS)} {rng.choice('+-')} {self.numeric(depth + 1)})"
        if r < 0.68:
            return f"({rng.choice(self.FLOATS)} {rng.choice('*/')} {rng.randint(1, 4)})"
        if r < 0.74:
            return f"({rng.choice(self.INTS)} {rng.choice('+-*')} {rng.randint(-3, 5)})"
        if r < 0.8:
            return f"-{rng.choice(self.FLOATS + self.INTS)}"
        function = rng.choice(["ABS", "LEAST", "GREATEST", "COALESCE"])
        n = 1 if function == "ABS" else rng.randint(1, 3)
        return f"{function}({', '.join(self.numeric(depth + 1) for _ in range(n))})"

    def predicate(self, depth: int) -> str:
        rng = self.rng
        r = rng.random()
        x = self.numeric(depth)
        if r < 0.5:
            op = rng.choice(["=", "==", "!=", "<>", "<", "<=", ">", ">="])
            return f"{x} {op} {self.numeric(depth)}"
        if r < 0.6:
            return f"{x} IS {rng.choice(['', 'NOT '])}NULL"
        if r < 0.75:
            return f"{x} {rng.choice(['', 'NOT '])}BETWEEN {self.number()} AND {self.number()}"
        if r < 0.9:
            items = ", ".join(self.number() for _ in range(rng.randint(1, 4)))
            return f"{x} {rng.choice(['', 'NOT '])}IN ({items})"
        return rng.choice(["TRUE", "FALSE", "NULL"])

    def condition(self, depth: int = 0) -> str:
        r = self.rng.random()
        if depth > 3 or r < 0.35:
            return self.predicate(depth)
        if r < 0.55:
            return f"NOT {self.condition(depth + 1)}"
        if r < 0.65:
            return f"({self.condition(depth + 1)})"
        op = self.rng.choice(["AND", "OR", "and", "Or"])
        parts = [self.condition(depth + 1) for _ in range(self.rng.randint(2, 4))]
        return f" {op} ".join(parts)


def _random_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)

    def holes(values: np.ndarray, share: float) -> list:
        return [
            None if gone else v
            for v, gone in zip(values.tolist(), rng.random(n) < share, strict=True)
        ]

    return pl.DataFrame(
        {
            "f": holes(rng.normal(0, 2, n).round(2), 0.2),
            "g": holes(rng.random(n).round(3), 0.2),
            "i": pl.Series(holes(rng.integers(-3, 4, n), 0.2), dtype=pl.Int8),
            "d": pl.Series(holes(rng.integers(-10, 80, n), 0.3), dtype=pl.Int32),
        }
    )


def test_random_conditions_match_sql() -> None:
    frame = _random_frame(300, seed=0)
    corpus = _Corpus(seed=1)
    compared = 0
    for _ in range(600):
        when = corpus.condition()
        try:
            frame.select(pl.sql_expr(when))
        except Exception:  # a type error (e.g. ABS(NULL)) in both; checked below
            with pytest.raises(pl.exceptions.PolarsError):
                frame.select(parse_condition(when).expr())
            continue
        same_as_sql(frame, when)
        compared += 1
    assert compared > 590
