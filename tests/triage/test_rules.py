"""The rule language: order, default, null semantics, operators, loading."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sim.config import compose_config
from sim.evaluation.features import FEATURES
from sim.triage.rules import (
    TRIAGE_CONF_DIR,
    RuleSet,
    load_rule_set,
    load_shipped,
    parse_rule_set,
    rule_sets_from_config,
    shipped_rule_sets,
)

FEATURES_AB = ["a", "b", "c"]


def rules(*specs: tuple[str, str], default: str = "none") -> RuleSet:
    """A rule set over features a, b, c: (name, when) pairs whose cause is the name."""
    return parse_rule_set(
        {
            "rules": [
                {"name": name, "when": when, "cause": name, "urgency": "routine"}
                for name, when in specs
            ],
            "default": {"cause": default, "urgency": "self_care"},
        },
        name="test",
        features=FEATURES_AB,
        causes=None,
    )


FRAME = pl.DataFrame(
    {
        "a": [1.0, 5.0, None, float("nan"), 3.0],
        "b": [0, 1, 1, 0, None],
        "c": [10.0, 20.0, 30.0, 40.0, 50.0],
    },
    schema={"a": pl.Float64, "b": pl.Int8, "c": pl.Float64},
)


def decided(rule_set: RuleSet, frame: pl.DataFrame = FRAME) -> list[str]:
    return rule_set.apply(frame)["rule"].to_list()


def test_first_match_wins_and_default() -> None:
    rs = rules(("big", "c >= 30"), ("bigger", "c >= 40"), ("any_b", "b = 1"))
    # c >= 40 rows also match "big", which comes first; row 2 (c=20, b=1) falls to any_b.
    assert decided(rs) == ["default", "any_b", "big", "big", "big"]
    out = rs.apply(FRAME)
    assert out.columns == ["rule", "cause", "urgency"]
    assert out["cause"].to_list() == ["none", "any_b", "big", "big", "big"]
    assert out["urgency"].to_list() == ["self_care", "routine", "routine", "routine", "routine"]


def test_null_comparison_does_not_match_and_nan_is_null() -> None:
    rs = rules(("low_a", "a < 2"), ("high_a", "a >= 2"))
    # a is null in row 3 and NaN in row 4: neither rule matches, both fall to the default.
    assert decided(rs) == ["low_a", "high_a", "default", "default", "high_a"]
    negated = rules(("not_low", "NOT (a < 2)"))
    assert decided(negated) == ["default", "not_low", "default", "default", "not_low"]


def test_missing_values_can_be_tested_explicitly() -> None:
    rs = rules(("no_a", "a IS NULL"), ("fallback", "COALESCE(b, 9) = 9"))
    assert decided(rs) == ["default", "default", "no_a", "no_a", "fallback"]


def test_three_valued_logic() -> None:
    # TRUE OR null is true; FALSE AND null is false; TRUE AND null is null (no match).
    assert decided(rules(("or_", "c >= 10 OR a > 0"))) == ["or_"] * 5
    assert decided(rules(("and_", "c >= 30 AND a > 0"))) == [
        "default",
        "default",
        "default",
        "default",
        "and_",
    ]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("a > 2 AND c < 50", [False, True, False, False, False]),
        ("a > 4 OR c >= 40", [False, True, False, True, True]),
        ("NOT (c > 20)", [True, True, False, False, False]),
        ("c BETWEEN 20 AND 40", [False, True, True, True, False]),
        ("c NOT BETWEEN 20 AND 40", [True, False, False, False, True]),
        ("b IN (1)", [False, True, True, False, False]),
        ("c IN (10, 50)", [True, False, False, False, True]),
        ("c NOT IN (10, 50)", [False, True, True, True, False]),
        ("a + c > 12", [False, True, False, False, True]),
        ("b <> 1", [True, False, False, True, False]),
        ("ABS(a - 4) <= 1", [False, True, False, False, True]),
        ("TRUE", [True] * 5),
    ],
)
def test_operators(when: str, expected: list[bool]) -> None:
    rs = rules(("hit", when))
    assert [r == "hit" for r in decided(rs)] == expected


def test_rule_features_and_labels() -> None:
    rs = rules(("x", "a > 1 AND c < 3 OR a < 0"), ("y", "b = 1"), default="none")
    assert rs.features() == ("a", "c", "b")
    assert rs.causes == ("x", "y", "none")
    assert rs.rule_names == ("x", "y", "default")


def test_apply_needs_every_feature() -> None:
    rs = rules(("x", "a > 1"))
    with pytest.raises(ValueError, match="rule 'x': feature 'a' is not a column"):
        rs.apply(FRAME.drop("a"))


@pytest.mark.parametrize("name", ["clinical_pathway", "symptoms_only"])
def test_shipped_rule_sets_load(name: str) -> None:
    rs = load_shipped(name)
    assert rs.name == name and rs.rules
    assert set(rs.features()) <= set(FEATURES)
    assert any(r.urgency == "urgent" for r in rs.rules)
    assert rs.default_cause == "none"


def test_symptoms_only_reads_no_clinic_test() -> None:
    used = load_shipped("symptoms_only").features()
    assert [f for f in used if FEATURES[f].source == "measurements"] == []
    assert any(
        FEATURES[f].source == "measurements" for f in load_shipped("clinical_pathway").features()
    )


def test_every_shipped_threshold_cites_domain() -> None:
    for name in shipped_rule_sets():
        text = (TRIAGE_CONF_DIR / f"{name}.yaml").read_text()
        blocks = text.split("    - name: ")[1:]
        assert blocks
        for block in blocks:
            assert "DOMAIN.md" in block or "IRLSSG" in block, block.splitlines()[0]


def test_flat_and_nested_rule_files(tmp_path: Path) -> None:
    flat = tmp_path / "mine.yaml"
    flat.write_text(
        "rules:\n"
        "  - {name: low_abi, when: 'abi < 0.4', cause: pad, urgency: urgent}\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    nested = tmp_path / "other.yaml"
    nested.write_text(
        "my_pathway:\n"
        "  rules:\n"
        "    - {name: low_abi, when: 'abi < 0.4', cause: pad, urgency: urgent}\n"
        "  default: {cause: none, urgency: self_care}\n"
    )
    assert load_rule_set(flat).name == "mine"
    assert load_rule_set(nested).name == "my_pathway"
    assert load_rule_set(nested).rules == load_rule_set(flat).rules


def test_rule_sets_from_composed_config(tmp_path: Path) -> None:
    one = compose_config(["triage=clinical_pathway"], config_name="triage")
    assert [rs.name for rs in rule_sets_from_config(one.triage)] == ["clinical_pathway"]
    both = compose_config(["triage=[clinical_pathway,symptoms_only]"], config_name="triage")
    assert [rs.name for rs in rule_sets_from_config(both.triage)] == [
        "clinical_pathway",
        "symptoms_only",
    ]
    (tmp_path / "mine.yaml").write_text(
        "rules:\n  - {name: r, when: 'abi < 0.4', cause: pad, urgency: urgent}\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    by_path = compose_config(
        ["triage=[clinical_pathway,file]", "triage.path=mine.yaml"], config_name="triage"
    )
    names = [rs.name for rs in rule_sets_from_config(by_path.triage, base_dir=tmp_path)]
    assert names == ["clinical_pathway", "mine"]


def test_default_triage_config_is_the_presenting_cohort() -> None:
    cfg = compose_config([], config_name="triage")
    assert cfg.cohort.population == "presenting" and cfg.cohort.n == 20000
    assert list(cfg.triage) == ["clinical_pathway"]
    assert cfg.window is None
