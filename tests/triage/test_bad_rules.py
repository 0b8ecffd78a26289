"""Bad rules: one clear line naming the rule set, the rule and the problem; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config import ConfigError, compose_config
from sim.triage.rules import load_rule_set, load_shipped, parse_rule_set, rule_sets_from_config
from tests.helpers import run_triage_cli

GOOD_RULE = {"name": "low_abi", "when": "abi < 0.40", "cause": "pad", "urgency": "urgent"}
DEFAULT = {"cause": "none", "urgency": "self_care"}


def parse(*rules: dict, default: dict | None = DEFAULT, **extra) -> None:
    data = {"rules": list(rules), **extra}
    if default is not None:
        data["default"] = default
    parse_rule_set(data, name="mine")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"when": "frac_urge_to_mov >= 0.5"},
            "rule set 'mine', rule 'low_abi': unknown feature 'frac_urge_to_mov' in when; "
            "did you mean 'frac_urge_to_move'?",
        ),
        (
            {"when": "abi <"},
            "rule set 'mine', rule 'low_abi': syntax error in when 'abi <'",
        ),
        (
            {"when": "abi < 0.4 AND AND abi > 0"},
            "rule set 'mine', rule 'low_abi': syntax error in when",
        ),
        ({"when": "abi"}, "rule 'low_abi': when 'abi' is not a true/false condition"),
        ({"when": "abi = 'low'"}, "rule 'low_abi': when \"abi = 'low'\" cannot be evaluated"),
        ({"when": "nosuchfn(abi) > 1"}, "rule 'low_abi': syntax error in when"),
        ({"when": 0.4}, "rule 'low_abi': when must be a condition in quotes"),
        ({"when": ""}, "rule 'low_abi': when must be a condition in quotes"),
        (
            {"cause": "PAD"},
            "rule set 'mine', rule 'low_abi': unknown cause 'PAD': expected one of rls, pad, "
            "cramps, fatigue, dehydration, nerve, medication, electrolyte, venous, stenosis, none; "
            "did you mean 'pad'?",
        ),
        (
            {"urgency": "emergency"},
            "rule 'low_abi': unknown urgency 'emergency': expected one of urgent, routine, "
            "self_care",
        ),
        ({"urgency": "urgnet"}, "routine, self_care; did you mean 'urgent'?"),
        ({"urgncy": "urgent"}, "rule 'low_abi': unknown key 'urgncy'"),
        ({"name": "default"}, "rule 'default': the name 'default' is reserved"),
    ],
)
def test_bad_rule_messages(rule: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse({**GOOD_RULE, **rule})
    text = str(info.value)
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize("key", ["name", "when", "cause", "urgency"])
def test_missing_rule_key(key: str) -> None:
    rule = {k: v for k, v in GOOD_RULE.items() if k != key}
    who = "rule #1" if key == "name" else "rule 'low_abi'"
    with pytest.raises(ConfigError, match=f"rule set 'mine', {who}: missing key '{key}'"):
        parse(rule)


def test_rule_set_level_problems() -> None:
    with pytest.raises(ConfigError, match="rule set 'mine': the rule list is empty"):
        parse()
    with pytest.raises(ConfigError, match="rule set 'mine': missing key 'default'"):
        parse(GOOD_RULE, default=None)
    with pytest.raises(ConfigError, match="rule set 'mine': missing key 'rules'"):
        parse_rule_set({"default": DEFAULT}, name="mine")
    with pytest.raises(ConfigError, match="rule set 'mine', default: missing key 'urgency'"):
        parse(GOOD_RULE, default={"cause": "none"})
    with pytest.raises(ConfigError, match="rule set 'mine', default: unknown cause 'nothing'"):
        parse(GOOD_RULE, default={"cause": "nothing", "urgency": "self_care"})
    with pytest.raises(ConfigError, match="rule set 'mine': unknown key 'rule'"):
        parse(GOOD_RULE, rule=[])
    with pytest.raises(ConfigError, match="rule set 'mine', rule #2: expected a mapping"):
        parse(GOOD_RULE, "abi < 0.4")
    with pytest.raises(ConfigError, match=r"rule 'low_abi': duplicate rule name \(also rule #1\)"):
        parse(GOOD_RULE, GOOD_RULE)
    with pytest.raises(ConfigError, match="rule set 'mine': the rule set is empty"):
        parse_rule_set(None, name="mine")


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="triage.path=.*nope.yaml is invalid: no such file"):
        load_rule_set(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - name: x\n   when: [\n")
    with pytest.raises(ConfigError, match=r"broken.yaml is not valid YAML \(line \d+\)"):
        load_rule_set(broken)
    with pytest.raises(ConfigError, match="triage='nope' is not a shipped rule set"):
        load_shipped("nope")


def test_config_problems(tmp_path: Path) -> None:
    cfg = compose_config(["triage=file"], config_name="triage")
    with pytest.raises(ConfigError, match=r"^triage.path is missing: give the rule file"):
        rule_sets_from_config(cfg.triage)
    cfg = compose_config(["triage=file", "triage.path=absent.yaml"], config_name="triage")
    with pytest.raises(ConfigError, match=r"^triage.path=absent.yaml is invalid: no such file"):
        rule_sets_from_config(cfg.triage, base_dir=tmp_path)


def test_cli_unknown_feature_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(
        "rules:\n"
        "  - name: rls_typo\n"
        "    when: 'frac_urge_to_mov >= 0.5'\n"
        "    cause: rls\n"
        "    urgency: routine\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    done = run_triage_cli(
        "triage=file", "triage.path=typo.yaml", "cohort.n=50", "out=res", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: rule set 'typo', rule 'rls_typo': unknown feature 'frac_urge_to_mov' in when; "
        "did you mean 'frac_urge_to_move'? (features: docs/features.md)"
    ]
    assert not (tmp_path / "res").exists()


def test_cli_missing_rule_file_exit_2(tmp_path: Path) -> None:
    done = run_triage_cli("triage=file", "triage.path=absent.yaml", "out=res", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: triage.path=absent.yaml is invalid: no such file"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []
